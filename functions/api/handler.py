"""Entry point of the REST API function: request-body guard, then the Powertools resolver."""

import json

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.auth.credentials import CONFLICTING_CREDENTIALS
from aftersales.core.errors import ConflictingCredentials
from aftersales.core.headers import header
from aftersales.core.i18n import negotiate, translate
from aftersales.http import request_body
from aftersales.http.app import app
from aftersales.http.errors import error_body
from aftersales.wiring import services

logger = Logger()


def _refused_by_authorizer(event: dict) -> bool:
    """The authorizer lets a request with both an API key and a bearer token through only to be
    refused here, before any route, validation or read (an authorizer cannot answer 400)."""
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    return str(authorizer.get(CONFLICTING_CREDENTIALS, "")).lower() == "true"


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    if _refused_by_authorizer(event):
        message = translate("error.conflicting_credentials", negotiate(header(event.get("headers"), "accept-language")))
        return {"statusCode": 400, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(error_body(ConflictingCredentials.code, message), ensure_ascii=False)}
    refused = request_body.refusal(event, services().http_settings.max_body_bytes)
    if refused is not None:
        # Rejected before parsing (size, media type, encoding, JSON shape): nothing is read or written.
        message = translate(refused.message_id, negotiate(header(event.get("headers"), "accept-language")))
        extra = {"fields": [{"path": "body", "message": refused.detail or message}]} if refused.status == 400 else {}
        return {"statusCode": refused.status, "headers": {"Content-Type": "application/json"},
                "body": json.dumps(error_body(refused.code, message, **extra), ensure_ascii=False)}
    return app.resolve(event, context)
