"""One cell's DynamoDB for ``serve --cells``: moto's server on a loopback port, one request at a time.

moto applies a transaction without a lock, so concurrent requests can half-apply one (see
tests/serial_moto.py, which the test suites use); DynamoDB is atomic, and the stand-in for a cell's
account must be too.  Run as ``python -m reservations.gateway.cell_moto PORT``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import Any

from reservations.gateway import lifeline


def main(port: int) -> None:
    lifeline.follow_supervisor()  # gone with the stack that started it
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serial(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))

    make_server("127.0.0.1", port, serial, threaded=True, request_handler=MotoRequestHandler).serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
