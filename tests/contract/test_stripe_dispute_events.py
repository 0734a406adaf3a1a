"""Stripe disputes join the disputes record: Stripe's real dispute and balance-transaction fixtures
(tests/fixtures/stripe) in charge.dispute.* events, signed and posted to functions/stripe_webhook
over moto's tables (MoneyTable, TicketsTable, OrdersTable, DisputesTable)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.support.money import move, open_ticket
from tests.support.stripe_webhooks import SECRET, envelope, fixture, poster, sign


@pytest.fixture
def webhook(money, monkeypatch):
    """The webhook function, with the domain event bus the disputes context publishes on."""
    import os

    import boto3

    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    post = poster()

    def send(obj: dict, event_type: str, event_id: str) -> dict:
        body = json.dumps(envelope(obj, event_type, event_id))
        return post(body, sign(body))

    send.raw = post  # type: ignore[attr-defined]
    return send


def _agent():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="agent-1", roles=frozenset({Role.AGENT}))


def _dispute(charge: str, **changes) -> dict:
    return {**fixture("fixture_dispute.json"), "charge": charge, **changes}


def _withdrawal(dispute_id: str) -> dict:
    """Stripe's balance_transaction fixture as the dispute's withdrawal: the disputed amount out, and
    the dispute fee (Stripe: a negative `adjustment` with reporting_category `dispute`)."""
    return {**fixture("fixture_balance_transaction.json"), "id": "txn_withdrawn_1", "amount": -1000, "fee": 1500,
            "net": -2500, "type": "adjustment", "reporting_category": "dispute", "source": dispute_id,
            "created": 1723000000}


def _reinstatement(dispute_id: str) -> dict:
    return {**fixture("fixture_balance_transaction.json"), "id": "txn_reinstated_1", "amount": 1000, "fee": 0,
            "net": 1000, "type": "adjustment", "reporting_category": "dispute_reversal", "source": dispute_id,
            "created": 1724000000}


def _notes(money, ticket_id: str) -> list:
    return [e for e in money.tickets.audit("acme", ticket_id, _agent()) if e.event == "ticket.platform_dispute"]


def _case(money, dispute_id: str):
    return money.disputes.platform_dispute("acme", "stripe", dispute_id)


def test_a_dispute_joins_the_orders_open_ticket_as_a_chargeback(money, webhook):
    """GIVEN order O-7 paid by ch_O-7 with an open refund ticket WHEN charge.dispute.created arrives
    THEN the dispute record is on that ticket (no second ticket), with Stripe's amount, reason, status
    and evidence due date (aware UTC), a note tells the ticket's agent, and nothing is parked."""
    ticket = open_ticket(money, order_id="O-7")
    dispute = _dispute("ch_O-7")
    reply = webhook(dispute, "charge.dispute.created", "evt_dispute_1")
    assert reply["status"] == 200 and reply["body"]["outcome"] == "dispute_joined_ticket", reply
    record = _case(money, dispute["id"])
    assert record.ticket_id == ticket.id and record.order_id == "O-7"
    assert (record.source.value, record.subject.value, record.status.value) == ("stripe", "chargeback", "raised")
    platform = record.platform
    assert (platform.amount.amount, platform.amount.currency) == (1000, "USD")
    assert (platform.reason, platform.status, platform.charge_id) == ("general", "warning_needs_response", "ch_O-7")
    assert platform.evidence_due_by == datetime(2024, 8, 14, 23, 59, 59, tzinfo=UTC)
    assert record.due_at == platform.evidence_due_by  # the platform's due date is the dispute's SLA
    [note] = _notes(money, ticket.id)
    assert note.data["dispute_id"] == record.id and note.data["evidence_due_by"] == "2024-08-14T23:59:59.000Z"
    assert money.money_tables.config.get("acme", f"DISPUTE#{dispute['id']}") is None
    page = money.tickets.list("acme", _agent(), customer_id="cust-1")
    assert [t.id for t in page.items if t.order_id == "O-7"] == [ticket.id]


def test_a_lost_chargeback_records_its_funds_once_and_is_decided_upheld_by_stripe(money, webhook):
    """GIVEN a joined dispute WHEN Stripe sends updated (evidence submitted), funds_withdrawn (twice:
    a redelivery), then closed as lost THEN the withdrawal is recorded once with its fee, the redelivery
    is a duplicate, and the dispute is decided upheld by the platform; each applied event left a note."""
    ticket = open_ticket(money, order_id="O-9")
    dispute = _dispute("ch_O-9")
    dp = dispute["id"]
    assert webhook(dispute, "charge.dispute.created", "evt_c")["status"] == 200
    under_review = {**dispute, "status": "under_review",
                    "evidence_details": {**dispute["evidence_details"], "submission_count": 1, "has_evidence": True}}
    assert webhook(under_review, "charge.dispute.updated", "evt_u")["body"]["outcome"] == "dispute_updated"
    withdrawn = {**under_review, "balance_transactions": [_withdrawal(dp)]}
    assert webhook(withdrawn, "charge.dispute.funds_withdrawn", "evt_w")["body"]["outcome"] == "dispute_updated"
    assert webhook(withdrawn, "charge.dispute.funds_withdrawn", "evt_w")["body"]["outcome"] == "duplicate"
    lost = {**withdrawn, "status": "lost"}
    assert webhook(lost, "charge.dispute.closed", "evt_l")["body"]["outcome"] == "dispute_updated"

    record = _case(money, dp)
    assert record.status.value == "decided" and record.decision.outcome.value == "upheld"
    assert record.decision.reason == "stripe:lost" and record.platform.submitted is True
    [funds] = record.platform.funds
    assert (funds.kind, funds.amount.amount, funds.fee.amount, funds.provider_id) == (
        "withdrawn", 1000, 1500, "txn_withdrawn_1")
    assert funds.at == datetime.fromtimestamp(1723000000, UTC)
    assert record.platform.events == ["evt_c", "evt_u", "evt_w", "evt_l"]
    notes = _notes(money, ticket.id)
    assert [n.reason for n in notes] == ["charge.dispute.created", "charge.dispute.updated",
                                         "charge.dispute.funds_withdrawn", "charge.dispute.closed"]
    assert notes[-1].data["outcome"] == "upheld"


def test_a_won_chargeback_records_the_reinstatement_and_is_dismissed(money, webhook):
    """GIVEN a dispute whose funds were withdrawn WHEN funds_reinstated and closed (won) arrive
    THEN both balance transactions are on the record and Stripe's decision dismisses the dispute."""
    open_ticket(money, order_id="O-11")
    dispute = _dispute("ch_O-11")
    dp = dispute["id"]
    webhook({**dispute, "balance_transactions": [_withdrawal(dp)]}, "charge.dispute.funds_withdrawn", "evt_1")
    both = {**dispute, "balance_transactions": [_withdrawal(dp), _reinstatement(dp)]}
    webhook(both, "charge.dispute.funds_reinstated", "evt_2")
    webhook({**both, "status": "won"}, "charge.dispute.closed", "evt_3")
    record = _case(money, dp)
    assert [(f.kind, f.amount.amount) for f in record.platform.funds] == [("withdrawn", 1000), ("reinstated", 1000)]
    assert record.decision.outcome.value == "dismissed" and record.decision.reason == "stripe:won"


def test_an_order_without_an_open_ticket_gets_a_complaint_ticket_for_the_chargeback(money, webhook):
    """GIVEN order O-12 whose only ticket is cancelled WHEN a dispute on its charge arrives THEN a
    complaint ticket is opened for it (someone must own the chargeback) and the record is on it."""
    old = open_ticket(money, order_id="O-12")
    move(money, "acme", old.id, "cancelled")
    dispute = _dispute("ch_O-12")
    reply = webhook(dispute, "charge.dispute.created", "evt_d12")
    assert reply["body"]["outcome"] == "dispute_opened_with_ticket"
    record = _case(money, dispute["id"])
    ticket = money.tickets.get("acme", record.ticket_id, _agent())
    assert ticket.id != old.id and ticket.type.value == "complaint" and ticket.reason_code == "payment_dispute"
    assert "2024-08-14" in ticket.description and len(_notes(money, ticket.id)) == 1


def test_a_dispute_on_no_order_of_ours_is_kept_for_staff_and_joins_nothing(money, webhook):
    dispute = _dispute("ch_unknown")
    reply = webhook(dispute, "charge.dispute.created", "evt_unknown")
    assert reply["status"] == 200 and reply["body"]["outcome"] == "dispute_unmatched"
    assert _case(money, dispute["id"]) is None
    kept = money.money_tables.config.get("acme", f"DISPUTE#{dispute['id']}")
    assert kept["ticket_id"] is None and kept["amount"] == 1000
    assert kept["evidence_due_by"] == "2024-08-14T23:59:59.000Z"


def test_a_later_event_updates_the_record_even_after_its_ticket_ended(money, webhook):
    """GIVEN a joined dispute whose ticket was then cancelled WHEN closed (won) arrives THEN the same
    record is decided (no new ticket is opened for it) and the ended ticket takes no note."""
    ticket = open_ticket(money, order_id="O-14")
    dispute = _dispute("ch_O-14")
    webhook(dispute, "charge.dispute.created", "evt_a")
    move(money, "acme", ticket.id, "cancelled")
    assert webhook({**dispute, "status": "won"}, "charge.dispute.closed", "evt_b")["status"] == 200
    record = _case(money, dispute["id"])
    assert record.ticket_id == ticket.id and record.decision.outcome.value == "dismissed"
    assert len(_notes(money, ticket.id)) == 1
    page = money.tickets.list("acme", _agent(), customer_id="cust-1")
    assert [t.id for t in page.items if t.order_id == "O-14"] == [ticket.id]


def test_a_dispute_with_an_impossible_evidence_due_date_still_joins_without_it(money, webhook):
    """GIVEN a dispute whose evidence_details.due_by is 99999999999999 WHEN posted THEN 200 and the
    record has no due date from Stripe (the SLA's own due time instead)."""
    open_ticket(money, order_id="O-8")
    dispute = _dispute("ch_O-8")
    dispute["evidence_details"] = {**dispute["evidence_details"], "due_by": 99999999999999}
    reply = webhook(dispute, "charge.dispute.created", "evt_dispute_far")
    assert reply["status"] == 200 and reply["body"]["outcome"] == "dispute_joined_ticket", reply
    record = _case(money, dispute["id"])
    assert record.platform.evidence_due_by is None and record.due_at is not None


@pytest.mark.parametrize("signature", [None, "t=1,v1=deadbeef", "garbage"])
def test_a_dispute_with_a_bad_signature_stores_nothing(money, webhook, signature):
    open_ticket(money, order_id="O-15")
    dispute = _dispute("ch_O-15")
    body = json.dumps(envelope(dispute, "charge.dispute.created", "evt_forged"))
    assert webhook.raw(body, signature)["status"] == 401
    assert _case(money, dispute["id"]) is None
    from aftersales.adapters.dynamo.money import MoneyItem

    assert sum(1 for _ in MoneyItem.query("acme#WEBHOOK#stripe#evt_forged")) == 0


def test_a_dispute_without_an_id_is_400_and_stores_nothing(money, webhook):
    open_ticket(money, order_id="O-16")
    dispute = {**_dispute("ch_O-16"), "id": None}
    reply = webhook(dispute, "charge.dispute.updated", "evt_noid")
    assert reply["status"] == 400 and reply["body"]["error"]["fields"][0]["path"] == "data.object.id"
    from aftersales.adapters.dynamo.money import MoneyItem

    assert sum(1 for _ in MoneyItem.query("acme#WEBHOOK#stripe#evt_noid")) == 0
