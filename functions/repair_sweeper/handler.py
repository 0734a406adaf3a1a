"""Every 15 minutes: repair offers nobody answered in time lapse and their tickets are offered to
the next eligible provider (the sparse due index of the repairs table; no scan)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    lapsed = services().repairs.expire_due_offers()
    logger.info("repair offers swept", extra={"lapsed": len(lapsed)})
    return {"lapsed": lapsed}
