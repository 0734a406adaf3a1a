"""The SLA context's SlaStore over dicts, as the DynamoDB adapter keeps it: the due index is
bucket -> deadline keys (the sparse GSI: a state saved without a bucket leaves it), fired-stage
claims are conditional puts merged into the ticket's states on read, open tickets page by id,
outcomes are versioned (a save conditioned on the version read) and found by the UTC day they were
decided, and the figures' day buckets are counters moved by each save's delta. `reads` counts the items a caller read
(the bench's figure)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.figure_days import Contribution, DayBucket
from aftersales.sla.figures import SlaOutcome
from aftersales.sla.policy import SlaPolicy
from aftersales.sla.ports import OutcomeConflict, StoredOutcome
from aftersales.sla.stages import DeadlineState, with_claims

StateKey = tuple[str, str, str]  # tenant, ticket, deadline key (<metric>#<cycle>)


class InMemorySlaStore:
    def __init__(self) -> None:
        self.policies: dict[str, SlaPolicy] = {}
        self.calendars: dict[tuple[str, str], BusinessCalendar] = {}
        self.contexts: dict[tuple[str, str], tuple[dict[str, Any], bool]] = {}
        self.states: dict[StateKey, tuple[DeadlineState, datetime | None]] = {}
        self.index: dict[str, set[StateKey]] = {}
        self.where: dict[StateKey, str] = {}
        self.by_ticket: dict[tuple[str, str], set[str]] = {}  # the ticket's partition: its deadline keys
        self.claims: set[str] = set()
        self.outcomes: dict[StateKey, StoredOutcome] = {}
        self.buckets: dict[tuple[str, date], dict[str, int]] = {}  # (tenant, local day) -> counters
        self.busy = 0  # writes of an outcome that fail as a concurrent change before one goes through
        self.cursor: datetime | None = None
        self.clocks: dict[tuple[str, str], list[DeadlineState]] = {}
        self.reads = 0

    def __len__(self) -> int:
        return len(self.states)

    def __contains__(self, key: object) -> bool:  # (tenant, ticket, deadline key)
        return key in self.states

    # ---------------------------------------------------------------- policy and calendars
    def policy_for(self, tenant_id: str) -> SlaPolicy | None:
        return self.policies.get(tenant_id)

    def save_policy(self, policy: SlaPolicy) -> None:
        self.policies[policy.tenant_id] = policy

    def calendars_for(self, tenant_id: str) -> dict[str, BusinessCalendar]:
        return {cid: c for (t, cid), c in sorted(self.calendars.items()) if t == tenant_id}

    def save_calendar(self, calendar: BusinessCalendar) -> None:
        self.calendars[(calendar.tenant_id, calendar.calendar_id)] = calendar

    # ---------------------------------------------------------------- ticket context
    def context(self, tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
        found = self.contexts.get((tenant_id, ticket_id))
        return found[0] if found else None

    def save_context(self, tenant_id: str, ticket_id: str, doc: dict[str, Any], open_: bool) -> None:
        self.contexts[(tenant_id, ticket_id)] = (doc, open_)

    def open_ticket_page(self, tenant_id: str, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
        """A cursor whenever the page is full (as a Query's last key), even if nothing follows."""
        after = json.loads(cursor) if cursor else None
        ids = sorted(tid for (t, tid), (_doc, open_) in self.contexts.items()
                     if t == tenant_id and open_ and (after is None or tid > after))[:limit]
        return ids, (json.dumps(ids[-1]) if ids and len(ids) == limit else None)

    # ---------------------------------------------------------------- deadline states
    def save_clocks(self, tenant_id: str, ticket_id: str, states: list[DeadlineState]) -> None:
        self.clocks[(tenant_id, ticket_id)] = list(states)

    def clocks_for(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[DeadlineState]]:
        self.reads += 1
        return {tid: self.clocks[(tenant_id, tid)] for tid in ticket_ids if (tenant_id, tid) in self.clocks}

    def states_for_ticket(self, tenant_id: str, ticket_id: str) -> dict[str, DeadlineState]:
        return {key: state for key, (state, _floor) in self.states_with_floor(tenant_id, ticket_id).items()}

    def states_with_floor(self, tenant_id: str, ticket_id: str
                          ) -> dict[str, tuple[DeadlineState, datetime | None]]:
        self.reads += 1
        prefix = f"{tenant_id}#{ticket_id}#"
        claimed: dict[str, set[str]] = {}
        for claim in self.claims:
            if claim.startswith(prefix):
                metric, cycle, stage = claim.removeprefix(prefix).split("#", 2)
                claimed.setdefault(f"{metric}#{cycle}", set()).add(stage)
        entries = {key: self.states[(tenant_id, ticket_id, key)]
                   for key in sorted(self.by_ticket.get((tenant_id, ticket_id), ()))}
        return {key: (with_claims(state, claimed.get(key, ())), floor) for key, (state, floor) in entries.items()}

    def entries_in_bucket(self, bucket: str) -> Iterator[tuple[DeadlineState, datetime | None]]:
        for key in sorted(self.index.get(bucket, ())):
            self.reads += 1
            yield self.states[key]

    def save(self, state: DeadlineState, bucket: str | None, floor: datetime | None = None) -> None:
        d = state.deadline
        key = (d.tenant_id, d.ticket_id, d.key)
        self.states[key] = (state, floor)
        self.by_ticket.setdefault((d.tenant_id, d.ticket_id), set()).add(d.key)
        old = self.where.pop(key, None)
        if old is not None:
            self.index[old].discard(key)
        if bucket is not None:
            self.index.setdefault(bucket, set()).add(key)
            self.where[key] = bucket

    def delete_state(self, tenant_id: str, ticket_id: str, key: str) -> None:
        self.states.pop((tenant_id, ticket_id, key), None)
        self.by_ticket.get((tenant_id, ticket_id), set()).discard(key)
        old = self.where.pop((tenant_id, ticket_id, key), None)
        if old is not None:
            self.index[old].discard((tenant_id, ticket_id, key))

    # ---------------------------------------------------------------- fired-stage claims
    def claim(self, idempotency_key: str) -> bool:
        if idempotency_key in self.claims:
            return False
        self.claims.add(idempotency_key)
        return True

    def release(self, idempotency_key: str) -> None:
        self.claims.discard(idempotency_key)

    # ---------------------------------------------------------------- sweep cursor
    def last_swept(self) -> datetime | None:
        return self.cursor

    def set_last_swept(self, at: datetime) -> None:
        self.cursor = at

    # ---------------------------------------------------------------- outcomes and day buckets
    def outcome(self, tenant_id: str, ticket_id: str, key: str) -> StoredOutcome | None:
        return self.outcomes.get((tenant_id, ticket_id, key))

    def save_outcome(self, outcome: SlaOutcome, cycle: int, counted: Contribution,
                     delta: Mapping[date, Mapping[str, int]], expected_version: int | None) -> None:
        """As the adapter's transaction: the version must be the one read (None: no outcome yet),
        else OutcomeConflict and nothing written; `busy` conflicts make that many writes fail first."""
        key = (outcome.tenant_id, outcome.ticket_id, f"{outcome.metric}#{cycle}")
        stored = self.outcomes.get(key)
        if self.busy or (stored.version if stored else None) != expected_version:
            self.busy = max(0, self.busy - 1)
            raise OutcomeConflict(key)
        self.outcomes[key] = StoredOutcome(outcome, cycle, (expected_version or 0) + 1, counted)
        for day, counts in delta.items():
            bucket = self.buckets.setdefault((outcome.tenant_id, day), {})
            for name, n in counts.items():
                bucket[name] = bucket.get(name, 0) + n

    def save_earlier_outcome(self, outcome: SlaOutcome, cycle: int) -> None:
        """An outcome as saved before the figures were kept per day: no version, not counted."""
        self.outcomes[(outcome.tenant_id, outcome.ticket_id, f"{outcome.metric}#{cycle}")] = \
            StoredOutcome(outcome, cycle, 0, None)

    def figure_days(self, tenant_id: str, first: date, last: date) -> list[DayBucket]:
        self.reads += 1
        return [DayBucket(day, dict(counts)) for (t, day), counts in sorted(self.buckets.items())
                if t == tenant_id and first <= day <= last]

    def decided_outcomes(self, tenant_id: str, utc_day: date, cursor: str | None, limit: int
                         ) -> tuple[list[StoredOutcome], str | None]:
        decided = [s for (t, _, _), s in sorted(self.outcomes.items()) if t == tenant_id
                   and s.outcome.decided_at is not None and s.outcome.decided_at.date() == utc_day]
        start = int(cursor or 0)
        page = decided[start:start + limit]
        return page, (str(start + limit) if len(page) == limit else None)

    def outcomes_between(self, tenant_id: str, first_day: date, last_day: date) -> list[SlaOutcome]:
        """Decided outcomes of the UTC days [first_day, last_day] (the adapter's by-day index)."""
        return [s.outcome for (t, _, _), s in sorted(self.outcomes.items())
                if t == tenant_id and s.outcome.decided_at is not None
                and first_day <= s.outcome.decided_at.date() <= last_day]


class RecordingPages:
    """The RecomputePages port: every page the tracker was asked to recompute."""

    def __init__(self) -> None:
        self.pages: list[tuple[str, str | None]] = []

    def __len__(self) -> int:
        return len(self.pages)

    def __contains__(self, page: object) -> bool:  # (tenant, cursor)
        return page in self.pages

    def enqueue(self, tenant_id: str, cursor: str | None) -> None:
        self.pages.append((tenant_id, cursor))
