"""Schedule (rate(15 minutes)) -> one sweep over the disputes due since the last run: decided ones
past the appeal window are closed, other overdue ones escalated (dispute.overdue)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = services().dispute_sweep.sweep()
    return {"buckets": len(report.buckets), "items_read": report.items_read, "overdue": report.overdue,
            "closed": report.closed, "failures": report.failures}
