"""POST /webhooks/stripe/{tenant_id}: a body over the size cap is 413 before it is read; then
Stripe-Signature (SDK, plus our clock's window both ways) before anything is stored; then the
event envelope (400 with the field path), deduplicated by event id; refund updates and disputes."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.adapters.stripe_payments import verify_webhook
from aftersales.core.errors import DomainError
from aftersales.core.headers import header
from aftersales.http import webhooks as wh
from aftersales.logistics.verification import VerificationError
from aftersales.wiring import services

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if (rejected := wh.too_large(event, services().http_settings.max_body_bytes)) is not None:
        return rejected
    try:
        tenant_id = wh.path_param(event, "tenant_id")
        logger.append_keys(tenant_id=tenant_id)
        svc = services()
        secret = svc.stripe_events.secret_for(tenant_id)
        if not secret:  # same answer as a bad signature: an unconfigured tenant learns nothing more
            raise VerificationError("webhook.signature_invalid", provider="stripe")
        body = verify_webhook(wh.raw_body(event), header(event.get("headers"), "stripe-signature"), secret,
                              now=svc.clock.now())
        result = svc.stripe_events.apply(tenant_id, body)
    except DomainError as exc:
        logger.warning("stripe webhook rejected", extra={"code": exc.code, "reason": exc.message_id})
        return wh.error(exc, event)
    logger.info("stripe webhook applied", extra=result)
    return wh.respond(200, result)
