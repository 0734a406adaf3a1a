"""OrderIntake on fakes of its ports: a new order is stored, its checkout signals counted and what
was parked for it replayed; a replaced or unchanged snapshot does neither."""

from __future__ import annotations

from aftersales.orders.domain import Order
from aftersales.orders.service import OrderIntake
from tests.support.tickets import order_payload


class Book:
    def __init__(self, outcomes: list[str]) -> None:
        self.outcomes, self.stored = outcomes, []

    def upsert_order(self, tenant_id, order):
        self.stored.append((tenant_id, order.order_id))
        return self.outcomes.pop(0)


class Calls(list):
    def record_order(self, tenant_id, order, keys):
        self.append(("signals", order.order_id, dict(keys)))
        return 1

    def order_arrived(self, tenant_id, order_id):
        self.append(("arrived", order_id))
        return []


def test_only_a_new_order_counts_its_signals_and_replays_what_was_parked():
    """GIVEN an order pushed three times (create, replace, unchanged) WHEN pushed THEN each push is
    stored and answered with its outcome, and only the first counts signals and replays arrivals."""
    calls = Calls()
    intake = OrderIntake(Book(["create", "replace", "unchanged"]), calls, calls)
    order = Order.model_validate(order_payload("O-1", customer="cust-1"))

    outcomes = [intake.push("acme", order, {"device": "h1"}) for _ in range(3)]

    assert outcomes == ["create", "replace", "unchanged"]
    assert calls == [("signals", "O-1", {"device": "h1"}), ("arrived", "O-1")]
