"""Tickets table stream -> EventBridge. Each audit INSERT (the template's filter) becomes one
domain event; records whose PutEvents entry failed are reported so Lambda retries them."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeDeserializer

from aftersales.core.errors import EventNotPublished
from aftersales.events.envelope import from_audit_image
from aftersales.wiring import services

logger = Logger()
PUT_EVENTS_MAX = 10  # EventBridge entries per PutEvents call: a failed call fails its records only


def _image(record: dict) -> dict:
    deserializer = TypeDeserializer()
    return {k: deserializer.deserialize(v) for k, v in record["dynamodb"]["NewImage"].items()}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    events = services().events
    records = [r for r in event.get("Records", []) if r.get("eventName") == "INSERT"]
    failures: list[str] = []
    for start in range(0, len(records), PUT_EVENTS_MAX):
        chunk = records[start:start + PUT_EVENTS_MAX]
        try:
            outcomes = events.publish_entries([from_audit_image(_image(r)) for r in chunk])
        except EventNotPublished:
            logger.exception("put_events failed", extra={"records": len(chunk)})
            failures.extend(r["dynamodb"]["SequenceNumber"] for r in chunk)
            continue
        for record, error_code in zip(chunk, outcomes, strict=True):
            if error_code is not None:
                logger.warning("event rejected", extra={"error_code": error_code})
                failures.append(record["dynamodb"]["SequenceNumber"])
    logger.info("published", extra={"records": len(records), "failed": len(failures)})
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failures]}
