"""A settled repair job's charge (what the customer owes beyond the ticket's refund): waived with
a reason, or marked paid with the payment's reference and the amount (finance, supervisor, admin;
once: a charge already waived or paid is 409)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import free_text, label
from aftersales.http.context import RequestContext
from aftersales.repairs.model import Job, JobActor, Party
from aftersales.repairs.settlement import CHARGE_ROLES
from aftersales.repairs.views import job_view
from aftersales.tickets.domain import Actor
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
JobId = Annotated[str, Path(min_length=1, max_length=128)]


class WaiverRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    reason: free_text(1000, min_length=1)


class PaymentRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    reference: label(128, min_length=1)  # the payment's reference at the provider or in the books
    amount: Money  # exactly the charge, in its currency


def _staff() -> Actor:
    request.require(*CHARGE_ROLES)
    return request.actor()


def _view(job: Job, who: Actor) -> dict:
    return job_view(job, JobActor(party=Party.MERCHANT, id=who.id, request_id=who.request_id))


@router.post("/repairs/jobs/<job_id>/charge/waiver", tags=["repairs"],
             summary="Waive the charge the customer owes for the repair, with the reason (finance, supervisor, admin)")
def waive_charge(job_id: JobId, body: WaiverRequest) -> Response[dict]:
    who = _staff()
    return request.idempotent_post(200, lambda: _view(services().repair_charges.waive(
        request.tenant(), job_id, who, reason=body.reason), who))


@router.post("/repairs/jobs/<job_id>/charge/payment", tags=["repairs"],
             summary="Record the customer's payment of the repair charge: its reference and exactly the charge "
                     "(finance, supervisor, admin)")
def pay_charge(job_id: JobId, body: PaymentRequest) -> Response[dict]:
    who = _staff()
    return request.idempotent_post(200, lambda: _view(services().repair_charges.mark_paid(
        request.tenant(), job_id, who, reference=body.reference, amount=body.amount), who))
