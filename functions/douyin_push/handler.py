"""Douyin shop (抖店) push: POST /webhooks/douyin/{tenant_id}. A body over the size cap is 413;
`event-sign` is verified on the raw body before anything is stored; the JSON array of messages is
read (400 with the reason), the body kept and its messages queued for functions/douyin_intake, and
Douyin gets {"code": 0, "msg": "success"} at once: it pushes again what is not answered fast."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.errors import DomainError
from aftersales.http import webhooks as wh
from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if (rejected := wh.too_large(event, services().http_settings.max_body_bytes)) is not None:
        return rejected
    try:
        tenant_id = wh.path_param(event, "tenant_id")
        results = services().channels.douyin_push.receive(tenant_id, wh.headers(event), wh.raw_body(event))
    except DomainError as exc:
        logger.warning("douyin push rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("douyin push", extra={"messages": len(results),
                                      "outcomes": sorted({r.outcome for r in results})})
    return wh.respond(200, {"code": 0, "msg": "success", "results": [r.model_dump(mode="json") for r in results]})
