"""RiskService on the in-memory CounterStore: ticket events keep per-dimension counters (once per
event, optimistic on the counter's version), and `assess` scores the ticket's own keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.clock import FixedClock, iso
from aftersales.core.errors import ConcurrentModification
from aftersales.orders.domain import Order
from aftersales.risk.service import RiskService
from aftersales.risk.signals import Dimension
from tests.support.fakes.money import InMemoryCounterStore
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store() -> InMemoryCounterStore:
    return InMemoryCounterStore()


@pytest.fixture
def risk(store) -> RiskService:
    return RiskService(store, FixedClock(NOW))


def created(customer: str, ticket: str, *, device: str | None = None, at: datetime = NOW,
            ticket_type: str = "return_refund") -> dict:
    keys = {"device": device} if device else {}
    return {"tenant_id": "acme", "ticket_id": ticket, "seq": 1, "event": "ticket.created", "customer_id": customer,
            "ticket_type": ticket_type, "at": iso(at), "data": {"risk_keys": keys}}


class LosingOnceStore(InMemoryCounterStore):
    """A concurrent consumer writes the counter between this one's load and save, once."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def save(self, tenant_id, state, expected_version):
        if self.lost == 0:
            self.lost += 1
            current, version = self.load(tenant_id, state.key)
            super().save(tenant_id, current, version)  # the other writer bumps the version
        super().save(tenant_id, state, expected_version)


def test_an_opened_ticket_counts_under_every_key_it_carries(risk, store):
    """GIVEN a ticket.created event with a device hash WHEN recorded THEN the account and the device
    counters each hold one ticket."""
    assert risk.record(created("cust-1", "tkt_1", device="dev-a")) == 2

    assert ("acme", "account#cust-1") in store and ("acme", "device#dev-a") in store and len(store) == 2
    state = risk.counters("acme", Dimension.DEVICE, "dev-a")
    assert sum(b.tickets for b in state.buckets) == 1


def test_a_redelivered_event_changes_nothing(risk, store):
    """GIVEN an event already recorded WHEN it is delivered again THEN no counter changes and the
    stored versions stay where they were."""
    event = created("cust-1", "tkt_1", device="dev-a")
    risk.record(event)
    versions = {key: version for key, (_, version) in store.counters.items()}

    assert risk.record(event) == 0
    assert {key: version for key, (_, version) in store.counters.items()} == versions


def test_events_that_are_not_counted_are_ignored(risk, store):
    """GIVEN a status change that is neither an opening nor a refund WHEN recorded THEN nothing is
    stored."""
    event = {**created("cust-1", "tkt_1"), "event": "ticket.assigned"}

    assert risk.record(event) == 0
    assert len(store) == 0


def test_a_refund_adds_its_amount_to_the_account(risk):
    """GIVEN a ticket.refunded event of CNY 95.00 WHEN recorded THEN the account's counter holds it."""
    event = {**created("cust-1", "tkt_1"), "seq": 7, "event": "ticket.refunded",
             "data": {"amount": {"amount": 9500, "currency": "CNY"}}}

    assert risk.record(event) == 1
    state = risk.counters("acme", Dimension.ACCOUNT, "cust-1")
    assert [dict(b.refunded) for b in state.buckets] == [{"CNY": 9500}]


def test_a_lost_counter_race_is_retried():
    """GIVEN another consumer writes the counter between this one's load and save WHEN an event is
    recorded THEN the service retries on the new version and the event is counted."""
    store = LosingOnceStore()
    risk = RiskService(store, FixedClock(NOW))

    assert risk.record(created("cust-1", "tkt_1")) == 1
    assert store.lost == 1
    assert store.load("acme", "account#cust-1")[1] == 2


def test_the_store_refuses_a_stale_version(store):
    """GIVEN a stored counter at version 1 WHEN saved again expecting version 0 THEN ConcurrentModification."""
    state, version = store.load("acme", "account#cust-1")
    store.save("acme", state, version)

    with pytest.raises(ConcurrentModification):
        store.save("acme", state, version)


def test_many_accounts_on_one_device_raise_the_score(risk):
    """GIVEN three accounts that opened tickets from the same device this week WHEN a ticket from
    that device is assessed THEN the device's distinct accounts is a reason and the score is higher
    than for the same customer without the device key."""
    for n, customer in enumerate(("cust-1", "cust-2", "cust-3")):
        risk.record(created(customer, f"tkt_{n}", device="dev-a", at=NOW - timedelta(days=n)))
    order = Order.model_validate(order_payload(customer="cust-1"))

    with_device = risk.assess("acme", "cust-1", order, keys={"device": "dev-a"})
    without = risk.assess("acme", "cust-1", order)

    assert "device_distinct_accounts" in with_device.flags
    assert "device_distinct_accounts" not in without.flags
    assert with_device.score > without.score


def test_a_new_order_counts_its_account_under_its_checkout_keys_once(risk, store):
    """GIVEN two accounts' orders placed from one device and shipped to one address hash
    WHEN recorded (one of them twice) THEN the device and address counters hold two distinct
    accounts and no ticket; no account counter is written; the repeat changes nothing."""
    from aftersales.risk.counters import window_total

    for n in (1, 2):
        payload = order_payload(f"O-{n}", customer=f"cust-{n}")
        payload["shipping"]["address_fingerprint"] = "addr_sha256_0b7a1c3d5e7f9a1b"
        payload["placed_at"] = iso(NOW - timedelta(days=3))
        assert risk.record_order("acme", Order.model_validate(payload), {"device": "dev-a", "account": "x"}) == 2
    assert risk.record_order("acme", Order.model_validate(payload), {"device": "dev-a"}) == 0

    assert len(store) == 2 and ("acme", "account#cust-1") not in store
    device = window_total(risk.counters("acme", Dimension.DEVICE, "dev-a"), NOW, 30)
    address = window_total(risk.counters("acme", Dimension.ADDRESS, "addr_sha256_0b7a1c3d5e7f9a1b"), NOW, 90)
    assert (device.distinct_accounts, device.tickets) == (2, 0)
    assert (address.distinct_accounts, address.keep_item_tickets) == (2, 0)
