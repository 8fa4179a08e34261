"""The ``tenants-admin`` function's role holds exactly the calls its code makes (issue #23: the
onboarding role gets exactly the calls it makes).

Every path of the function runs on moto's server over HTTP, recorded by ``tests/aws_calls.py``'s
botocore hook: a customer created (with a custom domain), given another, created again (refused), re-tiered, re-keyed and deleted, and a
create cut short after registering, finished by invoking it again (its key replaced).  What was
called must equal what the catalogue declares as called for the role, no more and no less.
"""

from __future__ import annotations

from typing import Any

import pytest

from reservations.catalogue import get_function
from reservations.iam import role_grants
from reservations.settings import Settings
from reservations.stores.dynamodb_registry import DynamoDBRegistry
from tests.api.test_tenants_admin import function as function
from tests.api.test_tenants_admin import invoke
from tests.api.test_tenants_onboarding import Killed, onboarding
from tests.api.test_tenants_onboarding import apigateway as apigateway
from tests.api.test_tenants_onboarding import registry as registry
from tests.api.test_tenants_onboarding import settings as settings
from tests.aws_calls import RECORDER, undeclared


@pytest.mark.usefixtures("function")
def test_the_tenants_admin_role_holds_exactly_what_its_code_calls(
    settings: Settings, moto_endpoint: str, registry: DynamoDBRegistry, apigateway: Any
) -> None:
    RECORDER.take()
    created = invoke(
        {"operation": "create", "customer": "star", "tier": "premium", "hosts": ["book.star.example"]}
    )
    assert "api_key" in created
    assert created["hosts"] == ["book.star.example"]
    added = invoke(
        {"operation": "add-hosts", "customer": "star", "hosts": ["book.star.example", "rooms.star.example"]}
    )
    assert added["hosts"] == {"book.star.example": "already mapped", "rooms.star.example": "added"}
    assert invoke({"operation": "create", "customer": "star"})["error"]["code"] == "validation_error"
    assert invoke({"operation": "set-tier", "customer": "star", "tier": "standard"})["tier"] == "standard"
    assert "api_key" in invoke({"operation": "rotate-key", "customer": "star"})
    assert invoke({"operation": "delete", "customer": "star", "yes": True})["deleted"] is True
    with pytest.raises(Killed):
        onboarding(settings, moto_endpoint, registry, "register").create("moon")
    assert "api_key" in invoke({"operation": "create", "customer": "moon"})
    calls = RECORDER.take()
    assert undeclared(calls) == []
    declared = {a for g in role_grants(get_function("tenants-admin")) if g.called for a in g.actions}
    used = {a for c in calls if c.function == "tenants-admin" for a in c.actions}
    assert {c.role for c in calls if c.function == "tenants-admin"} == {"role"}
    assert used == declared, ("declared but never called:", declared - used, "called:", used - declared)
