"""The reviews context's queue (SQS), two kinds of events:
* `review.submitted` -> moderation of that content version: text checks, sentiment and behaviour
  signals decide published / pending_review / rejected; a negative published review of a delivered
  line opens its follow-up complaint, one naming a defect joins the line's open return;
* `ticket.resolved` / `ticket.closed` -> the authors of the reviews linked to that ticket are
  invited to update them (`review.update_invited`).
An outdated or redelivered message is left alone; a failed record is retried by SQS and parked in
the DLQ. The reviews a batch published are counted per tenant, for the tenants' sentiment refits."""

import json
from collections import Counter

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.errors import Unavailable
from aftersales.wiring import services

logger = Logger()
processor = BatchProcessor(event_type=EventType.SQS)
TICKET_CLOSURES = ("ticket.resolved", "ticket.closed")
published: Counter[str] = Counter()  # reviews this invocation published, per tenant (sentiment refits)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event["detail"]
    if event.get("detail-type") in TICKET_CLOSURES:
        invited = services().reviews.invite_update(detail["tenant_id"], detail["ticket_id"])
        logger.info("review update invitations", extra={"tenant_id": detail["tenant_id"],
                                                        "ticket_id": detail["ticket_id"], "invited": len(invited)})
        return
    outcome = services().review_moderation.moderate(detail["tenant_id"], detail["review_id"],
                                                    int(detail["content_version"]))
    logger.info("review moderation", extra={"tenant_id": detail["tenant_id"], "review_id": detail["review_id"],
                                            "outcome": outcome})
    if outcome == "published":
        published[detail["tenant_id"]] += 1


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    published.clear()
    response = process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)
    try:  # one counter update per tenant of the batch; a lost count only delays a refit
        services().sentiment_refits.reviews_published(published)
    except Unavailable:
        logger.warning("published reviews not counted for sentiment refits", extra={"tenants": len(published)})
    return response
