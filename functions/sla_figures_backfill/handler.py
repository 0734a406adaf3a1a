"""Count a tenant's SLA outcomes saved before the figures were kept per day into their day buckets:
one page of one UTC day of decided outcomes per invocation ({"tenant_id", "first", "last"}, then
the answer's "day" and "cursor" passed back) until `done`. Safe to repeat or to run beside live
saves: each outcome is counted once, by the same conditional write as a save."""

from datetime import date

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    tenant_id, last = str(event["tenant_id"]), date.fromisoformat(event["last"])
    day = date.fromisoformat(event.get("day") or event["first"])
    step = services().sla.backfill_figures_step(tenant_id, day, last, event.get("cursor"))
    logger.info("sla figures backfill step", extra={"counted": step.counted, "done": step.done})
    return {"tenant_id": tenant_id, "first": event["first"], "last": event["last"], "counted": step.counted,
            "day": step.day.isoformat() if step.day else None, "cursor": step.cursor, "done": step.done}
