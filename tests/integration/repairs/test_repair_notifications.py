"""The customer hears of their repair visit (the notifications function + SES under moto): the
booking with its window, the technician on the way with the ETA, and the end of the visit with the
one-time confirmation code - in the language saved with their contact, on their channel, each once
however often the bus delivers it; the code itself never reaches our logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from aftersales import wiring
from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.money import Money
from aftersales.repairs.model import Coverage, JobActor, Party, Window
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from tests.support.channels import extra_resources
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.repairs import KETTLE_LINES
from tests.support.sent_mail import sent_mails
from tests.support.ticket_factories import CUSTOMER, SYSTEM, order
from tests.support.tickets import walk


@pytest.fixture
def rig(aws):
    extra_resources(aws)
    published = RecordingPublisher()
    wiring.override(wiring.Container(events=published))
    svc = wiring.services()
    svc.tickets.upsert_order("acme", order(lines=KETTLE_LINES))
    svc.channels.contacts.put("acme", "cust-1", "email", "kunde@example.com", "zh-CN")
    provider = svc.repairs.registry.register("acme", name="Shanghai Home Fix").provider_id
    ticket = svc.tickets.open("acme", OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                 reason_code="defective", lines=[{"line_id": "L1", "quantity": 1}]),
                              CUSTOMER)
    walk(svc.tickets, "acme", ticket.id, "pending_approval", "approved", "repair_dispatched")
    job = svc.repairs.dispatch("acme", ticket.id)
    actor = JobActor(party=Party.PROVIDER, id="apikey:k", provider_id=provider)
    svc.repairs.accept("acme", job.job_id, actor)
    yield {"svc": svc, "ticket_id": ticket.id, "job_id": job.job_id, "actor": actor, "events": published,
           "handler": load_handler("notifications")}
    wiring.override(None)


def deliver(rig, event: dict) -> None:
    answer = rig["handler"].lambda_handler({"Records": [sqs_record(event)]}, FakeContext("notifications"))
    assert answer == {"batchItemFailures": []}


def ticket_event(rig, name: str) -> dict:
    """The ticket's audit entry as the bus carries it (the tickets' outbox detail)."""
    entry = next(e for e in reversed(rig["svc"].tickets.audit("acme", rig["ticket_id"], SYSTEM)) if e.event == name)
    return {"detail-type": name, "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": rig["ticket_id"], "customer_id": "cust-1", "seq": entry.seq,
        "event": name, "to_status": entry.to_status, "data": entry.data,
        "dedup_key": f"{rig['ticket_id']}#{entry.seq}"}}


def test_the_booking_the_way_and_the_code_reach_the_customer_in_their_language(rig, caplog):
    svc, job_id, actor = rig["svc"], rig["job_id"], rig["actor"]
    now = svc.clock.now()
    start = now.replace(microsecond=0) + timedelta(days=1)
    svc.repairs.book("acme", job_id, actor, window=Window(start=start, end=start + timedelta(hours=2)),
                     technician_id=None)
    booked = ticket_event(rig, "ticket.repair_booked")
    deliver(rig, booked)
    deliver(rig, booked)  # redelivered: sent once
    svc.repairs.on_the_way("acme", job_id, actor, eta=start + timedelta(minutes=30))
    deliver(rig, ticket_event(rig, "ticket.repair_on_the_way"))
    svc.repairs.check_in("acme", job_id, actor)
    zero = Money(amount=0, currency="CNY")
    svc.repairs.diagnose("acme", job_id, actor, fault_code="E-HEAT", coverage=Coverage.WARRANTY, labour=zero,
                         parts_estimate=zero)
    svc.repairs.repaired("acme", job_id, actor)
    (issued,) = [d for t, d in rig["events"].events if t == "repair.confirmation_code_issued"]
    with caplog.at_level(logging.DEBUG):
        deliver(rig, {"detail-type": "repair.confirmation_code_issued", "source": "aftersales.repairs",
                      "detail": issued})

    mails = sent_mails()
    assert [m.subject for m in mails] == [f"[{rig['ticket_id']}] 已预约上门维修", f"[{rig['ticket_id']}] 技师已出发",
                                          f"[{rig['ticket_id']}] 上门维修已完成"]
    window_text = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M} UTC"
    assert window_text in mails[0].body and "至" in mails[0].body
    eta = start + timedelta(minutes=30)
    assert f"预计到达：{eta.year}年{eta.month}月{eta.day}日 {eta:%H:%M} UTC" in mails[1].body
    assert issued["code"] in mails[2].body and len(issued["code"]) == 6
    ours = [r for r in caplog.records if r.name.startswith("aftersales")]
    assert ours and not _debug(ours, issued["code"]), _debug(ours, issued["code"])
    assert all(m.to == ["kunde@example.com"] for m in mails)


def _debug(records, code):
    return [(r.name, r.getMessage()[:200]) for r in records if r.name.startswith("aftersales") and code in str(vars(r))]
