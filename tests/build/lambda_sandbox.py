"""Runs a handler as Lambda would: from its extracted zip, behind it only the runtime's own SDK.

The venv is made with ``--without-pip`` and the interpreter runs isolated (``-I``: no PYTHONPATH,
no user site, no script directory), so the only code it can import besides the standard library
is the zip's and, after it on ``sys.path`` as Lambda's runtime directory is, the runtime's compiled
boto3/botocore (``reservations.build.runtime``).  Every non-stdlib module that was loaded is checked
to come from one of the two, the SDK from the runtime and the rest from the zip.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

RUNNER = r"""
import importlib, json, os, sys, sysconfig
task, runtime, module, event_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, task)  # what Lambda's bootstrap does for /var/task
sys.path.append(runtime)  # the runtime's own site-packages, after the standard library
stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}

class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "fn")
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "stream"
    def get_remaining_time_in_millis(self):
        return 10000

with open(event_file) as handle:
    event = json.load(handle)
outcome = {}
try:
    handler = importlib.import_module(module).handler
    outcome["result"] = handler(event, Context())
except Exception as exc:
    outcome["error"] = f"{type(exc).__name__}: {exc}"
foreign = set()
for name, loaded in list(sys.modules.items()):
    path = getattr(loaded, "__file__", None)
    if not path or name in ("__main__", "__mp_main__"):
        continue
    real = os.path.realpath(path)
    allowed = [os.path.realpath(task), os.path.realpath(runtime), *stdlib]
    if any(real.startswith(s + os.sep) for s in allowed):
        continue
    foreign.add(f"{name}: {real}")
outcome["foreign_modules"] = sorted(foreign)
outcome["origins"] = {
    name: os.path.realpath(sys.modules[name].__file__)
    for name in ("reservations", "boto3", "botocore", "aws_lambda_powertools")
    if name in sys.modules
}
print("OUTCOME " + json.dumps(outcome, default=str))
"""


# What the runtime provides; everything else the handler loads must come from its zip.
FROM_RUNTIME = ("boto3", "botocore")


class Sandbox:
    def __init__(self, root: Path, runtime: Path) -> None:
        self.root = root
        self.runtime = runtime
        self.venv = root / "venv"
        if not (self.venv / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)], check=True)
        self.runner = root / "runner.py"
        self.runner.write_text(RUNNER)
        self._tasks: dict[Path, Path] = {}

    def extract(self, zip_path: Path) -> Path:
        if zip_path not in self._tasks:
            task = self.root / "task" / zip_path.stem
            task.mkdir(parents=True)
            with zipfile.ZipFile(zip_path) as archive:
                archive.extractall(task)
            for path in task.rglob("*"):  # /var/task is read-only on Lambda
                path.chmod(0o555 if path.is_dir() else 0o444)
            self._tasks[zip_path] = task
        return self._tasks[zip_path]

    def invoke(self, zip_path: Path, module: str, event: Any, env: dict[str, str]) -> dict[str, Any]:
        task = self.extract(zip_path)
        event_file = self.root / f"event-{len(list(self.root.glob('event-*')))}.json"
        event_file.write_text(json.dumps(event))
        completed = subprocess.run(
            [
                str(self.venv / "bin" / "python"),
                "-I",
                "-B",
                str(self.runner),
                str(task),
                str(self.runtime),
                module,
                str(event_file),
            ],
            cwd=task,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        lines = [line for line in completed.stdout.splitlines() if line.startswith("OUTCOME ")]
        assert lines, f"the handler process died (exit {completed.returncode}):\n{completed.stderr[-3000:]}"
        outcome: dict[str, Any] = json.loads(lines[-1][len("OUTCOME ") :])
        outcome["stderr"] = completed.stderr
        outcome["stdout"] = completed.stdout
        assert outcome["foreign_modules"] == [], outcome["foreign_modules"]
        for name, origin in outcome["origins"].items():
            expected = self.runtime if name in FROM_RUNTIME else task
            assert Path(origin).is_relative_to(expected), (name, origin)
        return outcome
