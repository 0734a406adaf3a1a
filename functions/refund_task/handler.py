"""Lambda tasks of the refund saga (infra/statemachines/refund.asl.json).

`action`: grant | attempt | poll | complete | fail. Provider faults surface as the error type
`ProviderUnavailable` so the state machine retries them with backoff (same idempotency key).
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.refunds import provider_errors
from aftersales.wiring import services

logger = Logger()


class ProviderUnavailable(Exception):
    """Retryable provider fault (the state machine's Retry matches this error name)."""


class ProviderRejected(Exception):
    """The provider refused the refund; not retryable."""


def _attempt_view(attempt) -> dict:
    return {"status": attempt.status.value, "attempt_number": attempt.attempt_number,
            "provider_refund_id": attempt.provider_refund_id}


def lambda_handler_impl(event: dict) -> dict:
    refunds = services().refunds
    tenant_id, ticket_id, action = event["tenant_id"], event["ticket_id"], event["action"]
    grant_id = event["grant_id"]
    if action == "grant":
        grant = refunds.grant(tenant_id, ticket_id, grant_id)
        return {"grant_id": grant.grant_id, "amount": grant.amount.model_dump()}
    if action == "attempt":
        return _attempt_view(refunds.attempt(tenant_id, ticket_id, grant_id))
    if action == "poll":
        polls = int(event.get("polls") or 0) + 1
        return {**_attempt_view(refunds.poll(tenant_id, ticket_id, grant_id)), "polls": polls}
    if action == "complete":
        ticket = refunds.complete(tenant_id, ticket_id, grant_id)
        return {"ticket_status": ticket.status.value}
    if action == "fail":
        return refunds.fail(tenant_id, ticket_id, grant_id, event.get("error"))
    raise ValueError(f"unknown action {action}")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    logger.append_keys(tenant_id=event.get("tenant_id"), ticket_id=event.get("ticket_id"), action=event.get("action"))
    try:
        result = lambda_handler_impl(event)
    except provider_errors.ProviderUnavailable as exc:
        logger.warning("provider unavailable", extra={"details": exc.details})
        raise ProviderUnavailable(exc.message_id) from exc
    except provider_errors.ProviderRejected as exc:
        logger.warning("provider rejected", extra={"details": exc.details})
        raise ProviderRejected(str(exc.details.get("reason"))) from exc
    logger.info("refund step done", extra={"result": result})
    return result
