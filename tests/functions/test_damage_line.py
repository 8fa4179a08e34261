"""The stores' "store damage" line leaves a function as the JSON the monitoring's metric filter
counts: the filter's pattern (terraform/modules/monitoring) matches the message the code writes."""

from __future__ import annotations

import json
import logging
from datetime import date

from reservations.functions import runtime
from reservations.stores import damage
from tests.terraform.hcl import child


def test_a_damage_line_is_one_json_line_with_the_message_the_metric_filter_matches() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    damage_logger = logging.getLogger(damage.LOGGER_NAME)
    assert runtime.logger.registered_handler in damage_logger.handlers
    collect = Collect()
    damage_logger.addHandler(collect)
    try:
        damage.report(
            "prod-star-reservations", "orphaned_night", "x", room_number=7, night=date(2027, 1, 2), holder=9
        )
    finally:
        damage_logger.removeHandler(collect)
    (record,) = records
    line = json.loads(runtime.logger.registered_formatter.format(record))
    assert (line["level"], line["message"], line["table"], line["room_number"], line["night"]) == (
        "ERROR",
        "store damage",
        "prod-star-reservations",
        7,
        "2027-01-02",
    )
    pattern = child("monitoring").variables["store_damage_pattern"]["default"]
    assert pattern == f'{{ $.message = "{line["message"]}" }}'
