"""One-time survey links: a signed link (core/signed_links) naming the tenant, the survey and an
expiry. The token is the only credential of the survey page (no login)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aftersales.core import signed_links
from aftersales.core.errors import Forbidden
from aftersales.core.signed_links import MAX_TOKEN_LENGTH

__all__ = ["MAX_TOKEN_LENGTH", "LinkClaim", "TokenRefused", "issue", "verify"]
PURPOSE = "survey-link"


class TokenRefused(Forbidden):
    """The link is not one we issued, or it has expired (`reason`: malformed | forged | expired)."""

    code = "survey_token_refused"


@dataclass(frozen=True)
class LinkClaim:
    tenant_id: str
    survey_id: str
    expires_at: datetime


def issue(secret: str, tenant_id: str, survey_id: str, expires_at: datetime) -> str:
    if not secret:
        raise ValueError("a survey link needs a signing secret")
    return signed_links.sign(secret, PURPOSE, (tenant_id, survey_id), expires_at)


def verify(secret: str, token: str, now: datetime) -> LinkClaim:
    try:
        (tenant_id, survey_id), expires_at = signed_links.open_link(secret, PURPOSE, token, now, fields=2)
    except signed_links.LinkRefused as exc:
        message = "error.survey_link_expired" if exc.reason == "expired" else "error.survey_link_invalid"
        raise TokenRefused(message, reason=exc.reason) from None
    return LinkClaim(tenant_id, survey_id, expires_at)
