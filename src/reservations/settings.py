"""Settings of the store and tables, read once per process from the environment (or CLI flags)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from reservations.domain.errors import ValidationError

StoreKind = Literal["sqlite", "dynamodb"]
# Empty, or ending with "_", which no customer name holds, and without the "." of a restored copy's
# suffix: a tenant session of one deployment (its policy reaches <prefix><customer>-reservations and
# <prefix><customer>.r*-reservations) then reaches no table of another whose prefix nests in its own
# ("prod_" and "prod_eu_", or the empty one).  Terraform's table_prefix validation is the same rule.
TABLE_PREFIX_RE = re.compile(r"(?:[A-Za-z0-9_-]{0,39}_)?")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "reservations"


@dataclass(frozen=True)
class Settings:
    store: StoreKind = "sqlite"
    data_dir: Path = Path(".data")
    dynamodb_endpoint: str | None = None
    table_prefix: str = ""
    registry_table: str | None = None
    region: str = "us-east-1"
    # A named AWS profile (~/.aws/config) the AWS clients sign with: how the operator's ``tenants``
    # commands reach each cell's account and the control account's directory (a profile with its
    # ``role_arn`` and ``source_profile``; cells.json names one per cell).  None: the process's own
    # credentials (the functions in AWS, a local stack).
    aws_profile: str | None = None
    # When set, each request's DynamoDB calls run under this role, assumed with the session tag
    # customer=<name> (its policy reaches only that customer's table).  Unset: the process's own
    # credentials, as with the embedded store.
    tenant_role_arn: str | None = None
    sts_endpoint: str | None = None  # defaults to dynamodb_endpoint: a local stack (moto) serves both
    # The cells' directory in another account (the control account's ``<name>-directory-read``): a
    # cell's edge reads it under this role.  Unset: the process's own credentials, as locally.
    directory_role_arn: str | None = None
    # What `tenants create` gives a customer's table in AWS, as Terraform's module did: the
    # deployment's KMS key and the backup selection's tag value (terraform outputs table_kms_key_arn
    # and backup_tag).
    table_kms_key_arn: str | None = None
    backup_tag: str | None = None
    # Where a customer's usage key goes: tier -> API Gateway usage plan id, as JSON (terraform output
    # usage_plan_ids), and the keys' prefix (the authorizer's RESERVATIONS_USAGE_KEY_PREFIX).
    usage_plans: str | None = None
    usage_key_prefix: str = ""
    # A server on this machine (``reservations serve``): a room may import calendars over plain
    # http and from loopback or private addresses (tests, a LAN); in AWS only public https.
    local_feeds: bool = False
    # Where channels reach the API (a room's ``calendar_url``): the edge's public URL, ``{customer}``
    # standing for the customer's name (``https://{customer}.hotels.example.com/api``).  None: the
    # host and scheme the request arrived with (a local server; API Gateway's own host).
    public_api_url: str | None = None

    def __post_init__(self) -> None:
        if not TABLE_PREFIX_RE.fullmatch(self.table_prefix):
            raise ValidationError(
                f"the table prefix {self.table_prefix!r} must be empty or end with '_' (at most 40 of"
                " a-z, A-Z, 0-9, '-' and '_'): '_' keeps one deployment's tables apart from another's",
                field="table_prefix",
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        store = env.get("RESERVATIONS_STORE", "sqlite")
        if store not in ("sqlite", "dynamodb"):
            raise ValidationError(f"RESERVATIONS_STORE must be sqlite or dynamodb, not {store!r}")
        return cls(
            store=store,  # type: ignore[arg-type]
            data_dir=Path(env.get("RESERVATIONS_DATA_DIR") or default_data_dir()),
            dynamodb_endpoint=env.get("RESERVATIONS_DYNAMODB_ENDPOINT") or None,
            table_prefix=env.get("RESERVATIONS_TABLE_PREFIX", ""),
            registry_table=env.get("RESERVATIONS_REGISTRY_TABLE") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            tenant_role_arn=env.get("RESERVATIONS_TENANT_ROLE_ARN") or None,
            sts_endpoint=env.get("RESERVATIONS_STS_ENDPOINT") or None,
            directory_role_arn=env.get("RESERVATIONS_DIRECTORY_ROLE_ARN") or None,
            table_kms_key_arn=env.get("RESERVATIONS_TABLE_KMS_KEY_ARN") or None,
            backup_tag=env.get("RESERVATIONS_BACKUP_TAG") or None,
            usage_plans=env.get("RESERVATIONS_USAGE_PLANS") or None,
            usage_key_prefix=env.get("RESERVATIONS_USAGE_KEY_PREFIX", ""),
            local_feeds=env.get("RESERVATIONS_LOCAL_FEEDS") == "1",
            public_api_url=env.get("RESERVATIONS_PUBLIC_API_URL") or None,
        )

    @classmethod
    def from_options(
        cls, *, data_dir: Path | None = None, store: str | None = None, dynamodb_endpoint: str | None = None
    ) -> Settings:
        """Command-line flags over the environment, as every command that opens the store reads them."""
        base = cls.from_env()
        if store is not None and store not in ("sqlite", "dynamodb"):
            raise ValidationError(f"--store must be sqlite or dynamodb, not {store!r}", field="store")
        return replace(
            base,
            data_dir=data_dir if data_dir is not None else base.data_dir,
            store=store if store is not None else base.store,  # type: ignore[arg-type]
            dynamodb_endpoint=dynamodb_endpoint if dynamodb_endpoint is not None else base.dynamodb_endpoint,
        )

    @property
    def creates_tables(self) -> bool:
        """Whether ``tenants create`` makes the customer's table: on the embedded store and on a local
        DynamoDB stack (an explicit endpoint).  In AWS, Terraform owns the tables (with their
        recovery, key, deletion protection and usage plan): the CLI only registers customers."""
        return self.store == "sqlite" or self.dynamodb_endpoint is not None

    @property
    def registry_table_name(self) -> str:
        return self.registry_table or f"{self.table_prefix}reservations-customers"

    @property
    def location(self) -> str:
        """Which store these settings open, as one string: what a client profile remembers it by."""
        if self.store == "sqlite":
            return f"sqlite:{self.data_dir.expanduser().resolve()}"
        return f"dynamodb:{self.dynamodb_endpoint or f'aws/{self.region}'}/{self.table_prefix}"

    def table_for(self, customer: str) -> str:
        """Each customer's own table: ``<prefix><name>-reservations`` (the same name in Terraform)."""
        return f"{self.table_prefix}{customer}-reservations"

    def customer_of(self, table: str) -> str:
        """The inverse of ``table_for`` (a restored copy ``<customer>.r<stamp>`` included: ``.``
        cannot occur in a customer name); ``ValueError`` for a table that is no customer's."""
        suffix = "-reservations"
        if not table.startswith(self.table_prefix) or not table.endswith(suffix):
            raise ValueError(f"{table!r} is not a customer table")
        customer = table[len(self.table_prefix) : -len(suffix)]
        base, dot, stamp = customer.partition(".r")
        if dot and len(stamp) == 17 and stamp.isdigit():
            customer = base
        if not customer or "." in customer:
            raise ValueError(f"{table!r} is not a customer table")
        return customer

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings (for subprocesses and Lambda config)."""
        env = {
            "RESERVATIONS_STORE": self.store,
            "RESERVATIONS_DATA_DIR": str(self.data_dir),
            "RESERVATIONS_TABLE_PREFIX": self.table_prefix,
            "AWS_REGION": self.region,
        }
        if self.dynamodb_endpoint:
            env["RESERVATIONS_DYNAMODB_ENDPOINT"] = self.dynamodb_endpoint
        if self.registry_table:
            env["RESERVATIONS_REGISTRY_TABLE"] = self.registry_table
        if self.tenant_role_arn:
            env["RESERVATIONS_TENANT_ROLE_ARN"] = self.tenant_role_arn
        if self.sts_endpoint:
            env["RESERVATIONS_STS_ENDPOINT"] = self.sts_endpoint
        if self.directory_role_arn:
            env["RESERVATIONS_DIRECTORY_ROLE_ARN"] = self.directory_role_arn
        if self.table_kms_key_arn:
            env["RESERVATIONS_TABLE_KMS_KEY_ARN"] = self.table_kms_key_arn
        if self.backup_tag:
            env["RESERVATIONS_BACKUP_TAG"] = self.backup_tag
        if self.usage_plans:
            env["RESERVATIONS_USAGE_PLANS"] = self.usage_plans
        if self.usage_key_prefix:
            env["RESERVATIONS_USAGE_KEY_PREFIX"] = self.usage_key_prefix
        if self.local_feeds:
            env["RESERVATIONS_LOCAL_FEEDS"] = "1"
        if self.public_api_url:
            env["RESERVATIONS_PUBLIC_API_URL"] = self.public_api_url
        return env
