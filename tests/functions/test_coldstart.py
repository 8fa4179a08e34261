"""Collection paused for a Lambda cold start: from the handler's import to its first answer, then
everything alive frozen and collection resumed; outside Lambda, never touched.

Each case is a fresh interpreter importing one function as Lambda does and answering one request (a
malformed one is enough: the pause must end whatever the answer, the authorizer's refusal included).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reservations import catalogue
from tests.functions.fresh import REQUEST_PATH, run_probe

PROBE = """
import gc, importlib, json, sys
module = importlib.import_module(sys.argv[1])
after_import = gc.isenabled()
try:
    module.handler({"headers": {}, "requestContext": {}}, None)
except Exception as exc:  # the authorizer refuses by raising, as API Gateway expects
    refused = type(exc).__name__
print(json.dumps({"after_import": after_import, "after_request": gc.isenabled(),
                  "frozen": gc.get_freeze_count()}))
"""


def probe(module: str, tmp_path: Path, in_lambda: bool) -> dict[str, Any]:
    env = {"AWS_LAMBDA_FUNCTION_NAME": "reservations-test"} if in_lambda else {}
    return run_probe(PROBE, [module], tmp_path, env, drop=("AWS_LAMBDA_FUNCTION_NAME",))


@pytest.mark.parametrize("function", REQUEST_PATH, ids=[f.name for f in REQUEST_PATH])
def test_in_lambda_collection_waits_for_the_first_answer(
    function: catalogue.Function, tmp_path: Path
) -> None:
    seen = probe(function.module, tmp_path, in_lambda=True)
    assert seen["after_import"] is False
    assert seen["after_request"] is True
    assert seen["frozen"] > 0


def test_outside_lambda_collection_is_untouched(tmp_path: Path) -> None:
    seen = probe(catalogue.get_function("list").module, tmp_path, in_lambda=False)
    assert seen == {"after_import": True, "after_request": True, "frozen": 0}


ICALENDAR_PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
try:
    module.handler({"headers": {}, "requestContext": {}}, None)
except Exception:
    pass
print(json.dumps({"icalendar": "icalendar" in sys.modules}))
"""

# The feed renders a calendar (and the sync function, off the request path, parses them).
NO_CALENDARS = [f for f in REQUEST_PATH if f.name != "calendar-feed"]


@pytest.mark.parametrize("function", NO_CALENDARS, ids=[f.name for f in NO_CALENDARS])
def test_no_function_but_the_feed_loads_the_icalendar_library(
    function: catalogue.Function, tmp_path: Path
) -> None:
    """~110 ms of import: a cold start of any other function must not pay it."""
    seen = run_probe(ICALENDAR_PROBE, [function.module], tmp_path, {})
    assert seen["icalendar"] is False
