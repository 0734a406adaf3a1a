"""Tracking links: a signed link (core/signed_links) naming the tenant, the ticket and an expiry.
The token is the only credential of the tracking page; its purpose differs from a survey link's,
so neither ever opens the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aftersales.core import signed_links
from aftersales.core.errors import Forbidden
from aftersales.core.signed_links import MAX_TOKEN_LENGTH

__all__ = ["MAX_TOKEN_LENGTH", "LinkClaim", "TrackingLinkRefused", "TrackingLinks"]
PURPOSE = "tracking-link"


class TrackingLinkRefused(Forbidden):
    """Not a link we issued, or it has expired (`reason`: malformed | forged | expired)."""

    code = "tracking_link_refused"


@dataclass(frozen=True)
class LinkClaim:
    tenant_id: str
    ticket_id: str
    expires_at: datetime


@dataclass(frozen=True)
class TrackingLinks:
    """The key that signs links, how long one lasts and the public base URL it points at."""

    secret: str
    base_url: str = ""
    valid_for: timedelta = timedelta(days=90)

    def token(self, tenant_id: str, ticket_id: str, now: datetime) -> str:
        return signed_links.sign(self.secret, PURPOSE, (tenant_id, ticket_id), now + self.valid_for)

    def url(self, tenant_id: str, ticket_id: str, now: datetime) -> str | None:
        """The page's address, or None where this function was given no base URL."""
        if not self.base_url:
            return None
        return f"{self.base_url.rstrip('/')}/track/{self.token(tenant_id, ticket_id, now)}"

    def verify(self, token: str, now: datetime) -> LinkClaim:
        try:
            (tenant_id, ticket_id), expires_at = signed_links.open_link(self.secret, PURPOSE, token, now, fields=2)
        except signed_links.LinkRefused as exc:
            message = "tracking.link_expired" if exc.reason == "expired" else "tracking.link_invalid"
            raise TrackingLinkRefused(message, reason=exc.reason) from None
        return LinkClaim(tenant_id, ticket_id, expires_at)
