"""AnalyticsTable (boto3: counters are attributes named by their dimension value, which PynamoDB's
fixed models do not express), the export jobs, and the month's ticket ids from the tickets table.

Keys (every one starts with the tenant):
  facts    <tenant>#T#<ticket>          / G<gen>            the ticket's facts and applied seqs
  buckets  <tenant>#G<gen>#<grain>       / <period>#<metric> counters c:<dim>=<value>, amounts a:<dim>=<value>|<CUR>
  sketches <tenant>#G<gen>#<grain>#SK    / <period>          blob + version
  meta     <tenant>#META                 / GEN               live, building
  exports  <tenant>#EXPORT#<id>          / JOB               the job document + version
  listing  <tenant>#EXPORTS              / <created>#<id>    one per job, written with it (the tenant's list)
No Scan anywhere: a range of periods is one Query on its partition (paged)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from aftersales.adapters.dynamo.conditions import client_condition_failed
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.analytics.exports import ExportJob, ExportPage
from aftersales.analytics.model import BucketDelta, Period, TicketFacts
from aftersales.analytics.ports import Bucket, ProjectionConflict, StoredSketch
from aftersales.core.errors import ConcurrentModification, Unavailable
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Ticket
from aftersales.tickets.ports import TicketStore

MAX_TRANSACTION = 100
BATCH_GET = 100  # keys per BatchGetItem
BATCH_ROUNDS = 3


def _client() -> Any:
    import boto3

    return boto3.client("dynamodb")


class DynamoAnalyticsStore:
    def __init__(self, table: str) -> None:
        self._table = table
        self.requests = 0  # DynamoDB calls made (the bench reads it)

    @cached_property
    def _db(self) -> Any:
        return _client()

    def _call(self, name: str, **kwargs: Any) -> Any:
        self.requests += 1
        try:
            return getattr(self._db, name)(TableName=self._table, **kwargs) if name != "transact_write_items" \
                else self._db.transact_write_items(**kwargs)
        except Exception as exc:
            if client_condition_failed(exc):
                raise ProjectionConflict(name) from exc
            raise Unavailable("analytics.store_unavailable") from exc

    # ------------------------------------------------------------------ projection
    def facts(self, tenant_id: str, ticket_id: str, generation: int) -> TicketFacts | None:
        item = self._call("get_item", Key={"pk": {"S": f"{tenant_id}#T#{ticket_id}"}, "sk": {"S": f"G{generation}"}},
                          ConsistentRead=True).get("Item")
        return TicketFacts.model_validate_json(item["doc"]["S"]) if item else None

    def sketches(self, tenant_id: str, generation: int, periods: Sequence[Period]) -> list[StoredSketch]:
        out = []
        for p in periods:
            key = self._sketch_key(tenant_id, generation, p)
            item = self._call("get_item", Key=key, ConsistentRead=True).get("Item")
            if item:
                out.append(StoredSketch(p, item["blob"]["B"], int(item["version"]["N"])))
        return out

    @staticmethod
    def _sketch_key(tenant_id: str, generation: int, p: Period) -> dict[str, Any]:
        return {"pk": {"S": f"{tenant_id}#G{generation}#{p.grain}#SK"}, "sk": {"S": p.key}}

    def commit(self, facts: TicketFacts, generation: int, deltas: Sequence[BucketDelta],
               sketches: Sequence[StoredSketch]) -> None:
        tenant = facts.tenant_id
        items: list[dict[str, Any]] = []
        previous = facts.version - 1
        facts_put: dict[str, Any] = {
            "TableName": self._table,
            "Item": {"pk": {"S": f"{tenant}#T#{facts.ticket_id}"}, "sk": {"S": f"G{generation}"},
                     "doc": {"S": facts.model_dump_json()}, "version": {"N": str(facts.version)}}}
        if previous == 0:
            facts_put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            facts_put["ConditionExpression"] = "version = :v"
            facts_put["ExpressionAttributeValues"] = {":v": {"N": str(previous)}}
        items.append({"Put": facts_put})
        for d in deltas:
            names, values, adds = {}, {}, []
            for i, (name, n) in enumerate([*(("c:" + k, v) for k, v in d.counts.items()),
                                           *(("a:" + k, v) for k, v in d.amounts.items())]):
                names[f"#a{i}"] = name
                values[f":v{i}"] = {"N": str(n)}
                adds.append(f"#a{i} :v{i}")
            items.append({"Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": f"{tenant}#G{generation}#{d.period.grain}"},
                        "sk": {"S": f"{d.period.key}#{d.metric}"}},
                "UpdateExpression": "ADD " + ", ".join(adds),
                "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}})
        for s in sketches:
            put: dict[str, Any] = {"TableName": self._table,
                                   "Item": {**self._sketch_key(tenant, generation, s.period),
                                            "blob": {"B": s.blob or b""}, "version": {"N": str(s.version + 1)}}}
            if s.version == 0:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            else:
                put["ConditionExpression"] = "version = :v"
                put["ExpressionAttributeValues"] = {":v": {"N": str(s.version)}}
            items.append({"Put": put})
        if len(items) > MAX_TRANSACTION:
            raise Unavailable("analytics.projection_too_large", items=len(items))
        self._call("transact_write_items", TransactItems=items)

    # ------------------------------------------------------------------ reads
    def _query(self, pk: str, first: str, last: str) -> list[dict[str, Any]]:
        out, start = [], None
        while True:
            kwargs: dict[str, Any] = {
                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b",
                "ExpressionAttributeValues": {":pk": {"S": pk}, ":a": {"S": first}, ":b": {"S": last}}}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self._call("query", **kwargs)
            out += page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return out

    def buckets(self, tenant_id: str, generation: int, grain: str, first: str, last: str) -> list[Bucket]:
        out = []
        for item in self._query(f"{tenant_id}#G{generation}#{grain}", f"{first}#", f"{last}#~"):
            period, metric = item["sk"]["S"].split("#", 1)
            bucket = Bucket(Period(grain, period), metric)
            for name, value in item.items():
                if name.startswith("c:"):
                    bucket.counts[name[2:]] = int(value["N"])
                elif name.startswith("a:"):
                    bucket.amounts[name[2:]] = int(value["N"])
            out.append(bucket)
        return out

    def sketch_range(self, tenant_id: str, generation: int, grain: str, first: str, last: str
                     ) -> list[StoredSketch]:
        return [StoredSketch(Period(grain, i["sk"]["S"]), i["blob"]["B"], int(i["version"]["N"]))
                for i in self._query(f"{tenant_id}#G{generation}#{grain}#SK", first, last)]

    def opened_in(self, tenant_id: str, month: str) -> int:
        live, _ = self.generations(tenant_id)
        item = self._call("get_item", Key={"pk": {"S": f"{tenant_id}#G{live}#month"}, "sk": {"S": f"{month}#opened"}},
                          ProjectionExpression="#t", ExpressionAttributeNames={"#t": "c:all=all"}).get("Item")
        return int(item["c:all=all"]["N"]) if item else 0

    # ------------------------------------------------------------------ generations
    def _meta_key(self, tenant_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"{tenant_id}#META"}, "sk": {"S": "GEN"}}

    def generations(self, tenant_id: str) -> tuple[int, int | None]:
        item = self._call("get_item", Key=self._meta_key(tenant_id), ConsistentRead=True).get("Item")
        if not item:
            return 0, None
        building = item.get("building", {}).get("N")
        return int(item["live"]["N"]), int(building) if building is not None else None

    def start_rebuild(self, tenant_id: str) -> int:
        live, building = self.generations(tenant_id)
        if building is not None:
            return building
        try:
            self._call("update_item", Key=self._meta_key(tenant_id),
                       UpdateExpression="SET live = if_not_exists(live, :live), building = :b",
                       ConditionExpression="attribute_not_exists(building)",
                       ExpressionAttributeValues={":live": {"N": str(live)}, ":b": {"N": str(live + 1)}})
        except ProjectionConflict:
            return self.generations(tenant_id)[1] or live + 1
        return live + 1

    def finish_rebuild(self, tenant_id: str, generation: int) -> None:
        try:
            self._call("update_item", Key=self._meta_key(tenant_id), UpdateExpression="SET live = :g REMOVE building",
                       ConditionExpression="building = :g", ExpressionAttributeValues={":g": {"N": str(generation)}})
        except ProjectionConflict:
            return  # finished by an earlier delivery of the last step


class DynamoExportStore:
    def __init__(self, table: str) -> None:
        self._table = table

    @cached_property
    def _db(self) -> Any:
        return _client()

    @staticmethod
    def _key(tenant_id: str, export_id: str) -> dict[str, Any]:
        return {"pk": {"S": f"{tenant_id}#EXPORT#{export_id}"}, "sk": {"S": "JOB"}}

    def _put(self, job: ExportJob, condition: str, values: dict[str, Any] | None = None) -> None:
        kwargs: dict[str, Any] = {"TableName": self._table, "ConditionExpression": condition,
                                  "Item": {**self._key(job.tenant_id, job.export_id),
                                           "doc": {"S": job.model_dump_json()}, "version": {"N": str(job.version)}}}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        try:
            self._db.put_item(**kwargs)
        except Exception as exc:
            if client_condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("exports.store_unavailable") from exc

    @staticmethod
    def _listing_key(job: ExportJob) -> dict[str, Any]:
        return {"pk": {"S": f"{job.tenant_id}#EXPORTS"}, "sk": {"S": f"{job.created_at}#{job.export_id}"}}

    def create(self, job: ExportJob) -> None:
        """The job and its place in the tenant's list, in one transaction."""
        item = {**self._key(job.tenant_id, job.export_id), "doc": {"S": job.model_dump_json()},
                "version": {"N": str(job.version)}}
        listed = {**self._listing_key(job), "export_id": {"S": job.export_id}}
        try:
            self._db.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": self._table, "Item": listed, "ConditionExpression": "attribute_not_exists(pk)"}}])
        except Exception as exc:
            if client_condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("exports.store_unavailable") from exc

    def recent(self, tenant_id: str, *, limit: int, cursor: str | None) -> ExportPage:
        """One Query of the tenant's listing partition (newest first), then one BatchGetItem of
        those jobs for their current state."""
        pk = f"{tenant_id}#EXPORTS"
        kwargs: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": "pk = :pk",
                                  "ExpressionAttributeValues": {":pk": {"S": pk}}, "ScanIndexForward": False,
                                  "Limit": limit}
        start = decode_cursor(cursor, index_key="pk", value=pk)
        if start:
            kwargs["ExclusiveStartKey"] = start
        try:
            page = self._db.query(**kwargs)
            ids = [row["export_id"]["S"] for row in page.get("Items", [])]
            jobs = self._jobs(tenant_id, ids)
        except Exception as exc:
            raise Unavailable("exports.store_unavailable") from exc
        return ExportPage(items=[jobs[i] for i in ids if i in jobs], cursor=encode_cursor(page.get("LastEvaluatedKey")))

    def _jobs(self, tenant_id: str, ids: list[str]) -> dict[str, ExportJob]:
        """Up to BATCH_GET jobs (a page is at most that long); unprocessed keys are asked again a
        few times, then the read is unavailable (the caller retries)."""
        found: dict[str, ExportJob] = {}
        keys = [self._key(tenant_id, i) for i in dict.fromkeys(ids)][:BATCH_GET]
        wanted: dict[str, Any] = {self._table: {"Keys": keys, "ConsistentRead": True}} if keys else {}
        for _ in range(BATCH_ROUNDS):
            if not wanted:
                return found
            reply = self._db.batch_get_item(RequestItems=wanted)
            for item in reply.get("Responses", {}).get(self._table, []):
                job = ExportJob.model_validate_json(item["doc"]["S"])
                found[job.export_id] = job
            wanted = reply.get("UnprocessedKeys") or {}
        if wanted:
            raise Unavailable("exports.store_unavailable")
        return found

    def save(self, job: ExportJob) -> None:
        self._put(job, "version = :v", {":v": {"N": str(job.version - 1)}})

    def get(self, tenant_id: str, export_id: str) -> ExportJob | None:
        try:
            item = self._db.get_item(TableName=self._table, Key=self._key(tenant_id, export_id),
                                     ConsistentRead=True).get("Item")
        except Exception as exc:
            raise Unavailable("exports.store_unavailable") from exc
        return ExportJob.model_validate_json(item["doc"]["S"]) if item else None


class TicketHeaderReads:
    """The tickets context's store as the projection reads it: a header, a page of whole tickets
    (the rebuild), a chain."""

    def __init__(self, store: TicketStore) -> None:
        self._store = store
        self.requests = 0

    def get(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        self.requests += 1
        return self._store.get_ticket(tenant_id, ticket_id)

    def page(self, tenant_id: str, *, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        page = self._store.list_tickets(tenant_id, customer_id=None, status=None, limit=limit, cursor=cursor)
        self.requests += 1 + len(page.items)
        return [t for t in (self._store.get_ticket(tenant_id, h.id) for h in page.items) if t], page.cursor

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        self.requests += 1
        return self._store.audit_entries(tenant_id, ticket_id)


class MonthTicketReads:
    """A month's tickets for the export: ids by one Query page on the tenant's index (gsi1: ticket
    ids, ULIDs, in creation order), then each ticket (header + lines) and its chain."""

    def __init__(self, store: TicketStore, tickets_table: str) -> None:
        self._store = store
        self._table = tickets_table
        self.requests = 0

    @cached_property
    def _db(self) -> Any:
        return _client()

    def ticket(self, tenant_id: str, ticket_id: str) -> Ticket | None:
        self.requests += 1
        return self._store.get_ticket(tenant_id, ticket_id)

    def audit_entries(self, tenant_id: str, ticket_id: str) -> list[AuditEntry]:
        self.requests += 1
        return self._store.audit_entries(tenant_id, ticket_id)

    def page(self, tenant_id: str, first_id: str, last_id: str, *, limit: int, cursor: str | None
             ) -> tuple[list[str], str | None]:
        self.requests += 1
        kwargs: dict[str, Any] = {
            "TableName": self._table, "IndexName": "gsi1", "Limit": limit, "ProjectionExpression": "gsi1sk",
            "KeyConditionExpression": "gsi1pk = :pk AND gsi1sk BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":pk": {"S": f"{tenant_id}#T"}, ":a": {"S": first_id}, ":b": {"S": last_id}}}
        if cursor:
            kwargs["ExclusiveStartKey"] = json.loads(cursor)
        try:
            result = self._db.query(**kwargs)
        except Exception as exc:
            raise Unavailable("exports.tickets_unavailable") from exc
        last = result.get("LastEvaluatedKey")
        return [i["gsi1sk"]["S"] for i in result.get("Items", [])], json.dumps(last) if last else None
