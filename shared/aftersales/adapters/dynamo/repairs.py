"""DynamoDB store of the repairs context (its own table, PynamoDB):

  <tenant>#JOB#<job id>            JOB                 the job (doc, version); on gsi1, and gsi2 once assigned
  <tenant>#JOB#<job id>            PART#<nnn>          a fitted part (trace); gsi2 by its serial, gsi3 by its batch
  <tenant>#JOB#<job id>            REMOVED#<nnn>       the part it replaced (trace); gsi2 by the removed serial
  <tenant>#TICKET#<ticket id>      JOB#<attempt>       the ticket's job of that attempt (one per attempt)
  <tenant>#PROVIDERS               PROVIDER#<id>       a provider (doc)
  <tenant>#PROVIDER#<id>           TECH#<id>           its technician (doc)
  <tenant>#PARTS                   PART#<part number>  a catalogue part (doc)

gsi1 (`<tenant>#PROVIDER#<id>`, `O#<job id>` while open / `Z#<job id>` once declined or closed)
lists a provider's jobs, open ones first, and counts its open jobs (its load) with one Query;
gsi2 (`<tenant>#SERIAL#<serial>`) answers "serial → job → customer" and, on the job rows,
(`<tenant>#TECHNICIAN#<provider id>#<technician id>`, `O#`/`Z#<job id>`) lists the jobs assigned to a
technician (its key's jobs; the key spaces never meet); gsi3
(`<tenant>#BATCH#<batch>`) "which customers got batch B-17?", both keys-and-trace projections
paged by Query. (An unanswered offer is the SLA engine's: `repair_accept`.) A job is created with its ticket link
in one TransactWrite (each conditional on not existing); a save is conditional on the version read
and writes the parts recorded by that move (idempotent puts, keyed by position) in the same
transaction. Nothing here scans.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.attributes import Utf8JsonAttribute
from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso
from aftersales.core.errors import ConcurrentModification, Conflict, Unavailable
from aftersales.repairs.model import Job, Part, PartUse, Provider, Technician
from aftersales.repairs.ports import JobPage, PartTrace, TracePage

JOB_SK = "JOB"
UNAVAILABLE = "repairs.store_unavailable"


class ByProvider(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class BySerial(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByBatch(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class RepairItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = Utf8JsonAttribute(null=True)
    version = NumberAttribute(null=True)
    job_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_provider = ByProvider()
    by_serial = BySerial()
    by_batch = ByBatch()


def bind(table_name: str) -> None:
    """Point the model at the real table (composition root only)."""
    if RepairItem.Meta.table_name != table_name:
        RepairItem.Meta.table_name = table_name


def job_pk(tenant_id: str, job_id: str) -> str:
    return f"{tenant_id}#JOB#{job_id}"


def provider_key(tenant_id: str, provider_id: str) -> str:
    return f"{tenant_id}#PROVIDER#{provider_id}"


def serial_key(tenant_id: str, serial: str) -> str:
    return f"{tenant_id}#SERIAL#{serial}"


def batch_key(tenant_id: str, batch: str) -> str:
    return f"{tenant_id}#BATCH#{batch}"


def technician_key(tenant_id: str, provider_id: str, technician_id: str) -> str:
    return f"{tenant_id}#TECHNICIAN#{provider_id}#{technician_id}"


def _job_row(job: Job) -> RepairItem:
    state = f"{'O' if job.is_open else 'Z'}#{job.job_id}"
    row = RepairItem(job_pk(job.tenant_id, job.job_id), JOB_SK, doc=job.model_dump(mode="json"),
                     version=job.version, job_id=job.job_id, gsi1pk=provider_key(job.tenant_id, job.provider_id),
                     gsi1sk=state)
    if job.technician_id:
        row.gsi2pk, row.gsi2sk = technician_key(job.tenant_id, job.provider_id, job.technician_id), state
    return row


def _trace(job: Job, use: PartUse) -> dict[str, Any]:
    return {"tenant_id": job.tenant_id, "job_id": job.job_id, "ticket_id": job.ticket_id,
            "customer_id": job.customer_id, "provider_id": job.provider_id, "part_number": use.part_number,
            "serial": use.serial, "batch": use.batch, "removed_serial": use.removed_serial,
            "recorded_at": iso(use.recorded_at)}


def _part_rows(job: Job, position: int, use: PartUse) -> list[RepairItem]:
    trace, pk, sort = _trace(job, use), job_pk(job.tenant_id, job.job_id), f"{job.job_id}#{position:03d}"
    fitted = RepairItem(pk, f"PART#{position:03d}", doc=trace, job_id=job.job_id)
    if use.serial:
        fitted.gsi2pk, fitted.gsi2sk = serial_key(job.tenant_id, use.serial), sort
    if use.batch:
        fitted.gsi3pk, fitted.gsi3sk = batch_key(job.tenant_id, use.batch), sort
    rows = [fitted]
    if use.removed_serial:
        rows.append(RepairItem(pk, f"REMOVED#{position:03d}", doc=trace, job_id=job.job_id,
                               gsi2pk=serial_key(job.tenant_id, use.removed_serial), gsi2sk=sort))
    return rows






class DynamoRepairStore:
    # ------------------------------------------------------------------ jobs
    def create_job(self, job: Job) -> None:
        link = RepairItem(f"{job.tenant_id}#TICKET#{job.ticket_id}", f"JOB#{job.attempt:03d}", job_id=job.job_id)
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_job_row(job), condition=RepairItem.pk.does_not_exist())
                tx.save(link, condition=RepairItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise Conflict("repairs.already_offered", ticket_id=job.ticket_id) from exc
            raise Unavailable(UNAVAILABLE) from exc

    def save_job(self, job: Job, expected_version: int) -> None:
        """The job over the version read, and the parts this move recorded, in one transaction."""
        new_parts = [(i, u) for i, u in enumerate(job.parts) if u.recorded_at == job.updated_at]
        try:
            if not new_parts:
                _job_row(job).save(condition=RepairItem.version == expected_version)
                return
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_job_row(job), condition=RepairItem.version == expected_version)
                for position, use in new_parts:
                    for row in _part_rows(job, position, use):
                        tx.save(row)
        except PynamoDBException as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable(UNAVAILABLE) from exc

    def get_job(self, tenant_id: str, job_id: str) -> Job | None:
        try:
            row = RepairItem.get(job_pk(tenant_id, job_id), JOB_SK, consistent_read=True)
        except RepairItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return Job.model_validate(row.doc)

    def jobs_for_ticket(self, tenant_id: str, ticket_id: str) -> list[Job]:
        """The ticket's jobs by attempt: one Query of its links, one BatchGet of the jobs."""
        try:
            ids = [str(link.job_id) for link in RepairItem.query(
                f"{tenant_id}#TICKET#{ticket_id}", RepairItem.sk.startswith("JOB#"), consistent_read=True)]
            rows = list(RepairItem.batch_get([(job_pk(tenant_id, i), JOB_SK) for i in ids],
                                             consistent_read=True)) if ids else []
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return sorted((Job.model_validate(row.doc) for row in rows), key=lambda j: j.attempt)

    def jobs_for_provider(self, tenant_id: str, provider_id: str, *, open_only: bool, limit: int,
                          cursor: str | None) -> JobPage:
        key = provider_key(tenant_id, provider_id)
        condition = RepairItem.gsi1sk.startswith("O#") if open_only else None
        return self._jobs_page(RepairItem.by_provider, "gsi1pk", key, condition, limit, cursor)

    def jobs_for_technician(self, tenant_id: str, provider_id: str, technician_id: str, *, open_only: bool,
                            limit: int, cursor: str | None) -> JobPage:
        key = technician_key(tenant_id, provider_id, technician_id)
        condition = RepairItem.gsi2sk.startswith("O#") if open_only else None
        return self._jobs_page(RepairItem.by_serial, "gsi2pk", key, condition, limit, cursor)

    @staticmethod
    def _jobs_page(index: GlobalSecondaryIndex, index_key: str, key: str, condition: Any, limit: int,
                   cursor: str | None) -> JobPage:
        try:
            results = index.query(key, condition, limit=limit,
                                  last_evaluated_key=decode_cursor(cursor, index_key=index_key, value=key))
            items = [Job.model_validate(row.doc) for row in results]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return JobPage(items=items, cursor=encode_cursor(results.last_evaluated_key))

    def open_jobs(self, tenant_id: str, provider_id: str) -> int:
        try:
            return RepairItem.by_provider.count(provider_key(tenant_id, provider_id),
                                                RepairItem.gsi1sk.startswith("O#"))
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def by_serial(self, tenant_id: str, serial: str) -> list[PartTrace]:
        try:
            return [PartTrace(**row.doc) for row in RepairItem.by_serial.query(serial_key(tenant_id, serial))]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def by_batch(self, tenant_id: str, batch: str, *, limit: int, cursor: str | None) -> TracePage:
        key = batch_key(tenant_id, batch)
        try:
            results = RepairItem.by_batch.query(key, limit=limit, last_evaluated_key=decode_cursor(
                cursor, index_key="gsi3pk", value=key))
            items = [PartTrace(**row.doc) for row in results]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return TracePage(items=items, cursor=encode_cursor(results.last_evaluated_key))

    # ------------------------------------------------------------------ registry
    def _put(self, pk: str, sk: str, doc: dict[str, Any]) -> None:
        try:
            RepairItem(pk, sk, doc=doc).save()
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            return RepairItem.get(pk, sk, consistent_read=True).doc
        except RepairItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def _docs(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        try:
            return [row.doc for row in RepairItem.query(pk, RepairItem.sk.startswith(prefix))]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def put_provider(self, provider: Provider) -> None:
        self._put(f"{provider.tenant_id}#PROVIDERS", f"PROVIDER#{provider.provider_id}",
                  provider.model_dump(mode="json"))

    def get_provider(self, tenant_id: str, provider_id: str) -> Provider | None:
        doc = self._get(f"{tenant_id}#PROVIDERS", f"PROVIDER#{provider_id}")
        return Provider.model_validate(doc) if doc else None

    def providers(self, tenant_id: str) -> list[Provider]:
        return [Provider.model_validate(d) for d in self._docs(f"{tenant_id}#PROVIDERS", "PROVIDER#")]

    def put_technician(self, technician: Technician) -> None:
        self._put(provider_key(technician.tenant_id, technician.provider_id), f"TECH#{technician.technician_id}",
                  technician.model_dump(mode="json"))

    def get_technician(self, tenant_id: str, provider_id: str, technician_id: str) -> Technician | None:
        doc = self._get(provider_key(tenant_id, provider_id), f"TECH#{technician_id}")
        return Technician.model_validate(doc) if doc else None

    def technicians(self, tenant_id: str, provider_id: str) -> list[Technician]:
        return [Technician.model_validate(d) for d in self._docs(provider_key(tenant_id, provider_id), "TECH#")]

    def put_part(self, part: Part) -> None:
        self._put(f"{part.tenant_id}#PARTS", f"PART#{part.part_number}", part.model_dump(mode="json"))

    def get_part(self, tenant_id: str, part_number: str) -> Part | None:
        doc = self._get(f"{tenant_id}#PARTS", f"PART#{part_number}")
        return Part.model_validate(doc) if doc else None

    def parts(self, tenant_id: str) -> list[Part]:
        return [Part.model_validate(d) for d in self._docs(f"{tenant_id}#PARTS", "PART#")]
