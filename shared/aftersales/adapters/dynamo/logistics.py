"""DynamoDB adapter of the logistics context.

logistics table:
  <t>#PARCEL#<tracking>  STATE                       parcel state + registration (optimistic lock)
                         EVT#<provider>#<event id>   each provider event once (the dedupe key)
  gsi1 (sparse watch index): gsi1pk = WATCH#<yyyy-mm-dd of the watch time>,
                             gsi1sk = <watch iso>#<tenant>#<tracking>
The sweep queries one bucket per day since its look-back; only parcels with a pending check are
indexed, so its cost follows the parcels due, never the table size.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso
from aftersales.core.errors import ConcurrentModification
from aftersales.logistics.events import TrackingEvent
from aftersales.logistics.ports import Parcel, StoredEvent


class WatchIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ParcelItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    version = NumberAttribute(default=0)
    doc = JSONAttribute()
    acted = BooleanAttribute(default=False)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    watch = WatchIndex()


def bind_logistics(table_name: str) -> None:
    if ParcelItem.Meta.table_name != table_name:
        ParcelItem.Meta.table_name = table_name


def parcel_pk(tenant_id: str, tracking_number: str) -> str:
    return f"{tenant_id}#PARCEL#{tracking_number}"


def _event_sk(provider: str, event_id: str) -> str:
    return f"EVT#{provider}#{event_id}"


def _state_item(parcel: Parcel) -> ParcelItem:
    item = ParcelItem(pk=parcel_pk(parcel.tenant_id, parcel.tracking_number), sk="STATE",
                      version=parcel.version + 1,
                      doc=parcel.model_dump(mode="json", exclude={"version"}))
    if parcel.watch_at is not None:
        item.gsi1pk = f"WATCH#{parcel.watch_at.strftime('%Y-%m-%d')}"
        item.gsi1sk = f"{iso(parcel.watch_at)}#{parcel.tenant_id}#{parcel.tracking_number}"
    return item


def _condition(parcel: Parcel):
    return ParcelItem.pk.does_not_exist() if parcel.version == 0 else ParcelItem.version == parcel.version


def _conflict(exc: Exception) -> bool:
    if getattr(exc, "cause_response_code", None) in ("ConditionalCheckFailedException",
                                                     "TransactionCanceledException"):
        return True
    return any(r is not None and r.code == "ConditionalCheckFailed"
               for r in (getattr(exc, "cancellation_reasons", None) or []))


class DynamoParcelStore:
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection

    def get(self, tenant_id: str, tracking_number: str) -> Parcel | None:
        try:
            item = ParcelItem.get(parcel_pk(tenant_id, tracking_number), "STATE", consistent_read=True)
        except ParcelItem.DoesNotExist:
            return None
        return Parcel.model_validate({**item.doc, "version": int(item.version)})

    def record(self, parcel: Parcel, event: TrackingEvent, received_at: datetime) -> bool:
        pk = parcel_pk(parcel.tenant_id, parcel.tracking_number)
        stored = StoredEvent(event=event, received_at=received_at)
        try:
            with TransactWrite(connection=self._conn()) as tx:
                tx.save(ParcelItem(pk=pk, sk=_event_sk(event.provider.value, event.provider_event_id),
                                   doc=stored.model_dump(mode="json"), acted=False),
                        condition=ParcelItem.pk.does_not_exist())
                tx.save(_state_item(parcel), condition=_condition(parcel))
        except TransactWriteError as exc:
            reasons = getattr(exc, "cancellation_reasons", None) or []
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                return False  # the event id is already stored: a redelivery
            if _conflict(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise
        return True

    def save(self, parcel: Parcel) -> None:
        try:
            _state_item(parcel).save(condition=_condition(parcel))
        except PutError as exc:
            if _conflict(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise

    def events(self, tenant_id: str, tracking_number: str) -> list[StoredEvent]:
        return [StoredEvent.model_validate({**i.doc, "acted": bool(i.acted)})
                for i in ParcelItem.query(parcel_pk(tenant_id, tracking_number), ParcelItem.sk.startswith("EVT#"),
                                          consistent_read=True)]

    def event(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> StoredEvent | None:
        try:
            item = ParcelItem.get(parcel_pk(tenant_id, tracking_number), _event_sk(provider, event_id),
                                  consistent_read=True)
        except ParcelItem.DoesNotExist:
            return None
        return StoredEvent.model_validate({**item.doc, "acted": bool(item.acted)})

    def mark_acted(self, tenant_id: str, tracking_number: str, provider: str, event_id: str) -> None:
        ParcelItem(pk=parcel_pk(tenant_id, tracking_number), sk=_event_sk(provider, event_id)).update(
            actions=[ParcelItem.acted.set(True)])

    def due(self, until: datetime, since: datetime) -> list[Parcel]:
        found: list[Parcel] = []
        day = since.date()
        while day <= until.date():
            for item in ParcelItem.watch.query(f"WATCH#{day.isoformat()}", ParcelItem.gsi1sk <= iso(until)):
                found.append(Parcel.model_validate({**item.doc, "version": int(item.version)}))
            day += timedelta(days=1)
        return found

    def _conn(self) -> Connection:
        return self._connection or transactions()
