"""The tenancy rules: what a customer's name and a custom domain may be, how an API key looks and is
hashed, and the tag that names a customer on its credentials.  Pure Python, so the stores, the edge
and the authorizer share them without loading the admin code (or the deploy-time policy renderer).

Keys are random 256-bit secrets, so a plain SHA-256 is the right hash: it is what GitHub and AWS do
for high-entropy tokens, and unlike a password hash it costs microseconds per request.  Only the hash
is stored; the key is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from reservations.domain.errors import ValidationError

# The session tag naming the customer a tenant role's credentials are scoped to: the stores tag the
# session with it, the tenant role's trust policy (``reservations.iam``) admits only it, and the
# catalogue's table ARNs read it back as ``aws:PrincipalTag/customer``.
TENANT_TAG = "customer"

CUSTOMER_NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
# One DNS label; a host name is two or more of them (a custom domain is never a bare TLD).
HOST_LABEL_RE = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
KEY_PREFIX = "rsv_"
MAX_KEY_LENGTH = 256


def normalize_customer(raw: str) -> str:
    """The header is matched ignoring case and surrounding whitespace."""
    return raw.strip().lower()


def validate_customer_name(name: str) -> str:
    if not CUSTOMER_NAME_RE.fullmatch(name):
        raise ValidationError(
            "a customer name is 2-40 characters of a-z, 0-9 and '-', starting with a letter or digit",
            field="name",
        )
    return name


def is_host_name(host: str) -> bool:
    """A lower-case DNS name of labels, at most 253 characters: nothing nginx would read as syntax."""
    return 0 < len(host) <= 253 and all(HOST_LABEL_RE.fullmatch(label) for label in host.split("."))


def validate_host(raw: str) -> str:
    """A custom domain as the edge compares it: lower-cased, without the root's trailing dot."""
    host = raw.strip().lower().removesuffix(".")
    if not is_host_name(host) or "." not in host:
        raise ValidationError(
            f"{raw!r} is not a fully qualified host name (labels of a-z, 0-9 and '-', like book.example.com)",
            field="host",
        )
    return host


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()
