"""Schedule (rate(1 hour)) -> refits of the tenants the due index holds: each tenant's shipped model
refitted on its newest star-rated reviews, kept only if it beats the shipped one on the held-back slice."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    report = services().sentiment_refits.sweep()
    counts = {"due": report.due, "kept_tenant": report.kept_tenant, "kept_shipped": report.kept_shipped,
              "failed": len(report.failed)}
    logger.info("sentiment refit sweep", extra=counts)
    return counts
