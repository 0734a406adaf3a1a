"""How a storefront tells us to reach its customer: an address per channel, which also links that
address to the customer (the sender's parked messages are then filed)."""

from __future__ import annotations

from aftersales.channels.customers import CustomerLinks
from aftersales.channels.identity import email_identity, phone_identity, platform_user_identity
from aftersales.channels.text_intake import TextIntake
from aftersales.core.contacts import valid_email, valid_mobile, valid_platform_user
from aftersales.core.errors import InvalidRequest

CHANNELS = ("email", "wecom", "douyin", "sms")


class CustomerContacts:
    def __init__(self, links: CustomerLinks, text: TextIntake) -> None:
        self._links, self._text = links, text

    def put(self, tenant_id: str, customer_id: str, channel: str, address: str, locale: str | None, *,
            time_zone: str | None = None) -> None:
        """Store how to reach the customer; an address that cannot be one on `channel` is refused
        (InvalidRequest naming `address`, 422 at the API) before anything is written. Messages parked
        for the address before it was the customer's are replayed now (they may join the customer's
        open ticket or the order they named). `locale` and `time_zone` are the customer's: what
        they are told is in that language, times in that zone."""
        if channel not in CHANNELS:
            raise InvalidRequest("error.unknown_channel", field="channel")
        if channel == "email":
            address = valid_email(address, "address")
            identity = email_identity(address)
        elif channel == "sms":
            address = valid_mobile(address, "address")
            identity = phone_identity(address)
        else:
            address = valid_platform_user(address, "address")
            identity = platform_user_identity(channel, address)
        self._links.remember_contact(tenant_id, customer_id, channel, address, locale,
                                     {"time_zone": time_zone} if time_zone else None)
        fresh = self._links.customer_for(tenant_id, [identity]) != customer_id
        self._links.link(tenant_id, customer_id, [identity])
        if fresh:
            self._text.replay_identity(tenant_id, identity.key)
