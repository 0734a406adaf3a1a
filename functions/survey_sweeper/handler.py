"""Schedule (rate(1 minute)) -> one survey sweep over the due buckets since the last run: sends due
surveys and reminders, postpones those in the customer's quiet hours, suppresses throttled ones,
finishes pending follow-ups."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = services().surveys.sweep()
    return {"buckets": len(report.buckets), "items_read": report.items_read, "sent": report.sent,
            "reminded": report.reminded, "postponed": report.postponed, "suppressed": report.suppressed,
            "unreachable": report.unreachable, "follow_ups": report.follow_ups, "failures": report.failures}
