"""WeCom (企业微信) callback: GET = URL verification (reply the decrypted echostr as plain text),
POST = encrypted message -> ticket or comment, after the signature and the replay window (signed
timestamp within 5 minutes, each nonce once). WeCom expects "success" (or an empty body)."""

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
        intake = services().channels.wecom
        if event.get("httpMethod") == "GET":
            return wh.respond(200, intake.verify_url(tenant_id, wh.query(event)), "text/plain")
        result = intake.message(tenant_id, wh.query(event), wh.raw_body(event))
    except DomainError as exc:
        logger.warning("wecom callback rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("wecom message", extra={"outcome": result.outcome})
    return wh.respond(200, "success", "text/plain")
