"""The intake hook on in-memory fakes of every port: GIVEN a customer with an open return whose refund
is being paid, known on 微信客服 WHEN they write "我的退款到哪了" and the kf sync files it THEN the bot
answers on the ticket's conversation from the real refund (amount, state) in Chinese, marked automatic,
the audit chain carries ticket.auto_answered, and the notifications outbox delivers that answer with
kf/send_msg to the customer's 微信客服 session; a request for a person is handed to an agent and
nothing is sent. The same hook serves e-mail: a reply threaded onto the ticket is answered as well."""

from __future__ import annotations

import copy

import pytest

from aftersales.channels import wecom_kf
from aftersales.channels.aggregation import Aggregation
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.email_inbound import thread_index_key
from aftersales.channels.email_intake import EmailIntake
from aftersales.channels.identity import email_identity, platform_user_identity
from aftersales.channels.parking import Parking
from aftersales.channels.replay import ReplayWindow
from aftersales.channels.text_intake import TextIntake
from aftersales.channels.wecom_intake import WeComIntake
from aftersales.channels.wecom_outbound import WeComSender
from aftersales.notifications.service import NotificationService
from tests.support.answers import AnswersRig, NotifiedContacts
from tests.support.channel_intake import mail
from tests.support.channels_fakes import (
    FakeAttachmentStore,
    FakeCustomerDirectory,
    FakeDedupeMarkers,
    FakeIndexKeys,
    FakeIntegrationSettings,
    FakeKfCursors,
    FakeKfMessages,
    FakeKfSyncRequests,
    FakeParkedItems,
)
from tests.support.fixture_files import load
from tests.support.tracking import TENANT
from tests.support.wecom import WeComApi

PAGE = load("wecom/skit/CgibinKfSyncMessageResponse.json")
CONFIG = load("wecom/wecom_callback_crypto.json")["config"]
KFID, EXTERNAL = "wkTESTkf0000000000000000000001", "wmTESTcustomer0000000000000001"


class Intake:
    """The channels' intake graph (as use_cases.build_channels connects it) with the bot plugged in."""

    def __init__(self, rig: AnswersRig) -> None:
        self.markers, self.keys, self.directory = FakeDedupeMarkers(), FakeIndexKeys(), FakeCustomerDirectory()
        self.settings, self.kf = FakeIntegrationSettings(), FakeKfMessages()
        self.settings.put(TENANT, "channel:wecom", {"token": CONFIG["token"], "corp_id": CONFIG["corpid_receiveid"],
                                                    "encoding_aes_key": CONFIG["encoding_aes_key"],
                                                    "kf_secret": "kf-secret"})
        self.conversations = Conversations(rig.conversations, rig.tickets, rig.clock, answers=rig.answers)
        self.links = CustomerLinks(self.directory)
        aggregation = Aggregation(self.keys, self.links, rig.tickets, self.conversations)
        parking = Parking(FakeParkedItems(), rig.clock)
        text = TextIntake(self.links, aggregation, self.conversations, rig.tickets, self.keys, parking)
        self.wecom = WeComIntake(self.settings, ReplayWindow(self.markers, rig.clock, "wecom"), Dedupe(self.markers),
                                 text, FakeKfCursors(), self.kf, FakeKfSyncRequests())
        self.email = EmailIntake(Dedupe(self.markers), self.keys, aggregation, self.conversations, text, parking,
                                 FakeAttachmentStore())
        self.api = WeComApi()
        self.outbox = NotificationService(
            NotifiedContacts(self.directory, self.markers), rig.tickets,
            {"wecom": WeComSender(self.settings, self.api, rig.clock, "https://qyapi.test")},
            conversations=rig.conversations)

    def customer_writes_on_kf(self, msgid: str, text: str) -> None:
        item = {**copy.deepcopy(PAGE["msg_list"][0]), "msgid": msgid, "open_kfid": KFID, "external_userid": EXTERNAL,
                "origin": 3, "msgtype": "text", "text": {"content": text}}
        self.kf.pages = {None: wecom_kf.parse_sync_page({**copy.deepcopy(PAGE), "next_cursor": f"c-{msgid}",
                                                         "has_more": 0, "msg_list": [item]})}
        assert self.wecom.sync_kf(TENANT, KFID, "TOKEN").outcome == "synced"


def deliver(intake: Intake, rig: AnswersRig, ticket_id: str) -> list[str]:
    """What the outbox does with the ticket's domain events (EventBridge -> notifications queue)."""
    outcomes = []
    for entry in rig.ticket_store.audit_entries(TENANT, ticket_id):
        if entry.event in ("ticket.auto_answered", "ticket.bot_handed_off"):
            outcomes.append(intake.outbox.handle({"detail-type": entry.event, "detail": {
                "tenant_id": TENANT, "ticket_id": ticket_id, "event": entry.event, "data": entry.data}}))
    return outcomes


@pytest.fixture
def rig() -> AnswersRig:
    return AnswersRig()


def test_a_wecom_kf_refund_question_is_answered_from_the_refund_and_sent_back_in_chinese(rig):
    ticket_id = rig.state("refund_processing")
    intake = Intake(rig)
    intake.links.link(TENANT, "cust-1", [platform_user_identity("wecom", EXTERNAL)])
    intake.customer_writes_on_kf("kf-1", "我的退款到哪了")
    inbound, answer = [i for i in rig.conversations.list(TENANT, ticket_id) if i.channel == "wecom"]
    assert inbound.direction == "inbound" and inbound.body == "我的退款到哪了" and inbound.data["bot"]["answered"]
    assert answer.author == "bot:answers" and answer.data["automatic"] is True
    assert answer.data["intent"] == "refund_status" and answer.data["in_reply_to"] == inbound.message_id
    assert "¥129.50" in answer.body and "正在退款" in answer.body
    events = [e.event for e in rig.ticket_store.audit_entries(TENANT, ticket_id)]
    assert events[-2:] == ["ticket.customer_replied", "ticket.auto_answered"]
    assert deliver(intake, rig, ticket_id) == ["sent"]
    [(*_, body)] = [c for c in intake.api.calls if c[1] == "/cgi-bin/kf/send_msg"]
    assert body["touser"] == EXTERNAL and body["open_kfid"] == KFID and body["text"]["content"] == answer.body


def test_asking_for_a_person_on_wecom_goes_to_an_agent_with_the_guess_and_nothing_is_sent(rig):
    ticket_id = rig.state("refund_processing")
    intake = Intake(rig)
    intake.links.link(TENANT, "cust-1", [platform_user_identity("wecom", EXTERNAL)])
    intake.customer_writes_on_kf("kf-2", "退款到哪了？转人工")
    said = rig.conversations.list(TENANT, ticket_id)[-1]
    assert said.direction == "inbound" and said.body == "退款到哪了？转人工"
    guess = said.data["bot"]
    assert not guess["answered"] and guess["reason"] == "person_requested" and guess["intent"] == "refund_status"
    assert "¥129.50" in guess["suggested_answer"]
    assert deliver(intake, rig, ticket_id) == ["no_template"]
    assert not [c for c in intake.api.calls if c[1] == "/cgi-bin/kf/send_msg"]


def test_an_email_reply_threaded_onto_the_ticket_is_answered_by_the_same_hook():
    rig = AnswersRig(locale="en")
    ticket_id = rig.state("refund_paid")
    intake = Intake(rig)
    intake.links.link(TENANT, "cust-1", [email_identity("buyer@example.com")])
    intake.keys.claim(TENANT, thread_index_key("<n-1@shop.test>"), ticket_id)
    result = intake.email.receive(TENANT, mail("Re: your request", "Where is my refund?", "<r-1@example.com>",
                                               in_reply_to="<n-1@shop.test>"))
    assert result.outcome == "commented"
    answer = rig.conversations.list(TENANT, ticket_id)[-1]
    assert answer.channel == "email" and answer.data["automatic"] is True
    assert answer.body.startswith("Your refund of CN¥129.50") and "Automatic answer" in answer.body
