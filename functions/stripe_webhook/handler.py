"""POST /webhooks/stripe/{tenant_id}: verify Stripe-Signature (SDK, 300 s tolerance) before
anything is stored, deduplicate by event id, apply refund updates and disputes."""

import base64
import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.adapters.stripe_payments import WebhookRejected, verify_webhook
from aftersales.refunds.webhooks import StripeEventApplier
from aftersales.wiring import services

logger = Logger()


def _reply(status: int, body: dict) -> dict:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _header(event: dict, name: str) -> str | None:
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == name), None)


def _secret(tenant_id: str) -> str:
    money = services().money
    tenant_cfg = money.config.get(tenant_id, "STRIPE") or {}
    return tenant_cfg.get("webhook_secret") or money.settings.stripe_webhook_secret


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    tenant_id = (event.get("pathParameters") or {}).get("tenant_id") or ""
    logger.append_keys(tenant_id=tenant_id)
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8", "replace")
    secret = _secret(tenant_id) if tenant_id else ""
    if not secret:
        logger.warning("stripe webhook for a tenant without a webhook secret")
        return _reply(401, {"error": {"code": "unauthorized", "message": "webhook not configured"}})
    try:
        verified = verify_webhook(raw, _header(event, "stripe-signature"), secret)
    except WebhookRejected as exc:
        logger.info("stripe webhook rejected", extra={"reason": exc.reason})
        return _reply(exc.status, {"error": {"code": exc.reason, "message": "signature verification failed"}})
    svc = services()
    from aftersales.adapters.dynamo.money import find_order_by_payment

    applier = StripeEventApplier(svc.money, svc.tickets, find_order_by_payment, svc.clock)
    result = applier.apply(tenant_id, verified)
    logger.info("stripe webhook applied", extra=result)
    return _reply(200, result)
