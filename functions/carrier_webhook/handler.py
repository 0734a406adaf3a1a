"""Carrier tracking webhooks: POST /webhooks/carriers/{provider}/{tenant_id}.
Signature on the raw body first (401, nothing stored), then 400 for malformed bodies."""

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
        provider, tenant_id = wh.path_param(event, "provider"), wh.path_param(event, "tenant_id")
        logger.append_keys(provider=provider, tenant_id=tenant_id)
        outcome = services().logistics.receive(provider, tenant_id, wh.headers(event), wh.query(event),
                                               wh.raw_body(event))
    except DomainError as exc:
        logger.warning("webhook rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("webhook handled", extra={"result": outcome.result, "parcel_status": outcome.parcel_status,
                                          "actions": len(outcome.actions)})
    return wh.respond(200, outcome.model_dump(mode="json"))
