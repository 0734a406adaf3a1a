"""PynamoDB models and stores of the SLA and dispatch contexts.

SLA table (every key starts with the tenant, except the sweeper's own cursor item):
  pk=<tenant>#SLA               sk=POLICY | CAL#<calendar id>
  pk=<tenant>#TKT#<ticket>      sk=CTX                      facts + responsible agent/team
                                sk=DL#<metric>#<cycle>      deadline state (doc) + fired stages
                                sk=FIRED#<metric>#<cycle>#<stage>   claim of a fired stage
                                sk=OUT#<metric>#<cycle>     outcome for the supervisor figures, with its
                                                            version and what the day buckets hold of it
  pk=<tenant>#SLAFIG            sk=DAY#<yyyy-mm-dd>         the figures of a local day (tenant's zone): flat
                                                            counters named by figure_days.counter, kept by
                                                            ADD in the transaction that saves an outcome
  pk=SWEEP                      sk=CURSOR                   last sweep instant
  gsi1 (sparse due index):  DUE#<bucket> / <tenant>#<ticket>#<metric>#<cycle>
        present only on deadline states with a pending stage; the sweep reads its buckets.
  gsi2 (outcomes by day):   <tenant>#OUT#<yyyy-mm-dd> / <decided at>#<ticket>#<key>
        present only on decided outcomes (breached, or completed in time).
  gsi3 (open SLA tickets):  <tenant>#OPEN / <ticket>   present while the ticket is not terminal;
        a policy/calendar change pages through it to recompute every open ticket.

Dispatch table:
  pk=<tenant>#DISPATCH   sk=AGENT#<id> | TEAM#<id> | LOAD#<agent id>
  pk=<tenant>#CUST#<customer>  sk=LAST_AGENT
  pk=<tenant>#TKT#<ticket>     sk=LOADEVT#<seq>   (idempotency of load-counter updates)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from aftersales.adapters.dynamo.conditions import client_condition_failed, condition_failed
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso, parse_iso
from aftersales.dispatch.model import Agent, Team
from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.figure_days import Contribution, DayBucket
from aftersales.sla.figures import SlaOutcome
from aftersales.sla.policy import SlaPolicy
from aftersales.sla.ports import OutcomeConflict, StoredOutcome
from aftersales.sla.stages import DeadlineState, with_claims


class _DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _OutcomeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class _OpenIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class SlaItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    floor = UnicodeAttribute(null=True)  # no breach recorded before this instant (policy change)
    version = NumberAttribute(null=True)  # outcomes: absent on those saved before the day buckets
    counted = JSONAttribute(null=True)  # outcomes: the Contribution the day buckets hold of it
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    due = _DueIndex()
    outcomes_by_day = _OutcomeIndex()
    open_tickets = _OpenIndex()


class DispatchItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    roles = UnicodeSetAttribute(null=True)
    count = NumberAttribute(null=True)


def bind(sla_table: str, dispatch_table: str) -> None:
    """Point the models at real tables (composition root only)."""
    for model, name in ((SlaItem, sla_table), (DispatchItem, dispatch_table)):
        if model.Meta.table_name != name:
            model.Meta.table_name = name  # PynamoDB reconnects when the name changes


def _tenant_pk(tenant_id: str) -> str:
    return f"{tenant_id}#SLA"


def _ticket_pk(tenant_id: str, ticket_id: str) -> str:
    return f"{tenant_id}#TKT#{ticket_id}"


def _figures_pk(tenant_id: str) -> str:
    return f"{tenant_id}#SLAFIG"


def _get(pk: str, sk: str) -> SlaItem | None:
    try:
        return SlaItem.get(pk, sk, consistent_read=True)
    except SlaItem.DoesNotExist:
        return None



class DynamoSlaStore:
    """Implements PolicyStore, CalendarStore, DeadlineStateStore, FiredStageLog, TicketSlaStore."""

    # ---------------------------------------------------------------- policy and calendars
    def policy_for(self, tenant_id: str) -> SlaPolicy | None:
        item = _get(_tenant_pk(tenant_id), "POLICY")
        return None if item is None else SlaPolicy.model_validate(item.doc)

    def save_policy(self, policy: SlaPolicy) -> None:
        SlaItem(pk=_tenant_pk(policy.tenant_id), sk="POLICY", doc=policy.model_dump(mode="json")).save()

    def calendars_for(self, tenant_id: str) -> dict[str, BusinessCalendar]:
        items = SlaItem.query(_tenant_pk(tenant_id), SlaItem.sk.startswith("CAL#"), consistent_read=True)
        return {c.calendar_id: c for c in (BusinessCalendar.model_validate(i.doc) for i in items)}

    def save_calendar(self, calendar: BusinessCalendar) -> None:
        SlaItem(pk=_tenant_pk(calendar.tenant_id), sk=f"CAL#{calendar.calendar_id}",
                doc=calendar.model_dump(mode="json")).save()

    # ---------------------------------------------------------------- ticket context
    def context(self, tenant_id: str, ticket_id: str) -> dict[str, Any] | None:
        item = _get(_ticket_pk(tenant_id, ticket_id), "CTX")
        return None if item is None else item.doc

    def save_context(self, tenant_id: str, ticket_id: str, doc: dict[str, Any], open_: bool) -> None:
        SlaItem(pk=_ticket_pk(tenant_id, ticket_id), sk="CTX", doc=doc,
                gsi3pk=f"{tenant_id}#OPEN" if open_ else None, gsi3sk=ticket_id if open_ else None).save()

    def open_ticket_ids(self, tenant_id: str) -> Iterator[str]:
        for item in SlaItem.open_tickets.query(f"{tenant_id}#OPEN"):
            yield item.gsi3sk

    def open_ticket_page(self, tenant_id: str, cursor: str | None, limit: int) -> tuple[list[str], str | None]:
        """Up to `limit` open ticket ids from `cursor` (an opaque string: the Query's last key), and
        the cursor of the next page (None at the end). One Query per page."""
        start = json.loads(cursor) if cursor else None
        results = SlaItem.open_tickets.query(f"{tenant_id}#OPEN", limit=limit, last_evaluated_key=start)
        ids = [item.gsi3sk for item in results]
        last = results.last_evaluated_key
        return ids, (json.dumps(last, sort_keys=True) if last and len(ids) == limit else None)

    # ---------------------------------------------------------------- deadline states
    def save_clocks(self, tenant_id: str, ticket_id: str, states: list[DeadlineState]) -> None:
        SlaItem(pk=_ticket_pk(tenant_id, ticket_id), sk="CLOCKS",
                doc={"deadlines": [s.model_dump(mode="json") for s in states]}).save()

    def clocks_for(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[DeadlineState]]:
        keys = [(_ticket_pk(tenant_id, ticket_id), "CLOCKS") for ticket_id in dict.fromkeys(ticket_ids)]
        prefix = _ticket_pk(tenant_id, "")
        return {item.pk.removeprefix(prefix): [DeadlineState.model_validate(d) for d in (item.doc or {})["deadlines"]]
                for item in SlaItem.batch_get(keys)}

    def states_for_ticket(self, tenant_id: str, ticket_id: str) -> dict[str, DeadlineState]:
        return {key: state for key, (state, _floor) in self.states_with_floor(tenant_id, ticket_id).items()}

    def states_with_floor(self, tenant_id: str, ticket_id: str
                          ) -> dict[str, tuple[DeadlineState, datetime | None]]:
        """The ticket's deadline states with their fired-stage claims merged in (one Query over the
        ticket's partition: states, claims and outcomes are a handful of items)."""
        states: dict[str, tuple[DeadlineState, datetime | None]] = {}
        claims: dict[str, set[str]] = {}
        for item in SlaItem.query(_ticket_pk(tenant_id, ticket_id), consistent_read=True):
            if item.sk.startswith("DL#"):
                state = DeadlineState.model_validate(item.doc)
                states[state.deadline.key] = (state, parse_iso(item.floor) if item.floor else None)
            elif item.sk.startswith("FIRED#"):
                metric, cycle, stage = item.sk.removeprefix("FIRED#").split("#", 2)
                claims.setdefault(f"{metric}#{cycle}", set()).add(stage)
        return {key: (with_claims(state, claims.get(key, ())), floor) for key, (state, floor) in states.items()}

    def states_in_bucket(self, bucket: str) -> Iterable[DeadlineState]:
        return (state for state, _floor in self.entries_in_bucket(bucket))

    def entries_in_bucket(self, bucket: str) -> Iterator[tuple[DeadlineState, datetime | None]]:
        for item in SlaItem.due.query(f"DUE#{bucket}"):
            yield DeadlineState.model_validate(item.doc), parse_iso(item.floor) if item.floor else None

    def save(self, state: DeadlineState, bucket: str | None, floor: datetime | None = None) -> None:
        d = state.deadline
        SlaItem(pk=_ticket_pk(d.tenant_id, d.ticket_id), sk=f"DL#{d.key}",
                doc=state.model_dump(mode="json"), floor=iso(floor) if floor else None,
                gsi1pk=f"DUE#{bucket}" if bucket else None,
                gsi1sk=f"{d.tenant_id}#{d.ticket_id}#{d.key}" if bucket else None).save()

    def save_many(self, entries: Iterable[tuple[DeadlineState, str | None]]) -> None:
        """Batched writes (bench and bulk recomputes)."""
        with SlaItem.batch_write() as batch:
            for state, bucket in entries:
                d = state.deadline
                batch.save(SlaItem(pk=_ticket_pk(d.tenant_id, d.ticket_id), sk=f"DL#{d.key}",
                                   doc=state.model_dump(mode="json"),
                                   gsi1pk=f"DUE#{bucket}" if bucket else None,
                                   gsi1sk=f"{d.tenant_id}#{d.ticket_id}#{d.key}" if bucket else None))

    def delete_state(self, tenant_id: str, ticket_id: str, key: str) -> None:
        SlaItem(pk=_ticket_pk(tenant_id, ticket_id), sk=f"DL#{key}").delete()

    # ---------------------------------------------------------------- fired-stage claims
    def claim(self, idempotency_key: str) -> bool:
        tenant_id, ticket_id, rest = _split_key(idempotency_key)
        try:
            SlaItem(pk=_ticket_pk(tenant_id, ticket_id), sk=f"FIRED#{rest}").save(
                condition=SlaItem.pk.does_not_exist())
            return True
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise

    def release(self, idempotency_key: str) -> None:
        tenant_id, ticket_id, rest = _split_key(idempotency_key)
        SlaItem(pk=_ticket_pk(tenant_id, ticket_id), sk=f"FIRED#{rest}").delete()

    # ---------------------------------------------------------------- sweep cursor
    def last_swept(self) -> datetime | None:
        item = _get("SWEEP", "CURSOR")
        return None if item is None else parse_iso(item.doc["at"])

    def set_last_swept(self, at: datetime) -> None:
        SlaItem(pk="SWEEP", sk="CURSOR", doc={"at": iso(at)}).save()

    # ---------------------------------------------------------------- outcomes and day buckets
    @cached_property
    def _db(self) -> Any:
        import boto3

        return boto3.client("dynamodb")  # the buckets' counters are named by their figure: no fixed model

    @staticmethod
    def _stored(item: SlaItem) -> StoredOutcome:
        return StoredOutcome(outcome=SlaOutcome.model_validate(item.doc), cycle=int(item.sk.rsplit("#", 1)[1]),
                             version=int(item.version or 0),
                             counted=None if item.counted is None else Contribution.model_validate(item.counted))

    def outcome(self, tenant_id: str, ticket_id: str, key: str) -> StoredOutcome | None:
        item = _get(_ticket_pk(tenant_id, ticket_id), f"OUT#{key}")
        return None if item is None else self._stored(item)

    def save_outcome(self, outcome: SlaOutcome, cycle: int, counted: Contribution,
                     delta: Mapping[date, Mapping[str, int]], expected_version: int | None) -> None:
        """One Put of the outcome conditioned on its version (a TransactWriteItems with an ADD per
        day bucket that changes); OutcomeConflict when the outcome changed or a bucket was busy."""
        decided = outcome.decided_at
        key = f"{outcome.metric}#{cycle}"
        table = SlaItem.Meta.table_name
        put: dict[str, Any] = {"TableName": table, "Item": SlaItem(
            pk=_ticket_pk(outcome.tenant_id, outcome.ticket_id), sk=f"OUT#{key}",
            doc=outcome.model_dump(mode="json"), version=(expected_version or 0) + 1,
            counted=counted.model_dump(mode="json"),
            gsi2pk=f"{outcome.tenant_id}#OUT#{decided.date().isoformat()}" if decided else None,
            gsi2sk=f"{iso(decided)}#{outcome.ticket_id}#{key}" if decided else None).serialize()}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        elif expected_version == 0:
            put["ConditionExpression"] = "attribute_exists(pk) AND attribute_not_exists(version)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        try:
            if not delta:
                self._db.put_item(**put)
                return
            updates = []
            for day, counts in sorted(delta.items()):
                names = {f"#c{i}": name for i, name in enumerate(counts)}
                updates.append({"Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": _figures_pk(outcome.tenant_id)}, "sk": {"S": f"DAY#{day.isoformat()}"}},
                    "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(names))),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {f":c{i}": {"N": str(n)} for i, n in enumerate(counts.values())}}})
            self._db.transact_write_items(TransactItems=[{"Put": put}, *updates])
        except Exception as exc:
            if client_condition_failed(exc):
                raise OutcomeConflict(key) from exc
            raise

    def figure_days(self, tenant_id: str, first: date, last: date) -> list[DayBucket]:
        out: list[DayBucket] = []
        kwargs: dict[str, Any] = {
            "TableName": SlaItem.Meta.table_name, "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":pk": {"S": _figures_pk(tenant_id)}, ":a": {"S": f"DAY#{first.isoformat()}"},
                                          ":b": {"S": f"DAY#{last.isoformat()}"}}}
        while True:
            page = self._db.query(**kwargs)
            for item in page.get("Items", []):
                out.append(DayBucket(day=date.fromisoformat(item["sk"]["S"].removeprefix("DAY#")),
                                     counts={k: int(v["N"]) for k, v in item.items() if "|" in k and "N" in v}))
            if not page.get("LastEvaluatedKey"):
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def decided_outcomes(self, tenant_id: str, utc_day: date, cursor: str | None, limit: int
                         ) -> tuple[list[StoredOutcome], str | None]:
        """One Query page of the by-day index (gsi2)."""
        pk = f"{tenant_id}#OUT#{utc_day.isoformat()}"
        results = SlaItem.outcomes_by_day.query(pk, limit=limit,
                                                last_evaluated_key=decode_cursor(cursor, index_key="gsi2pk", value=pk))
        page = [self._stored(item) for item in results]
        last = results.last_evaluated_key
        return page, (encode_cursor(last) if last and len(page) == limit else None)

    def outcomes_between(self, tenant_id: str, first_day: date, last_day: date) -> list[SlaOutcome]:
        """Decided outcomes of the UTC days [first_day, last_day]: one Query per day."""
        out, day = [], first_day
        while day <= last_day:
            out += [SlaOutcome.model_validate(i.doc)
                    for i in SlaItem.outcomes_by_day.query(f"{tenant_id}#OUT#{day.isoformat()}")]
            day += timedelta(days=1)
        return out


def _split_key(idempotency_key: str) -> tuple[str, str, str]:
    tenant_id, ticket_id, rest = idempotency_key.split("#", 2)
    return tenant_id, ticket_id, rest


class DynamoDispatchStore:
    """Agents, teams, open-ticket load counters and the customer's last agent."""

    def _pk(self, tenant_id: str) -> str:
        return f"{tenant_id}#DISPATCH"

    def agents(self, tenant_id: str) -> list[tuple[Agent, frozenset[str]]]:
        items = DispatchItem.query(self._pk(tenant_id), DispatchItem.sk.startswith("AGENT#"))
        return [(Agent.model_validate(i.doc), frozenset(i.roles or ())) for i in items]

    def agent(self, tenant_id: str, agent_id: str) -> tuple[Agent, frozenset[str]] | None:
        try:
            item = DispatchItem.get(self._pk(tenant_id), f"AGENT#{agent_id}", consistent_read=True)
        except DispatchItem.DoesNotExist:
            return None
        return Agent.model_validate(item.doc), frozenset(item.roles or ())

    def save_agent(self, tenant_id: str, agent: Agent, roles: frozenset[str]) -> None:
        DispatchItem(pk=self._pk(tenant_id), sk=f"AGENT#{agent.agent_id}", doc=agent.model_dump(mode="json"),
                     roles=set(roles) or None).save()

    def delete_agent(self, tenant_id: str, agent_id: str) -> None:
        DispatchItem(pk=self._pk(tenant_id), sk=f"AGENT#{agent_id}").delete()

    def teams(self, tenant_id: str) -> list[Team]:
        items = DispatchItem.query(self._pk(tenant_id), DispatchItem.sk.startswith("TEAM#"))
        return [Team.model_validate(i.doc) for i in items]

    def save_team(self, tenant_id: str, team: Team) -> None:
        DispatchItem(pk=self._pk(tenant_id), sk=f"TEAM#{team.team_id}", doc=team.model_dump(mode="json")).save()

    def delete_team(self, tenant_id: str, team_id: str) -> None:
        DispatchItem(pk=self._pk(tenant_id), sk=f"TEAM#{team_id}").delete()

    def loads(self, tenant_id: str) -> dict[str, int]:
        items = DispatchItem.query(self._pk(tenant_id), DispatchItem.sk.startswith("LOAD#"))
        return {i.sk.removeprefix("LOAD#"): int(i.count or 0) for i in items}

    def adjust_load(self, tenant_id: str, ticket_id: str, seq: int, deltas: Mapping[str, int]) -> bool:
        """Apply the load changes of one ticket event once (a conditional marker per event)."""
        try:
            DispatchItem(pk=f"{tenant_id}#TKT#{ticket_id}", sk=f"LOADEVT#{seq:08d}").save(
                condition=DispatchItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        for agent_id, delta in deltas.items():
            DispatchItem(pk=self._pk(tenant_id), sk=f"LOAD#{agent_id}").update(
                actions=[DispatchItem.count.add(delta)])
        return True

    def last_agent(self, tenant_id: str, customer_id: str) -> str | None:
        try:
            item = DispatchItem.get(f"{tenant_id}#CUST#{customer_id}", "LAST_AGENT")
        except DispatchItem.DoesNotExist:
            return None
        return (item.doc or {}).get("agent_id")

    def set_last_agent(self, tenant_id: str, customer_id: str, agent_id: str) -> None:
        DispatchItem(pk=f"{tenant_id}#CUST#{customer_id}", sk="LAST_AGENT", doc={"agent_id": agent_id}).save()


__all__ = ["DispatchItem", "DynamoDispatchStore", "DynamoSlaStore", "SlaItem", "bind"]
