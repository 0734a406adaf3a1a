"""Helpdesk webhooks: POST /webhooks/helpdesks/{vendor}/{tenant_id} (zendesk: signed;
freshdesk: the tenant's token). Authenticated on the raw body first (401, nothing stored), then
400 for malformed bodies; their agents' changes go onto our ticket, never back to them."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.core.errors import DomainError, NotFound
from aftersales.helpdesks.model import Vendor
from aftersales.http import webhooks as wh
from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if (rejected := wh.too_large(event, services().http_settings.max_body_bytes)) is not None:
        return rejected
    try:
        name, tenant_id = wh.path_param(event, "vendor"), wh.path_param(event, "tenant_id")
        if name not in {v.value for v in Vendor}:
            raise NotFound("error.route_not_found")
        logger.append_keys(vendor=name, tenant_id=tenant_id)
        outcome = services().helpdesk_inbound.receive(Vendor(name), tenant_id, wh.headers(event), wh.query(event),
                                                      wh.raw_body(event))
    except DomainError as exc:
        logger.warning("helpdesk webhook rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("helpdesk webhook handled", extra={"result": outcome.result, "comments": outcome.comments,
                                                   "echoes": outcome.echoes, "status": outcome.status})
    return wh.respond(200, outcome.model_dump(mode="json"))
