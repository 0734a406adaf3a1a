"""Lambda tasks of the approval state machine (infra/statemachines/approval.asl.json).

`action` selects the step: route | open_review | escalate | apply. Every step is safe to retry.
"""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from aftersales.approvals.routing import RoutingDecision
from aftersales.approvals.service import auto_outcome
from aftersales.wiring import services

logger = Logger()


def _route(event: dict) -> dict:
    decision = services().approvals.route(event["tenant_id"], event["ticket_id"])
    logger.info("routed", extra={"route": decision.route.value, "rule_id": decision.rule_id,
                                 "policy_version": decision.policy_version})
    return decision.model_dump(mode="json")


def _open_review(event: dict) -> dict:
    decision = RoutingDecision.model_validate(event["decision"])
    state = services().approvals.open_review(event["tenant_id"], event["ticket_id"], decision,
                                                   event["task_token"])
    return {"review": state.route.value}


def _escalate(event: dict) -> dict:
    state = services().approvals.escalate(event["tenant_id"], event["ticket_id"], event["task_token"])
    return {"review": state.route.value}


def _apply(event: dict) -> dict:
    outcome = event.get("outcome") or auto_outcome(RoutingDecision.model_validate(event["decision"]))
    if "decision" in event and event.get("outcome"):
        outcome = {**outcome, "policy_version": event["decision"].get("policy_version")}
    ticket = services().approvals.apply_outcome(event["tenant_id"], event["ticket_id"], outcome)
    return {"status": ticket.status.value, "version": ticket.version}


ACTIONS = {"route": _route, "open_review": _open_review, "escalate": _escalate, "apply": _apply}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    logger.append_keys(tenant_id=event.get("tenant_id"), ticket_id=event.get("ticket_id"), action=event.get("action"))
    return ACTIONS[event["action"]](event)
