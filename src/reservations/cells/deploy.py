"""Canary deploys, cell by cell: the cell root applied in waves, each gated on its cells' health.

The waves are defined once, in the cell root's ``waves.json`` beside ``cells/<cell>.tfvars``: the
canary cell, how many cells a later wave takes, each cell's health URL (its edge's ``/healthz``,
what the synthetic check reads) and the gate's patience. The cells themselves are the tfvars files,
so a new cell is in the next deploy without another list to keep. A wave's cells are applied side
by side (each in its own workspace, ``TF_WORKSPACE``), then every one of them must answer its health
URL with 200; the first failed apply or failed gate stops the deploy, and the cells of later waves
are never applied.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reservations.domain.errors import ValidationError

WAVES_FILE = "waves.json"


@dataclass(frozen=True)
class Gate:
    attempts: int = 6
    interval_s: float = 10.0
    timeout_s: float = 5.0


@dataclass(frozen=True)
class Plan:
    root: Path
    waves: tuple[tuple[str, ...], ...]
    health: dict[str, str]
    gate: Gate = Gate()
    workspace: str = "{cell}"  # a Terraform Cloud workspace per cell: "reservations-prod-{cell}"

    @property
    def cells(self) -> list[str]:
        return [cell for wave in self.waves for cell in wave]


def _number(raw: dict[str, Any], key: str, default: float, lowest: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < lowest:
        raise ValidationError(f"{WAVES_FILE}: {key} must be a number >= {lowest}", field=key)
    return float(value)


def _whole(raw: dict[str, Any], key: str, default: int) -> int:
    value = _number(raw, key, default, 1)
    if value != int(value):
        raise ValidationError(f"{WAVES_FILE}: {key} must be a whole number", field=key)
    return int(value)


def _gate(raw: Any) -> Gate:
    if not isinstance(raw, dict):
        raise ValidationError(f"{WAVES_FILE}: gate must be an object", field="gate")
    return Gate(
        _whole(raw, "attempts", Gate.attempts),
        _number(raw, "interval_s", Gate.interval_s, 0),
        _number(raw, "timeout_s", Gate.timeout_s, 0.1),
    )


def load_plan(root: Path, waves_file: Path | None = None) -> Plan:
    """The waves of a cell root: its cells (``cells/*.tfvars``) ordered by its waves file."""
    path = waves_file if waves_file is not None else root / WAVES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(f"cannot read the waves file {path}: {exc.strerror}", field="waves") from None
    except ValueError as exc:
        raise ValidationError(f"the waves file {path} is not JSON: {exc}", field="waves") from None
    if not isinstance(raw, dict):
        raise ValidationError(f"the waves file {path} must be a JSON object", field="waves")
    cells = sorted(p.stem for p in (root / "cells").glob("*.tfvars"))
    if not cells:
        raise ValidationError(f"no cells/*.tfvars in {root}", field="root")
    canary = raw.get("canary")
    if canary not in cells:
        raise ValidationError(
            f"{WAVES_FILE}: canary must be one of the cells ({', '.join(cells)})", field="canary"
        )
    size = _whole(raw, "wave_size", 1)
    health = raw.get("health")
    if not isinstance(health, dict) or not all(
        isinstance(u, str) and u.startswith(("http://", "https://")) for u in health.values()
    ):
        raise ValidationError(f"{WAVES_FILE}: health must map each cell to an http(s) URL", field="health")
    missing = [cell for cell in cells if cell not in health]
    if missing:
        raise ValidationError(f"{WAVES_FILE}: no health URL for {', '.join(missing)}", field="health")
    workspace = raw.get("workspace", "{cell}")
    if not isinstance(workspace, str) or "{cell}" not in workspace:
        raise ValidationError(f"{WAVES_FILE}: workspace must contain {{cell}}", field="workspace")
    rest = [cell for cell in cells if cell != canary]
    waves = ((canary,), *(tuple(rest[i : i + size]) for i in range(0, len(rest), size)))
    return Plan(root, waves, {cell: health[cell] for cell in cells}, _gate(raw.get("gate", {})), workspace)


@dataclass
class Outcome:
    new: list[str] = field(default_factory=list)  # applied, and healthy
    unhealthy: list[str] = field(default_factory=list)  # applied, but its gate failed
    failed: list[str] = field(default_factory=list)  # its apply failed: partly applied, at most
    untouched: list[str] = field(default_factory=list)  # never applied (a later wave)
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unhealthy or self.failed)

    def line(self) -> str:
        """One line for the operator: what stopped the deploy and where every cell stands."""
        if self.ok:
            return f"all {len(self.new)} cell(s) on the new version: {', '.join(self.new)}"
        behind = [f"{c} (apply failed)" for c in self.failed] + self.untouched
        unhealthy = [f"{c} (unhealthy)" for c in self.unhealthy]
        return (
            f"stopped: {'; '.join(self.reasons)}; "
            f"on the new version: {', '.join(self.new + unhealthy) or 'none'}; "
            f"not on it: {', '.join(behind) or 'none'}"
        )


def check_health(url: str, gate: Gate, sleep: Callable[[float], None] = time.sleep) -> str | None:
    """None when the URL answers 200 within the gate's attempts, else why not (the last answer)."""
    reason = ""
    for attempt in range(gate.attempts):
        if attempt:
            sleep(gate.interval_s)
        try:
            with urllib.request.urlopen(url, timeout=gate.timeout_s) as response:  # noqa: S310 (http(s) only, checked)
                if response.status == 200:
                    return None
                reason = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = f"no answer ({getattr(exc, 'reason', exc)})"
    return f"{reason} from {url} after {gate.attempts} attempt(s)"


class Deployer:
    """Applies a plan's waves with a real ``terraform`` (the root already ``init``-ed)."""

    def __init__(
        self, plan: Plan, log_dir: Path, terraform: str = "terraform", echo: Callable[[str], None] = print
    ) -> None:
        self._plan = plan
        self._logs = log_dir
        self._terraform = terraform
        self._echo = echo

    def run(self) -> Outcome:
        self._logs.mkdir(parents=True, exist_ok=True)
        outcome = Outcome()
        for number, wave in enumerate(self._plan.waves, start=1):
            if not outcome.ok:
                outcome.untouched += wave
                continue
            self._echo(f"wave {number}: {' '.join(wave)}")
            for cell in wave:
                self._workspace(cell)  # one at a time: selecting writes the root's .terraform/environment
            with ThreadPoolExecutor(max_workers=len(wave)) as pool:
                applied = dict(zip(wave, pool.map(self._apply, wave), strict=True))
            for cell in wave:
                self._judge(cell, applied[cell], outcome)
        return outcome

    def _judge(self, cell: str, apply_error: str | None, outcome: Outcome) -> None:
        if apply_error is not None:
            outcome.failed.append(cell)
            outcome.reasons.append(f"{cell}'s apply failed ({apply_error})")
            return
        unhealthy = check_health(self._plan.health[cell], self._plan.gate)
        if unhealthy is None:
            self._echo(f"{cell}: applied and healthy")
            outcome.new.append(cell)
            return
        outcome.unhealthy.append(cell)
        outcome.reasons.append(f"{cell}'s health gate failed ({unhealthy})")

    def _terraform_run(self, cell: str, args: list[str], log: Path, workspace: bool) -> int:
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}
        env.pop("TF_WORKSPACE", None)
        if workspace:
            env["TF_WORKSPACE"] = self._plan.workspace.format(cell=cell)
        with log.open("a", encoding="utf-8") as out:
            try:
                done = subprocess.run(
                    [self._terraform, f"-chdir={self._plan.root}", *args],
                    stdout=out, stderr=subprocess.STDOUT, env=env, check=False,
                )  # fmt: skip
            except OSError as exc:
                out.write(f"cannot run {self._terraform}: {exc}\n")
                return 127
        return done.returncode

    def _workspace(self, cell: str) -> None:
        name = self._plan.workspace.format(cell=cell)
        self._terraform_run(cell, ["workspace", "select", "-or-create", name], self._log(cell), False)

    def _apply(self, cell: str) -> str | None:
        """None when the apply succeeded, else its exit status and log."""
        self._echo(f"{cell}: applying (log: {self._log(cell)})")
        args = ["apply", "-auto-approve", "-input=false", "-no-color", f"-var-file=cells/{cell}.tfvars"]
        status = self._terraform_run(cell, args, self._log(cell), True)
        return None if status == 0 else f"exit {status}, log {self._log(cell)}"

    def _log(self, cell: str) -> Path:
        return self._logs / f"{cell}.log"
