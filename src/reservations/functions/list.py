"""Lambda entry point ``reservations.functions.list.handler``: list reservations, read one, legacy scan."""

from __future__ import annotations

from typing import Any

from reservations import wiring
from reservations.domain.errors import ValidationError
from reservations.domain.parsing import parse_reservation_id
from reservations.domain.reservation import ListQuery
from reservations.functions import http
from reservations.functions.legacy import get_res

# Parameters the OpenAPI document types as numbers or dates: an empty value is none of those, so it
# is refused rather than read as "absent" (``cursor`` is a string; empty means the first page).
_TYPED_PARAMS = ("limit", "from", "to", "room")


def list_reservations(request: http.Request) -> http.Response:
    for name in _TYPED_PARAMS:
        if request.query.get(name) == "":
            raise ValidationError(f"{name} must not be empty", field=name)
    page = wiring.service().list(request.customer(), ListQuery.from_params(request.query))
    return http.json_response(200, page.to_json())


def get_reservation(request: http.Request) -> http.Response:
    reservation_id = parse_reservation_id(request.path_params.get("id", ""))
    return http.json_response(200, wiring.service().get(request.customer(), reservation_id).to_json())


ENDPOINTS: dict[tuple[str, str], http.Endpoint] = {
    ("GET", "/reservations"): list_reservations,
    ("GET", "/reservations/{id}"): get_reservation,
    ("GET", "/get-res"): get_res,
}


def handler(event: dict[str, Any], context: Any) -> http.Response:
    return http.run(event, context, ENDPOINTS)
