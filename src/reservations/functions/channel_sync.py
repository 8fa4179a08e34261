"""Lambda entry point ``reservations.functions.channel_sync.handler``: the scheduled channel sync.

EventBridge Scheduler calls it every 15 minutes with an empty event: it lists the active customers
and sends their names to its queue, ``BATCH`` to a message.  The queue calls it back (an SQS event,
a few messages at a time) and it syncs those customers.  So 10,000 customers are a thousand short
runs side by side, each far within its timeout, never one long run; a message whose run fails is
retried by SQS and then kept in the dead-letter queue.  Each customer's table is reached through
the tenant role, as the API functions reach it; feeds are fetched under the strict policy (public
https only) unless the process was told it runs locally.
"""

from __future__ import annotations

import json
import os
from typing import Any

from reservations import wiring
from reservations.channels.sync import ChannelSync, local_fetcher
from reservations.domain.errors import ReservationsError
from reservations.functions.runtime import logger

QUEUE_ENV = "RESERVATIONS_CHANNEL_SYNC_QUEUE_URL"
BATCH = 10  # customers per message: a run of ten customers' rooms stays well within the timeout
SEND_MAX = 10  # messages per SendMessageBatch


def _queue_client() -> Any:
    import boto3

    settings = wiring.settings()
    # A local stack (moto) serves every service at the one endpoint the store is given.
    return boto3.client("sqs", region_name=settings.region, endpoint_url=settings.dynamodb_endpoint)


def dispatch() -> dict[str, int]:
    names = [r.name for r in wiring.registry().list_customers() if r.status == "active"]
    batches = [names[i : i + BATCH] for i in range(0, len(names), BATCH)]
    client, queue = _queue_client(), os.environ[QUEUE_ENV]
    for start in range(0, len(batches), SEND_MAX):
        entries = [
            {"Id": str(n), "MessageBody": json.dumps({"customers": batch})}
            for n, batch in enumerate(batches[start : start + SEND_MAX])
        ]
        answer = client.send_message_batch(QueueUrl=queue, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"the queue refused {len(answer['Failed'])} messages")
    return {"customers": len(names), "messages": len(batches)}


def sync(customers: list[str]) -> dict[str, int]:
    runner = ChannelSync(wiring.store(), wiring.registry(), local_fetcher(wiring.settings().local_feeds))
    rooms = conflicts = errors = 0
    for name in customers:
        try:
            outcomes = runner.run(name)
        except ReservationsError as exc:
            logger.error("channel sync failed", extra={"customer": name, "error": exc.message})
            errors += 1
            continue
        rooms += len(outcomes)
        conflicts += sum(len(f.conflicts) for o in outcomes for f in o.feeds)
        errors += sum(1 for o in outcomes for f in o.feeds if f.error)
    return {"rooms": rooms, "conflicts": conflicts, "errors": errors}


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    records = (event or {}).get("Records")
    if not records:
        return dispatch()
    customers = [name for record in records for name in json.loads(record["body"])["customers"]]
    return sync(customers)
