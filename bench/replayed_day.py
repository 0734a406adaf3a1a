"""A replayed day: a generated day of one tenant's after-sales work (bench/day.py) sent through the
local stack's API as the storefront, the customers and the carrier would send it, with staff played
by scripted reviewers; then the platform's own audit chains say how much of it was done without a
person, how fast, and what the day would cost on AWS at list prices (bench/aws_prices.py).

The storefront only pushes orders and opens tickets (with the customer's IP and device); it never
moves a ticket on. Whatever the platform leaves for a person, a scripted reviewer does, in rounds
after each wave of arrivals, through the same API calls staff make: an agent moves a ticket still
`submitted` on to approval (hand triage) or into investigation (complaints), answers customer
messages, inspects returned goods and resolves complaints; reviewers decide the reviews the approval
policy routed to people (agent for single review, supervisor, supervisor + finance for dual),
rejecting every abusive ticket they see. Customers book their return parcels and the carrier
(AfterShip, signed webhooks) reports them in transit and delivered; a warehouse system (the
storefront key) marks exchanges reshipped. Tickets the day marks unanswered are left alone.

The day's arrival times set its order; waves run back to back on the stack's own clock (speed 1),
so times are what the platform took on this machine, plus the scripted rounds for touched tickets.

BENCH_DAY_TICKETS (default 40) and BENCH_DAY_SEED (default 20261201) choose the day. The emulator keeps
every DynamoDB stream record it ever built (moto's instance tracking): about 0.5 GB a minute, so a
bigger day needs the memory (a 100-ticket day reached 13 GB).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from bench.aws_prices import AS_OF, PRICES, cost, per_thousand
from bench.day import Day, PlannedTicket, generate
from bench.report import Section
from bench.support import FAKE_AWS, ROOT, install_request_hook

WAVES = 6
PAGE = int(os.environ.get("BENCH_DAY_PAGE", "100"))  # staff list pages (GET /tickets?status=)
NOTIFICATION_DELAY_SECONDS = 30  # template.yaml's NotificationDelaySeconds default (the local stack sets 0)
STAFF_ROLES = {"agent", "supervisor", "finance", "arbitrator", "admin"}
RESOLVED = {"refunded", "rejected", "resolved", "reshipped", "closed", "cancelled"}
DECISIONS = {"ticket.approved", "ticket.rejected", "ticket.inspection_failed"}
CARRIER_SECRET = "bench-aftership-secret"


class Api:
    """The API as clients call it; each call is one API Gateway request on the meter."""

    def __init__(self, base_url: str, meter: Any) -> None:
        import requests

        self.base_url, self.meter, self.http = base_url, meter, requests.Session()

    def call(self, method: str, path: str, headers: dict[str, str], body: Any = None, raw: bytes | None = None,
             params: dict[str, Any] | None = None) -> tuple[int, Any]:
        self.meter.api_call()
        reply = self.http.request(method, f"{self.base_url}{path}", headers=headers, timeout=60, params=params,
                                  data=raw if raw is not None else None,
                                  json=body if raw is None and body is not None else None)
        try:
            return reply.status_code, reply.json()
        except ValueError:
            return reply.status_code, reply.text


class Replay:
    def __init__(self, stack: Any, day: Day, meter: Any) -> None:
        from aftersales.wiring import services
        from tests.support.fixture_files import load

        self.stack, self.day, self.meter = stack, day, meter
        self.api = Api(stack.api_url, meter)
        demo = stack.demo
        self.storefront = {"X-Api-Key": next(v for k, v in demo.items() if k.startswith("storefront API key"))}
        self.staff = {who: {"Authorization": "Bearer " + next(v for k, v in demo.items() if k.startswith(label))}
                      for who, label in (("agent", "agent token agent-li"), ("supervisor", "supervisor token"),
                                         ("finance", "finance token"), ("admin", "admin token"))}
        tenants = services().tenants
        self.customers = {t.customer.id: {"Authorization": "Bearer " + tenants.mint_customer_token(
            "demo", t.customer.id, timedelta(hours=6))} for t in day.tickets}
        self.aftership = load("aftership/aftership_tracking_webhook_sample.json")
        self.ids: dict[int, str] = {}  # plan seq -> ticket id
        self.plans = {t.seq: t for t in day.tickets}
        self.replied: set[int] = set()
        self.shipped: set[int] = set()
        self.contacts: set[str] = set()
        self.placed: set[int] = set()  # plan seqs whose order the storefront pushed
        self.arrived: set[int] = set()
        self.photos: dict[int, str] = {}  # plan seq -> the customer's evidence photo (damage claims)
        self.settles: list[tuple[float, float, int]] = []  # (drain s, round + drain s, actions)
        self.failures: list[str] = []

    # ------------------------------------------------------------ arrivals
    def place(self, plan: PlannedTicket) -> None:
        """The storefront's order push, days before any request: the checkout's IP and device ride
        along as headers (the platform keeps only their hashes)."""
        if plan.customer.id not in self.contacts:
            self.contacts.add(plan.customer.id)
            self._ok(self.api.call("PUT", f"/customers/{plan.customer.id}/contacts/email", self.storefront,
                                   {"address": f"{plan.customer.id}@example.com", "locale": plan.customer.locale}))
        checkout = {**self.storefront, "X-Customer-IP": plan.customer.ip, "X-Device-Fingerprint": plan.customer.device}
        status, body = self.api.call("PUT", f"/orders/{plan.order_id}", checkout,
                                     plan.order(datetime.now().astimezone()))
        if status not in (200, 201):
            self.failures.append(f"order {plan.order_id}: {status} {body}")
        else:
            self.placed.add(plan.seq)

    def photograph(self, plan: PlannedTicket) -> None:
        """A customer claiming damage takes a photo first: POST /media, then the presigned form."""
        from tests.support.media_files import photo_like

        content = photo_like(plan.seq)
        customer = self.customers[plan.customer.id]
        status, granted = self.api.call("POST", "/media", customer, {
            "purpose": "ticket_evidence", "content_type": "image/png", "size": len(content)})
        if status != 201:
            self.failures.append(f"media {plan.order_id}: {status} {granted}")
            return
        upload = granted["upload"]
        posted = self.api.http.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)},
                                    timeout=60)
        if posted.status_code != 204:
            self.failures.append(f"upload {plan.order_id}: {posted.status_code}")
            return
        self.photos[plan.seq] = granted["media"]["id"]

    def arrive(self, plan: PlannedTicket) -> None:
        if plan.seq not in self.placed:
            return
        headers = {**self.storefront, "X-Customer-IP": plan.customer.ip, "X-Device-Fingerprint": plan.customer.device,
                   "Accept-Language": plan.customer.locale}
        request = plan.request()
        if plan.seq in self.photos:
            request["media_ids"] = [self.photos[plan.seq]]
        status, body = self.api.call("POST", "/tickets", headers, request)
        if status != 201:
            self.failures.append(f"ticket {plan.order_id}: {status} {body}")
            return
        self.ids[plan.seq] = body["id"]
        for message in plan.messages:
            self.api.call("POST", f"/tickets/{body['id']}/replies", self.customers[plan.customer.id], {"body": message})

    # ------------------------------------------------------------ the scripted staff
    def listing(self, status: str) -> list[dict]:
        items, cursor, seen = [], None, set()
        while True:
            query = {"status": status, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            code, page = self.api.call("GET", "/tickets", self.staff["agent"], params=query)
            if code != 200:
                self.failures.append(f"list {status}: {code} {page}")
                return items
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor or cursor in seen:
                return items
            seen.add(cursor)

    def round(self) -> int:
        """One pass of every person over their queue; how many actions they took."""
        by_id = {ticket_id: self.plans[seq] for seq, ticket_id in self.ids.items()}
        self.arrived = set()  # parcels delivered during this round wait for the next one at the warehouse
        actions = 0
        for status in ("submitted", "pending_approval", "investigating", "awaiting_return", "return_in_transit",
                       "return_received", "inspecting", "reshipping"):
            for ticket in self.listing(status):
                plan = by_id.get(ticket["id"])
                if plan is None or plan.unanswered:
                    continue
                actions += self.act(status, ticket["id"], plan)
        return actions

    def act(self, status: str, ticket_id: str, plan: PlannedTicket) -> int:
        path, agent = f"/tickets/{ticket_id}", self.staff["agent"]
        done = 0
        if plan.messages and plan.seq not in self.replied:
            self.replied.add(plan.seq)
            done += self._ok(self.api.call("POST", f"{path}/replies", agent, {"body": "我们已收到，正在处理。"}))
        if status == "submitted":
            target = "investigating" if plan.type == "complaint" else "pending_approval"
            done += self._ok(self.api.call("POST", f"{path}/transitions", agent, {"to": target, "reason": "triaged"}))
        elif status == "investigating":
            done += self._ok(self.api.call("POST", f"{path}/transitions", agent,
                                           {"to": "resolved", "reason": "apologised, courier warned"}))
        elif status == "pending_approval":
            done += self.review(path, plan)
        elif status == "awaiting_return" and plan.seq not in self.shipped:
            self.shipped.add(plan.seq)
            done += self._ok(self.api.call("POST", f"{path}/return-shipment", self.customers[plan.customer.id],
                                           {"carrier": "sf-express", "tracking_number": plan.tracking_number}))
            self.carrier(plan, "InTransit", "InTransit_001")
            self.carrier(plan, "Delivered", "Delivered_001")
            self.arrived.add(plan.seq)
        elif status in ("return_received", "inspecting") and plan.seq not in self.arrived:
            if status == "return_received":
                done += self._ok(self.api.call("POST", f"{path}/transitions", agent, {"to": "inspecting"}))
            done += self._ok(self.api.call("POST", f"{path}/inspection", agent,
                                           {"lines": [{"line_id": "1", "accepted": plan.quantity}]}))
        elif status == "reshipping":
            done += self._ok(self.api.call("POST", f"{path}/transitions", self.storefront,
                                           {"to": "reshipped", "reason": "warehouse sent the replacement"}))
        return done

    def review(self, path: str, plan: PlannedTicket) -> int:
        code, review = self.api.call("GET", f"{path}/approval", self.staff["agent"])
        if code != 200 or review.get("status") != "pending":
            return 0  # routed automatically (or not yet routed): nobody's queue
        verdict = "reject" if plan.abuse else "approve"
        reviewers = {"single_review": ["agent", "supervisor"], "supervisor": ["supervisor"],
                     "dual_review": ["supervisor", "finance"]}.get(review.get("route"), ["supervisor", "finance"])
        done = 0
        for who in reviewers:
            code, body = self.api.call("POST", f"{path}/approval/decisions", self.staff[who],
                                       {"verdict": verdict, "comment": "scripted review"})
            done += code == 200
            if code == 200 and body.get("status") != "pending":
                break
        return done

    def carrier(self, plan: PlannedTicket, tag: str, subtag: str) -> None:
        from aftersales.logistics.verification import aftership_signature

        body = json.loads(json.dumps(self.aftership))
        body["event_id"] = f"bench-{plan.order_id}-{tag}"
        body["msg"].update(tracking_number=plan.tracking_number, tag=tag, subtag=subtag)
        raw = json.dumps(body).encode()
        self._ok(self.api.call("POST", "/webhooks/carriers/aftership/demo", {
            "Content-Type": "application/json", "aftership-hmac-sha256": aftership_signature(CARRIER_SECRET, raw)},
            raw=raw))

    def _ok(self, result: tuple[int, Any]) -> int:
        code, body = result
        if code >= 400:
            self.failures.append(f"{code} {str(body)[:160]}")
        return int(code < 400)

    def configure(self) -> None:
        """The merchant's zero-touch settings (bench/day.py), through the ordinary API."""
        from bench.day import MERCHANT_POLICY, MERCHANT_REFUND_SETTINGS

        admin = self.staff["admin"]
        self._ok(self.api.call("PUT", "/approval-policy/draft", admin, MERCHANT_POLICY))
        self._ok(self.api.call("POST", "/approval-policy/publish", {**admin, "Idempotency-Key": "bench-policy"}))
        self._ok(self.api.call("PUT", "/refund-settings", admin, MERCHANT_REFUND_SETTINGS))

    def replay(self) -> None:
        self.configure()
        ordered = list(self.day.tickets)
        from aftersales.eligibility.defaults import EVIDENCE_REASONS  # the default rules want a photo

        for plan in ordered:  # the day's orders were placed (and delivered) before the day began
            self.place(plan)
            if plan.reason_code in EVIDENCE_REASONS:
                self.photograph(plan)
        self.stack.drain(timeout=120)  # the photos are checked (S3 event) before anyone asks
        size = -(-len(ordered) // WAVES)
        for start in range(0, len(ordered), size):
            for plan in ordered[start:start + size]:
                self.arrive(plan)
            self.settle()
        for _ in range(8):  # the last returns still travel, the last refunds still settle
            if not self.settle():
                break

    def settle(self) -> int:
        started = time.monotonic()
        self.stack.drain(timeout=120)
        drained = time.monotonic()
        actions = self.round()
        self.stack.drain(timeout=120)
        self.settles.append((drained - started, time.monotonic() - drained, actions))
        return actions


# ---------------------------------------------------------------- reading the audit chains

def _at(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["at"])


def outcome(entries: list[dict]) -> dict[str, Any]:
    """What one ticket's audit chain says: resolved when, touched by whom, paid how soon."""
    opened = _at(entries[0])
    resolved = next((_at(e) for e in entries if e["to_status"] in RESOLVED), None)
    staff = [e for e in entries if e["actor_role"] in STAFF_ROLES]
    decision = next((e for e in entries if e["event"] in DECISIONS), None)
    # a refund is due once the request is eligible; for goods sent back, once they arrived
    arrived = next((_at(e) for e in entries if e["to_status"] == "return_received"), None)
    eligible = arrived or next((_at(e) for e in entries if e["event"] == "ticket.submitted_for_approval"), None)
    refunded = next((_at(e) for e in entries if e["event"] == "ticket.refunded"), None)
    return {"resolved_s": (resolved - opened).total_seconds() if resolved else None,
            "touched": bool(staff),
            "first_touch": _touch(staff[0]) if staff else None,
            "decided_by_person": bool(decision and decision["actor_role"] in STAFF_ROLES),
            "status": entries[-1]["to_status"],
            "kept_item": arrived is None,
            "paid_after_eligible_s": (refunded - eligible).total_seconds() if refunded and eligible else None}


def _touch(entry: dict) -> str:
    """What a person's first entry on a ticket was, in words."""
    if entry["event"].startswith("ticket.inspection"):
        return "inspection"
    if entry["event"] in DECISIONS or entry["event"].startswith("ticket.approval"):
        return "review decision"
    if entry.get("from_status") == "submitted":
        return "hand triage"
    if entry["event"] == "ticket.agent_replied":
        return "reply to a message"
    return entry["event"]


def touches(day: Day, outcomes: dict[int, dict]) -> Section:
    """Per ticket type: how many a person touched, and what the first touch was."""
    section = Section("Where people touched the replayed day (first staff entry per ticket)",
                      ["ticket type", "tickets", "touched", "first touches"])
    by_type: dict[str, list[dict]] = {}
    for plan in day.tickets:
        if plan.seq in outcomes:
            by_type.setdefault(plan.type, []).append(outcomes[plan.seq])
    for ticket_type, got in sorted(by_type.items()):
        firsts: dict[str, int] = {}
        for o in got:
            if o["first_touch"]:
                firsts[o["first_touch"]] = firsts.get(o["first_touch"], 0) + 1
        section.rows.append([ticket_type, len(got), _share(sum(o["touched"] for o in got), len(got)),
                             ", ".join(f"{k} {v}" for k, v in sorted(firsts.items(), key=lambda kv: -kv[1])) or "-"])
    return section


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else (values or [0.0])[0]


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "0/0"


def automation(day: Day, outcomes: dict[int, dict], verified: int, failures: list[str]) -> Section:
    section = Section(f"Replayed day: {len(day.tickets)} tickets (seed {day.seed}), from the audit chains",
                      ["figure", "value"])
    got = list(outcomes.values())
    resolved = [o for o in got if o["resolved_s"] is not None]
    zero = [o for o in resolved if not o["touched"]]
    touched = [o for o in got if o["touched"]]
    abusive = [outcomes[t.seq] for t in day.abusive if t.seq in outcomes]
    paid = [o["paid_after_eligible_s"] for o in got if o["paid_after_eligible_s"] is not None]
    times = [o["resolved_s"] for o in resolved]
    zero_times = [o["resolved_s"] for o in zero]
    zero_kept = [o["resolved_s"] for o in zero if o["kept_item"] and o["status"] == "refunded"]
    legit = [outcomes[t.seq] for t in day.tickets if not t.abuse and t.seq in outcomes]
    rows = [
        ["tickets opened", len(got)],
        ["resolved (refunded, rejected, resolved, reshipped, closed, cancelled)", _share(len(resolved), len(got))],
        ["resolved with zero human touches", _share(len(zero), len(got))],
        ["touched by a human (any staff entry in the chain)", _share(len(touched), len(got))],
        ["touched by a human, abusive tickets left out (they must be)",
         _share(sum(o["touched"] for o in legit), len(legit))],
        ["abusive tickets decided by a person (approval or inspection)",
         _share(sum(o["decided_by_person"] for o in abusive), len(abusive))],
        ["abusive tickets touched by staff at all", _share(sum(o["touched"] for o in abusive), len(abusive))],
        ["request → resolution, median / p90 s (all resolved)",
         f"{statistics.median(times):.1f} / {_p90(times):.1f}" if times else "-"],
        ["request → resolution, median / p90 s (zero-touch)",
         f"{statistics.median(zero_times):.1f} / {_p90(zero_times):.1f}" if zero_times else "-"],
        ["request → refund, median / p90 s (zero-touch refunds without return)",
         f"{statistics.median(zero_kept):.1f} / {_p90(zero_kept):.1f}" if zero_kept else "-"],
        ["refunds paid within 60 s of eligibility (submitted for approval, or goods arrived → refunded)",
         _share(sum(s <= 60 for s in paid), len(paid))],
        ["left open at the end (the day's unanswered tickets included)",
         _share(len(got) - len(resolved), len(got))],
        ["audit chains verified", _share(verified, len(got))],
    ]
    section.rows = rows
    section.notes += [
        "A human touch is an audit entry by a staff role (agent, supervisor, finance, arbitrator, admin): "
        "hand triage, a review decision, an inspection, a staff reply, a complaint resolved. Customers, the "
        "storefront, the carrier and the platform's own automation (system) are not touches.",
        "Times are on the stack's clock at speed 1 on this machine; touched tickets include the scripted "
        "reviewers' rounds (run right after each wave drains), not a real team's response time.",
    ]
    if failures:
        section.notes.append(f"{len(failures)} API calls failed during the replay; first: {failures[:3]}")
    return section


def bill(usage: Any, tickets: int, meter: Any) -> list[Section]:
    lines = cost(usage)
    section = Section(f"AWS cost of the replayed day at list prices ({PRICES['lambda_requests'].source.split('/')[2]}"
                      f", us-east-1, as of {AS_OF})",
                      ["item", "quantity", "USD per unit", "USD for the day", "USD per 1,000 tickets"])
    for key, price in PRICES.items():
        quantity = usage.quantities[key]
        section.rows.append([f"{key} ({price.unit})", round(quantity, 1), f"{price.usd}/{price.per:,}",
                             f"{lines[key]:.6f}", f"{per_thousand(lines[key], tickets):.4f}"])
    section.rows.append(["total", "", "", f"{lines['total']:.6f}", f"{per_thousand(lines['total'], tickets):.4f}"])
    section.notes += [
        "List prices as known on " + AS_OF + ", written down in bench/aws_prices.py with their pages — not "
        "fetched; free tiers ignored.",
        "DynamoDB units are estimated from item sizes (bench/metering.py): UpdateItem is sized from its key and "
        "values only, so write units are a lower bound; GSI writes are counted for puts only.",
        "Not included: API Gateway authorizer caching (off here: every call invokes the authorizer), "
        "CloudWatch Logs, S3, data transfer, idle SQS long polling of event source mappings (fixed per queue).",
    ]
    heavy = Section("Where the DynamoDB units of the day go (top 8)", ["table operation", "units", "share"])
    units = meter.write_units + meter.read_units
    total = sum(units.values()) or 1
    for name, n in units.most_common(8):
        heavy.rows.append([name.split("-", 2)[-1], round(n, 1), f"{100 * n / total:.0f} %"])
    invoked = Section("Lambda invocations of the day", ["function", "invocations"])
    invoked.rows = [[name, n] for name, n in meter.invocations.most_common()]
    return [section, heavy, invoked]


def _skipped(reason: str) -> list[Section]:
    section = Section("Replayed day", ["status"], [["skipped"]])
    section.notes.append(reason)
    return [section]


def run() -> list[Section]:
    try:
        import moto  # noqa: F401
        import requests  # noqa: F401

        from infra.local.stack import LocalStack
    except ImportError as exc:
        return _skipped(f"needs the dev dependencies (moto, requests): {exc}")
    tickets = int(os.environ.get("BENCH_DAY_TICKETS", "40"))
    day = generate(tickets, int(os.environ.get("BENCH_DAY_SEED", "20261201")))
    install_request_hook()
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    stack = LocalStack(ROOT / "template.yaml", stack_name="bench-day", api_port=0, speed=1,
                       parameters={"NotificationDelaySeconds": NOTIFICATION_DELAY_SECONDS})
    try:
        try:
            return _replay(stack, day)
        except OSError as exc:
            return _skipped(f"the local stack could not run here: {exc}")
    finally:
        from aftersales import wiring

        stack.stop()
        wiring.reset()
        os.environ.clear()
        os.environ.update(saved)


def _replay(stack: Any, day: Day) -> list[Section]:
    from aftersales import wiring
    from bench.metering import AwsMeter, executions, gsi_keys, state_transitions
    from infra.local.demo import seed

    stack.start()
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # figures, not logs (the template says INFO)
    wiring.reset()
    stack.demo = seed(stack)
    stack.drain(timeout=60)
    model = stack.model
    meter = AwsMeter(gsi_keys(model), {fid: fn.memory_mb for fid, fn in model.functions.items()})
    replay = Replay(stack, day, meter)
    code, body = replay.api.call("PUT", "/integrations/carriers/aftership", replay.storefront,
                                 {"secret": CARRIER_SECRET})
    if code != 200:
        return _skipped(f"could not configure the carrier: {code} {body}")
    stack.drain(timeout=60)
    before = executions(stack.clients.stepfunctions)
    meter.api_requests = 0
    stack.runtime.observers.append(meter.invoked)
    started = time.monotonic()
    with meter.counting():
        replay.replay()
    stack.runtime.observers.remove(meter.invoked)
    wall = time.monotonic() - started
    transitions = state_transitions(stack.clients.stepfunctions, before)
    usage = meter.usage(transitions)
    outcomes, verified = {}, 0
    reader = replay.staff["supervisor"]
    for seq, ticket_id in replay.ids.items():
        code, audit = replay.api.call("GET", f"/tickets/{ticket_id}/audit", reader)
        if code == 200 and audit["entries"]:
            outcomes[seq] = outcome(audit["entries"])
        code, check = replay.api.call("GET", f"/tickets/{ticket_id}/audit/verify", reader)
        verified += code == 200 and bool(check.get("valid"))
    sections = [automation(day, outcomes, verified, replay.failures), touches(day, outcomes)]
    rounds = ", ".join(f"{d:.0f}/{r:.0f}/{n}" for d, r, n in replay.settles)
    sections[0].notes.append(f"Replay took {wall:.0f} s wall for {len(replay.ids)} tickets in {WAVES} waves; "
                             f"each settle (drain s / staff round + drain s / staff actions): {rounds}.")
    sections += bill(usage, len(replay.ids), meter)
    return sections
