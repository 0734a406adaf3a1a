"""Douyin arbitration pushes (212-218) join the disputes record of the after-sale's ticket: the
mapper (channels/douyin_arbitration.py) on Douyin's recorded samples, Hypothesis for odd fields,
and the intake worker on in-memory fakes with the real DisputeService and TicketService."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.channels.douyin import DouyinMessage, push_signature, to_command
from aftersales.channels.douyin_arbitration import STATUSES, arbitration_case
from aftersales.core.money import Money
from tests.support.fixture_files import load
from tests.support.webhook_bodies import NASTY_NUMBERS, NASTY_STRINGS

APP_KEY, APP_SECRET = "7000000000000000003", "douyin-unit-secret"
AMOUNT = Money(amount=3990, currency="CNY")
SAMPLES = {212: "event_samples/RefundArbitrateAppliedEvent", 216: "event_samples/RefundArbitrateAuditedEvent",
           218: "arbitration_samples/RefundArbitrateDiscussUploadEvent"}


def sample(tag: int, msg_id: str = "m-arb", aftersale_id: str = "AS-1", order_id: str = "O-1", **data) -> dict:
    """Douyin's recorded sample of `tag`; a tag without one (213-215, 217) gets 212's, whose fields the
    SDKs give all of them (tests/fixtures/douyin/SOURCE.md)."""
    recorded = load(f"douyin/{SAMPLES.get(tag, SAMPLES[212])}.json")
    recorded["data"].update({"p_id": order_id, "s_id": "L1", "aftersale_id": aftersale_id, "aftersale_type": 0,
                             **data})
    return recorded | {"tag": tag, "msgId": msg_id}


def command(tag: int, **data):
    item = sample(tag, **data)
    return to_command(DouyinMessage(tag=str(item["tag"]), msg_id=item["msgId"], data=item["data"]))


# ---------------------------------------------------------------------- the mapper


@pytest.mark.parametrize("tag, status", [(212, "arbitration_applied"), (213, "evidence_requested"),
                                         (214, "evidence_submitted"), (215, "arbitration_cancelled"),
                                         (216, "arbitrated_2"), (217, "platform_intervened"),
                                         (218, "negotiation_evidence_uploaded")])
def test_each_arbitration_tag_is_a_douyin_case_of_the_after_sale(tag, status):
    case = arbitration_case(command(tag), AMOUNT)
    assert (case.provider, case.case_id, case.status, case.amount) == ("douyin", "AS-1", status, AMOUNT)
    assert case.reference == ("xxxxxxxxx" if tag == 218 else "xxxxxxx")  # the samples' arbitration ids
    assert case.submitted is (tag == 214) and case.evidence_due_by is None


def test_other_messages_and_an_arbitration_without_an_after_sale_are_no_case():
    created = load("douyin/event_samples/RefundCreatedEvent.json")
    assert arbitration_case(to_command(DouyinMessage(tag="200", msg_id="m", data=created["data"])), AMOUNT) is None
    assert arbitration_case(command(212, aftersale_id=None), AMOUNT) is None
    assert set(STATUSES) == {str(t) for t in range(212, 219)}


def test_a_result_without_a_conclusion_code_is_arbitrated():
    item = sample(216)
    del item["data"]["arbitrate_conclusion"]
    case = arbitration_case(to_command(DouyinMessage(tag="216", msg_id="m", data=item["data"])), AMOUNT)
    assert case.status == "arbitrated"


ODD = st.one_of(st.none(), st.booleans(), st.sampled_from(NASTY_NUMBERS), st.sampled_from(NASTY_STRINGS),
                st.lists(st.integers(), max_size=2), st.text(max_size=300))


@settings(max_examples=400, deadline=None)
@given(tag=st.sampled_from(range(212, 219)), field=st.sampled_from(
    ["aftersale_id", "arbitrate_id", "arbitrate_conclusion", "arbitrate_status", "p_id", "shop_id"]),
    value=ODD, drop=st.booleans())
def test_an_odd_or_missing_field_is_left_out_never_raised(tag, field, value, drop):
    """GIVEN a recorded arbitration message with one field replaced by an odd value (or removed) THEN
    the mapper gives a case of the after-sale or, with no usable after-sale id, none; ids are short
    printable strings and the status one of the known ones."""
    data = sample(tag)["data"]
    data = {k: v for k, v in data.items() if k != field} if drop else {**data, field: value}
    case = arbitration_case(to_command(DouyinMessage(tag=str(tag), msg_id="m", data=data)), AMOUNT)
    if field == "aftersale_id" and (drop or case is None):
        assert case is None or not drop
        return
    assert case is not None and case.case_id and len(case.case_id) <= 128 and case.case_id.isprintable()
    assert case.reference is None or (len(case.reference) <= 128 and case.reference.isprintable())
    base = STATUSES[str(tag)]
    assert case.status == base or (tag == 216 and case.status.startswith("arbitrated_")
                                   and case.status.removeprefix("arbitrated_").lstrip("-").isdigit())


# ---------------------------------------------------------------------- the intake worker


def push(*messages: dict) -> tuple[dict, bytes]:
    body = json.dumps(list(messages)).encode()
    return {"event-sign": push_signature(APP_KEY, body, APP_SECRET)}, body


def file_all(rig, headers: dict, body: bytes) -> list:
    rig.douyin_push.receive("acme", headers, body)
    results = []
    for tenant_id, pushed, msg_ids in rig.douyin_queue.messages:
        results += rig.douyin.file(tenant_id, pushed, msg_ids)
    rig.douyin_queue.messages.clear()
    return results


def created_message(msg_id: str = "m-1", aftersale_id: str = "AS-1") -> dict:
    recorded = load("douyin/event_samples/RefundCreatedEvent.json")
    recorded["data"].update({"p_id": "O-1", "s_id": "L1", "aftersale_id": aftersale_id, "aftersale_type": 1,
                             "refund_amount": 3990})
    return recorded | {"msgId": msg_id}


@pytest.fixture
def douyin(rig):
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    return rig


def _record(rig):
    return rig.disputes.platform_dispute("acme", "douyin", "AS-1")


def test_an_arbitration_opens_the_after_sales_dispute_and_later_messages_update_it(douyin):
    """GIVEN a Douyin after-sale mirrored by a ticket WHEN 212, 213, 214 and 216 arrive THEN one
    dispute record (source douyin, a chargeback-like platform case on that ticket) holds each status
    once; the ticket's own notes for the agent are still written."""
    (created,) = file_all(douyin, *push(created_message()))
    ticket = douyin.tickets.get("acme", created.ticket_id, douyin_system())
    results = file_all(douyin, *push(sample(212, "m-212"), sample(213, "m-213"), sample(214, "m-214"),
                                     sample(216, "m-216")))
    assert [r.outcome for r in results] == ["commented"] * 4
    record = _record(douyin)
    assert record.ticket_id == ticket.id and record.source.value == "douyin" and record.status.value == "raised"
    assert record.platform.amount == ticket.requested_amount and record.platform.reference == "xxxxxxx"
    assert record.platform.events == ["m-212", "m-213", "m-214", "m-216"]
    assert record.platform.status == "arbitrated_2" and record.platform.submitted is True
    assert [e.data.get("status") for e in record.entries[1:]] == ["evidence_requested", "evidence_submitted",
                                                                  "arbitrated_2"]
    notes = [m.data.get("tag") for m in douyin.conversation(ticket.id) if m.direction == "system"]
    assert {"212", "213", "214", "216"} <= set(notes)
    assert len(douyin.dispute_store) == 1


def test_a_repeated_message_changes_the_record_once(douyin):
    file_all(douyin, *push(created_message()))
    file_all(douyin, *push(sample(212, "m-212")))
    (again,) = file_all(douyin, *push(sample(212, "m-212"), sample(212, "m-212")))  # re-pushed: new bytes
    assert again.outcome == "duplicate"
    assert _record(douyin).version == 1 and len(douyin.dispute_events.events) == 1


def test_the_buyer_withdrawing_the_arbitration_decides_it_for_the_merchant(douyin):
    file_all(douyin, *push(created_message()))
    file_all(douyin, *push(sample(212, "m-212"), sample(215, "m-215")))
    record = _record(douyin)
    assert record.status.value == "decided" and record.decision.outcome.value == "dismissed"
    assert record.decision.reason == "douyin:arbitration_cancelled" and record.decision.by == "system:disputes"


def test_an_arbitration_that_overtook_its_after_sale_joins_once_the_ticket_exists(douyin):
    """GIVEN 212 for an after-sale we do not know yet THEN it is parked, no record; WHEN the create
    arrives THEN the parked 212 is replayed and opens the record on the new ticket."""
    (parked,) = file_all(douyin, *push(sample(212, "m-212")))
    assert parked.outcome == "parked" and _record(douyin) is None
    (created,) = file_all(douyin, *push(created_message()))
    assert _record(douyin).ticket_id == created.ticket_id


def test_without_a_disputes_context_the_messages_are_still_noted():
    from aftersales.channels.douyin_intake import DouyinIntake
    from aftersales.orders.domain import Order
    from tests.support.channels_fakes import ChannelRig
    from tests.support.tickets import order_payload

    rig = ChannelRig()
    rig.tickets.upsert_order("acme", Order.model_validate(order_payload("O-1", "cust-1")))
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    rig.douyin = DouyinIntake(rig.bodies, rig.dedupe, rig.keys, rig.refs, rig.aggregation, rig.conversations,
                              rig.tickets, rig.parking, rig.platform_refunds)
    file_all(rig, *push(created_message()))
    (noted,) = file_all(rig, *push(sample(212, "m-212")))
    assert noted.outcome == "commented" and len(rig.dispute_store) == 0


def douyin_system():
    from tests.support.ticket_factories import SYSTEM

    return SYSTEM
