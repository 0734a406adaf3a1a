"""What the helpdesks context keeps and exchanges: a tenant's helpdesk settings (write-only
credentials, validated where they are stored), the link between our ticket and theirs, the
outbound changes queued for a vendor and the inbound changes read from one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, EmailStr, Field, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.text import credential


class Vendor(StrEnum):
    ZENDESK = "zendesk"
    FRESHDESK = "freshdesk"


def settings_name(vendor: Vendor) -> str:
    """The integration-settings item of a vendor (beside channel:wecom, carrier:..., in one store)."""
    return f"helpdesk:{vendor.value}"


WebhookSecret = credential(512, min_length=16)
AgentMap = Annotated[dict[Annotated[str, Field(pattern=r"^[0-9]{1,20}$")],
                          Annotated[str, Field(min_length=1, max_length=128)]], Field(max_length=500)]


class ZendeskSettings(DomainModel):
    """API token auth (`email` + `api_token`: basic `email/token:api_token`) or an OAuth bearer
    token; the webhook's signing secret (Zendesk shows it on the webhook's page); optional map of
    Zendesk agent ids to our staff ids (an unmapped assignee is recorded, not assigned)."""

    model_config = ConfigDict(extra="forbid")
    subdomain: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    email: EmailStr | None = None
    api_token: credential(256, min_length=8) | None = None
    oauth_token: credential(512, min_length=8) | None = None
    webhook_signing_secret: WebhookSecret
    agent_map: AgentMap = {}

    @model_validator(mode="after")
    def _one_auth(self) -> ZendeskSettings:
        token_auth = self.email is not None and self.api_token is not None
        if (self.email is None) != (self.api_token is None):
            raise ValueError("email and api_token go together")
        if token_auth == (self.oauth_token is not None):
            raise ValueError("give either email + api_token or oauth_token")
        return self


class FreshdeskSettings(DomainModel):
    """API key auth (basic `api_key:X`); the secret the automation rule's webhook carries in the
    URL (`?token=`) or the `X-Aftersales-Token` header, since Freshdesk does not sign it."""

    model_config = ConfigDict(extra="forbid")
    domain: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
    api_key: credential(256, min_length=8)
    webhook_secret: WebhookSecret
    agent_map: AgentMap = {}


Kind = Literal["create", "status", "comment"]


class OutboundChange(DomainModel):
    """One change of our ticket for one vendor; `key` makes it idempotent (event dedup key + vendor)."""

    model_config = ConfigDict(frozen=True)
    vendor: Vendor
    tenant_id: str
    ticket_id: str
    kind: Kind
    key: str
    at: datetime
    status: str | None = None  # our status, for create and status
    message_id: str | None = None  # the conversation item, for comment
    public: bool = True


class SyncJob(DomainModel):
    """A queued attempt of an outbound change (first attempt inline; retries come back queued)."""

    model_config = ConfigDict(frozen=True)
    change: OutboundChange
    attempt: int = Field(default=1, ge=1)


class Link(DomainModel):
    """Our ticket <-> the vendor's: the external id, the last known status and its source time
    (the conflict rule's reference), and the comment ids each side already has (loop prevention)."""

    tenant_id: str
    ticket_id: str
    vendor: Vendor
    external_id: str
    status: str | None = None
    status_at: datetime | None = None
    sent_comment_ids: list[str] = []
    received_comment_ids: list[str] = []
    version: int = 0


class InboundComment(DomainModel):
    model_config = ConfigDict(frozen=True)
    comment_id: str
    body: str
    public: bool
    author_id: str
    author_name: str | None = None
    at: datetime


class InboundChange(DomainModel):
    """What one vendor notification says changed (any of the three, possibly none)."""

    model_config = ConfigDict(frozen=True)
    vendor: Vendor
    external_id: str
    our_ticket_id: str | None = None  # from external_id / tags, when the vendor carries it
    source_at: datetime
    event_id: str | None = None
    actor_id: str | None = None  # the vendor user who made the change (their agent id), when known
    status: str | None = None  # the vendor's status value
    assignee_id: str | None = None
    assignee_name: str | None = None
    comments: list[InboundComment] = []
