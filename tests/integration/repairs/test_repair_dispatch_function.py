"""The repair dispatch consumer under moto, with the environment template.yaml gives it: the
ticket event of a repair entering repair_dispatched offers the job to the first eligible provider
(a redelivery offers nothing twice); other ticket events, and a ticket staff moved on meanwhile,
offer nothing and are not retried."""

from __future__ import annotations

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.repairs import KETTLE_LINES, MERCHANT
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk


@pytest.fixture
def rig(aws, monkeypatch):
    for key, value in aws.functions["RepairDispatchFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    wiring.override(wiring.Container(events=RecordingPublisher()))
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES, payment={
        "provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}}))
    svc.repairs.registry.register("acme", name="Elsewhere", regions=["JP"])
    chosen = svc.repairs.registry.register("acme", name="Fixers", regions=["CN"]).provider_id
    opened = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    return {"svc": svc, "ticket_id": opened.id, "chosen": chosen, "handler": load_handler("repair_dispatch")}


def deliver(rig, entry) -> dict:
    detail = {"tenant_id": "acme", "ticket_id": rig["ticket_id"], "event": entry.event, "seq": entry.seq,
              "from_status": entry.from_status, "to_status": entry.to_status, "ticket_type": "repair"}
    event = {"Records": [sqs_record({"detail-type": entry.event, "source": "aftersales.tickets", "detail": detail})]}
    return rig["handler"].lambda_handler(event, FakeContext("repair_dispatch"))


def test_a_dispatched_repair_is_offered_once_to_the_first_eligible_provider(rig):
    svc, ticket_id = rig["svc"], rig["ticket_id"]
    walk(svc.tickets, "acme", ticket_id, "pending_approval", "approved")
    assert deliver(rig, svc.tickets.audit("acme", ticket_id, SYSTEM)[-1]) == {"batchItemFailures": []}
    assert svc.repairs.for_ticket("acme", ticket_id, MERCHANT) == []  # approved is not dispatched

    walk(svc.tickets, "acme", ticket_id, "repair_dispatched")
    dispatched = svc.tickets.audit("acme", ticket_id, SYSTEM)[-1]
    assert deliver(rig, dispatched) == {"batchItemFailures": []}
    assert deliver(rig, dispatched) == {"batchItemFailures": []}  # redelivered

    [job] = svc.repairs.for_ticket("acme", ticket_id, MERCHANT)
    assert job.provider_id == rig["chosen"] and job.status.value == "offered"


def test_a_ticket_moved_on_meanwhile_is_not_offered_nor_retried(rig):
    svc, ticket_id = rig["svc"], rig["ticket_id"]
    walk(svc.tickets, "acme", ticket_id, "pending_approval", "approved", "repair_dispatched")
    dispatched = svc.tickets.audit("acme", ticket_id, SYSTEM)[-1]
    walk(svc.tickets, "acme", ticket_id, "repair_in_progress", actor=SYSTEM)

    assert deliver(rig, dispatched) == {"batchItemFailures": []}
    assert svc.repairs.for_ticket("acme", ticket_id, MERCHANT) == []


def test_an_approved_repair_with_only_registered_providers_is_dispatched_and_offered(rig, monkeypatch, aws):
    """GIVEN no provider in the tenant's money configuration, only the repairs registry's WHEN the
    money path handles the approval THEN the ticket is dispatched, and its event offers the job."""
    for key, value in aws.functions["MoneyEventsFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    svc, ticket_id = rig["svc"], rig["ticket_id"]
    walk(svc.tickets, "acme", ticket_id, "pending_approval", "approved")
    approved = svc.tickets.audit("acme", ticket_id, SYSTEM)[-1]
    detail = {"tenant_id": "acme", "ticket_id": ticket_id, "ticket_type": "repair", "event": approved.event,
              "seq": approved.seq, "from_status": approved.from_status, "to_status": approved.to_status}

    assert "advanced_to_repair_dispatched" in svc.fulfilment.handle(detail)

    dispatched = svc.tickets.audit("acme", ticket_id, SYSTEM)[-1]
    assert dispatched.data["repair_provider_id"] == rig["chosen"]
    deliver(rig, dispatched)
    [job] = svc.repairs.for_ticket("acme", ticket_id, MERCHANT)
    assert job.provider_id == rig["chosen"]
