"""A small Terraform Cloud runs API on a loopback port, speaking JSON:API like the real one.

Only what the scheduler (through pytfe or terrasnek) calls: the well-known discovery document,
workspaces by name or id, a workspace's runs, run create/show/apply, and plans. Tests script a run's
statuses with ``script`` and move it along with ``tick``; ``throttle`` answers the next requests 429,
``delay`` slows every answer (to prove the client's timeout), ``requests`` records what was called.

It holds any number of workspaces, each with its own runs and, optionally, its own script, planned
resource types, ``on_applied`` hook and ``plannable`` check: the rebuild's cluster and edge
workspaces are two of them, and an edge workspace whose ``plannable`` says the cluster is missing
errors its runs as Terraform's kubernetes provider would.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "tfc-test-token-not-a-secret"
WELL_KNOWN = {
    "modules.v1": "/api/registry/v1/modules/",
    "motd.v1": "/api/terraform/motd",
    "state.v2": "/api/v2/",
    "tfe.v2": "/api/v2/",
    "tfe.v2.1": "/api/v2/",
    "tfe.v2.2": "/api/v2/",
}
CONFIRMABLE = {"planned", "cost_estimated", "policy_checked"}


@dataclass
class FakeRun:
    id: str
    workspace_id: str
    message: str
    statuses: list[str]  # statuses[0] is the current one; tick() drops it
    plan_id: str
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    confirmable: bool | None = None  # None: confirmable exactly in CONFIRMABLE statuses
    target_addrs: list[str] = field(default_factory=list)  # as the client sent them; [] = full run
    applied_script: list[str] = field(default_factory=lambda: ["apply_queued", "applying", "applied"])

    @property
    def status(self) -> str:
        return self.statuses[0]

    @property
    def is_confirmable(self) -> bool:
        if self.confirmable is not None:
            return self.confirmable
        return self.status in CONFIRMABLE


@dataclass
class FakeWorkspace:
    id: str
    name: str
    auto_apply: bool = False
    locked: bool = False
    locked_by: str | None = None  # "users" or "runs"
    script: list[str] | None = None  # this workspace's run statuses; None: the fake's ``script``
    created_type: str = "aws_eks_node_group"  # the type of what plan_counts["additions"] creates
    resource_changes: list[dict[str, Any]] | None = None  # None: the fake's (or derived from counts)
    on_applied: Any = None  # called when one of its runs reaches "applied"
    plannable: Any = None  # () -> bool at run creation; False: the run plans into "errored"


class FakeTerraformCloud:
    def __init__(self, organization: str = "acme") -> None:
        self.organization = organization
        self.workspaces: dict[str, FakeWorkspace] = {}
        self.runs: list[FakeRun] = []  # oldest first
        self.plans: dict[str, dict[str, int]] = {}
        self.requests: list[tuple[str, str]] = []
        self.script: list[str] = ["pending", "plan_queued", "planning", "planned"]
        self.plan_counts = {"additions": 12, "changes": 0, "destructions": 0}
        # The JSON plan's resource_changes for new plans; None derives them from plan_counts
        # (additions are EKS nodegroups, destructions S3 buckets); json_output=False answers 204.
        self.resource_changes: list[dict[str, Any]] | None = None
        self.json_output = True
        self.plan_json: dict[str, dict[str, Any]] = {}
        self.throttle_next = 0
        self.retry_after = "0"
        self.delay = 0.0
        self.tick_on_list = False  # each listing of runs moves them on, for tests that only poll
        self.on_applied: Any = None  # called when a run reaches "applied" (Terraform made the cluster)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeTerraformCloud:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- scripting --------------------------------------------------------------------------------

    def add_workspace(self, name: str, **kwargs: Any) -> FakeWorkspace:
        ws = FakeWorkspace(id=f"ws-{name}{next(self._ids)}", name=name, **kwargs)
        self.workspaces[ws.id] = ws
        return ws

    def add_run(self, ws: FakeWorkspace, message: str, statuses: list[str], **kwargs: Any) -> FakeRun:
        with self._lock:
            number = next(self._ids)
            run = FakeRun(f"run-{number:06d}", ws.id, message, list(statuses), f"plan-{number:06d}", **kwargs)
            self.plans[run.plan_id] = dict(self.plan_counts)
            changes = ws.resource_changes if ws.resource_changes is not None else self.resource_changes
            if changes is None:
                changes = [
                    {
                        "address": f"{ws.created_type}.r{i}",
                        "type": ws.created_type,
                        "change": {"actions": ["create"]},
                    }
                    for i in range(self.plan_counts["additions"])
                ] + [
                    {
                        "address": f"aws_s3_bucket.b{i}",
                        "type": "aws_s3_bucket",
                        "change": {"actions": ["delete"]},
                    }
                    for i in range(self.plan_counts["destructions"])
                ]
            self.plan_json[run.plan_id] = {"format_version": "1.2", "resource_changes": changes}
            self.runs.append(run)
            return run

    def tick(self, times: int = 1) -> None:
        """Every run moves to its next scripted status (the last one sticks)."""
        with self._lock:
            for _ in range(times):
                for run in self.runs:
                    if len(run.statuses) > 1:
                        run.statuses.pop(0)
                        if run.status == "applied":
                            hook = self.workspaces[run.workspace_id].on_applied or self.on_applied
                            if hook is not None:
                                hook()

    def run(self, run_id: str) -> FakeRun:
        return next(r for r in self.runs if r.id == run_id)

    def calls(self, method: str, pattern: str) -> int:
        return sum(1 for m, p in self.requests if m == method and re.fullmatch(pattern, p))

    # --- documents --------------------------------------------------------------------------------

    def _ws_doc(self, ws: FakeWorkspace) -> dict[str, Any]:
        relationships: dict[str, Any] = {
            "organization": {"data": {"id": self.organization, "type": "organizations"}}
        }
        if ws.locked_by:
            relationships["locked-by"] = {"data": {"id": f"{ws.locked_by}-1", "type": ws.locked_by}}
        return {
            "id": ws.id,
            "type": "workspaces",
            "attributes": {"name": ws.name, "auto-apply": ws.auto_apply, "locked": ws.locked},
            "relationships": relationships,
        }

    @staticmethod
    def _run_doc(run: FakeRun) -> dict[str, Any]:
        return {
            "id": run.id,
            "type": "runs",
            "attributes": {
                "status": run.status,
                "message": run.message,
                "target-addrs": run.target_addrs or None,
                "created-at": run.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "position-in-queue": 2 if run.status in ("pending", "plan_queued") else 0,
                "has-changes": True,
                "actions": {
                    "is-cancelable": True,
                    "is-confirmable": run.is_confirmable,
                    "is-discardable": run.is_confirmable,
                    "is-force-cancelable": False,
                },
            },
            "relationships": {
                "plan": {"data": {"id": run.plan_id, "type": "plans"}},
                "workspace": {"data": {"id": run.workspace_id, "type": "workspaces"}},
            },
        }

    # --- HTTP -------------------------------------------------------------------------------------

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        org_ws = re.fullmatch(r"/api/v2/organizations/([^/]+)/workspaces/([^/]+)", path)
        if method == "GET" and org_ws:
            ws = next((w for w in self.workspaces.values() if w.name == org_ws.group(2)), None)
            if org_ws.group(1) != self.organization or ws is None:
                return 404, _error(404, "not found")
            return 200, {"data": self._ws_doc(ws)}
        if method == "GET" and (m := re.fullmatch(r"/api/v2/workspaces/([^/]+)", path)):
            found = self.workspaces.get(m.group(1))
            return (200, {"data": self._ws_doc(found)}) if found else (404, _error(404, "not found"))
        if method == "GET" and (m := re.fullmatch(r"/api/v2/workspaces/([^/]+)/runs", path)):
            if self.tick_on_list:
                self.tick()
            runs = [self._run_doc(r) for r in reversed(self.runs) if r.workspace_id == m.group(1)]
            meta = {
                "pagination": {
                    "current-page": 1,
                    "next-page": None,
                    "total-pages": 1,
                    "total-count": len(runs),
                }
            }
            return 200, {"data": runs, "meta": meta}
        if method == "POST" and path == "/api/v2/runs":
            data = body.get("data") or {}
            ws_id = data.get("relationships", {}).get("workspace", {}).get("data", {}).get("id")
            ws = self.workspaces.get(ws_id or "")
            if ws is None:
                return 404, _error(404, "workspace not found")
            if ws.locked:
                return 409, _error(409, "workspace is locked")
            attributes = data.get("attributes") or {}
            message = str(attributes.get("message") or "")
            targets = attributes.get("target-addrs") or []
            if not isinstance(targets, list) or not all(isinstance(t, str) and t for t in targets):
                return 422, _error(422, "target-addrs must be a list of addresses")
            script = ["pending", "planning", "applying", "applied"] if ws.auto_apply else self.script
            script = list(ws.script or script)
            if ws.plannable is not None and not ws.plannable():
                script = ["pending", "planning", "errored"]
            run = self.add_run(ws, message, script, target_addrs=list(targets))
            return 201, {"data": self._run_doc(run)}
        if method == "GET" and (m := re.fullmatch(r"/api/v2/runs/([^/]+)", path)):
            found_run = next((r for r in self.runs if r.id == m.group(1)), None)
            return (200, {"data": self._run_doc(found_run)}) if found_run else (404, _error(404, "not found"))
        if method == "POST" and (m := re.fullmatch(r"/api/v2/runs/([^/]+)/actions/apply", path)):
            found_run = next((r for r in self.runs if r.id == m.group(1)), None)
            if found_run is None:
                return 404, _error(404, "not found")
            if not found_run.is_confirmable:
                return 409, _error(409, "transition not allowed")
            found_run.statuses = ["confirmed", *found_run.applied_script]
            found_run.confirmable = None
            return 202, None
        if method == "GET" and (m := re.fullmatch(r"/api/v2/plans/([^/]+)/json-output", path)):
            if not self.json_output:
                return 204, None
            return 307, {"location": f"{self.url}/_blobs/plan-json/{m.group(1)}"}
        if method == "GET" and (m := re.fullmatch(r"/api/v2/plans/([^/]+)", path)):
            counts = self.plans.get(m.group(1))
            if counts is None:
                return 404, _error(404, "not found")
            attributes = {f"resource-{k}": v for k, v in counts.items()} | {
                "status": "finished",
                "has-changes": True,
            }
            return 200, {"data": {"id": m.group(1), "type": "plans", "attributes": attributes}}
        return 404, _error(404, f"no route {method} {path}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, doc: dict[str, Any] | None, headers: dict[str, str] | None = None
            ) -> None:
                payload = b"" if doc is None else json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.api+json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                if fake.delay:
                    time.sleep(fake.delay)
                with fake._lock:
                    fake.requests.append((method, path))
                    throttled = fake.throttle_next > 0 and path != "/.well-known/terraform.json"
                    if throttled:
                        fake.throttle_next -= 1
                if path == "/.well-known/terraform.json":
                    self._answer(200, WELL_KNOWN)
                    return
                if path.startswith("/_blobs/plan-json/"):  # a presigned blob URL: no token
                    blob = fake.plan_json.get(path.rsplit("/", 1)[1])
                    self._answer(200 if blob else 404, blob or _error(404, "no blob"))
                    return
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(401, _error(401, "unauthorized"))
                    return
                if throttled:
                    self._answer(429, _error(429, "too many requests"), {"Retry-After": fake.retry_after})
                    return
                try:
                    body = json.loads(raw) if raw.strip() and raw.strip() != b"null" else {}
                except ValueError:
                    self._answer(400, _error(400, "bad json"))
                    return
                status, doc = fake._route(method, path, body if isinstance(body, dict) else {})
                if status == 307 and doc is not None:
                    self._answer(307, None, {"Location": doc["location"]})
                    return
                self._answer(status, doc)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that timed out (as the timeout tests make it) hangs up mid-answer: not an error here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _error(status: int, detail: str) -> dict[str, Any]:
    return {"errors": [{"status": str(status), "title": detail, "detail": detail}]}
