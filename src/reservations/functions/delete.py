"""Lambda entry point ``reservations.functions.delete.handler``: delete a reservation, freeing its nights."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.parsing import parse_reservation_id
from reservations.functions import http
from reservations.functions.legacy import delete_res


def delete_reservation(request: http.Request) -> http.Response:
    reservation_id = parse_reservation_id(request.path_params.get("id", ""))
    wiring.service().delete(request.customer(), reservation_id)
    return http.empty_response(204)


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {
    ("DELETE", "/reservations/{id}"): delete_reservation,
    ("POST", "/delete-res"): delete_res,
}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
