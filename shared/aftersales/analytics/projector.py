"""The projection use cases: apply one ticket event to the tenant's buckets (live generation, and
the generation a rebuild is filling), and rebuild a tenant's buckets from the audit chains."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.analytics import domain
from aftersales.analytics.model import UNASSIGNED, BucketDelta, Projection, TicketFacts
from aftersales.analytics.ports import (
    AnalyticsStore,
    ProjectionConflict,
    StoredSketch,
    Teams,
    TenantZones,
    TicketHeaders,
)
from aftersales.analytics.sketch import DurationSketch
from aftersales.core.errors import Unavailable
from aftersales.tickets.domain import Ticket

ATTEMPTS = 5  # conditional-write retries on a concurrent change of the same ticket or sketch
REBUILD_PAGE = 25  # tickets per rebuild step (each replays its chain: one Query + one commit)


def facts_from_header(ticket: Ticket) -> TicketFacts:
    weights: dict[str, int] = {}
    for line in ticket.lines:
        weights[line.sku] = weights.get(line.sku, 0) + line.requested_amount.amount
    return TicketFacts(tenant_id=ticket.tenant_id, ticket_id=ticket.id, type=ticket.type.value,
                       channel=ticket.channel.value, reason=ticket.reason_code, sku_amounts=weights,
                       created_at=ticket.created_at)


@dataclass
class RebuildStep:
    generation: int
    tickets: int
    cursor: str | None

    @property
    def done(self) -> bool:
        return self.cursor is None


class AnalyticsProjector:
    def __init__(self, store: AnalyticsStore, tickets: TicketHeaders, zones: TenantZones, teams: Teams) -> None:
        self._store = store
        self._tickets = tickets
        self._zones = zones
        self._teams = teams

    def on_ticket_event(self, detail: Mapping[str, Any]) -> bool:
        """Apply one event (EventBridge detail). False when it changed nothing (a redelivery)."""
        tenant_id, ticket_id = str(detail["tenant_id"]), str(detail["ticket_id"])
        live, building = self._store.generations(tenant_id)
        changed = self._apply(tenant_id, ticket_id, detail, live, bootstrap=True)
        if building is not None:
            # the rebuild replays this ticket's chain itself unless it has already passed it
            self._apply(tenant_id, ticket_id, detail, building, bootstrap=False)
        return changed

    def _apply(self, tenant_id: str, ticket_id: str, detail: Mapping[str, Any], generation: int, *,
               bootstrap: bool) -> bool:
        zone = ZoneInfo(self._zones.zone(tenant_id))
        for _ in range(ATTEMPTS):
            facts = self._store.facts(tenant_id, ticket_id, generation)
            if facts is None:
                if not bootstrap:
                    return False
                facts = self._bootstrap(tenant_id, ticket_id)
            projection = domain.apply(facts, detail, zone, team_of=self._team_of(tenant_id, detail))
            if projection.facts.seqs == facts.seqs:
                return False
            try:
                self._commit(projection, facts.version, generation)
                return True
            except ProjectionConflict:
                continue
        raise Unavailable("analytics.projection_contended", ticket_id=ticket_id)

    def _bootstrap(self, tenant_id: str, ticket_id: str) -> TicketFacts:
        ticket = self._tickets.get(tenant_id, ticket_id)
        if ticket is None:
            return TicketFacts(tenant_id=tenant_id, ticket_id=ticket_id)
        return facts_from_header(ticket)

    def _team_of(self, tenant_id: str, detail: Mapping[str, Any]) -> dict[str, str]:
        if detail.get("event") != "ticket.assigned":
            return {}
        agent = (detail.get("data") or {}).get("to_assignee")
        if not agent:
            return {}
        return {str(agent): self._teams.team_of(tenant_id, str(agent)) or UNASSIGNED}

    def _commit(self, projection: Projection, expected_version: int, generation: int) -> None:
        facts = projection.facts.model_copy(update={"version": expected_version + 1})
        stored = {s.period: s for s in self._store.sketches(
            facts.tenant_id, generation, list(projection.durations))} if projection.durations else {}
        sketches = []
        for period, seconds in projection.durations.items():
            current = stored.get(period) or StoredSketch(period, None, 0)
            sketch = DurationSketch.decode(current.blob)
            for s in seconds:
                sketch.add(s)
            sketches.append(StoredSketch(period, sketch.encode(), current.version))
        # `expected_version` travels as the facts' version before the change: the adapter
        # conditions on it and writes `facts.version`
        self._store.commit(facts, generation, projection.deltas, sketches)

    # ------------------------------------------------------------------ rebuild from the audit chains
    def rebuild_step(self, tenant_id: str, cursor: str | None = None, *, limit: int = REBUILD_PAGE) -> RebuildStep:
        """One page of the tenant's tickets replayed into the generation being built (started on the
        first step); the last page makes it live. Resumable: call again with the returned cursor."""
        _, building = self._store.generations(tenant_id)
        generation = building if building is not None else self._store.start_rebuild(tenant_id)
        zone = ZoneInfo(self._zones.zone(tenant_id))
        tickets, next_cursor = self._tickets.page(tenant_id, limit=limit, cursor=cursor)
        for ticket in tickets:
            self._replay(ticket, generation, zone)
        if next_cursor is None:
            self._store.finish_rebuild(tenant_id, generation)
        return RebuildStep(generation=generation, tickets=len(tickets), cursor=next_cursor)

    def _replay(self, ticket: Ticket, generation: int, zone: ZoneInfo) -> None:
        for _ in range(ATTEMPTS):
            before = self._store.facts(ticket.tenant_id, ticket.id, generation)
            facts = before or facts_from_header(ticket)
            teams: dict[str, str] = {}
            merged = Projection(facts=facts)
            for entry in self._tickets.audit_entries(ticket.tenant_id, ticket.id):
                detail = {"tenant_id": ticket.tenant_id, "ticket_id": ticket.id, "ticket_type": ticket.type.value,
                          "seq": entry.seq, "event": entry.event, "to_status": entry.to_status, "at": entry.at,
                          "reason": entry.reason, "data": entry.data}
                agent = entry.data.get("to_assignee") if entry.event == "ticket.assigned" else None
                if agent and agent not in teams:
                    teams[str(agent)] = self._teams.team_of(ticket.tenant_id, str(agent)) or UNASSIGNED
                step = domain.apply(merged.facts, detail, zone, team_of=teams)
                merged = Projection(facts=step.facts, deltas=merged.deltas + step.deltas,
                                    durations={p: merged.durations.get(p, []) + step.durations.get(p, [])
                                               for p in {*merged.durations, *step.durations}})
            if merged.facts.seqs == facts.seqs:
                return
            merged.deltas = _combine(merged.deltas)
            try:
                self._commit(merged, facts.version, generation)
                return
            except ProjectionConflict:
                continue
        raise Unavailable("analytics.projection_contended", ticket_id=ticket.id)


def _combine(deltas: list[BucketDelta]) -> list[BucketDelta]:
    out: dict[tuple[object, str], BucketDelta] = {}
    for d in deltas:
        key = (d.period, d.metric)
        if key not in out:
            out[key] = BucketDelta(d.period, d.metric)
        for k, v in d.counts.items():
            out[key].add(k, v)
        for k, v in d.amounts.items():
            name, currency = k.rsplit("|", 1)
            out[key].add_amount(name, currency, v)
    return list(out.values())
