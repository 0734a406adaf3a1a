"""Schedule (rate(1 minute)) -> the webhook retries due since the last run (the due index), queued
for delivery with the rest of their wait as the queue delay."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = services().webhook_delivery.sweep()
    logger.info("webhook sweep", extra={"buckets": len(report.buckets), "queued": report.queued})
    return {"buckets": len(report.buckets), "queued": report.queued}
