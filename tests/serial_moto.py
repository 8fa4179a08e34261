"""moto's server, answering one request at a time.

moto applies a ``TransactWriteItems`` by deep-copying the table, writing every item, and putting the
copy back if a condition failed, all without a lock.  Under concurrent requests (the 200-way race)
that loses writes, resurrects the half-written items of cancelled transactions and fails copies with
``dictionary changed size during iteration``.  DynamoDB itself is atomic, so the emulator must be
too: a lock around the application serialises the requests while the server still accepts many
connections at once (clients wait, they are not refused).  It also honours ``ClientRequestToken``
on ``TransactWriteItems`` as DynamoDB does (see ``_transaction_token``).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


def _transaction_token(environ: dict[str, Any]) -> str | None:
    """The ``ClientRequestToken`` of a ``TransactWriteItems`` (the body is re-readable afterwards).

    DynamoDB answers a repeated token (within 10 minutes) with the first call's success instead of
    applying the transaction again; botocore relies on that when it retries a call whose answer it
    never got (a read timeout).  moto ignores the token, so such a retry failed its own conditions:
    adds answered 409 naming themselves and deletes 404.  Replaying the first answer, as DynamoDB
    does, keeps the emulator faithful.
    """
    if not str(environ.get("HTTP_X_AMZ_TARGET", "")).endswith(".TransactWriteItems"):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        token = json.loads(raw).get("ClientRequestToken")
    except ValueError:
        return None
    return f"{token}:{hashlib.sha256(raw).hexdigest()}" if token else None


class SerialMotoServer:
    def __init__(self, ip_address: str = "127.0.0.1", port: int = 5000) -> None:
        self._ip_address = ip_address
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def _run(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()
        answered: dict[str, tuple[str, list[tuple[str, str]], list[bytes]]] = {}

        def serial(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                token = _transaction_token(environ)
                if token is not None and token in answered:
                    status, headers, body = answered[token]
                    start_response(status, headers)
                    return body
                seen: list[Any] = []

                def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                    seen[:] = [status, headers]
                    return start_response(status, headers, *rest)

                # moto's responses are complete objects: drain them inside the lock all the same.
                body = list(app(environ, recording))
                if token is not None and seen and str(seen[0]).startswith("200"):
                    answered[token] = (seen[0], seen[1], body)
                return body

        self._server = make_server(
            self._ip_address, self._port, serial, threaded=True, request_handler=MotoRequestHandler
        )
        self._ready.set()
        self._server.serve_forever()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
