"""Lambda REQUEST authorizer: tenant API key (X-Api-Key) or Bearer token -> tenant, roles, scopes.

Unknown or malformed credentials raise "Unauthorized" (API Gateway answers 401); known
credentials that are no longer allowed (disabled staff) get an explicit Deny (403). A request with
both an API key and an Authorization header is let through with no principal and the
`conflicting_credentials` flag, for the API to answer 400: an authorizer itself can only allow,
deny or answer 401 (docs/decisions.md, 2026-12-01).
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.auth.credentials import CONFLICTING_CREDENTIALS
from aftersales.core.errors import ConflictingCredentials, Forbidden, Unauthorized
from aftersales.core.headers import header
from aftersales.wiring import services

logger = Logger()


def _policy(principal_id: str, effect: str, method_arn: str, context: dict | None = None) -> dict:
    # Allow the whole API stage: the result may be cached per identity, across routes.
    arn_parts = method_arn.split("/")
    resource = "/".join(arn_parts[:2]) + "/*/*"
    policy = {"principalId": principal_id,
              "policyDocument": {"Version": "2012-10-17",
                                 "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                                "Resource": resource}]}}
    if context:
        policy["context"] = context
    return policy


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    try:
        principal = services().tenants.authenticate(api_key=header(event.get("headers"), "x-api-key"),
                                                     authorization=header(event.get("headers"), "authorization"))
    except ConflictingCredentials as exc:
        logger.info("request refused", extra={"reason": exc.message_id})
        return _policy("refused", "Allow", event["methodArn"], {CONFLICTING_CREDENTIALS: "true"})
    except Unauthorized as exc:
        logger.info("authentication failed", extra={"reason": exc.message_id})
        raise Exception("Unauthorized") from None  # API Gateway's contract for 401
    except Forbidden as exc:
        logger.info("access denied", extra={"reason": exc.message_id})
        return _policy("denied", "Deny", event["methodArn"])
    logger.append_keys(tenant_id=principal.tenant_id, principal_kind=principal.kind)
    return _policy(principal.subject_id, "Allow", event["methodArn"], principal.to_context())
