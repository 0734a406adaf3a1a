"""Which domain events reach the customer's progress timeline (and the status-change outbox)."""

import pytest

from aftersales.tickets.timeline import customer_visible


@pytest.mark.parametrize("event", ["ticket.created", "ticket.approved", "ticket.refunded", "ticket.agent_replied",
                                   "ticket.customer_replied", "ticket.refund_failed"])
def test_what_the_customer_sees(event):
    assert customer_visible(event)


@pytest.mark.parametrize("event", ["ticket.assigned", "ticket.inspection_started", "ticket.sla_breached",
                                   "ticket.platform_synced", "ticket.platform_sync_failed",
                                   "ticket.reply_undeliverable", "ticket.notification_undeliverable",
                                   "ticket.eligibility_checked"])
def test_back_office_bookkeeping_stays_off_the_customer_timeline(event):
    """Douyin write-back outcomes and undeliverable replies are for staff: the customer hears the
    decision itself (from Douyin, or by another channel), not that our sync or delivery failed."""
    assert not customer_visible(event)
