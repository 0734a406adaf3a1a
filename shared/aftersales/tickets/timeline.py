"""Which domain events a customer sees on their progress timeline (the rest is staff-only)."""

from __future__ import annotations

from aftersales.tickets import transitions

STAFF_ONLY_EVENTS = frozenset({
    "ticket.assigned", "ticket.inspection_started",
    # the back office's own bookkeeping: the customer hears the outcome, not the plumbing
    "ticket.platform_synced", "ticket.platform_sync_failed", "ticket.reply_undeliverable",
    "ticket.notification_undeliverable",
    # the intake checks' working note: the customer hears the outcome (approval under way, or the refusal
    # with its reason), not which data a person still has to look at
    "ticket.eligibility_checked",
    # the refund-abuse score approval routing saw: staff judge the customer by it, the customer never sees it
    "ticket.risk_assessed",
    # which repair provider was offered the job, and who declined it: the customer hears of the booking
    "ticket.repair_offered", "ticket.repair_accepted", "ticket.repair_declined", "ticket.repair_no_provider",
    "ticket.repair_offer_expired", "ticket.repair_withdrawn",
    # a removed defective part travelling from the provider to the merchant is between the two of them
    "ticket.repair_part_returned",
    # the bot's turns: the customer sees its answer on the conversation; the hand-off is the agents'
    "ticket.auto_answered", "ticket.bot_handed_off",
    # staff's internal notes (and the helpdesk sync's records of what came from a helpdesk)
    "ticket.internal_note", "ticket.helpdesk_replied", "ticket.helpdesk_conflict",
    "ticket.helpdesk_status_not_applied", "ticket.helpdesk_assignee_recorded",
})


def customer_visible(event: str) -> bool:
    return event not in STAFF_ONLY_EVENTS and not event.startswith("ticket.sla_")


def known_event(event: str) -> bool:
    return event == transitions.CREATED_EVENT or event == "ticket.assigned" or any(
        t.event == event for table in transitions.TABLES.values() for t in table)
