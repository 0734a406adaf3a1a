"""SQS -> the tenants' helpdesks. A record is either a ticket domain event from the bus
(DomainEventsToHelpdesksRule: the change is planned per configured vendor and tried at once) or
a queued retry of one change (a vendor's 429 Retry-After, or the backoff). A vendor's fault is a
queued retry or a parked job, not a failed record; a record fails (SQS retries it, then the DLQ)
only when our own store or queue did not take the write."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.adapters.sqs_helpdesks import JOB_KIND
from aftersales.helpdesks.model import SyncJob
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    body = json.loads(record.body)
    sync = services().helpdesk_outbound
    if body.get("kind") == JOB_KIND:
        job = SyncJob.model_validate(body["job"])
        result = sync.attempt(job)
        logger.info("helpdesk retry", extra={"tenant_id": job.change.tenant_id, "vendor": job.change.vendor.value,
                                             "kind": job.change.kind, "attempt": job.attempt, "result": result})
        return
    detail = body.get("detail") or {}
    report = sync.on_event(detail)
    logger.info("helpdesk event", extra={"tenant_id": detail.get("tenant_id"), "event_type": body.get("detail-type"),
                                         "results": report.results})


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
