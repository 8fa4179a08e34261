"""moto's server, answering one request at a time.

moto applies a ``TransactWriteItems`` by deep-copying the table, writing every item, and putting the
copy back if a condition failed, all without a lock.  Under concurrent requests (the 200-way race)
that loses writes, resurrects the half-written items of cancelled transactions and fails copies with
``dictionary changed size during iteration``.  DynamoDB itself is atomic, so the emulator must be
too: a lock around the application serialises the requests while the server still accepts many
connections at once (clients wait, they are not refused).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


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

        def serial(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                # moto's responses are complete objects: drain them inside the lock all the same.
                return list(app(environ, start_response))

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
