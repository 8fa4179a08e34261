"""``python -m reservations``: the same as the ``reservations`` command."""

from reservations.cli import main

main()
