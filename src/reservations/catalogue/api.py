"""The API's functions: each with its routes and the grant on the customer's own table it needs."""

from __future__ import annotations

from reservations.catalogue.grants import (
    API_MEMORY_MB,
    CUSTOMER_TABLES,
    REGISTRY_TABLE,
    api_function,
    via,
)
from reservations.catalogue.model import Function, Grant, Route

API_FUNCTIONS: tuple[Function, ...] = (
    api_function(
        name="list",
        description="Lists a customer's reservations, one page at a time, or reads one by id.",
        routes=(
            Route("GET", "/reservations"),
            Route("GET", "/reservations/{id}"),
            Route("GET", "/get-res", compat=True),
        ),
        tenant_grant=Grant("ReadTheCustomersTable", ("dynamodb:GetItem", "dynamodb:Query"), CUSTOMER_TABLES),
        writes=False,
    ),
    api_function(
        name="add",
        description="Adds a reservation; refuses a double booking atomically.",
        routes=(
            Route("POST", "/reservations"),
            Route("POST", "/add-res", compat=True),
        ),
        tenant_grant=Grant(
            "WriteTheCustomersTable",
            # BatchGetItem and ConditionCheckItem: the rooms rule's guard (a read of the room
            # and the count, and the check that the customer has none).
            (
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    api_function(
        name="delete",
        description="Deletes a reservation and frees its nights.",
        routes=(
            Route("DELETE", "/reservations/{id}"),
            Route("POST", "/delete-res", compat=True),
        ),
        tenant_grant=Grant(
            "DeleteFromTheCustomersTable",
            # BatchGetItem: after a refused delete of an unchanged stay, which of its nights are
            # not its own (damage, left alone: stores.dynamodb_stale).
            ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:DeleteItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    api_function(
        name="change",
        description="Changes a reservation in place (same id), claiming and releasing nights atomically.",
        routes=(Route("PATCH", "/reservations/{id}"),),
        tenant_grant=Grant(
            "ChangeInTheCustomersTable",
            (
                "dynamodb:GetItem",
                "dynamodb:BatchGetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    Function(
        name="list-rooms",
        module="reservations.functions.list_rooms",
        kind="api",
        description="Lists a customer's rooms in number order, one page at a time.",
        routes=(Route("GET", "/rooms"),),
        memory_mb=API_MEMORY_MB,
        tenant_grants=(
            # BatchGetItem: the rooms' calendars, for each room's feed URL.
            Grant("ReadTheCustomersRooms", ("dynamodb:Query", "dynamodb:BatchGetItem"), CUSTOMER_TABLES),
            via("dynamodb", "Decrypt", "DescribeKey"),
        ),
    ),
    api_function(
        name="put-room",
        description="Defines a room (or replaces its name and notes); a customer with rooms books only those.",
        routes=(Route("PUT", "/rooms/{room_number}"),),
        tenant_grant=Grant(
            "DefineTheCustomersRooms",
            # UpdateItem also sets the room's calendar (its first feed token, its imports), in the
            # room's own transaction.
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    api_function(
        name="delete-room",
        description="Removes a room unless a reservation holds it from today on.",
        routes=(Route("DELETE", "/rooms/{room_number}"),),
        tenant_grant=Grant(
            "RemoveTheCustomersRooms",
            # Query: the list of reservations, for one that holds the room from today on, and the
            # room's channel blocks; BatchGetItem: the nights each block still holds, to free them.
            (
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
            ),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    api_function(
        name="availability",
        description="Lists the customer's rooms free on every night of a stay.",
        routes=(Route("GET", "/availability"),),
        tenant_grant=Grant(
            "ReadTheCustomersRoomNights", ("dynamodb:Query", "dynamodb:BatchGetItem"), CUSTOMER_TABLES
        ),
        writes=False,
    ),
    api_function(
        name="room-calendar",
        description="Gives a room's calendar feed a new URL; shows the feeds it imports and their last sync.",
        routes=(
            Route("POST", "/rooms/{room_number}/calendar-token"),
            Route("GET", "/rooms/{room_number}/sync"),
        ),
        tenant_grant=Grant(
            "TheCustomersRoomCalendars",
            # Query: the room (is it defined?) and its blocks; BatchGetItem: its calendar.
            ("dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"),
            CUSTOMER_TABLES,
        ),
        writes=True,
    ),
    api_function(
        name="calendar-feed",
        description="A room's taken nights as an iCalendar feed, for the channels; no API key, a token.",
        routes=(Route("GET", "/calendars/{token}", public=True),),
        grants=(
            Grant("FindTheCustomer", ("dynamodb:GetItem",), (REGISTRY_TABLE,)),
            via("dynamodb", "Decrypt", "DescribeKey"),
        ),
        tenant_grant=Grant("ReadTheRoomsNights", ("dynamodb:BatchGetItem",), CUSTOMER_TABLES),
        writes=False,
    ),
)

AUTHORIZER = Function(
    name="authorizer",
    module="reservations.functions.authorizer",
    kind="authorizer",
    description="API Gateway REQUEST authorizer: proves the customer's API key.",
    memory_mb=API_MEMORY_MB,
    grants=(
        Grant("ReadTheRegistry", ("dynamodb:BatchGetItem",), (REGISTRY_TABLE,)),
        via("dynamodb", "Decrypt", "DescribeKey"),
    ),
)
