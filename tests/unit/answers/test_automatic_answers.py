"""The bot's turn on the real tickets service and the tracking page's view over in-memory fakes:
GIVEN tickets in the states customers ask about WHEN a message comes in THEN a confident, supported
question gets the answer from the ticket's own refund, parcel or status in the customer's language,
marked as automatic on the conversation and the audit chain; anything else goes to an agent with the
bot's guess (intent, confidence, suggested answer) attached; asking for a person always does."""

from __future__ import annotations

import pytest

from aftersales.answers.service import reply_locale
from aftersales.channels.conversations import Conversations
from aftersales.channels.ports import ConversationItem
from aftersales.tickets.model import Role
from tests.support.answers import RESHIP_TRACKING, AnswersRig
from tests.support.ticket_factories import actor
from tests.support.tracking import TENANT, TRACKING_NUMBER

SYSTEM = actor(Role.SYSTEM)


def inbound(rig: AnswersRig, ticket_id: str, text: str, channel: str = "wecom") -> ConversationItem:
    """The customer's message through the channels' hook (Conversations.customer_wrote) with the bot."""
    conversations = Conversations(rig.conversations, rig.tickets, rig.clock, answers=rig.answers)
    return conversations.customer_wrote(TENANT, ticket_id, channel=channel, author="wecom:abc", body=text)


def bot_items(rig: AnswersRig, ticket_id: str) -> list[ConversationItem]:
    return [i for i in rig.conversations.list(TENANT, ticket_id) if i.author == "bot:answers"]


def events(rig: AnswersRig, ticket_id: str) -> list[str]:
    return [e.event for e in rig.ticket_store.audit_entries(TENANT, ticket_id)]


def test_where_is_my_refund_is_answered_from_the_real_refund_in_chinese_and_marked_automatic():
    rig = AnswersRig()
    ticket_id = rig.state("refund_processing")
    said = inbound(rig, ticket_id, "我的退款到哪了")
    assert said.data["bot"]["answered"] and said.data["bot"]["intent"] == "refund_status"
    assert said.data["bot"]["locale"] == "zh-Hans"
    [answer] = bot_items(rig, ticket_id)
    assert answer.direction == "outbound" and answer.channel == "wecom"
    assert answer.data["automatic"] is True and answer.data["intent"] == "refund_status"
    assert answer.data["in_reply_to"] == said.message_id and answer.data["confidence"] >= 0.42
    assert "¥129.50" in answer.body and "正在退款" in answer.body and "自动回复" in answer.body
    entry = rig.ticket_store.audit_entries(TENANT, ticket_id)[-1]
    assert entry.event == "ticket.auto_answered" and entry.data["message_id"] == answer.message_id
    assert entry.data["channel"] == "wecom"


def test_a_paid_refund_says_paid_and_an_english_question_is_answered_in_english():
    rig = AnswersRig()
    ticket_id = rig.state("refund_paid")
    inbound(rig, ticket_id, "where's my refund??")
    [answer] = bot_items(rig, ticket_id)
    assert answer.body.startswith("Your refund of CN¥129.50") and "has been paid" in answer.body


def test_has_my_return_arrived_reads_the_return_parcels_last_checkpoint():
    rig = AnswersRig(locale="en")
    ticket_id = rig.state("refund_processing")
    inbound(rig, ticket_id, "has my return arrived")
    [answer] = bot_items(rig, ticket_id)
    assert TRACKING_NUMBER in answer.body and "快件已到达上海转运中心" in answer.body and "In transit" in answer.body


def test_when_will_my_replacement_ship_reads_the_reshipment_parcel():
    rig = AnswersRig()
    ticket_id = rig.state("exchange_reshipped")
    inbound(rig, ticket_id, "换货啥时候发")
    [answer] = bot_items(rig, ticket_id)
    assert RESHIP_TRACKING in answer.body and "已发出" in answer.body


def test_a_failed_refund_is_not_answered_the_agent_gets_the_guess():
    rig = AnswersRig()
    ticket_id = rig.state("refund_failed")
    guess = inbound(rig, ticket_id, "我的退款到哪了").data["bot"]
    assert not guess["answered"] and guess["reason"] == "not_supported" and guess["intent"] == "refund_status"
    assert guess["suggested_answer"] is None and guess["model_version"]
    assert bot_items(rig, ticket_id) == []
    entry = rig.ticket_store.audit_entries(TENANT, ticket_id)[-1]
    assert entry.event == "ticket.bot_handed_off" and entry.reason == "not_supported"
    assert "ticket.auto_answered" not in events(rig, ticket_id)


@pytest.mark.parametrize("text", ["我的退款到哪了，转人工", "人工客服",
                                  "where is my refund? I want to talk to a person"])
def test_asking_for_a_person_always_hands_off_with_the_suggested_answer(text):
    rig = AnswersRig()
    ticket_id = rig.state("refund_processing")
    guess = inbound(rig, ticket_id, text).data["bot"]
    assert not guess["answered"] and guess["reason"] == "person_requested"
    assert bot_items(rig, ticket_id) == [] and events(rig, ticket_id)[-1] == "ticket.bot_handed_off"
    if "退款" in text or "refund" in text:
        assert guess["intent"] == "refund_status" and "¥129.50" in guess["suggested_answer"]


def test_a_complaint_and_a_low_confidence_message_go_to_an_agent():
    rig = AnswersRig()
    ticket_id = rig.state("refund_processing")
    assert inbound(rig, ticket_id, "我要投诉你们").data["bot"]["reason"] == "needs_person"
    assert inbound(rig, ticket_id, "你好").data["bot"]["reason"] == "low_confidence"
    assert bot_items(rig, ticket_id) == []


def test_a_closed_ticket_gets_no_bot_turn():
    rig = AnswersRig()
    ticket_id = rig.state("refund_processing")
    closed = rig.tickets.get(TENANT, ticket_id, SYSTEM).model_copy(update={"status": "closed"})
    assert rig.answers.decide(TENANT, closed, "我的退款到哪了").reason == "closed"


def test_a_knowledge_base_answer_needs_an_answer_in_the_customers_language():
    rig = AnswersRig()
    ids = rig.sample_knowledge()
    ticket_id = rig.state("awaiting_return")
    ticket = rig.tickets.get(TENANT, ticket_id, SYSTEM)
    decision = rig.answers.decide(TENANT, ticket, "退货地址是什么")
    assert decision.answered and decision.intent == f"kb:{ids['return_address']}"
    assert decision.suggested is not None and "深圳市海港路88号" in decision.suggested.body
    german = ticket.model_copy(update={"locale": "de"})
    refused = rig.answers.decide(TENANT, german, "what is the return address")
    assert not refused.answered and refused.reason == "no_answer_in_locale"


def test_a_question_the_ticket_cannot_answer_is_handed_off():
    rig = AnswersRig()
    ticket_id = rig.state("pending_approval")  # a refund-only request: no return, no replacement
    ticket = rig.tickets.get(TENANT, ticket_id, SYSTEM)
    assert rig.answers.decide(TENANT, ticket, "换货什么时候发").reason == "not_supported"
    assert rig.answers.decide(TENANT, ticket, "退货到了吗").reason == "not_supported"


@pytest.mark.parametrize(("text", "ticket_locale", "expected"), [
    ("我的退款到哪了", "en", "zh-Hans"), ("我的退款到哪了", "zh-Hant", "zh-Hant"),
    ("where is my refund", "zh-Hans", "en"),
    ("wo ist meine Erstattung", "de-AT", "de"), ("refund 到账了吗", "en", "zh-Hans")])
def test_the_answer_is_in_the_language_the_customer_wrote_in(text, ticket_locale, expected):
    assert reply_locale(text, ticket_locale) == expected
