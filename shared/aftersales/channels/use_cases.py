"""The channels context's use cases, connected to its ports (`services().channels`).

Each use case is its own small unit that gets the ports it uses through its constructor; this
module only connects them (no logic): tests build the same graph on in-memory fakes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aftersales.channels.aggregation import Aggregation
from aftersales.channels.arrivals import OrderArrivals
from aftersales.channels.contacts import CustomerContacts
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.douyin_intake import DouyinIntake, DouyinPush
from aftersales.channels.email_intake import EmailIntake
from aftersales.channels.im_intake import ImIntake
from aftersales.channels.inbox import PARKED_RETENTION
from aftersales.channels.parking import Parking
from aftersales.channels.ports import (
    AttachmentStore,
    ConversationStore,
    DouyinIntakeQueue,
    ImIntakeQueue,
    InboundAnswers,
    IntakeStore,
    IntegrationSettings,
    KfMessages,
    KfSyncRequests,
    PlatformDisputes,
    PlatformRefunds,
)
from aftersales.channels.replay import ReplayWindow
from aftersales.channels.text_intake import TextIntake
from aftersales.channels.unmatched import UnmatchedInbox
from aftersales.channels.wecom_intake import WeComIntake
from aftersales.core.clock import Clock
from aftersales.tickets.service import TicketService


@dataclass(frozen=True)
class ChannelUseCases:
    conversations: Conversations  # a ticket's messages; what the outbox delivered
    links: CustomerLinks  # one customer across channels
    contacts: CustomerContacts  # PUT /customers/{id}/contacts/{channel}
    aggregation: Aggregation  # same order + issue -> one ticket (also the carriers' exception tickets)
    text: TextIntake  # free text of any channel, and the replay of parked senders
    inbox: UnmatchedInbox  # the agents' unmatched inbox
    arrivals: OrderArrivals  # PUT /orders/{id}: what waited for the order is filed
    wecom: WeComIntake  # WeCom callback and 微信客服 sync
    douyin_push: DouyinPush  # the Douyin push function
    douyin: DouyinIntake  # the Douyin intake worker
    email: EmailIntake  # inbound mail
    im: ImIntake  # Qiyu / Meiqia pushes, and linking an IM conversation to a ticket


def build_channels(store: IntakeStore, conversation_store: ConversationStore, settings: IntegrationSettings,
                   tickets: TicketService, clock: Clock, *, attachments: AttachmentStore | None = None,
                   platform_refunds: PlatformRefunds | None = None, kf: KfMessages | None = None,
                   kf_requests: KfSyncRequests | None = None, douyin_queue: DouyinIntakeQueue | None = None,
                   platform_disputes: PlatformDisputes | None = None, answers: InboundAnswers | None = None,
                   im_queue: ImIntakeQueue | None = None, retention: timedelta = PARKED_RETENTION) -> ChannelUseCases:
    """`store` is the channels table (each unit takes the parts it uses); `retention`: how long
    parked intake, and the record of how it left the inbox, is kept; `answers`: the bot that takes
    its turn after each customer message on a ticket (automatic answer or hand-off)."""
    conversations = Conversations(conversation_store, tickets, clock, answers=answers)
    links = CustomerLinks(store)
    aggregation = Aggregation(store, links, tickets, conversations)
    parking = Parking(store, clock, retention)
    dedupe = Dedupe(store)
    text = TextIntake(links, aggregation, conversations, tickets, store, parking)
    douyin = DouyinIntake(store, dedupe, store, store, aggregation, conversations, tickets, parking,
                          platform_refunds, platform_disputes)
    inbox = UnmatchedInbox(store, store, links, aggregation, conversations, text, tickets, clock, retention)
    return ChannelUseCases(
        conversations=conversations, links=links, contacts=CustomerContacts(links, text), aggregation=aggregation,
        text=text, inbox=inbox, arrivals=OrderArrivals(douyin, text),
        wecom=WeComIntake(settings, ReplayWindow(store, clock, "wecom"), dedupe, text, store, kf, kf_requests),
        douyin_push=DouyinPush(settings, store, douyin_queue), douyin=douyin,
        email=EmailIntake(dedupe, store, aggregation, conversations, text, parking, attachments),
        im=ImIntake(settings, dedupe, text, conversations, links, store, parking, tickets, clock, store, im_queue))
