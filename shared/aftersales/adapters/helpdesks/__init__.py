"""The helpdesk vendors' REST APIs (Zendesk, Freshdesk) behind helpdesks.ports.HelpdeskApi."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.helpdesks.model import Vendor
from aftersales.helpdesks.ports import HelpdeskApi


class HttpHelpdeskApis:
    """Each vendor's API for a tenant's settings; the base URLs are templates over the account
    (`https://{account}.zendesk.com`), set per deployment (the local stack points them at its fakes)."""

    def __init__(self, zendesk_base: str, freshdesk_base: str, timeout_seconds: float = 10.0) -> None:
        self._zendesk, self._freshdesk, self._timeout = zendesk_base, freshdesk_base, timeout_seconds

    def for_tenant(self, vendor: Vendor, settings: Mapping[str, Any]) -> HelpdeskApi:
        from aftersales.adapters.helpdesks import freshdesk, zendesk
        from aftersales.adapters.helpdesks.http import VendorHttp

        if vendor is Vendor.ZENDESK:
            return zendesk.ZendeskApi(self._zendesk.format(account=settings["subdomain"]),
                                      VendorHttp(zendesk.authorization(settings), timeout_seconds=self._timeout))
        return freshdesk.FreshdeskApi(self._freshdesk.format(account=settings["domain"]),
                                      VendorHttp(freshdesk.authorization(settings), timeout_seconds=self._timeout))
