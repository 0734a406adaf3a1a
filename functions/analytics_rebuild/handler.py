"""Rebuild a tenant's analytics buckets from the audit chains: one page of tickets per invocation
({"tenant_id": ..., "cursor": ...}); the answer carries the next cursor until the last page, which
makes the rebuilt buckets live. Run it in a loop (or a Step Functions Map) until `done`."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    tenant_id = str(event["tenant_id"])
    step = services().analytics_projector.rebuild_step(tenant_id, event.get("cursor"))
    logger.info("rebuild step", extra={"generation": step.generation, "tickets": step.tickets, "done": step.done})
    return {"tenant_id": tenant_id, "generation": step.generation, "tickets": step.tickets,
            "cursor": step.cursor, "done": step.done}
