"""Inbound e-mail. Two triggers, one use case:
- S3 ObjectCreated on the inbound-mail bucket (SES receipt rule -> S3 on AWS); the tenant is the
  first key segment below the prefix (`inbox/<tenant>/<message>`), as the per-tenant rules write;
- POST /inbound-email (tenant API key; the local stack's drop endpoint) with the raw MIME body."""

from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.auth.credentials import Principal
from aftersales.core.errors import DomainError, InvalidRequest
from aftersales.http import webhooks as wh
from aftersales.wiring import services

logger = Logger()


def _tenant_of(key: str) -> str:
    parts = [p for p in key.split("/") if p]
    if len(parts) < 3:
        raise InvalidRequest("email.key_without_tenant")
    return parts[1]


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    mail = services().channels.email
    if "Records" in event:  # S3 notifications: a failure raises, so Lambda retries the object
        outcomes = []
        for record in event["Records"]:
            bucket, key = record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
            raw = services().channel_stores.attachments.read(bucket, key)
            outcomes.append(mail.receive(_tenant_of(key), raw).outcome)
        logger.info("mail objects", extra={"outcomes": outcomes})
        return {"processed": len(outcomes)}
    if (rejected := wh.too_large(event, services().http_settings.max_body_bytes)) is not None:
        return rejected
    try:
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        tenant_id = Principal.from_context(authorizer).tenant_id
        result = mail.receive(tenant_id, wh.raw_body(event))
    except DomainError as exc:
        return wh.error(exc, event)
    logger.info("mail dropped", extra={"outcome": result.outcome})
    return wh.respond(202 if result.outcome != "duplicate" else 200, result.model_dump(mode="json"))
