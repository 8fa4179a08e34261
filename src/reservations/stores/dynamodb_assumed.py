"""A DynamoDB client in another account, through a role assumed there: how each cell's edge reads the
cells' directory, which lives in the control account (``terraform/modules/directory``'s read role).

The credentials are botocore's deferred refreshable ones: nothing is assumed until the first call,
and AssumeRole is called again before they expire (botocore's advisory and mandatory windows).  A
failed AssumeRole is an ``UnavailableError`` raised from the DynamoDB call that needed the
credentials, so the edge's directory sync treats it as it treats an unreachable directory: the
last map keeps serving, and the next poll tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.credentials import DeferredRefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from reservations.domain.errors import UnavailableError
from reservations.stores.dynamodb_tenants import SESSION_DURATION, make_signing_client, make_sts_client

if TYPE_CHECKING:
    from reservations.settings import Settings


def assumed_role_credentials(
    sts: Any, role_arn: str, session_name: str, clock: Callable[[], datetime] | None = None
) -> DeferredRefreshableCredentials:
    """``clock``: botocore's ``time_fetcher`` (when the credentials count as expiring); its own by default."""

    def assume() -> dict[str, str]:
        try:
            answer = sts.assume_role(
                RoleArn=role_arn,
                RoleSessionName=session_name[:64],
                DurationSeconds=int(SESSION_DURATION.total_seconds()),
            )
        except (ClientError, BotoCoreError) as exc:
            raise UnavailableError(f"cannot assume {role_arn}: {exc}") from exc
        credentials: dict[str, Any] = answer["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }

    extra = {} if clock is None else {"time_fetcher": clock}
    return DeferredRefreshableCredentials(assume, "assume-role", **extra)


def make_assumed_client(
    settings: Settings, role_arn: str, session_name: str, clock: Callable[[], datetime] | None = None
) -> Any:
    """A DynamoDB client signing as ``role_arn``; STS is called with the process's own credentials."""
    credentials = assumed_role_credentials(make_sts_client(settings), role_arn, session_name, clock)
    return make_signing_client(settings, credentials)
