"""A tenant's intake rules: what a request must satisfy on submission, per ticket type and channel,
validated and versioned like the approval policy (draft, dry run, publish).

Matching: rules are tried in list order and the FIRST whose scope holds decides (ticket types and
channels, each optional, ANDed; a rule without a scope is a catch-all). The last rule must be a
catch-all so that every ticket has one; a rule an earlier one covers entirely is unreachable and
refused, as are duplicate ids.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, field_validator, model_validator

from aftersales.core.errors import Conflict
from aftersales.core.model import DomainModel
from aftersales.core.text import label
from aftersales.tickets.model import Channel, TicketType

Code = label(64, min_length=1)
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Scope(_Frozen):
    ticket_types: frozenset[TicketType] | None = Field(default=None, min_length=1)
    channels: frozenset[Channel] | None = Field(default=None, min_length=1)
    countries: frozenset[Country] | None = Field(
        default=None, min_length=1, description="Where the order was delivered (its shipping country): "
        "regional return windows, e.g. 30 days in the EU and 15 days at home")

    def matches(self, ticket_type: TicketType, channel: Channel, country: str | None = None) -> bool:
        return ((self.ticket_types is None or ticket_type in self.ticket_types)
                and (self.channels is None or channel in self.channels)
                and (self.countries is None or country in self.countries))

    def covers(self, other: Scope) -> bool:
        return all(mine is None or (theirs is not None and mine >= theirs)
                   for mine, theirs in ((self.ticket_types, other.ticket_types), (self.channels, other.channels),
                                        (self.countries, other.countries)))

    @property
    def is_catch_all(self) -> bool:
        return self.ticket_types is None and self.channels is None and self.countries is None


class HolidayExtension(_Frozen):
    """Marketplace-style season: goods delivered from `delivered_from` to `delivered_to` (dates in
    `time_zone`) may be returned until the end of `return_by`, when that is later than the window."""

    delivered_from: date
    delivered_to: date
    return_by: date
    time_zone: str = Field(default="UTC", max_length=64, examples=["Europe/Berlin"])

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Europe/Berlin)") from None
        return value

    @model_validator(mode="after")
    def _ordered(self) -> HolidayExtension:
        if not self.delivered_from <= self.delivered_to <= self.return_by:
            raise ValueError("needs delivered_from <= delivered_to <= return_by")
        return self


class IntakeRule(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    description: str = Field(default="", max_length=500)
    when: Scope = Scope()
    return_window_days: int | None = Field(
        default=30, ge=0, le=3650, description="Days from delivery; null: no window")
    when_eligible: Literal["route", "agent"] = Field(
        default="route", description="route: straight into approval routing; agent: stays for a person")
    when_ineligible: Literal["reject", "agent"] = Field(
        default="reject", description="reject: refused with the reason; agent: stays for a person")
    duplicate_request: Literal["refuse", "agent"] = Field(
        default="agent", description="Another open request on the same order line")
    previous_refund: Literal["refuse", "agent", "allow"] = Field(
        default="agent", description="The same order line was refunded before")
    evidence_reasons: frozenset[Code] = Field(
        default=frozenset(), description="Reason codes that need photos (damage claims)")
    holiday_extensions: tuple[HolidayExtension, ...] = Field(
        default=(), max_length=20, description="Seasons whose deliveries may be returned later than the window")


class IntakeRules(_Frozen):
    tenant_id: str = Field(min_length=1)
    version: int = Field(ge=1)
    status: Literal["draft", "published"] = "draft"
    rules: tuple[IntakeRule, ...] = Field(min_length=1)
    non_returnable_product_types: frozenset[Code] = frozenset()
    non_returnable_categories: frozenset[Code] = frozenset()

    @model_validator(mode="after")
    def _well_formed(self) -> IntakeRules:
        seen: set[str] = set()
        for position, rule in enumerate(self.rules):
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
            for earlier in self.rules[:position]:
                if earlier.when.covers(rule.when):
                    raise ValueError(f"rule {rule.id!r} is unreachable: earlier rule {earlier.id!r} "
                                     "matches every ticket it matches")
        if not self.rules[-1].when.is_catch_all:
            raise ValueError("the last rule must be a catch-all (no ticket_types, channels or countries)")
        return self

    def rule_for(self, ticket_type: TicketType, channel: Channel, country: str | None = None) -> IntakeRule:
        """`country`: where the order was delivered (None matches only rules without countries)."""
        return next(r for r in self.rules if r.when.matches(ticket_type, channel, country))

    def publish(self) -> IntakeRules:
        if self.status == "published":
            raise Conflict("eligibility.rules_already_published", tenant_id=self.tenant_id, version=self.version)
        return self.model_copy(update={"status": "published"})
