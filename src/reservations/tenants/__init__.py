"""Tenancy: customers, their API keys and custom domains.

``auth`` answers the authorizer's one question (is this key the named customer's?) and loads
nothing else; ``admin`` holds the use cases behind ``reservations tenants``, ``onboarding`` and
``usage`` their AWS operation, ``check`` and ``restore`` the operator's repairs; ``cli``,
``check_cli`` and ``restore_cli`` are the commands.  The rules they share are the domain's
(``domain.tenancy``)."""
