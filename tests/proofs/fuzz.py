"""Suite 1, schema fuzzing: schemathesis against the committed OpenAPI document on a running gateway.

Every operation gets ``examples`` generated cases (valid and invalid data), then the stateful run
follows the document's links (add → get, change, delete).  Rooms the run defines are removed
before the stateful part and at the end, so they restrict neither it nor later tests.  A case fails on a 5xx, an undocumented status,
a body or header that does not match the document, a 4xx without the JSON error body, or invalid
data that was accepted.  ``positive_data_acceptance`` is left out on purpose: the document cannot
express every rule (check-in within two years, the two customer headers agreeing), so a
schema-valid request can rightly be refused.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from datetime import timedelta
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Flaky, Unsatisfiable
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig

from reservations.domain.parsing import ROOM_MAX, today_utc
from tests.proofs.harness import Figures, clear_rooms

OVERRIDDEN_HEADERS = {"x-api-key", "x-customer", "customer"}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


def _settings(examples: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )


def _prepare(case: Any, customer: str, key: str, *, negative: bool = False) -> None:
    """Sends the customer's key; mostly the right customer header and a bookable date.

    Generated customer headers and dates almost never name the customer or fall in the bookable
    window, so three cases in four (chosen from the case's own content, so reproducible) are moved
    onto them: that is what lets requests reach the store and the stateful run reach get and delete.
    """
    seed = json.dumps(
        [case.headers, case.query, case.path_parameters, case.body], sort_keys=True, default=str
    )
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}
    if negative:  # the invalid part must reach the API as generated: only the key is added
        if not {"x-customer", "customer"} & {k.lower() for k in headers}:
            headers[_customer_header(case)] = customer
        case.headers = {**headers, "X-Api-Key": key}
        return
    if digest % 4:
        headers = {k: v for k, v in headers.items() if k.lower() not in ("x-customer", "customer")}
        headers[_customer_header(case)] = customer
    headers["X-Api-Key"] = key
    case.headers = headers
    body = case.body
    well_formed = isinstance(body, dict) and isinstance(body.get("check_in"), str)
    if digest % 4 and well_formed and len(body["check_in"]) == 10 and body["check_in"][4] == "-":
        body["check_in"] = (today_utc() + timedelta(days=(digest >> 8) % 700)).isoformat()


def _customer_header(case: Any) -> str:
    """The header the document's security scheme names for this route: the original app's routes
    take ``customer``, the others ``X-Customer`` (the server accepts either on both)."""
    return "customer" if case.path in ("/get-res", "/add-res", "/delete-res") else "X-Customer"


def _headers_were_invalid(case: Any) -> bool:
    """True when a negative case's invalid part includes a header that ``_prepare`` replaced."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    for mutation in getattr(data, "mutations", None) or []:
        location = str(getattr(mutation, "parameter_location", "")).lower()
        name = str(getattr(mutation, "parameter", "") or "").lower()
        if "header" in location and name in OVERRIDDEN_HEADERS:
            return True
        # The key and customer headers are security schemes: a mutation of the headers as a whole
        # ("violates `required` (was X-Api-Key, customer)") names them only in its description.
        described = str(getattr(data, "description", "") or "").lower()
        if "header" in location and not name and any(h in described for h in OVERRIDDEN_HEADERS):
            return True
    return False


def _check_error_body(response: Any, figures: Figures, label: str) -> None:
    if 400 <= response.status_code < 500:
        try:
            error = response.json()["error"]
            if not (isinstance(error["code"], str) and isinstance(error["message"], str)):
                raise TypeError(error)
        except (ValueError, KeyError, TypeError):
            figures.fail(
                f"{label}: {response.status_code} without the JSON error body: {response.text[:200]}"
            )


def run(url: str, customer: str, key: str, *, examples: int, stateful_steps: int, store: str) -> Figures:
    figures = Figures("schema fuzzing", store)
    # Its own settings, not the repository's schemathesis.toml (the stock CLI run's, which reads the
    # demo key from the environment): this suite sends each customer's key itself.
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=SchemathesisConfig())
    for result in schema.get_all_operations():
        operation = cast(Any, result).ok()
        label = f"{operation.method.upper()} {operation.path}"

        def make(operation: Any, label: str, mode: GenerationMode, examples: int) -> Any:
            @given(case=operation.as_strategy(generation_mode=mode))
            @_settings(examples)
            def fuzz(case: Any) -> None:
                _call(case, label, mode == GenerationMode.NEGATIVE)

            return fuzz

        def _call(case: Any, label: str, negative: bool) -> None:
            _prepare(case, customer, key, negative=negative)
            response = case.call(base_url=url)
            figures.add("cases")
            figures.add(f"status_{response.status_code // 100}xx")
            _check_error_body(response, figures, label)
            _validate(case, response, figures, label, negative)

        before = figures.counts.get("cases", 0)
        for mode, count in ((GenerationMode.POSITIVE, examples), (GenerationMode.NEGATIVE, examples // 2)):
            try:
                make(operation, label, mode, count)()
            except Unsatisfiable:
                figures.add(f"no {mode.value} cases for {label}")  # nothing to vary (GET /healthz)
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # a failure schemathesis raised itself after the run
                figures.fail(f"{label}: {_describe(exc)}")
        figures.counts[f"cases {label}"] = figures.counts.get("cases", 0) - before

    # Rooms the fuzzing defined would restrict the stateful run's adds to them (and outlive the run).
    clear_rooms(url, {"X-Customer": customer, "X-Api-Key": key})
    machine = schema.as_state_machine()
    slots = itertools.count(1)

    class Stateful(machine):  # type: ignore[misc,valid-type]
        def before_call(self, case: Any) -> None:
            negative = _is_negative(case)
            _prepare(case, customer, key, negative=negative)
            body = case.body
            # A negative case must reach the API as generated: rewriting its room or date could
            # repair the very part that made it invalid (then a 201 is right, not a finding).
            if (
                not negative
                and case.path == "/reservations"
                and isinstance(body, dict)
                and "check_in" in body
            ):
                # A fresh room-night per add: the outcome must not depend on earlier runs'
                # leftovers, or Hypothesis sees a flaky machine (an add that 409s breaks the link).
                slot = next(slots)
                body["room_number"] = 1 + slot % ROOM_MAX
                body["check_in"] = (today_utc() + timedelta(days=1 + slot // ROOM_MAX)).isoformat()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": url}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            label = f"stateful {case.method.upper()} {case.path}"
            figures.add("stateful_calls")
            if case.method.upper() == "POST" and case.path == "/reservations" and response.status_code == 201:
                figures.add("stateful_adds_created")
            if (
                case.method.upper() in ("GET", "DELETE", "PATCH")
                and "{id}" in case.path
                and response.status_code < 300
            ):
                figures.add("stateful_linked_hits")
            _check_error_body(response, figures, label)
            _validate(case, response, figures, label, _is_negative(case))

    try:
        Stateful.run(
            settings=hypothesis_settings(
                max_examples=stateful_steps,
                deadline=None,
                database=None,
                stateful_step_count=8,
                suppress_health_check=list(HealthCheck),
            )
        )
    except Flaky:
        # Hypothesis's own complaint that a replay drew differently (the server keeps state between
        # runs); every response was already checked above, so this is not a finding about the API.
        figures.add("stateful_flaky_replays")
    except (Exception, BaseExceptionGroup) as exc:  # a failure schemathesis raised itself
        figures.fail(f"stateful: {_describe(exc)}")
    clear_rooms(url, {"X-Customer": customer, "X-Api-Key": key})
    return figures


def _is_negative(case: Any) -> bool:
    return bool(
        getattr(getattr(getattr(case, "meta", None), "generation", None), "mode", None)
        == GenerationMode.NEGATIVE
    )


def _addressed_another_resource(case: Any, response: Any) -> bool:
    """True when the request's path does not fit the operation's template: a stateful link that
    fills a path parameter with '' (or a '/', even encoded) sends ``DELETE /rooms/{room_number}`` to ``/rooms/``,
    the collection, whose 405 is that resource's answer, not this operation's."""
    if any(str(value) == "" or "/" in str(value) for value in (case.path_parameters or {}).values()):
        return True
    url = getattr(getattr(response, "request", None), "url", None)
    if url is None:
        return False
    template = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(case.path)) + "/?$"
    # The gateway routes the decoded path: a value holding an encoded '/' (%2F) lands elsewhere.
    return re.search(template, unquote(urlsplit(str(url)).path)) is None


def _validate(case: Any, response: Any, figures: Figures, label: str, negative: bool) -> None:
    if response.status_code == 405 and _addressed_another_resource(case, response):
        figures.add("answered_by_another_resource")
        return
    chosen = CHECKS
    # A 413 (the body over 16 KiB, refused by size before it is read) rejects, as schemathesis.toml says.
    if (negative and _headers_were_invalid(case)) or response.status_code == 413:
        chosen = [c for c in CHECKS if c is not checks.negative_data_rejection]
    try:
        case.validate_response(response, checks=chosen)
    except (
        Exception,
        BaseExceptionGroup,
    ) as exc:  # schemathesis raises a group of failures; count and describe
        url = getattr(getattr(response, "request", None), "url", "")
        figures.fail(
            f"{label}: {_describe(exc)} ({response.status_code} for {url}) {response.text[:150]}"
            f" | sent: {_sent(case)}"
        )


def _sent(case: Any) -> str:
    """What the case sent and, for a negative one, what schemathesis made invalid: a finding in CI
    must be readable from its one line (a random run is not reproduced by its seed on a busy machine)."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "x-api-key"}
    body = case.body if isinstance(case.body, (dict, list, str, int, float, bool, type(None))) else "(none)"
    sent = json.dumps({"headers": headers, "query": case.query, "body": body}, default=str)[:400]
    return f"{sent} invalid: {getattr(data, 'description', '') or '-'}"


def _describe(exc: BaseException) -> str:
    inner = getattr(exc, "exceptions", None) or [exc]
    # A failure whose text is empty (a timeout's) is named by its type.
    return "; ".join(
        (str(getattr(e, "title", "") or e).strip().splitlines() or [type(e).__name__])[0] for e in inner
    )
