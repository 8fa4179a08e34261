"""The smallest IAM policy evaluator for exactly the constructs this project deploys.

Why our own: moto's IAM enforcement ignores ``Resource`` and policy variables (its source says so),
principalmapper's local check is AGPL-3.0, and ``@cloud-copilot/iam-simulate`` is AGPL too.  This one
follows AWS's published evaluation logic ("Policy evaluation logic", IAM User Guide) for a request
within one account:

1. an explicit ``Deny`` in any applicable policy denies;
2. otherwise the identity-based policies must ``Allow`` it, and so must the session policy if the
   session has one (the effective permissions are their intersection), and for an ``AssumeRole``
   the role's trust policy must allow the caller (a resource-based policy);
3. anything else is an implicit deny.

Supported: ``Effect``, ``Action``/``NotAction`` (case-insensitive, ``*``/``?``), ``Resource``/
``NotResource`` (ARN segments matched separately: ``*``/``?`` inside one of the first five segments
do not cross a ``:``, but a ``*`` ending one of them matches on past the colons, as AWS matches
``arn:aws:dynamodb:eu-*:table/prod-*``), ``Principal`` (``AWS`` ARNs, an account root naming its
account's principals; a trust policy naming the caller's own ARN in the role's account allows
``AssumeRole`` without any identity policy, as AWS does within one account),
policy variables (``${aws:PrincipalTag/...}`` and any key of the request context; ``${*}``, ``${?}``,
``${$}``), and the condition operators ``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``,
``Null``, each optionally ``ForAllValues:``/``ForAnyValue:``.  Anything else raises, so a policy
using a construct this evaluator does not know cannot be "proved" by it.  Tested against the IAM
User Guide's own examples in ``test_iam_eval_aws_examples.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["Allow", "ImplicitDeny", "ExplicitDeny"]
Policy = Mapping[str, Any]
ContextValue = str | Sequence[str]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_OPERATORS = {"StringEquals", "StringLike", "ArnEquals", "ArnLike", "Null"}


class UnsupportedPolicyError(ValueError):
    """The policy uses a construct this evaluator does not implement."""


@dataclass(frozen=True)
class Request:
    action: str  # e.g. "dynamodb:GetItem"
    resource: str  # an ARN
    principal_arn: str = "arn:aws:iam::123456789012:role/caller"
    context: Mapping[str, ContextValue] = field(default_factory=dict)  # condition keys, case-insensitive

    def value(self, key: str) -> list[str] | None:
        lowered = {k.lower(): v for k, v in self._keys().items()}
        found = lowered.get(key.lower())
        if found is None:
            return None
        return [found] if isinstance(found, str) else list(found)

    def _keys(self) -> dict[str, ContextValue]:
        return {"aws:PrincipalArn": self.principal_arn, **self.context}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _substitute(text: str, request: Request) -> str | None:
    """Policy variables replaced by the request's values; ``None`` if one has no value (the element
    then matches nothing, as AWS documents).  Substituted values are literal, never wildcards."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        if name in ("*", "?", "$"):
            return "\x00" + name  # a literal character, marked so the glob does not expand it
        if "," in name:
            raise UnsupportedPolicyError(f"policy variable defaults are not supported: {match.group(0)}")
        values = request.value(name)
        if values is None or len(values) != 1:
            missing = True
            return ""
        return "".join("\x00" + c if c in "*?$" else c for c in values[0])

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _glob(pattern: str, *, colon: bool = True) -> str:
    """A glob as a regular expression, characters marked literal by ``_substitute`` kept as themselves;
    with ``colon=False`` a wildcard stays inside one ARN segment, except a ``*`` that ends the
    segment, which AWS lets run on past the colons that follow."""
    pieces: list[str] = []
    literal = False
    for i, c in enumerate(pattern):
        if c == "\x00":
            literal = True
            continue
        if literal:
            pieces.append(re.escape(c))
            literal = False
        elif c == "*":
            pieces.append(".*" if colon or i == len(pattern) - 1 else "[^:]*")
        elif c == "?":
            pieces.append("." if colon else "[^:]")
        else:
            pieces.append(re.escape(c))
    return "".join(pieces)


def _pattern_matches(pattern: str, value: str, *, case: bool) -> bool:
    return re.fullmatch(_glob(pattern), value, 0 if case else re.IGNORECASE) is not None


def _arn_matches(pattern: str, arn: str) -> bool:
    """Each of the first five segments on its own, the resource part as a whole.  The pattern may have
    fewer segments than the ARN when a segment's trailing ``*`` stands for the colons between."""
    if pattern == "*":
        return True
    wanted = pattern.split(":", 5)
    if len(arn.split(":", 5)) != 6:
        return False
    segments = [_glob(w, colon=False) for w in wanted[:5]]
    if len(wanted) == 6:
        segments.append(_glob(wanted[5]))
    return re.fullmatch(":".join(segments), arn) is not None


def _action_matches(pattern: str, action: str) -> bool:
    return _pattern_matches(pattern, action, case=False)


def _resource_matches(patterns: list[str], request: Request) -> bool:
    for raw in patterns:
        pattern = _substitute(raw, request)
        if pattern is not None and _arn_matches(pattern, request.resource):
            return True
    return False


def _condition_holds(operator: str, key: str, wanted: list[str], request: Request) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _OPERATORS or qualifier not in ("", "ForAllValues", "ForAnyValue"):
        raise UnsupportedPolicyError(f"condition operator {operator!r} is not supported")
    actual = request.value(key)
    if base == "Null":
        return (actual is None) == (str(wanted[0]).lower() == "true")
    if actual is None:
        return qualifier == "ForAllValues" or if_exists
    patterns = [p for p in (_substitute(str(w), request) for w in wanted) if p is not None]

    def one(value: str) -> bool:
        for pattern in patterns:
            if base.startswith("Arn"):  # ArnEquals and ArnLike are the same test, per segment
                matched = _arn_matches(pattern, value)
            elif base == "StringLike":
                matched = _pattern_matches(pattern, value, case=True)
            else:
                matched = pattern.replace("\x00", "") == value
            if matched:
                return True
        return False

    if qualifier == "ForAllValues":
        return all(one(v) for v in actual)
    if qualifier == "ForAnyValue" or len(actual) == 1:
        return any(one(v) for v in actual)
    raise UnsupportedPolicyError(f"{key} has several values: use ForAllValues or ForAnyValue")


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping) or set(principal) != {"AWS"}:
        raise UnsupportedPolicyError(f"principal {principal!r} is not supported")
    for arn in _as_list(principal["AWS"]):
        if arn == "*" or arn == request.principal_arn:
            return True
        root = re.fullmatch(r"arn:([^:]+):iam::(\d{12}):root", arn)
        caller = request.principal_arn.split(":")
        if root and len(caller) > 4 and caller[1] == root.group(1) and caller[4] == root.group(2):
            return True
    return False


def _statement_applies(statement: Mapping[str, Any], request: Request, *, resource_policy: bool) -> bool:
    known = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", "Principal"}
    if set(statement) - known:
        raise UnsupportedPolicyError(f"statement elements {sorted(set(statement) - known)} are not supported")
    if resource_policy != ("Principal" in statement):
        raise UnsupportedPolicyError("Principal belongs in resource-based policies only")
    if resource_policy and not _principal_matches(statement["Principal"], request):
        return False
    if "Action" in statement:
        if not any(_action_matches(a, request.action) for a in _as_list(statement["Action"])):
            return False
    elif any(_action_matches(a, request.action) for a in _as_list(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not _resource_matches(_as_list(statement["Resource"]), request):
            return False
    elif "NotResource" in statement:
        if _resource_matches(_as_list(statement["NotResource"]), request):
            return False
    elif not resource_policy:
        raise UnsupportedPolicyError("an identity policy statement needs Resource or NotResource")
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, wanted in keys.items():
            if not _condition_holds(operator, key, [str(w) for w in _as_list(wanted)], request):
                return False
    return True


def _effects(policies: Sequence[Policy], request: Request, *, resource_policy: bool = False) -> set[str]:
    found: set[str] = set()
    for policy in policies:
        if policy.get("Version") != "2012-10-17":
            raise UnsupportedPolicyError("only policy language version 2012-10-17 is supported")
        for statement in _as_list(policy["Statement"]):
            if statement["Effect"] not in ("Allow", "Deny"):
                raise UnsupportedPolicyError(f"Effect {statement['Effect']!r}")
            if _statement_applies(statement, request, resource_policy=resource_policy):
                found.add(statement["Effect"])
    return found


def evaluate(
    request: Request,
    identity_policies: Sequence[Policy],
    *,
    session_policy: Policy | None = None,
    trust_policy: Policy | None = None,
) -> Decision:
    """AWS's decision for one request by a principal holding ``identity_policies``."""
    identity = _effects(identity_policies, request)
    session = _effects([session_policy], request) if session_policy is not None else {"Allow"}
    trust = _effects([trust_policy], request, resource_policy=True) if trust_policy is not None else {"Allow"}
    if "Deny" in identity | session | trust:
        return "ExplicitDeny"
    # Within one account a resource-based policy naming the caller's own ARN grants on its own.
    granted = "Allow" in identity or (trust_policy is not None and _names_caller(trust_policy, request))
    if granted and "Allow" in session and "Allow" in trust:
        return "Allow"
    return "ImplicitDeny"


def _names_caller(policy: Policy, request: Request) -> bool:
    """Whether an Allow statement that applies names the caller by its own ARN (not its account's
    root, not ``*``), and the caller is in the account of the resource (the role)."""
    caller, resource = request.principal_arn.split(":"), request.resource.split(":")
    if len(caller) < 5 or len(resource) < 5 or caller[4] != resource[4]:
        return False
    for statement in _as_list(policy["Statement"]):
        principal = statement.get("Principal")
        if (
            statement["Effect"] == "Allow"
            and isinstance(principal, Mapping)
            and request.principal_arn in _as_list(principal.get("AWS", []))
            and _statement_applies(statement, request, resource_policy=True)
        ):
            return True
    return False


def allowed(request: Request, identity_policies: Sequence[Policy], **kwargs: Any) -> bool:
    return evaluate(request, identity_policies, **kwargs) == "Allow"
