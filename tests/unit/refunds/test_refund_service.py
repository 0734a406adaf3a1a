"""RefundService on in-memory ports (ticket store, payment ledger, refund store, money config) and a
fake payment provider: grant once, attempt with the idempotency key, poll, complete or fail with
the reservation released once; the ledger never refunds more than was captured."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.money import Money
from aftersales.orders.domain import Order
from aftersales.refunds.grants import RefundStatus
from aftersales.refunds.service import REFUND_FAILED_EVENT, RefundService, grant_id_for
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.money import (
    FakeRefundProvider,
    InMemoryMoneyConfig,
    InMemoryPaymentLedgerStore,
    InMemoryRefundStore,
)
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import STOREFRONT
from tests.support.tickets import order_payload, walk

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PAYMENT = "ch_O-1"  # order_payload's payment reference
CAPTURED = 9500 * 2 + 1000


class Rig:
    def __init__(self, provider: FakeRefundProvider) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryTicketStore()
        self.ledger = InMemoryPaymentLedgerStore()
        self.refunds = InMemoryRefundStore(self.ledger)
        self.provider = provider
        self.tickets = TicketService(self.store, self.clock)
        self.service = RefundService(self.tickets, self.store, self.ledger, self.refunds, lambda _t: provider,
                                     self.clock, InMemoryMoneyConfig())
        self.tickets.upsert_order("acme", Order.model_validate(order_payload(quantity=2)))

    def refund_pending(self, quantity: int = 1) -> tuple[str, str]:
        """A refund-only ticket for `quantity` mugs (CNY 95.00 each) moved to refund_pending; its grant id."""
        ticket = self.tickets.open("acme", OpenTicket(type="refund_only", order_id="O-1", channel="app",
                                                      reason_code="damaged",
                                                      lines=[LineRequest(line_id="L1", quantity=quantity)]),
                                   STOREFRONT)
        walk(self.tickets, "acme", ticket.id, "pending_approval", "approved", "refund_pending")
        seq = self.store.audit_entries("acme", ticket.id)[-1].seq
        return ticket.id, grant_id_for(ticket.id, seq)

    def refunded(self) -> int:
        return self.ledger.get("acme", PAYMENT).refunded.amount

    def events(self, ticket_id: str) -> list[str]:
        return [e.event for e in self.store.audit_entries("acme", ticket_id)]


def test_a_grant_reserves_its_amount_exactly_once():
    """GIVEN a ticket for one mug in refund_pending WHEN the grant step runs twice THEN one grant of
    CNY 95.00 exists and the ledger reserved it once."""
    rig = Rig(FakeRefundProvider())
    ticket_id, grant_id = rig.refund_pending()

    first = rig.service.grant("acme", ticket_id, grant_id)
    again = rig.service.grant("acme", ticket_id, grant_id)

    assert first == again and grant_id in rig.refunds and len(rig.refunds) == 1
    assert first.amount == Money(amount=9500, currency="CNY")
    assert rig.refunded() == 9500


def test_attempt_poll_complete_refunds_the_ticket():
    """GIVEN a grant WHEN the provider is called (twice, as a retried step), polled until it reports
    succeeded, and the grant completed THEN the provider holds one refund for the attempt's
    idempotency key and the ticket is refunded with the provider's refund id on the audit entry."""
    rig = Rig(FakeRefundProvider("pending", "succeeded"))
    ticket_id, grant_id = rig.refund_pending()
    rig.service.grant("acme", ticket_id, grant_id)

    attempt = rig.service.attempt("acme", ticket_id, grant_id)
    assert rig.service.attempt("acme", ticket_id, grant_id) == attempt
    assert rig.service.poll("acme", ticket_id, grant_id).status is RefundStatus.PENDING
    with pytest.raises(Conflict):
        rig.service.complete("acme", ticket_id, grant_id)
    assert rig.service.poll("acme", ticket_id, grant_id).status is RefundStatus.SUCCEEDED
    ticket = rig.service.complete("acme", ticket_id, grant_id)

    assert len(rig.provider) == 1 and attempt.idempotency_key in rig.provider and rig.provider.calls == 1
    assert ticket.status is Status.REFUNDED
    assert rig.store.audit_entries("acme", ticket_id)[-1].data["provider_refund_id"] == attempt.provider_refund_id
    assert rig.refunded() == 9500


def test_a_failed_refund_releases_the_reservation_once_and_says_why():
    """GIVEN a grant whose provider refund failed WHEN the saga gives up (twice) THEN the reservation
    is released once, the ticket carries one ticket.refund_failed entry with the provider's reason,
    and the money is refundable again."""
    rig = Rig(FakeRefundProvider("failed"))
    ticket_id, grant_id = rig.refund_pending()
    rig.service.grant("acme", ticket_id, grant_id)
    rig.service.attempt("acme", ticket_id, grant_id)
    assert rig.service.poll("acme", ticket_id, grant_id).status is RefundStatus.FAILED

    outcome = rig.service.fail("acme", ticket_id, grant_id)
    again = rig.service.fail("acme", ticket_id, grant_id)

    assert outcome == {"released": True, "reason": "insufficient_funds"}
    assert again["released"] is False
    assert rig.refunded() == 0
    assert rig.events(ticket_id).count(REFUND_FAILED_EVENT) == 1
    assert rig.store.audit_entries("acme", ticket_id)[-1].reason == "insufficient_funds"


def test_an_open_provider_refund_keeps_the_reservation():
    """GIVEN a provider refund still pending WHEN the saga gives up THEN the reservation is kept (the
    money may still move) and the ticket is flagged for follow-up."""
    rig = Rig(FakeRefundProvider())
    ticket_id, grant_id = rig.refund_pending()
    rig.service.grant("acme", ticket_id, grant_id)
    rig.service.attempt("acme", ticket_id, grant_id)

    assert rig.service.fail("acme", ticket_id, grant_id) == {"released": False, "reason": "provider_outcome_unknown"}
    assert rig.refunded() == 9500


def test_a_grant_over_the_captured_amount_is_refused_and_surfaced():
    """GIVEN CNY 150.00 of the CNY 200.00 captured already refunded WHEN a CNY 95.00 grant is made
    THEN InvalidRequest refunds.exceeds_captured, no grant, the ledger unchanged, and the ticket
    says why."""
    rig = Rig(FakeRefundProvider())
    ticket_id, grant_id = rig.refund_pending()
    rig.ledger.open("acme", PAYMENT, Money(amount=CAPTURED, currency="CNY"))
    rig.ledger.reserve("acme", PAYMENT, Money(amount=15000, currency="CNY"))

    with pytest.raises(InvalidRequest) as caught:
        rig.service.grant("acme", ticket_id, grant_id)

    assert caught.value.message_id == "refunds.exceeds_captured"
    assert caught.value.details["refundable"] == CAPTURED - 15000
    assert len(rig.refunds) == 0 and rig.refunded() == 15000
    assert rig.events(ticket_id)[-1] == REFUND_FAILED_EVENT


def test_the_ledger_refuses_another_currency():
    """GIVEN a CNY ledger WHEN USD is reserved THEN refunds.currency_mismatch on amount.currency."""
    ledger = InMemoryPaymentLedgerStore()
    ledger.open("acme", PAYMENT, Money(amount=CAPTURED, currency="CNY"))

    with pytest.raises(InvalidRequest) as caught:
        ledger.reserve("acme", PAYMENT, Money(amount=100, currency="USD"))
    assert (caught.value.message_id, caught.value.details["field"]) == ("refunds.currency_mismatch",
                                                                         "amount.currency")


@given(st.lists(st.tuples(st.booleans(), st.integers(1, 25_000)), max_size=30))
def test_the_ledger_never_refunds_more_than_was_captured(operations):
    """GIVEN any sequence of reservations and releases WHEN applied to the ledger THEN each refused
    one changes nothing, and refunded stays within 0..captured and equals the accepted ones' sum."""
    ledger = InMemoryPaymentLedgerStore()
    ledger.open("acme", PAYMENT, Money(amount=CAPTURED, currency="CNY"))
    expected = 0
    for is_reserve, amount in operations:
        money = Money(amount=amount, currency="CNY")
        try:
            (ledger.reserve if is_reserve else ledger.release)("acme", PAYMENT, money)
            expected += amount if is_reserve else -amount
        except InvalidRequest:
            pass
        refunded = ledger.get("acme", PAYMENT).refunded.amount
        assert refunded == expected and 0 <= refunded <= CAPTURED
