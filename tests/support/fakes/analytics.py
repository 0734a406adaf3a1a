"""In-memory fakes of the analytics context's ports, with the DynamoDB adapter's conditions: the
facts and each sketch are written only over the version read, all of one commit or none of it."""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.analytics.model import BucketDelta, Period, TicketFacts
from aftersales.analytics.ports import Bucket, ProjectionConflict, StoredSketch
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket


class InMemoryAnalyticsStore:
    def __init__(self) -> None:
        self.fact_docs: dict[tuple[str, int, str], TicketFacts] = {}
        self.bucket_docs: dict[tuple[str, int, str, str, str], Bucket] = {}
        self.sketch_docs: dict[tuple[str, int, str, str], StoredSketch] = {}
        self.meta: dict[str, tuple[int, int | None]] = {}
        self.commits = 0
        self.queries = 0
        self.conflict_next: int = 0  # the next n commits fail as if someone wrote first

    def __len__(self) -> int:
        return len(self.bucket_docs)

    def __contains__(self, key: object) -> bool:
        return key in self.bucket_docs

    def facts(self, tenant_id: str, ticket_id: str, generation: int) -> TicketFacts | None:
        return self.fact_docs.get((tenant_id, generation, ticket_id))

    def sketches(self, tenant_id: str, generation: int, periods: Sequence[Period]) -> list[StoredSketch]:
        return [s for p in periods if (s := self.sketch_docs.get((tenant_id, generation, p.grain, p.key)))]

    def commit(self, facts: TicketFacts, generation: int, deltas: Sequence[BucketDelta],
               sketches: Sequence[StoredSketch]) -> None:
        key = (facts.tenant_id, generation, facts.ticket_id)
        current = self.fact_docs.get(key)
        if self.conflict_next:
            self.conflict_next -= 1
            raise ProjectionConflict(facts.ticket_id)
        if (current.version if current else 0) != facts.version - 1:
            raise ProjectionConflict(facts.ticket_id)
        for s in sketches:
            stored = self.sketch_docs.get((facts.tenant_id, generation, s.period.grain, s.period.key))
            if (stored.version if stored else 0) != s.version:
                raise ProjectionConflict(s.period.key)
        self.commits += 1
        self.fact_docs[key] = facts
        for d in deltas:
            bkey = (facts.tenant_id, generation, d.period.grain, d.period.key, d.metric)
            bucket = self.bucket_docs.setdefault(bkey, Bucket(d.period, d.metric))
            for k, v in d.counts.items():
                bucket.counts[k] = bucket.counts.get(k, 0) + v
            for k, v in d.amounts.items():
                bucket.amounts[k] = bucket.amounts.get(k, 0) + v
        for s in sketches:
            self.sketch_docs[(facts.tenant_id, generation, s.period.grain, s.period.key)] = StoredSketch(
                s.period, s.blob, s.version + 1)

    def buckets(self, tenant_id: str, generation: int, grain: str, first: str, last: str) -> list[Bucket]:
        self.queries += 1
        return [b for (t, g, gr, key, _), b in sorted(self.bucket_docs.items())
                if t == tenant_id and g == generation and gr == grain and first <= key <= last]

    def sketch_range(self, tenant_id: str, generation: int, grain: str, first: str, last: str
                     ) -> list[StoredSketch]:
        self.queries += 1
        return [s for (t, g, gr, key), s in sorted(self.sketch_docs.items())
                if t == tenant_id and g == generation and gr == grain and first <= key <= last]

    def generations(self, tenant_id: str) -> tuple[int, int | None]:
        return self.meta.get(tenant_id, (0, None))

    def start_rebuild(self, tenant_id: str) -> int:
        live, building = self.generations(tenant_id)
        if building is None:
            building = live + 1
            self.meta[tenant_id] = (live, building)
        return building

    def finish_rebuild(self, tenant_id: str, generation: int) -> None:
        self.meta[tenant_id] = (generation, None)


class FakeTicketHeaders:
    def __init__(self, tickets: Sequence[Ticket] = (), chains: dict[str, list[AuditEntry]] | None = None) -> None:
        self.tickets = {t.id: t for t in tickets}
        self.chains = chains or {}
        self.reads = 0

    def __len__(self) -> int:
        return len(self.tickets)

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self.tickets

    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        self.reads += 1
        t = self.tickets.get(ticket_id)
        return t if t is not None and t.tenant_id == tenant_id else None

    def page(self, tenant_id: str, *, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        ids = sorted(i for i, t in self.tickets.items() if t.tenant_id == tenant_id)
        start = int(cursor or 0)
        chunk = ids[start:start + limit]
        nxt = str(start + limit) if start + limit < len(ids) else None
        return [self.tickets[i] for i in chunk], nxt

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        return list(self.chains.get(ticket_id, []))


class FixedZones:
    def __init__(self, zones: dict[str, str] | None = None, default: str = "Asia/Shanghai") -> None:
        self.zones = zones or {}
        self.default = default

    def zone(self, tenant_id: str) -> str:
        return self.zones.get(tenant_id, self.default)


class FixedTeams:
    def __init__(self, teams: dict[str, str] | None = None) -> None:
        self.teams = teams or {}

    def team_of(self, tenant_id: str, agent_id: str) -> str | None:
        return self.teams.get(agent_id)
