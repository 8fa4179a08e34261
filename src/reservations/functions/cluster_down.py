"""Lambda entry point of the scheduled teardown (``cluster-down`` in the catalogue)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from reservations.cluster.lambda_entry import handle

logger = Logger(service="reservations-cluster-down")


def handler(event: Any, context: Any) -> dict[str, Any]:
    return handle("down", event, logger)
