"""Hourly timer: expire unscanned return labels, alert on stalled parcels (watch index, no scan)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    counts = services().logistics.sweep()
    logger.info("logistics sweep", extra=counts)
    return counts
