"""Hypothesis: whatever the ticket's audit chain records as its deciders, and whatever walk of the
dispute's table arbitrators take, no decider of the ticket ever takes up or decides the dispute,
and an appeal is never decided by the first arbitrator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.core.errors import DomainError
from aftersales.core.money import Money
from aftersales.disputes import domain
from aftersales.disputes.model import Outcome, Remedy
from aftersales.tickets.audit import GENESIS_HASH, AuditEntry, seal, verify_chain
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Channel, Role, Status, TicketType

T0 = datetime(2026, 12, 2, tzinfo=UTC)
PEOPLE = [f"u{i}" for i in range(6)]
EVENTS = ["ticket.approved", "ticket.rejected", "ticket.inspection_passed", "ticket.inspection_failed",
          "ticket.assigned", "ticket.agent_replied"]


def _ticket_chain(steps: list[tuple[str, str, str | None]]) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for seq, (event, who, reviewer) in enumerate(steps, start=1):
        data = {"decisions": [{"approver_id": reviewer, "verdict": "reject"}]} if reviewer else {}
        entry = seal(AuditEntry(seq=seq, at=T0.isoformat(), event=event, actor_id=who, actor_role="supervisor",
                                from_status="pending_approval", to_status="rejected", data=data, prev_hash=prev))
        entries.append(entry)
        prev = entry.hash
    return entries


TICKET = Ticket(id="tkt-1", tenant_id="acme", type=TicketType.REFUND_ONLY, status=Status.REJECTED, version=1,
                order_id="O-1", customer_id="cust-1", channel=Channel.APP, reason_code="quality",
                requested_amount=Money(amount=100, currency="CNY"), created_at="x", updated_at="x",
                head_hash=GENESIS_HASH)
CUSTOMER = Actor(id="cust-1", roles=frozenset({Role.CUSTOMER}), customer_id="cust-1")
step = st.tuples(st.sampled_from(EVENTS), st.sampled_from(PEOPLE), st.none() | st.sampled_from(PEOPLE))
move = st.tuples(st.sampled_from(["take_up", "request", "evidence", "decide", "appeal", "close"]),
                 st.sampled_from(PEOPLE), st.sampled_from(list(Outcome)))


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(step, min_size=1, max_size=8), moves=st.lists(move, max_size=25))
def test_no_decider_of_the_ticket_ever_decides_its_dispute(steps, moves):
    entries = _ticket_chain(steps)
    deciders = domain.ticket_deciders(entries)
    dispute = domain.raise_dispute(dispute_id="dsp-1", tenant_id="acme", ticket=TICKET, entries=entries,
                                   actor=CUSTOMER, at=T0, text="wrong")
    at = T0
    for kind, who, outcome in moves:
        at += timedelta(hours=1)
        arbiter = Actor(id=who, roles=frozenset({Role.ARBITRATOR}))
        try:
            if kind == "take_up":
                dispute = domain.take_up(dispute, actor=arbiter, at=at)
            elif kind == "request":
                dispute = domain.request_evidence(dispute, actor=arbiter, at=at, reason="more")
            elif kind == "evidence":
                dispute = domain.add_evidence(dispute, actor=CUSTOMER, at=at, text="more", media_ids=[])
            elif kind == "decide":
                dispute = domain.decide(dispute, outcome, actor=arbiter, at=at, reason="r", remedy=Remedy.NONE)
            elif kind == "appeal":
                dispute = domain.appeal(dispute, actor=CUSTOMER, at=at, text="again")
            else:
                dispute = domain.close(dispute, actor=CUSTOMER, at=at)
        except DomainError:
            continue
    assert not {d.by for d in dispute.decisions} & deciders
    assert not any(e.actor_id in deciders for e in dispute.entries if e.event in ("dispute.review_started",
                                                                                  "dispute.decided"))
    if len(dispute.decisions) == 2:
        assert dispute.decisions[0].by != dispute.decisions[1].by
    assert dispute.appeals <= 1
    assert verify_chain(dispute.entries).valid
