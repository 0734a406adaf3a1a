"""Logistics use cases: carrier webhooks in, parcel state, and what parcels cause on tickets.

Order of work per webhook: verify the signature on the raw body (nothing is read or stored before)
-> decode + normalise (400 with the reason) -> store event + merged parcel state in one conditional
transaction (the provider event id is the dedupe key) -> act. An event for a parcel nobody
registered yet is stored with the parcel ("parked") and acted on when the parcel is registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from aws_lambda_powertools import Logger

from aftersales.channels.identity import IssueCategory
from aftersales.channels.ports import IntegrationSettings
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import ConcurrentModification, DomainError, IllegalTransition, NotFound
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.payloads import decode_json
from aftersales.events.ports import EventPublisher
from aftersales.logistics import verification as v
from aftersales.logistics.events import Provider, TrackingEvent, TrackingPayloadError, TrackingStatus
from aftersales.logistics.exception_policy import (
    CreateClaimTicket,
    CreateProactiveTicket,
    CreateReturnTicket,
    ExceptionRules,
    NoAction,
    OutboundShipment,
    RaiseDelayAlert,
    UpdateLineReception,
    decide_delay,
    decide_outbound_exception,
    decide_return_reception,
)
from aftersales.logistics.normalizers import normalize
from aftersales.logistics.ports import REPAIR_DIRECTIONS, Parcel, ParcelStore, Registration, RepairParcelFollower
from aftersales.logistics.progression import SETTLED, ParcelState, merge
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Reception, Role, Status, TicketType
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
LOGISTICS_SOURCE = "aftersales.logistics"
SYSTEM = Actor(id="system:logistics", roles=frozenset({Role.SYSTEM}))
MAX_ATTEMPTS = 4
SWEEP_LOOKBACK = timedelta(days=30)


class TicketOpener(Protocol):
    """The channels context's aggregated open (same order + issue -> one ticket; channels.aggregation)."""

    def open_or_join(self, tenant_id: str, *, order_id: str, category: IssueCategory, ticket_type: TicketType,
                     channel: str, reason_code: str, description: str | None, author: str,
                     body: str, external_id: str | None, data: dict[str, Any]) -> tuple[str, bool]: ...


class WebhookOutcome(DomainModel):
    result: Literal["accepted", "duplicate", "parked"]
    tracking_number: str
    event_id: str
    parcel_status: str
    actions: list[str] = []


def carrier_settings_name(provider: Provider) -> str:
    return f"carrier:{provider.value}"


def parse_provider(name: str) -> Provider:
    try:
        return Provider(name.lower())
    except ValueError:
        raise NotFound("webhook.unknown_provider", provider=name[:32]) from None


def verify(provider: Provider, config: Mapping[str, Any] | None, headers: Mapping[str, str],
           query: Mapping[str, str], body: bytes) -> None:
    if not config:
        # Same answer as a bad signature: an unconfigured tenant learns nothing more.
        raise v.VerificationError("webhook.signature_invalid", provider=provider.value)
    if provider is Provider.SHIPPO:
        v.verify_shippo_token(query, config.get("tokens") or [])
    elif provider is Provider.AFTERSHIP:
        v.verify_aftership(headers, body, config["secret"])
    elif provider is Provider.EASYPOST:
        v.verify_easypost(headers, body, config["secret"])
    else:
        v.verify_17track(headers, body, config["secret"])


def decode(provider: Provider, body: bytes) -> TrackingEvent:
    try:
        payload = decode_json(body)
    except ValueError:
        raise TrackingPayloadError("tracking.body_not_json", provider=provider.value) from None
    return normalize(provider, payload)


class TrackingService:
    def __init__(self, parcels: ParcelStore, settings: IntegrationSettings, tickets: TicketService,
                 opener: TicketOpener, events: EventPublisher, clock: Clock,
                 repairs: RepairParcelFollower | None = None) -> None:
        self._parcels, self._settings, self._tickets = parcels, settings, tickets
        self._opener, self._events, self._clock = opener, events, clock
        self._repairs = repairs

    # ------------------------------------------------------------------ webhooks
    def receive(self, provider_name: str, tenant_id: str, headers: Mapping[str, str],
                query: Mapping[str, str], body: bytes) -> WebhookOutcome:
        provider = parse_provider(provider_name)
        verify(provider, self._settings.get(tenant_id, carrier_settings_name(provider)), headers, query, body)
        return self.apply(tenant_id, decode(provider, body))

    def apply(self, tenant_id: str, event: TrackingEvent) -> WebhookOutcome:
        number = event.tracking_number
        for _ in range(MAX_ATTEMPTS):
            parcel = self._parcels.get(tenant_id, number) or Parcel(tenant_id=tenant_id,
                                                                   state=ParcelState.new(number))
            if event.provider_event_id in parcel.state.seen_event_ids:
                return self._redelivery(parcel, event)
            before = parcel.state
            updated = parcel.model_copy(update={"state": merge(before, event)})
            updated = updated.model_copy(update={"watch_at": self._watch(updated)})
            if event.status is TrackingStatus.UNKNOWN and event.raw_status:
                logger.warning("unknown carrier status", extra={"provider": event.provider.value,
                                                                 "raw_status": event.raw_status[:64]})
                updated = updated.model_copy(update={"unknown_status": {
                    "provider": event.provider.value, "raw_status": event.raw_status,
                    "raw_sub_status": event.raw_sub_status, "event_id": event.provider_event_id}})
            try:
                if not self._parcels.record(updated, event, self._clock.now()):
                    return self._redelivery(parcel, event)
            except ConcurrentModification:
                continue
            updated = updated.model_copy(update={"version": updated.version + 1})
            base = {"tracking_number": number, "event_id": event.provider_event_id,
                    "parcel_status": updated.state.status.value}
            if updated.registration is None:
                logger.info("tracking event parked", extra={"provider": event.provider.value,
                                                             "status": event.status.value})
                return WebhookOutcome(result="parked", **base)
            actions = self._act(updated, event)
            self._parcels.mark_acted(tenant_id, number, event.provider.value, event.provider_event_id)
            return WebhookOutcome(result="accepted", actions=actions, **base)
        raise ConcurrentModification("error.concurrent_modification")

    def _redelivery(self, parcel: Parcel, event: TrackingEvent) -> WebhookOutcome:
        """A duplicate is ignored, unless its first delivery failed half-way through acting."""
        actions: list[str] = []
        stored = self._parcels.event(parcel.tenant_id, parcel.tracking_number, event.provider.value,
                                     event.provider_event_id)
        if stored is not None and not stored.acted and parcel.registration is not None:
            actions = self._act(parcel, stored.event)
            self._parcels.mark_acted(parcel.tenant_id, parcel.tracking_number, event.provider.value,
                                     event.provider_event_id)
        return WebhookOutcome(result="duplicate", tracking_number=parcel.tracking_number,
                              event_id=event.provider_event_id, parcel_status=parcel.state.status.value,
                              actions=actions)

    # ------------------------------------------------------------------ registration (parked -> matched)
    def register(self, tenant_id: str, tracking_number: str, registration: Registration) -> tuple[Parcel, list[str]]:
        for _ in range(MAX_ATTEMPTS):
            parcel = self._parcels.get(tenant_id, tracking_number) or Parcel(
                tenant_id=tenant_id, state=ParcelState.new(tracking_number))
            updated = parcel.model_copy(update={"registration": registration})
            updated = updated.model_copy(update={"watch_at": self._watch(updated)})
            try:
                self._parcels.save(updated)
            except ConcurrentModification:
                continue
            updated = updated.model_copy(update={"version": updated.version + 1})
            actions: list[str] = []
            pending = [s for s in self._parcels.events(tenant_id, tracking_number) if not s.acted]
            if pending:  # parked events: act once on the merged state, with the newest event
                newest = max(pending, key=lambda s: (s.event.occurred_at or s.received_at, s.received_at))
                actions = self._act(updated, newest.event)
                for stored in pending:
                    self._parcels.mark_acted(tenant_id, tracking_number, stored.event.provider.value,
                                             stored.event.provider_event_id)
            return updated, actions
        raise ConcurrentModification("error.concurrent_modification")

    def parcel(self, tenant_id: str, tracking_number: str) -> Parcel:
        parcel = self._parcels.get(tenant_id, tracking_number)
        if parcel is None:
            raise NotFound("error.parcel_not_found", tracking_number=tracking_number)
        return parcel

    # ------------------------------------------------------------------ decisions -> effects
    def rules(self, tenant_id: str) -> ExceptionRules:
        stored = self._settings.get(tenant_id, "logistics:rules")
        return ExceptionRules.model_validate(stored) if stored else ExceptionRules()

    def _watch(self, parcel: Parcel) -> datetime | None:
        reg, state = parcel.registration, parcel.state
        if reg is None or state.progress in SETTLED:
            return None
        rules = self.rules(parcel.tenant_id)
        if state.last_checkpoint_at is None:
            if reg.direction == "return":
                return (reg.label_issued_at or reg.registered_at) + rules.return_label_expires_after
            return reg.registered_at + rules.delay_alert_after
        return state.last_checkpoint_at + rules.delay_alert_after

    def _act(self, parcel: Parcel, event: TrackingEvent | None) -> list[str]:
        reg = parcel.registration
        assert reg is not None
        rules = self.rules(parcel.tenant_id)
        now = self._clock.now()
        if reg.direction == "return":
            if reg.ticket_id is None:
                return []
            decision = decide_return_reception(parcel.state, reg.label_issued_at or reg.registered_at, now, rules)
            if isinstance(decision, UpdateLineReception) and decision.reception != "expired":
                return self._move_return(parcel, reg.ticket_id, decision.reception)
            return []
        if reg.direction in REPAIR_DIRECTIONS:  # the repair job follows its own parcels
            if reg.repair_job_id is None or self._repairs is None:
                return []
            return self._repairs.parcel_progressed(parcel.tenant_id, reg.repair_job_id,
                                                   tracking_number=parcel.tracking_number, direction=reg.direction,
                                                   status=parcel.state.status.value)
        if event is None or not event.is_exception or parcel.state.status is not TrackingStatus.EXCEPTION \
                or parcel.state.sub_status is not event.sub_status:
            return []
        decision = decide_outbound_exception(event, self._shipment(parcel), rules)
        if isinstance(decision, NoAction):
            return []
        return self._open_for(parcel, decision)

    def _move_return(self, parcel: Parcel, ticket_id: str, reception: str) -> list[str]:
        tenant_id = parcel.tenant_id
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        steps = [(Status.RETURN_IN_TRANSIT, Reception.IN_TRANSIT)]
        if reception == "received":
            steps.append((Status.RETURN_RECEIVED, Reception.RECEIVED))
        done: list[str] = []
        for target, line_reception in steps:
            if ticket.status not in (Status.AWAITING_RETURN, Status.RETURN_IN_TRANSIT) or ticket.status == target:
                continue  # a carrier scan never approves, cancels or rewinds a ticket
            try:
                ticket = self._tickets.transition(tenant_id, ticket_id, target, SYSTEM, reason="carrier_scan",
                                                  data={"tracking_number": parcel.tracking_number},
                                                  line_reception=line_reception)
                done.append(f"ticket {ticket_id} -> {target.value}")
            except IllegalTransition:
                break
        return done

    def _shipment(self, parcel: Parcel) -> OutboundShipment:
        reg = parcel.registration
        assert reg is not None
        order = self._tickets.get_order(parcel.tenant_id, reg.order_id, SYSTEM)
        value = Money.zero(order.currency)
        for line in order.lines:
            value = value + line.unit_price_paid.times(line.quantity)
        return OutboundShipment(tenant_id=parcel.tenant_id, order_id=reg.order_id,
                                tracking_number=parcel.tracking_number, shipping_fee=order.shipping.fee,
                                order_value=value, declaration=reg.declaration)

    def _open_for(self, parcel: Parcel,
                  decision: CreateReturnTicket | CreateClaimTicket | CreateProactiveTicket) -> list[str]:
        data: dict[str, Any] = {"tracking_number": parcel.tracking_number, "decision": decision.kind}
        if isinstance(decision, CreateReturnTicket):
            category, ticket_type, reason = IssueCategory.RETURN_REFUND, TicketType.RETURN_REFUND, "parcel_refused"
            data |= {"shipping_deduction": decision.shipping_deduction.model_dump(mode="json"),
                     "refund_route": decision.refund_route.value}
            body = "Parcel refused by the recipient; return opened automatically."
        elif isinstance(decision, CreateClaimTicket):
            category = IssueCategory.NOT_RECEIVED if decision.reason == "lost" else IssueCategory.DAMAGED
            # A refund claim is a refund-only ticket; a reshipment claim is handled as a complaint
            # that fulfilment resolves by reshipping (no reship-without-return ticket type exists).
            ticket_type = TicketType.REFUND_ONLY if decision.resolution.value == "refund" else TicketType.COMPLAINT
            reason = f"parcel_{decision.reason}"
            data |= {"resolution": decision.resolution.value}
            body = f"Carrier reports the parcel {decision.reason}; claim opened ({decision.resolution.value})."
        else:
            category, ticket_type, reason = IssueCategory.OTHER, TicketType.COMPLAINT, "customs_hold"
            data |= {"needs_declaration_data": decision.needs_declaration_data,
                     "declaration": decision.declaration.model_dump(mode="json") if decision.declaration else None}
            body = "Parcel held by customs; declaration data attached to help clearance."
        description = _describe(data)
        try:
            ticket_id, created = self._opener.open_or_join(
                parcel.tenant_id, order_id=decision.order_id, category=category, ticket_type=ticket_type,
                channel="api", reason_code=reason, description=description, author="system:carrier",
                body=body, external_id=f"{parcel.tracking_number}:{reason}", data=data)
        except DomainError as exc:
            logger.warning("exception ticket not opened", extra={"reason": reason, "error": exc.message_id})
            return []
        self._events.publish(LOGISTICS_SOURCE, "parcel.exception", {
            "tenant_id": parcel.tenant_id, "tracking_number": parcel.tracking_number, "order_id": decision.order_id,
            "ticket_id": ticket_id, "reason": reason, "at": iso(self._clock.now()), "data": data})
        return [f"{'opened' if created else 'joined'} {ticket_type.value} ticket {ticket_id} ({reason})"]

    # ------------------------------------------------------------------ the timer
    def sweep(self) -> dict[str, int]:
        """Label expiry for unscanned returns; stall alerts for silent parcels. Reads the watch index
        (due parcels only); each parcel is re-watched or un-watched, so work is never repeated."""
        now = self._clock.now()
        counts = {"due": 0, "expired": 0, "delayed": 0}
        for due in self._parcels.due(now, now - SWEEP_LOOKBACK):
            counts["due"] += 1
            try:
                kind = self._check(due, now)
            except (ConcurrentModification, DomainError) as exc:
                logger.warning("sweep item skipped", extra={"error": getattr(exc, "message_id", "")})
                continue
            if kind:
                counts[kind] += 1
        return counts

    def _check(self, due: Parcel, now: datetime) -> str | None:
        parcel = self._parcels.get(due.tenant_id, due.tracking_number) or due
        reg, rules = parcel.registration, self.rules(parcel.tenant_id)
        if reg is None or parcel.watch_at is None or parcel.watch_at > now:
            return None
        kind: str | None = None
        next_watch: datetime | None = None
        if reg.direction == "return" and parcel.state.last_checkpoint_at is None:
            decision = decide_return_reception(parcel.state, reg.label_issued_at or reg.registered_at, now, rules)
            if isinstance(decision, UpdateLineReception) and decision.reception == "expired":
                kind = "expired"
                self._expire_return(parcel)
        else:
            state = parcel.state
            if state.last_checkpoint_at is None:  # outbound never scanned: silent since registration
                state = state.model_copy(update={"last_checkpoint_at": reg.registered_at})
            decision = decide_delay(state, now, rules)
            if isinstance(decision, RaiseDelayAlert):
                kind = "delayed"
                next_watch = now + rules.delay_alert_after  # alert again only after another silent period
                self._delay_alert(parcel, decision)
        self._parcels.save(parcel.model_copy(update={"watch_at": next_watch,
                                                     "alerted_at": now if kind == "delayed" else parcel.alerted_at}))
        return kind

    def _expire_return(self, parcel: Parcel) -> None:
        reg = parcel.registration
        assert reg is not None and reg.ticket_id
        ticket = self._tickets.get(parcel.tenant_id, reg.ticket_id, SYSTEM)
        if ticket.status is Status.AWAITING_RETURN:
            self._tickets.transition(parcel.tenant_id, reg.ticket_id, Status.CANCELLED, SYSTEM,
                                     reason="return_label_expired",
                                     data={"tracking_number": parcel.tracking_number},
                                     line_reception=Reception.EXPIRED)

    def _delay_alert(self, parcel: Parcel, decision: RaiseDelayAlert) -> None:
        reg = parcel.registration
        assert reg is not None
        order = self._tickets.get_order(parcel.tenant_id, reg.order_id, SYSTEM)
        self._events.publish(LOGISTICS_SOURCE, "parcel.delayed", {
            "tenant_id": parcel.tenant_id, "tracking_number": parcel.tracking_number, "order_id": reg.order_id,
            "ticket_id": reg.ticket_id, "customer_id": order.customer.id, "direction": reg.direction,
            "silent_hours": int(decision.silent_for.total_seconds() // 3600), "at": iso(self._clock.now()),
            "notify_customer": decision.notify_customer})


def _describe(data: dict[str, Any]) -> str:
    """A short staff-readable summary; no personal data (only parcel and customs facts)."""
    parts = [f"tracking {data['tracking_number']}"]
    if "shipping_deduction" in data:
        d = data["shipping_deduction"]
        parts.append(f"shipping deduction {d['amount']} {d['currency']} (minor units), "
                     f"refund via {data['refund_route']}")
    if "resolution" in data:
        parts.append(f"resolution {data['resolution']}")
    if data.get("declaration"):
        d = data["declaration"]
        parts.append(f"HS {d['hs_code']}, origin {d['origin_country']}, declared "
                     f"{d['declared_value']['amount']} {d['declared_value']['currency']} (minor units)")
    elif data.get("needs_declaration_data"):
        parts.append("declaration data missing: ask the merchant")
    return "; ".join(parts)
