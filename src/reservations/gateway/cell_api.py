"""One cell's API for ``serve --cells``: the gateway over the cell's own DynamoDB, its own registry
(so a key is checked only in its customer's cell) and its own channel-sync schedule.

Run as ``python -m reservations.gateway.cell_api PORT`` with the cell's settings in the
environment; unlike ``serve`` it makes no demo customer: customers are placed through the directory.
"""

from __future__ import annotations

import sys

from reservations import wiring
from reservations.gateway import lifeline, server
from reservations.settings import Settings


def main(port: int) -> None:
    lifeline.follow_supervisor()  # gone with the stack that started it
    settings = Settings.from_env()
    sock = server.bind("127.0.0.1", port)
    wiring.configure(settings)
    ensure = getattr(wiring.registry(), "ensure_table", None)
    if ensure is not None:
        ensure()
    server.run(settings, sock, cors_origins=[], web_dir=server.default_web_dir(), workers=1)


if __name__ == "__main__":
    main(int(sys.argv[1]))
