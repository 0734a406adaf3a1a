"""Douyin owns its after-sales: for every push type the fixtures carry (Douyin's recorded event
samples, re-keyed to our order and after-sale) and every status a Douyin ticket of each type can be
in when it arrives, the ticket ends where the platform went — every step audited
`douyin_<stage>` by the system under the PlatformDecision warrant — or it stays, and the note on
its conversation says exactly why (and whether an agent must act)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftersales.channels import douyin_stages
from aftersales.channels.douyin import TRANSITIONS, Stage, TransitionTicket, push_signature
from aftersales.orders.domain import Order
from aftersales.tickets import domain, transitions
from aftersales.tickets.model import Channel, Role, Status, TicketType
from aftersales.tickets.paths import route
from aftersales.tickets.warrants import PlatformDecision
from tests.support.channels_fakes import NOW, ChannelRig
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.fixture_files import load
from tests.support.ticket_factories import SYSTEM, actor
from tests.support.tickets import order_payload

APP_KEY, APP_SECRET = "7000000000000000003", "douyin-unit-secret"
ADMIN = actor(Role.ADMIN, id="admin-1")
AFTERSALE_TYPES = {"return_refund": 0, "refund_only": 1, "exchange": 3}  # Douyin's aftersale_type
SAMPLES = {load(f"douyin/event_samples/{p.name}")["tag"]: p.stem
           for p in sorted((Path(__file__).parents[2] / "fixtures/douyin/event_samples").glob("*.json"))}
AGENT, NOTE = True, False  # the ticket stays: with an agent needed, or just noted

# (push tag, ticket type, status when the push arrives, where the ticket ends)
# (push tag, ticket type, status when the push arrives, AGENT | NOTE, the note on the conversation)
TABLE = [
    (201, "return_refund", "submitted", "approved"),
    (201, "return_refund", "pending_approval", "approved"),
    (201, "return_refund", "cancelled", AGENT,
     'Douyin stage approved arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (201, "return_refund", "rejected", AGENT,
     'Douyin stage approved: the return_refund ticket has no move from rejected to approved'),
    (201, "return_refund", "approved", NOTE,
     'Douyin stage approved: the ticket is already approved'),
    (201, "return_refund", "waiting_customer", "approved"),
    (201, "return_refund", "closed", AGENT,
     'Douyin stage approved arrived after the ticket was closed here; a closed ticket does not move again'),
    (201, "return_refund", "awaiting_return", "refund_pending"),
    (201, "return_refund", "return_in_transit", "refund_pending"),
    (201, "return_refund", "return_received", "refund_pending"),
    (201, "return_refund", "inspecting", "refund_pending"),
    (201, "return_refund", "refund_pending", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is refund_pending, past approved'),
    (201, "return_refund", "refunded", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is refunded, past approved'),
    (201, "refund_only", "submitted", "approved"),
    (201, "refund_only", "pending_approval", "approved"),
    (201, "refund_only", "cancelled", AGENT,
     'Douyin stage approved arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (201, "refund_only", "rejected", AGENT,
     'Douyin stage approved: the refund_only ticket has no move from rejected to approved'),
    (201, "refund_only", "approved", NOTE,
     'Douyin stage approved: the ticket is already approved'),
    (201, "refund_only", "waiting_customer", "approved"),
    (201, "refund_only", "closed", AGENT,
     'Douyin stage approved arrived after the ticket was closed here; a closed ticket does not move again'),
    (201, "refund_only", "refund_pending", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is refund_pending, past approved'),
    (201, "refund_only", "refunded", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is refunded, past approved'),
    (201, "exchange", "submitted", "approved"),
    (201, "exchange", "pending_approval", "approved"),
    (201, "exchange", "cancelled", AGENT,
     'Douyin stage approved arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (201, "exchange", "rejected", AGENT,
     'Douyin stage approved: the exchange ticket has no move from rejected to approved'),
    (201, "exchange", "approved", NOTE,
     'Douyin stage approved: the ticket is already approved'),
    (201, "exchange", "waiting_customer", "approved"),
    (201, "exchange", "closed", AGENT,
     'Douyin stage approved arrived after the ticket was closed here; a closed ticket does not move again'),
    (201, "exchange", "awaiting_return", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is awaiting_return, past approved'),
    (201, "exchange", "return_in_transit", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is return_in_transit, past approved'),
    (201, "exchange", "return_received", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is return_received, past approved'),
    (201, "exchange", "inspecting", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is inspecting, past approved'),
    (201, "exchange", "reshipping", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is reshipping, past approved'),
    (201, "exchange", "reshipped", NOTE,
     'Douyin stage approved arrived after the ticket moved on: it is reshipped, past approved'),
    (203, "return_refund", "submitted", "return_in_transit"),
    (203, "return_refund", "pending_approval", "return_in_transit"),
    (203, "return_refund", "cancelled", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was cancelled here; a cancelled ticket does '
     'not move again'),
    (203, "return_refund", "rejected", AGENT,
     'Douyin stage return_in_transit: the return_refund ticket has no move from rejected to '
     'return_in_transit'),
    (203, "return_refund", "approved", "return_in_transit"),
    (203, "return_refund", "waiting_customer", "return_in_transit"),
    (203, "return_refund", "closed", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was closed here; a closed ticket does not '
     'move again'),
    (203, "return_refund", "awaiting_return", "return_in_transit"),
    (203, "return_refund", "return_in_transit", NOTE,
     'Douyin stage return_in_transit: the ticket is already return_in_transit'),
    (203, "return_refund", "return_received", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is return_received, past '
     'return_in_transit'),
    (203, "return_refund", "inspecting", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is inspecting, past '
     'return_in_transit'),
    (203, "return_refund", "refund_pending", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is refund_pending, past '
     'return_in_transit'),
    (203, "return_refund", "refunded", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is refunded, past '
     'return_in_transit'),
    (203, "refund_only", "submitted", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from submitted to '
     'return_in_transit'),
    (203, "refund_only", "pending_approval", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from pending_approval to '
     'return_in_transit'),
    (203, "refund_only", "cancelled", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was cancelled here; a cancelled ticket does '
     'not move again'),
    (203, "refund_only", "rejected", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from rejected to '
     'return_in_transit'),
    (203, "refund_only", "approved", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from approved to '
     'return_in_transit'),
    (203, "refund_only", "waiting_customer", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from waiting_customer to '
     'return_in_transit'),
    (203, "refund_only", "closed", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was closed here; a closed ticket does not '
     'move again'),
    (203, "refund_only", "refund_pending", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from refund_pending to '
     'return_in_transit'),
    (203, "refund_only", "refunded", AGENT,
     'Douyin stage return_in_transit: the refund_only ticket has no move from refunded to '
     'return_in_transit'),
    (203, "exchange", "submitted", "return_in_transit"),
    (203, "exchange", "pending_approval", "return_in_transit"),
    (203, "exchange", "cancelled", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was cancelled here; a cancelled ticket does '
     'not move again'),
    (203, "exchange", "rejected", AGENT,
     'Douyin stage return_in_transit: the exchange ticket has no move from rejected to return_in_transit'),
    (203, "exchange", "approved", "return_in_transit"),
    (203, "exchange", "waiting_customer", "return_in_transit"),
    (203, "exchange", "closed", AGENT,
     'Douyin stage return_in_transit arrived after the ticket was closed here; a closed ticket does not '
     'move again'),
    (203, "exchange", "awaiting_return", "return_in_transit"),
    (203, "exchange", "return_in_transit", NOTE,
     'Douyin stage return_in_transit: the ticket is already return_in_transit'),
    (203, "exchange", "return_received", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is return_received, past '
     'return_in_transit'),
    (203, "exchange", "inspecting", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is inspecting, past '
     'return_in_transit'),
    (203, "exchange", "reshipping", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is reshipping, past '
     'return_in_transit'),
    (203, "exchange", "reshipped", NOTE,
     'Douyin stage return_in_transit arrived after the ticket moved on: it is reshipped, past '
     'return_in_transit'),
    (204, "return_refund", "submitted", "rejected"),
    (204, "return_refund", "pending_approval", "rejected"),
    (204, "return_refund", "cancelled", AGENT,
     'Douyin stage rejected arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (204, "return_refund", "rejected", NOTE,
     'Douyin stage rejected: the ticket is already rejected'),
    (204, "return_refund", "approved", "rejected"),
    (204, "return_refund", "waiting_customer", "rejected"),
    (204, "return_refund", "closed", AGENT,
     'Douyin stage rejected arrived after the ticket was closed here; a closed ticket does not move again'),
    (204, "return_refund", "awaiting_return", "rejected"),
    (204, "return_refund", "return_in_transit", "rejected"),
    (204, "return_refund", "return_received", "rejected"),
    (204, "return_refund", "inspecting", "rejected"),
    (204, "return_refund", "refund_pending", AGENT,
     'Douyin stage rejected: the return_refund ticket has no move from refund_pending to rejected'),
    (204, "return_refund", "refunded", AGENT,
     'Douyin stage rejected: the return_refund ticket has no move from refunded to rejected'),
    (204, "refund_only", "submitted", "rejected"),
    (204, "refund_only", "pending_approval", "rejected"),
    (204, "refund_only", "cancelled", AGENT,
     'Douyin stage rejected arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (204, "refund_only", "rejected", NOTE,
     'Douyin stage rejected: the ticket is already rejected'),
    (204, "refund_only", "approved", "rejected"),
    (204, "refund_only", "waiting_customer", "rejected"),
    (204, "refund_only", "closed", AGENT,
     'Douyin stage rejected arrived after the ticket was closed here; a closed ticket does not move again'),
    (204, "refund_only", "refund_pending", AGENT,
     'Douyin stage rejected: the refund_only ticket has no move from refund_pending to rejected'),
    (204, "refund_only", "refunded", AGENT,
     'Douyin stage rejected: the refund_only ticket has no move from refunded to rejected'),
    (204, "exchange", "submitted", "rejected"),
    (204, "exchange", "pending_approval", "rejected"),
    (204, "exchange", "cancelled", AGENT,
     'Douyin stage rejected arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (204, "exchange", "rejected", NOTE,
     'Douyin stage rejected: the ticket is already rejected'),
    (204, "exchange", "approved", "rejected"),
    (204, "exchange", "waiting_customer", "rejected"),
    (204, "exchange", "closed", AGENT,
     'Douyin stage rejected arrived after the ticket was closed here; a closed ticket does not move again'),
    (204, "exchange", "awaiting_return", "rejected"),
    (204, "exchange", "return_in_transit", "rejected"),
    (204, "exchange", "return_received", "rejected"),
    (204, "exchange", "inspecting", "rejected"),
    (204, "exchange", "reshipping", AGENT,
     'Douyin stage rejected: the exchange ticket has no move from reshipping to rejected'),
    (204, "exchange", "reshipped", AGENT,
     'Douyin stage rejected: the exchange ticket has no move from reshipped to rejected'),
    (206, "return_refund", "submitted", "refunded"),
    (206, "return_refund", "pending_approval", "refunded"),
    (206, "return_refund", "cancelled", AGENT,
     'Douyin stage refunded arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (206, "return_refund", "rejected", "refunded"),
    (206, "return_refund", "approved", "refunded"),
    (206, "return_refund", "waiting_customer", "refunded"),
    (206, "return_refund", "closed", AGENT,
     'Douyin stage refunded arrived after the ticket was closed here; a closed ticket does not move again'),
    (206, "return_refund", "awaiting_return", "refunded"),
    (206, "return_refund", "return_in_transit", "refunded"),
    (206, "return_refund", "return_received", "refunded"),
    (206, "return_refund", "inspecting", "refunded"),
    (206, "return_refund", "refund_pending", "refunded"),
    (206, "return_refund", "refunded", NOTE,
     'Douyin stage refunded: the ticket is already refunded'),
    (206, "refund_only", "submitted", "refunded"),
    (206, "refund_only", "pending_approval", "refunded"),
    (206, "refund_only", "cancelled", AGENT,
     'Douyin stage refunded arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (206, "refund_only", "rejected", "refunded"),
    (206, "refund_only", "approved", "refunded"),
    (206, "refund_only", "waiting_customer", "refunded"),
    (206, "refund_only", "closed", AGENT,
     'Douyin stage refunded arrived after the ticket was closed here; a closed ticket does not move again'),
    (206, "refund_only", "refund_pending", "refunded"),
    (206, "refund_only", "refunded", NOTE,
     'Douyin stage refunded: the ticket is already refunded'),
    (206, "exchange", "submitted", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from submitted to refunded'),
    (206, "exchange", "pending_approval", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from pending_approval to refunded'),
    (206, "exchange", "cancelled", AGENT,
     'Douyin stage refunded arrived after the ticket was cancelled here; a cancelled ticket does not move '
     'again'),
    (206, "exchange", "rejected", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from rejected to refunded'),
    (206, "exchange", "approved", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from approved to refunded'),
    (206, "exchange", "waiting_customer", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from waiting_customer to refunded'),
    (206, "exchange", "closed", AGENT,
     'Douyin stage refunded arrived after the ticket was closed here; a closed ticket does not move again'),
    (206, "exchange", "awaiting_return", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from awaiting_return to refunded'),
    (206, "exchange", "return_in_transit", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from return_in_transit to refunded'),
    (206, "exchange", "return_received", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from return_received to refunded'),
    (206, "exchange", "inspecting", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from inspecting to refunded'),
    (206, "exchange", "reshipping", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from reshipping to refunded'),
    (206, "exchange", "reshipped", AGENT,
     'Douyin stage refunded: the exchange ticket has no move from reshipped to refunded'),
    (207, "return_refund", "submitted", "cancelled"),
    (207, "return_refund", "pending_approval", "cancelled"),
    (207, "return_refund", "cancelled", NOTE,
     'Douyin stage closed: the ticket is already cancelled'),
    (207, "return_refund", "rejected", "closed"),
    (207, "return_refund", "approved", AGENT,
     'Douyin closed the after-sale, but the return_refund ticket in approved can be neither cancelled nor '
     'closed without a step Douyin did not report'),
    (207, "return_refund", "waiting_customer", "cancelled"),
    (207, "return_refund", "closed", NOTE,
     'Douyin stage closed: the ticket is already closed'),
    (207, "return_refund", "awaiting_return", "cancelled"),
    (207, "return_refund", "return_in_transit", AGENT,
     'Douyin closed the after-sale, but the return_refund ticket in return_in_transit can be neither '
     'cancelled nor closed without a step Douyin did not report'),
    (207, "return_refund", "return_received", AGENT,
     'Douyin closed the after-sale, but the return_refund ticket in return_received can be neither '
     'cancelled nor closed without a step Douyin did not report'),
    (207, "return_refund", "inspecting", AGENT,
     'Douyin closed the after-sale, but the return_refund ticket in inspecting can be neither cancelled '
     'nor closed without a step Douyin did not report'),
    (207, "return_refund", "refund_pending", AGENT,
     'Douyin closed the after-sale, but the return_refund ticket in refund_pending can be neither '
     'cancelled nor closed without a step Douyin did not report'),
    (207, "return_refund", "refunded", "closed"),
    (207, "refund_only", "submitted", "cancelled"),
    (207, "refund_only", "pending_approval", "cancelled"),
    (207, "refund_only", "cancelled", NOTE,
     'Douyin stage closed: the ticket is already cancelled'),
    (207, "refund_only", "rejected", "closed"),
    (207, "refund_only", "approved", AGENT,
     'Douyin closed the after-sale, but the refund_only ticket in approved can be neither cancelled nor '
     'closed without a step Douyin did not report'),
    (207, "refund_only", "waiting_customer", "cancelled"),
    (207, "refund_only", "closed", NOTE,
     'Douyin stage closed: the ticket is already closed'),
    (207, "refund_only", "refund_pending", AGENT,
     'Douyin closed the after-sale, but the refund_only ticket in refund_pending can be neither cancelled '
     'nor closed without a step Douyin did not report'),
    (207, "refund_only", "refunded", "closed"),
    (207, "exchange", "submitted", "cancelled"),
    (207, "exchange", "pending_approval", "cancelled"),
    (207, "exchange", "cancelled", NOTE,
     'Douyin stage closed: the ticket is already cancelled'),
    (207, "exchange", "rejected", "closed"),
    (207, "exchange", "approved", AGENT,
     'Douyin closed the after-sale, but the exchange ticket in approved can be neither cancelled nor '
     'closed without a step Douyin did not report'),
    (207, "exchange", "waiting_customer", "cancelled"),
    (207, "exchange", "closed", NOTE,
     'Douyin stage closed: the ticket is already closed'),
    (207, "exchange", "awaiting_return", "cancelled"),
    (207, "exchange", "return_in_transit", AGENT,
     'Douyin closed the after-sale, but the exchange ticket in return_in_transit can be neither cancelled '
     'nor closed without a step Douyin did not report'),
    (207, "exchange", "return_received", AGENT,
     'Douyin closed the after-sale, but the exchange ticket in return_received can be neither cancelled '
     'nor closed without a step Douyin did not report'),
    (207, "exchange", "inspecting", AGENT,
     'Douyin closed the after-sale, but the exchange ticket in inspecting can be neither cancelled nor '
     'closed without a step Douyin did not report'),
    (207, "exchange", "reshipping", AGENT,
     'Douyin closed the after-sale, but the exchange ticket in reshipping can be neither cancelled nor '
     'closed without a step Douyin did not report'),
    (207, "exchange", "reshipped", "closed"),
    (212, "return_refund", "submitted", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays submitted until Douyin carries out the outcome'),
    (212, "return_refund", "pending_approval", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays pending_approval until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "cancelled", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays cancelled until Douyin carries out the outcome'),
    (212, "return_refund", "rejected", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays rejected until Douyin carries out the outcome'),
    (212, "return_refund", "approved", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays approved until Douyin carries out the outcome'),
    (212, "return_refund", "waiting_customer", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays waiting_customer until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "closed", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays closed until Douyin carries out the outcome'),
    (212, "return_refund", "awaiting_return", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays awaiting_return until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "return_in_transit", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays return_in_transit until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "return_received", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays return_received until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "inspecting", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays inspecting until Douyin carries out the outcome'),
    (212, "return_refund", "refund_pending", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays refund_pending until Douyin carries out the '
     'outcome'),
    (212, "return_refund", "refunded", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays refunded until Douyin carries out the outcome'),
    (212, "refund_only", "submitted", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays submitted until Douyin carries out the outcome'),
    (212, "refund_only", "pending_approval", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays pending_approval until Douyin carries out the '
     'outcome'),
    (212, "refund_only", "cancelled", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays cancelled until Douyin carries out the outcome'),
    (212, "refund_only", "rejected", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays rejected until Douyin carries out the outcome'),
    (212, "refund_only", "approved", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays approved until Douyin carries out the outcome'),
    (212, "refund_only", "waiting_customer", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays waiting_customer until Douyin carries out the '
     'outcome'),
    (212, "refund_only", "closed", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays closed until Douyin carries out the outcome'),
    (212, "refund_only", "refund_pending", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays refund_pending until Douyin carries out the '
     'outcome'),
    (212, "refund_only", "refunded", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays refunded until Douyin carries out the outcome'),
    (212, "exchange", "submitted", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays submitted until Douyin carries out the outcome'),
    (212, "exchange", "pending_approval", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays pending_approval until Douyin carries out the '
     'outcome'),
    (212, "exchange", "cancelled", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays cancelled until Douyin carries out the outcome'),
    (212, "exchange", "rejected", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays rejected until Douyin carries out the outcome'),
    (212, "exchange", "approved", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays approved until Douyin carries out the outcome'),
    (212, "exchange", "waiting_customer", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays waiting_customer until Douyin carries out the '
     'outcome'),
    (212, "exchange", "closed", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays closed until Douyin carries out the outcome'),
    (212, "exchange", "awaiting_return", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays awaiting_return until Douyin carries out the '
     'outcome'),
    (212, "exchange", "return_in_transit", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays return_in_transit until Douyin carries out the '
     'outcome'),
    (212, "exchange", "return_received", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays return_received until Douyin carries out the '
     'outcome'),
    (212, "exchange", "inspecting", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays inspecting until Douyin carries out the outcome'),
    (212, "exchange", "reshipping", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays reshipping until Douyin carries out the outcome'),
    (212, "exchange", "reshipped", AGENT,
     'Douyin opened arbitration xxxxxxx; the ticket stays reshipped until Douyin carries out the outcome'),
    (216, "return_refund", "submitted", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays submitted until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "return_refund", "pending_approval", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays pending_approval until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "return_refund", "cancelled", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays cancelled until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "return_refund", "rejected", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays rejected until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "return_refund", "approved", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays approved until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "return_refund", "waiting_customer", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays waiting_customer until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "return_refund", "closed", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays closed until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "return_refund", "awaiting_return", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays awaiting_return until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "return_refund", "return_in_transit", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays return_in_transit until Douyin's"
     ' refund (206) or close (207) carries it out'),
    (216, "return_refund", "return_received", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays return_received until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "return_refund", "inspecting", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays inspecting until Douyin's refund"
     ' (206) or close (207) carries it out'),
    (216, "return_refund", "refund_pending", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays refund_pending until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "return_refund", "refunded", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays refunded until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "submitted", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays submitted until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "pending_approval", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays pending_approval until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "refund_only", "cancelled", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays cancelled until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "rejected", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays rejected until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "approved", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays approved until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "waiting_customer", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays waiting_customer until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "refund_only", "closed", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays closed until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "refund_only", "refund_pending", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays refund_pending until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "refund_only", "refunded", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays refunded until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "submitted", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays submitted until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "pending_approval", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays pending_approval until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "exchange", "cancelled", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays cancelled until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "rejected", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays rejected until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "approved", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays approved until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "waiting_customer", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays waiting_customer until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "exchange", "closed", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays closed until Douyin's refund "
     '(206) or close (207) carries it out'),
    (216, "exchange", "awaiting_return", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays awaiting_return until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "exchange", "return_in_transit", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays return_in_transit until Douyin's"
     ' refund (206) or close (207) carries it out'),
    (216, "exchange", "return_received", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays return_received until Douyin's "
     'refund (206) or close (207) carries it out'),
    (216, "exchange", "inspecting", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays inspecting until Douyin's refund"
     ' (206) or close (207) carries it out'),
    (216, "exchange", "reshipping", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays reshipping until Douyin's refund"
     ' (206) or close (207) carries it out'),
    (216, "exchange", "reshipped", NOTE,
     "Douyin decided arbitration xxxxxxx (conclusion 2); the ticket stays reshipped until Douyin's refund "
     '(206) or close (207) carries it out'),
]


def _ids(row: tuple) -> str:
    return f"{row[0]}-{row[1]}-{row[2]}"


def _push(rig: ChannelRig, sample: str, msg_id: str, aftersale_type: int) -> list:
    recorded = load(f"douyin/event_samples/{sample}.json")
    recorded["data"].update({"p_id": "O-1", "s_id": "L1", "aftersale_id": "AS-1", "aftersale_type": aftersale_type})
    body = json.dumps([recorded | {"msgId": msg_id}]).encode()
    rig.douyin_push.receive("acme", {"event-sign": push_signature(APP_KEY, body, APP_SECRET)}, body)
    results = []
    for tenant_id, pushed, msg_ids in rig.douyin_queue.messages:
        results += rig.douyin.file(tenant_id, pushed, msg_ids)
    rig.douyin_queue.messages.clear()
    return results


def douyin_ticket_in(rig: ChannelRig, ticket_type: str, status: Status) -> str:
    """A ticket opened by Douyin's RefundCreated sample, then moved to `status` (owned moves as
    Douyin's, the rest by an admin)."""
    (created,) = _push(rig, SAMPLES[200], "msg-create", AFTERSALE_TYPES[ticket_type])
    kind = TicketType(ticket_type)
    avoid = frozenset() if status is Status.CANCELLED else frozenset({Status.CANCELLED})
    for step in route(kind, Status.SUBMITTED, status, role=Role.ADMIN, avoid=avoid):
        current = rig.tickets.get("acme", created.ticket_id, SYSTEM).status
        if transitions.find(kind, current, step).owner is not None:
            rig.tickets.transition("acme", created.ticket_id, step, SYSTEM,
                                   warrant=PlatformDecision(platform="douyin", reference="setup"))
        else:
            rig.tickets.transition("acme", created.ticket_id, step, ADMIN)
    assert rig.tickets.get("acme", created.ticket_id, SYSTEM).status is status
    return created.ticket_id


@pytest.fixture
def douyin(rig):
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    return rig


def test_the_table_covers_every_push_type_of_the_fixtures_in_every_status():
    """GIVEN the fixtures' push types (the create aside) and each Douyin ticket type's statuses
    THEN the table has exactly one row for each combination."""
    expected = {(tag, kind, status.value) for tag in SAMPLES if tag != 200 for kind in AFTERSALE_TYPES
                for status in transitions.states_of(TicketType(kind))}
    assert [row[:3] for row in TABLE if row[:3] in expected] == [row[:3] for row in TABLE]
    assert {row[:3] for row in TABLE} == expected and len(TABLE) == len(expected)


@pytest.mark.parametrize("row", TABLE, ids=_ids)
def test_a_douyin_step_moves_the_ticket_where_douyin_went_or_says_why_not(douyin, row):
    """GIVEN a Douyin ticket of a type in a status WHEN Douyin pushes a step (its recorded sample)
    THEN the ticket ends where the table says, every new audit entry is the system's with reason
    douyin_<stage>; or it stays, and the conversation's last note is the table's, exactly."""
    tag, ticket_type, status = row[:3]
    ticket_id = douyin_ticket_in(douyin, ticket_type, Status(status))
    before = len(douyin.ticket_store.audit_entries("acme", ticket_id))
    (result,) = _push(douyin, SAMPLES[tag], "msg-step", AFTERSALE_TYPES[ticket_type])
    ticket = douyin.tickets.get("acme", ticket_id, SYSTEM)
    new_entries = douyin.ticket_store.audit_entries("acme", ticket_id)[before:]
    stage = TRANSITIONS[str(tag)].value
    if len(row) == 4:
        assert (result.outcome, ticket.status.value) == ("transitioned", row[3])
        assert new_entries and {(e.actor_id, e.reason) for e in new_entries} == {("system:channels", f"douyin_{stage}")}
        assert result.detail == "->".join(e.to_status for e in new_entries)
    else:
        needs_agent, note = row[3], row[4]
        assert (result.outcome, ticket.status.value, new_entries) == ("commented", status, [])
        last = douyin.conversation(ticket_id)[-1]
        assert (last.body, last.direction, last.data["needs_agent"]) == (note, "system", needs_agent)
        assert last.data["reason"] == result.detail


def test_a_step_on_a_ticket_douyin_does_not_own_is_noted_not_taken(douyin):
    """GIVEN Douyin's after-sale joined a ticket the customer opened in the app WHEN Douyin reports
    the refund agreed THEN the ticket stays and the note says Douyin does not own it."""
    from aftersales.tickets.domain import LineRequest, OpenTicket

    opened = douyin.tickets.open("acme", OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1",
                                                    channel=Channel.APP, reason_code="damaged",
                                                    lines=[LineRequest(line_id="L1", quantity=1)]),
                                 actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1"))
    douyin.keys.claim("acme", "DYAS#AS-1", opened.id)
    (result,) = _push(douyin, SAMPLES[201], "msg-step", 0)
    assert (result.outcome, result.detail) == ("commented", "not_a_douyin_ticket")
    assert douyin.tickets.get("acme", opened.id, SYSTEM).status is Status.SUBMITTED
    assert douyin.conversation(opened.id)[-1].body == (
        "Douyin stage approved: the ticket came from app, so Douyin's decisions do not move it")


def _stage(stage: Stage) -> TransitionTicket:
    return TransitionTicket(idempotency_key="m-1", tag="x", shop_id=None, aftersale_id="AS-1", order_id="O-1",
                            sub_order_id="L1", occurred_at=None, to_stage=stage)


@pytest.mark.parametrize(("ticket_type", "status", "stage", "expected"), [
    # 202 return agreed, 205 return refused, 211 exchange confirmed: types the fixtures have no sample of
    (TicketType.RETURN_REFUND, Status.SUBMITTED, Stage.RETURN_APPROVED,
     (Status.PENDING_APPROVAL, Status.APPROVED, Status.AWAITING_RETURN)),
    (TicketType.RETURN_REFUND, Status.RETURN_IN_TRANSIT, Stage.RETURN_APPROVED, "already_past"),
    (TicketType.RETURN_REFUND, Status.AWAITING_RETURN, Stage.RETURN_REJECTED, (Status.REJECTED,)),
    (TicketType.EXCHANGE, Status.RETURN_RECEIVED, Stage.RETURN_REJECTED, (Status.REJECTED,)),
    (TicketType.EXCHANGE, Status.INSPECTING, Stage.EXCHANGE_CONFIRMED, (Status.RESHIPPING, Status.RESHIPPED)),
    (TicketType.EXCHANGE, Status.RESHIPPED, Stage.EXCHANGE_CONFIRMED, "already_there"),
    (TicketType.REFUND_ONLY, Status.APPROVED, Stage.EXCHANGE_CONFIRMED, "no_route"),
])
def test_stages_without_a_fixture_sample_follow_the_same_rules(ticket_type, status, stage, expected):
    """GIVEN a stage the fixtures carry no sample of WHEN it arrives on a ticket THEN the same rules:
    walk where Douyin is, or hold with the reason."""
    decided = douyin_stages.follow(ticket_type, status, _stage(stage))
    if isinstance(expected, tuple):
        assert decided == douyin_stages.Follow(expected)
    else:
        assert isinstance(decided, douyin_stages.Hold) and decided.reason == expected


class CancelledMeanwhile(InMemoryTicketStore):
    """The customer cancels the ticket just before Douyin's walk saves its step into `before`."""

    def __init__(self, before: Status) -> None:
        super().__init__()
        self.before, self.done = before, False

    def save_change(self, change, expected_version, release=None, lines=None) -> None:
        if not self.done and change.ticket.status is self.before and (change.entry.reason or "").startswith("douyin_"):
            self.done = True
            current = self.tickets[(change.ticket.tenant_id, change.ticket.id)]
            cancel = domain.transition(current, Status.CANCELLED, at=NOW,
                                       actor=actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1"))
            super().save_change(cancel, current.version)
        super().save_change(change, expected_version, release, lines)


def test_a_walk_the_ticket_leaves_meanwhile_stops_and_says_where():
    """GIVEN Douyin reports the buyer shipped the return of a new ticket, and the customer cancels
    while the walk is at awaiting_return WHEN the walk tries return_in_transit THEN it stops there:
    the steps taken stay, the result names where it stopped and a note says which move was refused."""
    rig = ChannelRig(ticket_store=CancelledMeanwhile(Status.RETURN_IN_TRANSIT))
    rig.tickets.upsert_order("acme", Order.model_validate(order_payload("O-1", "cust-1")))
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    (created,) = _push(rig, SAMPLES[200], "msg-create", 0)
    (result,) = _push(rig, SAMPLES[203], "msg-step", 0)
    assert (result.outcome, result.detail) == ("transitioned", "pending_approval->approved->awaiting_return->"
                                                               "stopped at cancelled")
    assert rig.tickets.get("acme", created.ticket_id, SYSTEM).status is Status.CANCELLED
    note = rig.conversation(created.ticket_id)[-1]
    assert note.body == ("Douyin stage return_in_transit: stopped at cancelled, cancelled -> return_in_transit "
                         "refused (error.illegal_transition)")
    assert (note.data["reason"], note.data["needs_agent"]) == ("stopped", True)
