"""The garbage collector during a Lambda cold start: paused until the first answer, then frozen.

A cold start allocates a great deal at once (boto3's import, each client's service model and
endpoint rules, the STS call's answer), and every full collection CPython starts meanwhile walks
every object already alive, boto3's modules included. Measured on the artifact: the STS client made
after the DynamoDB one took 22 ms with collection on and 5 ms with it paused. So inside Lambda
(``AWS_LAMBDA_FUNCTION_NAME`` set) collection is paused from the handler's import to the end of its
first request; then every object alive, nearly all of them the process's for good (modules,
clients, credentials), is frozen out of later collections (``gc.freeze``) and collection resumes.
At most one cold start's garbage waits for the collector. Elsewhere (tests, ``reservations serve``,
the CLI) nothing changes.
"""

from __future__ import annotations

import gc
import os

_paused = False


def pause() -> bool:
    """Pauses collection in Lambda's runtime; True when it did (once per process)."""
    global _paused
    if not os.environ.get("AWS_LAMBDA_FUNCTION_NAME") or not gc.isenabled() or _paused:
        return False
    gc.disable()
    _paused = True
    return True


def resume() -> None:
    """After the first request: freeze what is alive and collect again. Cheap to call every time."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


pause()
