"""Tickets table stream -> EventBridge. Each audit INSERT (the template's filter) becomes one
domain event; records whose PutEvents entry failed are reported so Lambda retries them."""

from functools import lru_cache

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeDeserializer

from aftersales.core.settings import get_settings
from aftersales.events.envelope import from_audit_image

logger = Logger()
PUT_EVENTS_MAX = 10  # EventBridge limit per PutEvents call


@lru_cache(maxsize=1)
def _events_client():
    return boto3.client("events")


def _image(record: dict) -> dict:
    deserializer = TypeDeserializer()
    return {k: deserializer.deserialize(v) for k, v in record["dynamodb"]["NewImage"].items()}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    bus = get_settings().event_bus_name
    records = [r for r in event.get("Records", []) if r.get("eventName") == "INSERT"]
    failures: list[str] = []
    for start in range(0, len(records), PUT_EVENTS_MAX):
        chunk = records[start:start + PUT_EVENTS_MAX]
        entries = [from_audit_image(_image(r), bus) for r in chunk]
        try:
            result = _events_client().put_events(Entries=entries)
        except Exception:
            logger.exception("put_events failed", extra={"records": len(chunk)})
            failures.extend(r["dynamodb"]["SequenceNumber"] for r in chunk)
            continue
        for record, outcome in zip(chunk, result["Entries"], strict=False):
            if "ErrorCode" in outcome:
                logger.warning("event rejected", extra={"error_code": outcome["ErrorCode"]})
                failures.append(record["dynamodb"]["SequenceNumber"])
    logger.info("published", extra={"records": len(records), "failed": len(failures)})
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failures]}
