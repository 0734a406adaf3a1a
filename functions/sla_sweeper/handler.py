"""Schedule (rate(1 minute)) -> one SLA sweep over the due buckets since the last run."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = services().sla.sweep()
    return {"buckets": len(report.buckets), "items_read": report.items_read, "fired": report.actions_fired,
            "already_fired": report.already_fired, "failures": report.failures}
