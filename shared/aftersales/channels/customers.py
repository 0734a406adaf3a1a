"""One customer across channels: the identities (platform users, e-mail addresses, orders) a
customer was seen with, and the contacts we may write to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aftersales.channels.identity import Identity
from aftersales.channels.ports import CustomerDirectory


class CustomerLinks:
    def __init__(self, directory: CustomerDirectory) -> None:
        self._directory = directory

    def customer_for(self, tenant_id: str, identities: Iterable[Identity]) -> str | None:
        """The customer of the first identity that has one."""
        for identity in identities:
            customer = self._directory.customer_of(tenant_id, identity.key)
            if customer:
                return customer
        return None

    def unlinked(self, tenant_id: str, identities: Iterable[Identity]) -> list[Identity]:
        """The identities no customer owns yet."""
        return [i for i in identities if not self._directory.customer_of(tenant_id, i.key)]

    def link(self, tenant_id: str, customer_id: str, identities: Iterable[Identity]) -> None:
        self._directory.link(tenant_id, customer_id, [i.key for i in identities])

    def remember_contact(self, tenant_id: str, customer_id: str, channel: str, address: str,
                         locale: str | None = None, details: Mapping[str, str] | None = None) -> None:
        """How to reach the customer on `channel` (an address already checked for that channel)."""
        self._directory.put_contact(tenant_id, customer_id, channel, address, locale, details)

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        return self._directory.contacts(tenant_id, customer_id)

    def time_zone(self, tenant_id: str, customer_id: str) -> str | None:
        """The time zone stored with any of the customer's contacts (times they read are shown in it)."""
        return next((str(c["time_zone"]) for c in self.contacts(tenant_id, customer_id).values()
                     if c.get("time_zone")), None)
