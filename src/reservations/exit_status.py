"""Exit statuses shared by every command, so scripts can tell failures apart (as httpie does)."""

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0
    ERROR = 1  # the server, or the action, refused (the reason is printed)
    USAGE = 2  # bad flags or arguments
    UNREACHABLE = 3  # cannot reach the server
