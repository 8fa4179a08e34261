"""The Terraform Cloud adapter on HashiCorp's ``pytfe`` SDK (httpx underneath), the default.

pytfe's own retry loop is switched off (``max_retries=0``) so that 429s go through the shared
``with_backoff`` and both adapters behave the same; HTTP/2 is off because it needs the optional
``h2`` package. Every request carries the configured timeout.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from reservations.cluster.tfc import (
    TfcConflict,
    TfcError,
    TfcNotFound,
    TfcPlan,
    TfcRateLimited,
    TfcResourceChange,
    TfcRun,
    TfcUnreachable,
    TfcWorkspace,
    is_workspace_id,
    resource_changes,
    with_backoff,
)

T = TypeVar("T")


def _value(raw: Any) -> str:
    return str(getattr(raw, "value", raw) or "")


class PytfeCloud:
    def __init__(
        self,
        *,
        url: str,
        organization: str,
        token: str,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        backoff_base: float = 1.0,
    ) -> None:
        from pytfe import TFEClient, TFEConfig

        self.organization = organization
        self._sleep = sleep
        self._backoff_base = backoff_base
        # A plain-http address (a local Terraform Enterprise, or a test double) needs no TLS context,
        # which costs ~0.2 s of CPU to build.
        tls = url.startswith("https://")
        settings: dict[str, Any] = {"verify_tls": tls} if tls else {"verify_tls": False, "ca_bundle": None}
        self._client = TFEClient(
            TFEConfig(address=url, token=token, timeout=timeout, max_retries=0, http2=False, **settings)
        )

    def _call(self, fn: Callable[[], T]) -> T:
        return with_backoff(lambda: self._translate(fn), sleep=self._sleep, base=self._backoff_base)

    @staticmethod
    def _translate(fn: Callable[[], T]) -> T:
        from pydantic import ValidationError
        from pytfe import errors

        try:
            return fn()
        except errors.NotFound as error:
            raise TfcNotFound(f"not found: {error}") from None
        except errors.RateLimited as error:
            raise TfcRateLimited(f"rate limited: {error}", error.retry_after) from None
        except errors.AuthError as error:
            raise TfcError(f"Terraform Cloud refused the token (HTTP {error.status})") from None
        except errors.ServerError as error:
            if error.status is None:
                raise TfcUnreachable(f"Terraform Cloud unreachable: {error}") from None
            raise TfcError(f"Terraform Cloud error (HTTP {error.status}): {error}") from None
        except errors.TFEError as error:
            if error.status == 409:
                raise TfcConflict(f"conflict: {error}") from None
            raise TfcError(f"Terraform Cloud error (HTTP {error.status}): {error}") from None
        except ValidationError as error:
            raise TfcError(
                f"unexpected answer from Terraform Cloud: {error.error_count()} invalid fields"
            ) from None

    def find_workspace(self, workspace: str) -> TfcWorkspace:
        if is_workspace_id(workspace):
            ws = self._call(lambda: self._client.workspaces.read_by_id(workspace))
        else:
            ws = self._call(lambda: self._client.workspaces.read(workspace, organization=self.organization))
        locked_by = None
        if ws.locked_by is not None:
            locked_by = next((k + "s" for k in ("run", "user", "team") if getattr(ws.locked_by, k)), None)
        return TfcWorkspace(
            id=ws.id,
            name=ws.name or workspace,
            auto_apply=bool(ws.auto_apply),
            locked=bool(ws.locked),
            locked_by=locked_by,
        )

    def _run(self, run: Any) -> TfcRun:
        actions = run.actions
        return TfcRun(
            id=run.id,
            status=_value(run.status),
            message=run.message or "",
            created_at=run.created_at,
            is_confirmable=bool(actions and actions.is_confirmable),
            plan_id=run.plan.id if run.plan is not None else None,
            position_in_queue=run.position_in_queue,
        )

    def recent_runs(self, workspace_id: str, limit: int = 20) -> list[TfcRun]:
        runs = self._call(lambda: list(itertools.islice(self._client.runs.list(workspace_id), limit)))
        return [self._run(run) for run in runs]

    def get_run(self, run_id: str) -> TfcRun:
        return self._run(self._call(lambda: self._client.runs.read(run_id)))

    def create_run(self, workspace_id: str, message: str) -> TfcRun:
        from pytfe.models import RunCreateOptions, Workspace

        options = RunCreateOptions.model_validate(
            {"workspace": Workspace.model_validate({"id": workspace_id}), "message": message}
        )
        return self._run(self._call(lambda: self._client.runs.create(options)))

    def apply_run(self, run_id: str, comment: str) -> None:
        from pytfe.models import RunApplyOptions

        self._call(
            lambda: self._client.runs.apply(run_id, RunApplyOptions.model_validate({"comment": comment}))
        )

    def get_plan(self, plan_id: str) -> TfcPlan:
        plan = self._call(lambda: self._client.plans.read(plan_id))
        return TfcPlan(
            id=plan.id,
            status=_value(plan.status),
            additions=plan.resource_additions or 0,
            changes=plan.resource_changes or 0,
            destructions=plan.resource_destructions or 0,
        )

    def plan_resource_changes(self, plan_id: str) -> list[TfcResourceChange] | None:
        return resource_changes(self._call(lambda: self._client.plans.read_json_output(plan_id)))

    def close(self) -> None:
        self._client.close()
