"""A day of after-sales work for one tenant, generated from a seed (the replayed day's input).

`generate(tickets, seed)` is deterministic: the same arguments give the same day. What it draws:

* Ticket types: refund only 40 %, return and refund 25 %, complaint 15 %, exchange 12 %, shipping
  fee refund 8 % (repairs are left out: their steps happen at a repair provider).
* Channels: app 30 %, mini program 30 %, web 15 % (those orders in USD), phone 10 %, e-mail 10 %,
  WeCom 5 %.
* Amounts: a unit price from a skewed distribution — 60 % 19.00-99.00, 25 % 100.00-499.00,
  12 % 500.00-1999.00, 3 % 2000.00-6000.00 (CNY; USD orders a seventh of that) — times a quantity
  of 1 (85 %) or 2.
* Customer histories: account age (5 % under a week, 10 % under a month, the rest 1-6 years), tier
  (vip 15 %), each customer with an IP, a device and an address of their own.
* Abuse, about 6 % of the tickets (at least six: one pattern of each): scalper clusters (three to
  five accounts sharing one device, one IP and one shipping address, each asking for a refund on
  its own order) and serial refunders (one new account, three or four keep-item refunds on as many
  orders in the day). The scripted reviewers reject
  every abusive ticket that reaches them.
* Returns and exchanges travel: the customer books the parcel, the carrier reports it in transit
  and then delivered.
* Orders: delivered 1-10 days before the request (90 %), 20-45 days before (5 %: some are out of
  the return window), or shipped and not delivered yet (5 %).
* Customer messages on 20 % of the tickets; about 3 % of the tickets are never answered by anyone
  (the SLA's to breach).
* Arrival times spread over the day (08:00-23:00 busier), in seconds from midnight.

The merchant of the day runs for zero touch (`MERCHANT_POLICY`, `MERCHANT_REFUND_SETTINGS`, set
through the API before the first order): the default approval rules plus low-risk returns and
exchanges up to 2000.00 approved automatically (the goods come back before the refund), refunds
without return under 500.00 CNY approved automatically for customers with no risk signal and no
other ticket in 30 days, and auto-approved returns accepted when the carrier delivers them.

Nothing here talks to the platform: `bench/replayed_day.py` replays the day through the API.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

TYPES = (("refund_only", 40), ("return_refund", 25), ("complaint", 15), ("exchange", 12),
         ("shipping_fee_refund", 8))
CHANNELS = (("app", 30), ("mini_program", 30), ("web", 15), ("phone", 10), ("email", 10), ("wecom", 5))
REASONS = {"refund_only": ("quality", "not_as_described", "missing_parts"),
           "return_refund": ("quality", "damaged", "changed_mind", "wrong_item"),
           "exchange": ("wrong_size", "wrong_colour", "damaged"),
           "shipping_fee_refund": ("late_delivery",),
           "complaint": ("late_delivery", "rude_courier", "packaging")}
MESSAGES = ("请问什么时候可以退款？", "Any update on my request?", "我已经寄回了，请查收。",
            "The item arrived broken, photos attached.", "麻烦尽快处理，谢谢。")
SKUS = (("KETTLE-01", "电热水壶", "appliances"), ("MUG-02", "陶瓷杯", "kitchen"),
        ("HEADSET-9", "Wireless headset", "electronics"), ("COOKER-03", "电饭煲", "appliances"),
        ("PAN-04", "Frying pan", "kitchen"), ("LAMP-05", "Desk lamp", "electronics"))


def _money(minor: int, currency: str) -> dict:
    return {"amount": minor, "currency": currency}


def _zero_touch_rules(currency: str, keep_item_supervisor_from: int) -> list[dict]:
    code = currency.lower()
    low_risk = {"risk_score": {"max": 14}, "history": {"window_days": 30, "count": {"max": 2}}}
    rules = [
        {"id": f"dual-review-large-{code}", "route": "dual_review",
         "when": {"amount": {"min": _money(200_001, currency)}}},
        {"id": f"supervisor-keep-item-{code}", "route": "supervisor",
         "when": {"ticket_types": ["refund_only"], "amount": {"min": _money(keep_item_supervisor_from, currency)}}},
        {"id": f"auto-return-{code}", "route": "auto_approve",
         "when": {"ticket_types": ["return", "exchange"], "amount": {"max": _money(200_000, currency)}, **low_risk}},
        {"id": f"auto-trusted-keep-item-{code}", "route": "auto_approve",
         "when": {"ticket_types": ["refund_only"], "amount": {"max": _money(keep_item_supervisor_from - 1, currency)},
                  "risk_score": {"max": 0}, "history": {"window_days": 30, "count": {"max": 1}}}},
        {"id": f"auto-small-{code}", "route": "auto_approve",
         "when": {"amount": {"max": _money(9_999, currency)}, **low_risk}},
    ]
    return rules


MERCHANT_POLICY: dict = {
    "default_route": "single_review", "abuse_route": "single_review",
    "finance_thresholds": [_money(1_000_000, "CNY"), _money(150_000, "USD")],
    "rules": [{"id": "block-high-risk", "route": "block", "when": {"risk_score": {"min": 90}}},
              *_zero_touch_rules("CNY", 50_000), *_zero_touch_rules("USD", 10_000)],
}
MERCHANT_REFUND_SETTINGS: dict = {"accept_returns_on_arrival": True}


@dataclass(frozen=True)
class Customer:
    id: str
    tier: str
    account_age_days: int
    ip: str
    device: str
    address: str  # the storefront's hash of the normalised shipping address
    locale: str


@dataclass(frozen=True)
class PlannedTicket:
    seq: int
    at_second: int  # seconds after midnight, local time
    customer: Customer
    order_id: str
    type: str
    channel: str
    reason_code: str
    currency: str
    unit_price: int  # minor units
    quantity: int
    shipping_fee: int
    delivered_days_ago: int | None = None  # None: shipped, not delivered yet
    abuse: str | None = None  # "serial_refunder" | "scalper" | None
    messages: tuple[str, ...] = ()
    unanswered: bool = False

    @property
    def travels(self) -> bool:
        return self.type in ("return_refund", "exchange")

    @property
    def tracking_number(self) -> str:
        return f"RET-{self.order_id}"

    def order(self, now: datetime) -> dict:
        """The order snapshot the storefront pushes before the ticket (PUT /orders/{id}), dated
        back from `now` (placed, shipped and delivered days before it)."""
        sku, name, category = SKUS[self.seq % len(SKUS)]
        delivered = self.delivered_days_ago
        shipped_at = now - timedelta(days=(delivered or 0) + 2)
        fulfilment = ({"status": "shipped", "shipped_at": shipped_at.isoformat()} if delivered is None else
                      {"status": "delivered", "shipped_at": shipped_at.isoformat(),
                       "delivered_at": (now - timedelta(days=delivered)).isoformat()})
        paid = self.unit_price * self.quantity + self.shipping_fee
        return {"order_id": self.order_id, "version": 1,
                "channel": self.channel,
                "currency": self.currency,
                "customer": {"id": self.customer.id, "tier": self.customer.tier,
                             "account_created_at": (now - timedelta(days=self.customer.account_age_days)
                                                    ).isoformat()},
                "payment": {"provider": "sandbox", "reference": f"ch_{self.order_id}",
                            "captured": {"amount": paid, "currency": self.currency}},
                "shipping": {"country": "US" if self.currency == "USD" else "CN",
                             "fee": {"amount": self.shipping_fee, "currency": self.currency},
                             "address_fingerprint": self.customer.address},
                "lines": [{"line_id": "1", "sku": sku, "name": name, "category": category,
                           "product_type": "physical", "quantity": self.quantity,
                           "unit_price_paid": {"amount": self.unit_price, "currency": self.currency}}],
                "fulfilment": fulfilment,
                "placed_at": (shipped_at - timedelta(days=1)).isoformat()}

    def request(self) -> dict:
        """The storefront's POST /tickets body."""
        body: dict = {"type": self.type, "order_id": self.order_id, "channel": self.channel,
                      "reason_code": self.reason_code}
        if self.type != "shipping_fee_refund" and self.type != "complaint":
            body["lines"] = [{"line_id": "1", "quantity": self.quantity}]
        if self.type == "complaint":
            body["description"] = "Courier was late and the box was crushed"
        return body


@dataclass(frozen=True)
class Day:
    seed: int
    tickets: tuple[PlannedTicket, ...]
    customers: tuple[Customer, ...] = field(default=())

    @property
    def abusive(self) -> tuple[PlannedTicket, ...]:
        return tuple(t for t in self.tickets if t.abuse)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _hash(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _unit_price(rng: random.Random, currency: str) -> int:
    band = rng.random()
    cny = (rng.randint(1900, 9900) if band < 0.60 else rng.randint(10_000, 49_900) if band < 0.85
           else rng.randint(50_000, 199_900) if band < 0.97 else rng.randint(200_000, 600_000))
    return cny if currency == "CNY" else max(199, cny // 7)


def _arrival(rng: random.Random) -> int:
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 7, 4])[0]
    return hour * 3600 + rng.randrange(3600)


def _customer(rng: random.Random, seed: int, n: int, *, age: int | None = None, shared: str | None = None
              ) -> Customer:
    age_draw = rng.random()
    account_age = age if age is not None else (rng.randint(1, 6) if age_draw < 0.05 else rng.randint(8, 29)
                                               if age_draw < 0.15 else rng.randint(365, 6 * 365))
    own = shared or _hash(seed, "customer", n)
    return Customer(id=f"cust-{seed % 10_000}-{n:05d}", tier="vip" if rng.random() < 0.15 else "standard",
                    account_age_days=account_age,
                    ip=f"10.{(n >> 8) % 256}.{n % 256}.{rng.randint(1, 254)}" if shared is None
                    else f"10.250.{int(shared[:2], 16)}.7",
                    device=f"dev-{own[:24]}", address=f"addr-{own[8:32]}",
                    locale="en" if rng.random() < 0.2 else "zh-Hans")


def _groups(total: int, largest: int) -> list[int]:
    """`total` split into groups of at most `largest` and at least three."""
    sizes = []
    while total > 0:
        size = min(largest, total)
        if 0 < total - size < 3:
            size = total - 3 if total - 3 >= 3 else total
        sizes.append(size)
        total -= size
    return sizes


def generate(tickets: int = 150, seed: int = 20261201) -> Day:
    """A day of `tickets` tickets (at least 20), the same for the same seed."""
    if tickets < 20:
        raise ValueError("a day has at least 20 tickets (its abuse patterns need room)")
    rng = random.Random(seed)
    planned: list[PlannedTicket] = []
    customers: list[Customer] = []

    def add(customer: Customer, ttype: str, channel: str, abuse: str | None = None, price: int | None = None,
            at: int | None = None) -> None:
        seq = len(planned)
        currency = "USD" if channel == "web" else "CNY"
        unit = price if price is not None else _unit_price(rng, currency)
        messages = tuple(rng.sample(MESSAGES, rng.randint(1, 2))) if rng.random() < 0.20 else ()
        window = rng.random()
        delivered = (None if window < 0.05 else rng.randint(20, 45) if window < 0.10 else rng.randint(1, 10))
        planned.append(PlannedTicket(
            seq=seq, at_second=at if at is not None else _arrival(rng), customer=customer,
            order_id=f"D{seed % 10_000}-{seq:05d}", type=ttype, channel=channel,
            reason_code=rng.choice(REASONS[ttype]), currency=currency, unit_price=unit,
            quantity=1 if rng.random() < 0.85 or abuse else 2,
            shipping_fee=(1000 if currency == "CNY" else 500), delivered_days_ago=delivered, abuse=abuse,
            messages=messages,
            unanswered=abuse is None and rng.random() < 0.03))

    # abuse first, so its share holds at every size: ~6 % of the day, at least one of each pattern
    budget = max(6, round(tickets * 0.06))
    for cluster in _groups(budget - budget // 2, 5):  # accounts on one device, IP and address, a refund each
        shared, start = _hash(seed, "cluster", len(customers)), _arrival(rng)
        for k in range(cluster):
            scalper = _customer(rng, seed, len(customers), age=rng.randint(3, 40), shared=shared)
            customers.append(scalper)
            add(scalper, rng.choice(("refund_only", "return_refund")), "mini_program", abuse="scalper",
                price=rng.randint(5900, 9900), at=min(86_399, start + 600 * k))
    for refunds in _groups(budget // 2, 4):  # one new account, keep-item refunds on several orders
        refunder, start = _customer(rng, seed, len(customers), age=2), _arrival(rng)
        customers.append(refunder)
        for k in range(refunds):
            add(refunder, "refund_only", "app", abuse="serial_refunder", price=rng.randint(3900, 9500),
                at=min(86_399, start + 1800 * k))
    while len(planned) < tickets:
        # a few customers come back within the day (a second ticket on another order)
        returning = [c for c in customers if not any(t.customer == c and t.abuse for t in planned)]
        if returning and rng.random() < 0.08:
            customer = rng.choice(returning)
        else:
            customer = _customer(rng, seed, len(customers))
            customers.append(customer)
        add(customer, _pick(rng, TYPES), _pick(rng, CHANNELS))
    planned = planned[:tickets]
    ordered = sorted(planned, key=lambda t: (t.at_second, t.seq))
    return Day(seed=seed, tickets=tuple(ordered), customers=tuple(customers))
