"""The money invariants under moto: one refund per grant whatever fails, and never more refunded
than captured (the conditional UpdateItem), reconciled against the sandbox provider's own record."""

from __future__ import annotations

import threading

import pytest

from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
from aftersales.core.errors import InvalidRequest
from aftersales.core.money import Money
from aftersales.refunds.provider_errors import ProviderUnavailable
from aftersales.refunds.service import grant_id_for
from tests.support.money import refund_pending


def _sandbox(svc, tenant="acme", clock=None, **behaviour) -> SandboxPaymentProvider:
    provider = SandboxPaymentProvider(tenant, clock or svc.clock,
                                      SandboxBehaviour(**{"settle_seconds": 0, **behaviour}))
    svc.payments.use(tenant, provider)
    return provider


def test_provider_faults_and_a_crash_after_the_provider_call_still_refund_once(money):
    """GIVEN a refund-pending ticket and a provider that answers 503 twice and then refunds but the
    response is lost (a crash between the provider call and our DB write)
    WHEN the saga's attempt step is retried until it returns
    THEN the provider holds exactly one refund for the grant amount, and the ticket is refunded."""
    svc = money
    ticket = refund_pending(svc)
    provider = _sandbox(svc, unavailable_calls=2, crash_after_calls=1)
    refunds = svc.refunds
    grant_id = grant_id_for(ticket.id, ticket.version)
    grant = refunds.grant("acme", ticket.id, grant_id)
    for _ in range(3):
        with pytest.raises(ProviderUnavailable):
            refunds.attempt("acme", ticket.id, grant_id)
    attempt = refunds.attempt("acme", ticket.id, grant_id)
    attempt_again = refunds.attempt("acme", ticket.id, grant_id)  # a late duplicate of the step
    assert attempt.status.value == "succeeded" and attempt_again.provider_refund_id == attempt.provider_refund_id
    recorded = provider.refunds(grant.payment_ref)
    assert len(recorded) == 1 and recorded[0]["amount"] == grant.amount.amount == 9500
    assert refunds.complete("acme", ticket.id, grant_id).status.value == "refunded"
    assert refunds.complete("acme", ticket.id, grant_id).status.value == "refunded"  # retried step
    ledger = svc.money_tables.ledger.get("acme", grant.payment_ref)
    assert ledger.refunded.amount == 9500


def test_a_replayed_grant_reserves_once(money):
    """GIVEN a grant already made WHEN the grant step runs again (redelivery, retry)
    THEN the ledger moved once."""
    svc = money
    ticket = refund_pending(svc)
    grant_id = grant_id_for(ticket.id, ticket.version)
    threads = [threading.Thread(target=svc.refunds.grant, args=("acme", ticket.id, grant_id)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    grant = svc.refunds.grant("acme", ticket.id, grant_id)
    assert svc.money_tables.ledger.get("acme", grant.payment_ref).refunded == grant.amount


def test_concurrent_reservations_never_exceed_the_captured_amount(money):
    """GIVEN a payment that captured 200.00 WHEN 8 concurrent 60.00 reservations race
    THEN exactly 3 win (180.00) and the others get 422 refunds.exceeds_captured."""
    ledger = money.money_tables.ledger
    captured = Money(amount=20_000, currency="CNY")
    ledger.open("acme", "ch_race", captured)
    outcomes: list[str] = []

    def reserve():
        try:
            ledger.reserve("acme", "ch_race", Money(amount=6_000, currency="CNY"))
            outcomes.append("ok")
        except InvalidRequest as exc:
            outcomes.append(exc.message_id)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3
    assert set(outcomes) - {"ok"} == {"refunds.exceeds_captured"}
    assert ledger.get("acme", "ch_race").refunded.amount == 18_000


@pytest.mark.parametrize("amount, currency, message", [
    (Money(amount=20_001, currency="CNY"), "CNY", "refunds.exceeds_captured"),
    (Money(amount=100, currency="USD"), "CNY", "refunds.currency_mismatch"),
])
def test_over_refund_and_currency_mismatch_are_refused_with_field_paths(money, amount, currency, message):
    ledger = money.money_tables.ledger
    ledger.open("acme", "ch_bad", Money(amount=20_000, currency=currency))
    with pytest.raises(InvalidRequest) as caught:
        ledger.reserve("acme", "ch_bad", amount)
    assert caught.value.message_id == message and caught.value.details["field"].startswith("amount.")
    assert ledger.get("acme", "ch_bad").refunded.amount == 0


def test_a_declined_refund_fails_with_its_reason_and_releases_the_reservation_once(money):
    """GIVEN the sandbox declines amounts ending in 13 WHEN the saga gives up
    THEN the reason is on the refund status, the reservation is released exactly once."""
    svc = money
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    _sandbox(svc, decline_suffix=0)  # 9500 ends in 00: declined
    ticket = refund_pending(svc)
    grant_id = grant_id_for(ticket.id, ticket.version)
    refunds = svc.refunds
    grant = refunds.grant("acme", ticket.id, grant_id)
    attempt = refunds.attempt("acme", ticket.id, grant_id)
    assert attempt.status.value == "failed"
    assert refunds.fail("acme", ticket.id, grant_id) == {"released": True, "reason": "declined"}
    assert refunds.fail("acme", ticket.id, grant_id)["released"] is False
    assert svc.money_tables.ledger.get("acme", grant.payment_ref).refunded.amount == 0
    status = refunds.status("acme", ticket.id, Actor(id="a", roles=frozenset({Role.AGENT})))
    assert status["grants"][0]["status"] == "failed" and status["grants"][0]["failure_reason"] == "declined"


def test_pending_refunds_settle_on_poll(money):
    svc = money
    from aftersales.core.clock import FixedClock

    provider_clock = FixedClock(svc.clock.now())  # the provider's own time: the refund settles after 60 s
    _sandbox(svc, clock=provider_clock, settle_seconds=60)
    ticket = refund_pending(svc)
    grant_id = grant_id_for(ticket.id, ticket.version)
    refunds = svc.refunds
    refunds.grant("acme", ticket.id, grant_id)
    assert refunds.attempt("acme", ticket.id, grant_id).status.value == "pending"
    assert refunds.poll("acme", ticket.id, grant_id).status.value == "pending"
    provider_clock.advance(seconds=61)
    assert refunds.poll("acme", ticket.id, grant_id).status.value == "succeeded"
