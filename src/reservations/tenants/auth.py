"""The hot path of tenancy: whether a request's API key belongs to the customer it names.

Apart from the admin use cases (``tenants.admin``) so the authorizer's cold start loads only this,
the domain's rules and the registry it is handed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reservations.domain.errors import ForbiddenError, UnauthenticatedError
from reservations.domain.tenancy import CUSTOMER_NAME_RE, MAX_KEY_LENGTH, hash_key, normalize_customer

if TYPE_CHECKING:
    from reservations.stores.protocols import CustomerRecord, Registry


def authorize(registry: Registry, customer_header: str | None, api_key: str | None) -> CustomerRecord:
    """Proves that ``api_key`` belongs to the customer named in the header.

    The key is checked first and the customer second, so a caller without a valid key learns
    nothing about which customers exist (always 401); a valid key for another customer is 403.
    """
    if not api_key:
        raise UnauthenticatedError("missing API key: send it in the X-Api-Key header")
    if len(api_key) > MAX_KEY_LENGTH:
        raise UnauthenticatedError("invalid API key")
    named = normalize_customer(customer_header) if customer_header else ""
    # Key and customer in one read; with no customer, or a name no customer can have, only the key.
    asked = named if CUSTOMER_NAME_RE.fullmatch(named) else None
    owner, customer = registry.key_and_customer(hash_key(api_key), asked)
    if owner is None:
        raise UnauthenticatedError("invalid API key")
    if not named:
        raise UnauthenticatedError("missing customer: send it in the X-Customer header")
    if named != owner:
        raise ForbiddenError("this API key does not grant access to that customer")
    if customer is None or customer.status != "active":
        raise ForbiddenError("this customer is disabled")
    return customer
