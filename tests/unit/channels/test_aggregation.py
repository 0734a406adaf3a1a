"""Aggregation: same tenant + order + issue is one ticket, whichever channel raises it first."""

from __future__ import annotations

import pytest

from aftersales.channels.aggregation import Aggregation
from aftersales.channels.identity import IssueCategory
from aftersales.core.errors import InvalidRequest
from aftersales.tickets.domain import CUSTOMER_REPLIED, OpenTicket
from aftersales.tickets.model import Status, TicketType
from tests.support.channels_fakes import FakeIndexKeys
from tests.support.ticket_factories import SYSTEM
from tests.support.tickets import walk

KEY = ("acme", "AGG#acme#O-1#damaged")


def _raise(aggregation, channel: str, body: str, **extra):
    return aggregation.open_or_join("acme", order_id="O-1", category=IssueCategory.DAMAGED,
                                    ticket_type=TicketType.RETURN_REFUND, channel=channel,
                                    reason_code=f"{channel}_damaged", description=None, author=f"{channel}:a",
                                    body=body, external_id=f"{channel}-1", data={}, **extra)


def test_the_second_channel_joins_the_ticket_the_first_opened(rig):
    # GIVEN a WeCom message opening a return for a damaged mug
    first, created = _raise(rig.aggregation, "wecom", "the mug is broken")
    assert created and KEY in rig.keys
    ticket = rig.tickets.get("acme", first, SYSTEM)
    assert (ticket.type, ticket.channel.value, [ln.quantity_requested for ln in ticket.lines]) == (
        TicketType.RETURN_REFUND, "wecom", [2])
    # WHEN an e-mail about the same order and issue arrives THEN it joins, as a customer message
    second, created = _raise(rig.aggregation, "email", "photos attached", subject="Broken mug")
    assert (second, created) == (first, False) and len(rig.ticket_store) == 1
    assert [(i.channel, i.direction) for i in rig.conversation(first)] == [("wecom", "inbound"), ("email", "inbound")]
    assert CUSTOMER_REPLIED in rig.audit_events(first)


def test_a_closed_ticket_frees_the_key_for_a_new_one(rig):
    first, _ = _raise(rig.aggregation, "wecom", "broken")
    walk(rig.tickets, "acme", first, "cancelled", actor=SYSTEM)
    second, created = _raise(rig.aggregation, "email", "still broken")
    assert created and second != first and rig.keys.lookup(*KEY) == second


class _LosingRace(FakeIndexKeys):
    """Another request claims the key between this one's lookup and its claim."""

    def __init__(self, winner: str) -> None:
        super().__init__()
        self.winner = winner

    def lookup(self, tenant_id: str, key: str) -> str | None:
        found = super().lookup(tenant_id, key)
        self.keys.setdefault((tenant_id, key), self.winner)
        return found


def test_the_loser_of_a_race_cancels_its_own_ticket_and_joins_the_winner(rig):
    # GIVEN the winner's ticket, opened by another channel a moment before
    winner = rig.tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                 reason_code="damaged"), SYSTEM).id
    racing = Aggregation(_LosingRace(winner), rig.links, rig.tickets, rig.conversations)
    # WHEN this channel opens too and loses the claim
    ticket_id, created = _raise(racing, "wecom", "broken")
    # THEN it lands on the winner; its own ticket is cancelled as a merged duplicate
    assert (ticket_id, created) == (winner, False)
    (loser,) = [t for t in rig.ticket_store.tickets.values() if t.id != winner]
    assert loser.status is Status.CANCELLED
    assert rig.ticket_store.audit_entries("acme", loser.id)[-1].data == {"merged_into": winner}
    assert [i.body for i in rig.conversation(winner)] == ["broken"]


def test_the_ticket_speaks_the_customers_language_and_covers_the_named_lines(rig):
    rig.links.remember_contact("acme", "cust-1", "email", "buyer@example.com", "zh-Hans")
    ticket_id, _ = _raise(rig.aggregation, "douyin", "opened", line_ids=["L1"])
    ticket = rig.tickets.get("acme", ticket_id, SYSTEM)
    assert ticket.locale == "zh-Hans" and [ln.line_id for ln in ticket.lines] == ["L1"]


def test_a_line_the_order_does_not_have_is_refused_and_nothing_is_claimed(rig):
    with pytest.raises(InvalidRequest):
        _raise(rig.aggregation, "douyin", "opened", line_ids=["L9"])
    assert len(rig.keys) == 0 and len(rig.ticket_store) == 0 and len(rig.messages) == 0


def test_what_other_units_ask(rig):
    assert rig.aggregation.customer_of_order("acme", "O-1") == "cust-1"
    assert rig.aggregation.customer_of_order("acme", "O-404") is None
    assert rig.aggregation.is_open("acme", "tkt_missing") is False
    assert rig.aggregation.open_ticket_of("acme", "cust-1") is None
    ticket_id, _ = _raise(rig.aggregation, "wecom", "broken")
    assert rig.aggregation.is_open("acme", ticket_id) and rig.aggregation.open_ticket_of("acme", "cust-1") == ticket_id
