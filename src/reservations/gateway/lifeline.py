"""Workers of ``reservations serve`` die with the process that started them.

A ``kill -9`` of the parent (a crash, the OOM killer, a container stop) cannot run any clean-up, so
without this its workers would keep the port and the SQLite files: the next start would say
"Address already in use" while an orphan went on writing.  On Linux the kernel sends each worker
SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), which uvicorn turns into a graceful stop;
elsewhere a thread notices the new parent and does the same.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

# The supervisor's pid, set by ``server.run`` before it starts workers; absent with one process.
SUPERVISOR_ENV = "RESERVATIONS_GATEWAY_SUPERVISOR"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_POLL_S = 1.0


def follow_supervisor() -> None:
    """Called in each worker as it loads the app: stop when the supervisor is gone."""
    expected = os.environ.get(SUPERVISOR_ENV, "")
    if not expected.isdigit():
        return
    supervisor = int(expected)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            _watch(supervisor)
    else:
        _watch(supervisor)
    # The supervisor may have died before the request above took effect: then the worker has been
    # re-parented already and no signal will come.
    if os.getppid() != supervisor:
        os.kill(os.getpid(), signal.SIGTERM)


def _watch(supervisor: int) -> None:
    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(_POLL_S)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()
