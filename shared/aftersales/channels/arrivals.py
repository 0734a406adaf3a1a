"""An order we did not know was pushed (PUT /orders/{id}): the intake that waited for it is filed."""

from __future__ import annotations

from aftersales.channels.douyin_intake import DouyinIntake
from aftersales.channels.intake import IntakeResult
from aftersales.channels.text_intake import TextIntake


class OrderArrivals:
    def __init__(self, douyin: DouyinIntake, text: TextIntake) -> None:
        self._douyin, self._text = douyin, text

    def order_arrived(self, tenant_id: str, order_id: str) -> list[IntakeResult]:
        """Replay the Douyin events parked for the order, then the inboxes of senders whose parked
        messages named it."""
        return self._douyin.replay_order(tenant_id, order_id) + self._text.replay_mentions(tenant_id, order_id)
