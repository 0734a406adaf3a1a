"""DynamoDB store of the disputes context (its own table, PynamoDB):

  <tenant>#DISPUTE#<dispute id>          DISPUTE          the dispute (doc, version); always on gsi1
  <tenant>#TICKET#<ticket id>            DISPUTE#<id>     the ticket's dispute (one per dispute)
  <tenant>#TICKET#<ticket id>            CUSTOMER         the claim: one customer dispute per ticket
  <tenant>#CASE#<provider>#<case id>     CASE             the claim: one record per platform case
  DSWEEP                                 CURSOR           the overdue sweep's last run

gsi1 (`<tenant>#DSTATUS#<status>`, `<due_at>#<id>`; a closed dispute, which has no due time,
`~<updated_at>#<id>` so it sorts after any due time) is the arbitrators' queue: one Query per page,
soonest due first. gsi2 (sparse, keys only: `DDUE#<5-minute bucket>`, `<tenant>#<id>`) holds
every open dispute under the bucket of its due time (or of its last change, when that was already
past it) until the overdue sweep settles it; the sweep reads the buckets since its last run.
A create writes the dispute, its ticket link and its claim in one TransactWrite,
each conditional on not existing, so a clash writes nothing. A save is conditional on the version
read. The ticket's disputes are a Query of its partition (the links) and one BatchGet of the
disputes, both strongly consistent. Nothing here scans.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.attributes import Utf8JsonAttribute
from aftersales.adapters.dynamo.conditions import cancellation_reasons, condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, Unavailable
from aftersales.disputes.model import Dispute, DisputeStatus, Source
from aftersales.disputes.ports import Page
from aftersales.sla.due_index import index_bucket

DISPUTE_SK, CUSTOMER_SK, CASE_SK, LINK_PREFIX = "DISPUTE", "CUSTOMER", "CASE", "DISPUTE#"
DUE_PREFIX, SWEEP_PK, SWEEP_SK = "DDUE#", "DSWEEP", "CURSOR"
UNAVAILABLE = "disputes.store_unavailable"


class ByStatusDue(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByDueBucket(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = KeysOnlyProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)



class DisputeItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = Utf8JsonAttribute(null=True)
    version = NumberAttribute(null=True)
    dispute_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    by_status_due = ByStatusDue()
    by_due_bucket = ByDueBucket()


def bind(table_name: str) -> None:
    """Point the model at the real table (composition root only)."""
    if DisputeItem.Meta.table_name != table_name:
        DisputeItem.Meta.table_name = table_name


def dispute_pk(tenant_id: str, dispute_id: str) -> str:
    return f"{tenant_id}#DISPUTE#{dispute_id}"


def ticket_pk(tenant_id: str, ticket_id: str) -> str:
    return f"{tenant_id}#TICKET#{ticket_id}"


def case_pk(tenant_id: str, provider: str, case_id: str) -> str:
    return f"{tenant_id}#CASE#{provider}#{case_id}"


def queue_pk(tenant_id: str, status: DisputeStatus) -> str:
    return f"{tenant_id}#DSTATUS#{status.value}"


def queue_sk(dispute: Dispute) -> str:
    if dispute.due_at is None:
        return f"~{iso(dispute.updated_at)}#{dispute.id}"
    return f"{iso(dispute.due_at)}#{dispute.id}"


def _row(dispute: Dispute) -> DisputeItem:
    row = DisputeItem(dispute_pk(dispute.tenant_id, dispute.id), DISPUTE_SK, doc=dispute.model_dump(mode="json"),
                      version=dispute.version, dispute_id=dispute.id,
                      gsi1pk=queue_pk(dispute.tenant_id, dispute.status), gsi1sk=queue_sk(dispute))
    if dispute.due_at is not None:  # open: the overdue sweep looks at it when it falls due
        row.gsi2pk = DUE_PREFIX + index_bucket(dispute.due_at, dispute.updated_at)
        row.gsi2sk = f"{dispute.tenant_id}#{dispute.id}"
    return row






class DynamoDisputeStore:
    def create(self, dispute: Dispute) -> None:
        """The dispute, its ticket link and its claim (the ticket's customer dispute, or the
        platform case) in one transaction; a clash writes nothing."""
        if dispute.source == Source.CUSTOMER:
            claim = DisputeItem(ticket_pk(dispute.tenant_id, dispute.ticket_id), CUSTOMER_SK,
                                dispute_id=dispute.id)
        elif dispute.platform is not None:
            claim = DisputeItem(case_pk(dispute.tenant_id, dispute.platform.provider, dispute.platform.case_id),
                                CASE_SK, dispute_id=dispute.id)
        else:
            raise InvalidRequest("disputes.platform_case_missing", field="platform")
        link = DisputeItem(ticket_pk(dispute.tenant_id, dispute.ticket_id), LINK_PREFIX + dispute.id,
                           dispute_id=dispute.id)
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_row(dispute), condition=DisputeItem.pk.does_not_exist())
                tx.save(claim, condition=DisputeItem.pk.does_not_exist())
                tx.save(link, condition=DisputeItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise Unavailable(UNAVAILABLE) from exc
            reasons = cancellation_reasons(exc)
            same_id = bool(reasons) and reasons[0] == "ConditionalCheckFailed"
            claimed = len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed"
            if claimed and not same_id and dispute.source == Source.CUSTOMER:
                raise Conflict("disputes.already_raised", ticket_id=dispute.ticket_id,
                               dispute_id=self._claimant(claim) or dispute.id) from exc
            # the same id again, or a platform case another delivery joined first: read it again
            raise ConcurrentModification("error.concurrent_modification") from exc

    @staticmethod
    def _claimant(claim: DisputeItem) -> str | None:
        try:
            return DisputeItem.get(claim.pk, claim.sk, consistent_read=True).dispute_id
        except DisputeItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def save(self, dispute: Dispute, expected_version: int) -> None:
        try:
            _row(dispute).save(condition=DisputeItem.version == expected_version)
        except PynamoDBException as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable(UNAVAILABLE) from exc

    def get(self, tenant_id: str, dispute_id: str) -> Dispute | None:
        try:
            row = DisputeItem.get(dispute_pk(tenant_id, dispute_id), DISPUTE_SK, consistent_read=True)
        except DisputeItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return Dispute.model_validate(row.doc)

    def for_ticket(self, tenant_id: str, ticket_id: str) -> list[Dispute]:
        """The ticket's disputes, oldest first (ids are sortable)."""
        try:
            ids = [str(link.dispute_id) for link in DisputeItem.query(
                ticket_pk(tenant_id, ticket_id), DisputeItem.sk.startswith(LINK_PREFIX), consistent_read=True)]
            rows = list(DisputeItem.batch_get([(dispute_pk(tenant_id, i), DISPUTE_SK) for i in ids],
                                              consistent_read=True)) if ids else []
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return sorted((Dispute.model_validate(row.doc) for row in rows), key=lambda d: d.id)

    def for_platform_case(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None:
        try:
            claim = DisputeItem.get(case_pk(tenant_id, provider, case_id), CASE_SK, consistent_read=True)
        except DisputeItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return self.get(tenant_id, str(claim.dispute_id))

    def queue(self, tenant_id: str, status: DisputeStatus, *, limit: int, cursor: str | None) -> Page:
        """Disputes in `status`, the soonest due first: one Query of gsi1 per page."""
        key = queue_pk(tenant_id, status)
        start = decode_cursor(cursor, index_key="gsi1pk", value=key)
        try:
            results = DisputeItem.by_status_due.query(key, scan_index_forward=True, limit=limit,
                                                      last_evaluated_key=start)
            items = [Dispute.model_validate(row.doc) for row in results]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return Page(items=items, cursor=encode_cursor(results.last_evaluated_key))


class DynamoDueDisputes:
    """The overdue sweep's side of the table: the due index across tenants and the sweep's cursor."""

    def due_in_bucket(self, bucket: str) -> list[tuple[str, str]]:
        try:
            keys = [str(row.gsi2sk) for row in DisputeItem.by_due_bucket.query(DUE_PREFIX + bucket)]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return [(tenant_id, dispute_id) for tenant_id, dispute_id in (key.rsplit("#", 1) for key in keys)]

    def settle(self, tenant_id: str, dispute_id: str, version: int) -> None:
        try:
            DisputeItem(dispute_pk(tenant_id, dispute_id), DISPUTE_SK).update(
                actions=[DisputeItem.gsi2pk.remove(), DisputeItem.gsi2sk.remove()],
                condition=DisputeItem.version == version)
        except PynamoDBException as exc:
            if condition_failed(exc):
                return  # it changed meanwhile: the change indexed it again, under its new due time
            raise Unavailable(UNAVAILABLE) from exc

    def last_swept(self) -> datetime | None:
        try:
            row = DisputeItem.get(SWEEP_PK, SWEEP_SK, consistent_read=True)
        except DisputeItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return parse_iso(row.doc["at"]) if row.doc else None

    def set_last_swept(self, at: datetime) -> None:
        try:
            DisputeItem(SWEEP_PK, SWEEP_SK, doc={"at": iso(at)}).save()
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
