"""The Terraform Cloud adapter on ``terrasnek``, the original system's (now deprecated) library.

Two pitfalls are handled here. ``TFC(...)`` asks PyPI for its own latest version unless given
``skip_version_check=True`` (a Lambda in a private subnet would hang there), so it always is. And
terrasnek passes no timeout to ``requests``: its modules' ``requests`` name is pointed at a shim
that adds one to every call and remembers the last response's ``Retry-After`` for the backoff.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
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


class _RequestsWithTimeout:
    """Stands in for the ``requests`` module inside terrasnek: same calls, plus a timeout."""

    def __init__(self, timeout: float) -> None:
        import requests

        self._requests = requests
        self.timeout = timeout
        self._local = threading.local()

    def _send(self, method: str, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.timeout)
        response = self._requests.request(method, url, **kwargs)
        self._local.retry_after = response.headers.get("Retry-After")
        return response

    def retry_after(self) -> float | None:
        raw = getattr(self._local, "retry_after", None)
        try:
            return float(raw) if raw else None
        except ValueError:
            return None

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._send("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._send("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Any:
        return self._send("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self._send("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self._send("DELETE", url, **kwargs)


_shim_lock = threading.Lock()


def _install_shim(timeout: float) -> _RequestsWithTimeout:
    import terrasnek.api
    import terrasnek.endpoint

    with _shim_lock:
        shim = terrasnek.endpoint.requests
        if not isinstance(shim, _RequestsWithTimeout):
            shim = _RequestsWithTimeout(timeout)
            terrasnek.endpoint.requests = shim
            terrasnek.api.requests = shim
        shim.timeout = timeout
        return shim


def _parse_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _detail(error: Exception) -> str:
    payload = error.args[0] if error.args else None
    if isinstance(payload, dict):
        errors = payload.get("errors") or []
        if errors and isinstance(errors[0], dict):
            return str(errors[0].get("detail") or errors[0].get("title") or "")
    return str(payload or "")


class TerrasnekCloud:
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
        from terrasnek.api import TFC

        self.organization = organization
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._shim = _install_shim(timeout)

        def connect() -> Any:
            try:
                api = TFC(token, url=url, skip_version_check=True)
            except (TypeError, KeyError):
                raise TfcError(
                    f"no Terraform Cloud API found at {url} (/.well-known/terraform.json)"
                ) from None
            api.set_org(organization)
            return api

        self._api = self._call(connect)

    def _call(self, fn: Callable[[], T]) -> T:
        return with_backoff(lambda: self._translate(fn), sleep=self._sleep, base=self._backoff_base)

    def _translate(self, fn: Callable[[], T]) -> T:
        import requests
        from terrasnek import exceptions as tx

        try:
            return fn()
        except tx.TFCHTTPNotFound as error:
            raise TfcNotFound(f"not found: {_detail(error)}") from None
        except tx.TFCHTTPAPIRequestRateLimit:
            raise TfcRateLimited("rate limited by Terraform Cloud", self._shim.retry_after()) from None
        except tx.TFCHTTPConflict as error:
            raise TfcConflict(f"conflict: {_detail(error)}") from None
        except (tx.TFCHTTPUnauthorized, tx.TFCHTTPForbidden):
            raise TfcError("Terraform Cloud refused the token") from None
        except tx.TFCException as error:
            raise TfcError(f"Terraform Cloud error: {_detail(error)}") from None
        except requests.RequestException as error:
            raise TfcUnreachable(f"Terraform Cloud unreachable: {type(error).__name__}") from None
        except ValueError:
            raise TfcError("unexpected (non-JSON) answer from Terraform Cloud") from None

    def find_workspace(self, workspace: str) -> TfcWorkspace:
        if is_workspace_id(workspace):
            doc = self._call(lambda: self._api.workspaces.show(workspace_id=workspace))
        else:
            doc = self._call(lambda: self._api.workspaces.show(workspace_name=workspace))
        if not isinstance(doc, dict) or "data" not in doc:
            raise TfcError("unexpected answer from Terraform Cloud for the workspace")
        data = doc["data"]
        attributes = data.get("attributes") or {}
        locked_by = ((data.get("relationships") or {}).get("locked-by") or {}).get("data") or {}
        return TfcWorkspace(
            id=data["id"],
            name=attributes.get("name") or workspace,
            auto_apply=bool(attributes.get("auto-apply")),
            locked=bool(attributes.get("locked")),
            locked_by=locked_by.get("type"),
        )

    @staticmethod
    def _run(data: dict[str, Any]) -> TfcRun:
        attributes = data.get("attributes") or {}
        plan = ((data.get("relationships") or {}).get("plan") or {}).get("data") or {}
        return TfcRun(
            id=data["id"],
            status=str(attributes.get("status") or ""),
            message=str(attributes.get("message") or ""),
            created_at=_parse_time(attributes.get("created-at")),
            is_confirmable=bool((attributes.get("actions") or {}).get("is-confirmable")),
            plan_id=plan.get("id"),
            position_in_queue=attributes.get("position-in-queue"),
        )

    def recent_runs(self, workspace_id: str, limit: int = 20) -> list[TfcRun]:
        doc = self._call(lambda: self._api.runs.list(workspace_id, page=1, page_size=limit))
        return [self._run(item) for item in (doc or {}).get("data", [])][:limit]

    def get_run(self, run_id: str) -> TfcRun:
        return self._run(self._call(lambda: self._api.runs.show(run_id))["data"])

    def create_run(self, workspace_id: str, message: str) -> TfcRun:
        payload = {
            "data": {
                "type": "runs",
                "attributes": {"message": message},
                "relationships": {"workspace": {"data": {"type": "workspaces", "id": workspace_id}}},
            }
        }
        return self._run(self._call(lambda: self._api.runs.create(payload))["data"])

    def apply_run(self, run_id: str, comment: str) -> None:
        self._call(lambda: self._api.runs.apply(run_id, {"comment": comment}))

    def get_plan(self, plan_id: str) -> TfcPlan:
        data = self._call(lambda: self._api.plans.show(plan_id))["data"]
        attributes = data.get("attributes") or {}
        return TfcPlan(
            id=data["id"],
            status=str(attributes.get("status") or ""),
            additions=int(attributes.get("resource-additions") or 0),
            changes=int(attributes.get("resource-changes") or 0),
            destructions=int(attributes.get("resource-destructions") or 0),
        )

    def plan_resource_changes(self, plan_id: str) -> list[TfcResourceChange] | None:
        """terrasnek only downloads the JSON plan to a file (it follows the redirect to the blob)."""
        import json
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".json") as target:
            try:
                self._call(lambda: self._api.plans.download_json(target.name, plan_id=plan_id))
            except TypeError:  # 204, plan JSON not ready: terrasnek tries to write the headers
                return None
            raw = target.read()
        try:
            return resource_changes(json.loads(raw)) if raw.strip() else None
        except ValueError:
            return None

    def close(self) -> None:
        """terrasnek keeps no connection pool."""
