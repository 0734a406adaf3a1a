"""PynamoDB model and stores of the outbound webhooks context.

Webhooks table (every key starts with the tenant, except the sweeper's cursor):
  pk=<tenant>#WEP                  sk=EP#<endpoint>         an endpoint (doc; enabled, failing_since, version
                                                            as attributes the delivery updates in place)
  pk=<tenant>#WEP                  sk=COUNT                 the tenant's endpoint count (capped on create)
  pk=<tenant>#WEP#<endpoint>       sk=MSG#<message>         a message (doc, attempts); ids are ULIDs, so a
                                                            Query newest first is the delivery log
  pk=<tenant>#WEP#<endpoint>       sk=ATT#<message>#<nnnn>  one attempt
  pk=SWEEP                         sk=CURSOR                the sweeper's last run
  gsi1 (sparse due index, keys only): WDUE#<5-minute bucket> / <tenant>#<endpoint>#<message> while a
        retry is due later than a queue delay allows.
Messages and attempts expire (TTL `expires`) after LOG_DAYS. No Scan anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite
from ulid import ULID

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import ConcurrentModification, Conflict, Unavailable
from aftersales.webhooks.model import MAX_ENDPOINTS, Attempt, Endpoint, Message
from aftersales.webhooks.ports import Page

LOG_DAYS = 30
ENDPOINT_FIELDS = ("enabled", "failing_since", "version")


class _DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = KeysOnlyProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class WebhookItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    enabled = BooleanAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    count = NumberAttribute(null=True)
    expires = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due = _DueIndex()


def bind(table_name: str) -> None:
    """Point the model at the real table (composition root only)."""
    if WebhookItem.Meta.table_name != table_name:
        WebhookItem.Meta.table_name = table_name


def _endpoints_pk(tenant_id: str) -> str:
    return f"{tenant_id}#WEP"


def _log_pk(tenant_id: str, endpoint_id: str) -> str:
    return f"{tenant_id}#WEP#{endpoint_id}"



def _get(pk: str, sk: str) -> WebhookItem | None:
    try:
        return WebhookItem.get(pk, sk, consistent_read=True)
    except WebhookItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise Unavailable("webhooks.store_unavailable") from exc


def _endpoint(item: WebhookItem) -> Endpoint:
    doc = dict(item.doc or {})
    doc |= {"enabled": bool(item.enabled), "version": int(item.version or 0),
            "failing_since": item.failing_since}
    return Endpoint.model_validate(doc)


def _endpoint_doc(endpoint: Endpoint) -> dict[str, Any]:
    return endpoint.model_dump(mode="json", exclude=set(ENDPOINT_FIELDS))


def _expires(at: datetime) -> int:
    return int((at + timedelta(days=LOG_DAYS)).timestamp())


class DynamoEndpointStore:
    def create(self, endpoint: Endpoint) -> None:
        pk = _endpoints_pk(endpoint.tenant_id)
        item = WebhookItem(pk, f"EP#{endpoint.endpoint_id}", doc=_endpoint_doc(endpoint), version=1,
                           enabled=endpoint.enabled)
        counter = WebhookItem(pk, "COUNT")
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(item, condition=WebhookItem.pk.does_not_exist())
                tx.update(counter, actions=[WebhookItem.count.add(1)],
                          condition=WebhookItem.count.does_not_exist() | (WebhookItem.count < MAX_ENDPOINTS))
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise Conflict("webhooks.too_many_endpoints", limit=MAX_ENDPOINTS) from exc
            raise Unavailable("webhooks.store_unavailable") from exc

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        item = _get(_endpoints_pk(tenant_id), f"EP#{endpoint_id}")
        return _endpoint(item) if item else None

    def for_tenant(self, tenant_id: str) -> list[Endpoint]:
        try:
            rows = WebhookItem.query(_endpoints_pk(tenant_id), WebhookItem.sk.startswith("EP#"), consistent_read=True)
            return [_endpoint(i) for i in rows]
        except PynamoDBException as exc:
            raise Unavailable("webhooks.store_unavailable") from exc

    def save(self, endpoint: Endpoint, expected_version: int) -> Endpoint:
        """Writes the doc, `enabled` and the version; never `failing_since` (the delivery's)."""
        item = WebhookItem(_endpoints_pk(endpoint.tenant_id), f"EP#{endpoint.endpoint_id}")
        try:
            item.update(actions=[WebhookItem.doc.set(_endpoint_doc(endpoint)),
                                 WebhookItem.enabled.set(endpoint.enabled),
                                 WebhookItem.version.set(expected_version + 1)],
                        condition=WebhookItem.version == expected_version)
        except UpdateError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("webhooks.store_unavailable") from exc
        return _endpoint(item)

    def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        pk = _endpoints_pk(tenant_id)
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.delete(WebhookItem(pk, f"EP#{endpoint_id}"), condition=WebhookItem.pk.exists())
                tx.update(WebhookItem(pk, "COUNT"), actions=[WebhookItem.count.add(-1)])
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("webhooks.store_unavailable") from exc
        return True

    def _update(self, tenant_id: str, endpoint_id: str, actions: list[Any], condition: Any) -> WebhookItem | None:
        item = WebhookItem(_endpoints_pk(tenant_id), f"EP#{endpoint_id}")
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                return None
            raise Unavailable("webhooks.store_unavailable") from exc
        return item

    def record_failure(self, tenant_id: str, endpoint_id: str, at: datetime) -> datetime | None:
        first = WebhookItem.failing_since.set(WebhookItem.failing_since | iso(at))  # kept when already set
        item = self._update(tenant_id, endpoint_id, [first], WebhookItem.pk.exists())
        return parse_iso(item.failing_since) if item and item.failing_since else None

    def record_success(self, tenant_id: str, endpoint_id: str) -> None:
        self._update(tenant_id, endpoint_id, [WebhookItem.failing_since.remove()], WebhookItem.pk.exists())

    def disable(self, tenant_id: str, endpoint_id: str, reason: str, at: datetime) -> bool:
        current = self.get(tenant_id, endpoint_id)
        if current is None or not current.enabled:
            return False
        doc = _endpoint_doc(current.model_copy(update={"disabled_reason": reason, "disabled_at": at}))
        return self._update(tenant_id, endpoint_id,
                            [WebhookItem.enabled.set(False), WebhookItem.doc.set(doc), WebhookItem.version.add(1)],
                            (WebhookItem.enabled == True) & (WebhookItem.version == current.version)  # noqa: E712
                            ) is not None


def _message_item(message: Message, bucket: str | None) -> WebhookItem:
    return WebhookItem(_log_pk(message.tenant_id, message.endpoint_id), f"MSG#{message.message_id}",
                       doc=message.model_dump(mode="json"), attempts=message.attempts,
                       expires=_expires(message.created_at),
                       gsi1pk=f"WDUE#{bucket}" if bucket else None,
                       gsi1sk=f"{message.tenant_id}#{message.endpoint_id}#{message.message_id}" if bucket else None)


class DynamoMessageStore:
    def add(self, message: Message) -> bool:
        try:
            _message_item(message, None).save(condition=WebhookItem.pk.does_not_exist())
        except PynamoDBException as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("webhooks.store_unavailable") from exc
        return True

    def get(self, tenant_id: str, endpoint_id: str, message_id: str) -> Message | None:
        item = _get(_log_pk(tenant_id, endpoint_id), f"MSG#{message_id}")
        return Message.model_validate(item.doc) if item and item.doc else None

    def record_attempt(self, message: Message, attempt: Attempt, expected_attempts: int,
                       due_bucket: str | None) -> bool:
        row = WebhookItem(_log_pk(attempt.tenant_id, attempt.endpoint_id),
                          f"ATT#{attempt.message_id}#{attempt.number:04d}", doc=attempt.model_dump(mode="json"),
                          expires=_expires(attempt.at))
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_message_item(message, due_bucket), condition=WebhookItem.attempts == expected_attempts)
                tx.save(row, condition=WebhookItem.pk.does_not_exist())
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("webhooks.store_unavailable") from exc
        return True

    def set_status(self, message: Message, expected_attempts: int) -> bool:
        try:
            _message_item(message, None).save(condition=WebhookItem.attempts == expected_attempts)
        except PynamoDBException as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("webhooks.store_unavailable") from exc
        return True

    def for_endpoint(self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None,
                     since: datetime | None = None) -> Page[Message]:
        pk = _log_pk(tenant_id, endpoint_id)
        floor = "MSG#" + ("msg_" + str(ULID.from_bytes(int(since.timestamp() * 1000).to_bytes(6, "big") + bytes(10)))
                          if since else "")
        condition = WebhookItem.sk.between(floor, f"MSG#{cursor}") if cursor else WebhookItem.sk >= floor
        try:
            rows = list(WebhookItem.query(pk, condition, scan_index_forward=False, limit=limit + 2,
                                          page_size=limit + 2))
        except PynamoDBException as exc:
            raise Unavailable("webhooks.store_unavailable") from exc
        items = [Message.model_validate(r.doc) for r in rows if r.doc and r.sk != f"MSG#{cursor}"][:limit + 1]
        return Page(items[:limit], items[limit - 1].message_id if len(items) > limit else None)

    def attempts(self, tenant_id: str, endpoint_id: str, message_id: str) -> list[Attempt]:
        try:
            rows = WebhookItem.query(_log_pk(tenant_id, endpoint_id), WebhookItem.sk.startswith(f"ATT#{message_id}#"))
            return [Attempt.model_validate(r.doc) for r in rows if r.doc]
        except PynamoDBException as exc:
            raise Unavailable("webhooks.store_unavailable") from exc

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str, str]]:
        try:
            for item in WebhookItem.due.query(f"WDUE#{bucket}"):
                tenant_id, endpoint_id, message_id = str(item.gsi1sk).split("#", 2)
                yield tenant_id, endpoint_id, message_id
        except PynamoDBException as exc:
            raise Unavailable("webhooks.store_unavailable") from exc

    def unindex(self, tenant_id: str, endpoint_id: str, message_id: str) -> None:
        item = WebhookItem(_log_pk(tenant_id, endpoint_id), f"MSG#{message_id}")
        try:
            item.update(actions=[WebhookItem.gsi1pk.remove(), WebhookItem.gsi1sk.remove()],
                        condition=WebhookItem.pk.exists())
        except UpdateError as exc:
            if not condition_failed(exc):
                raise Unavailable("webhooks.store_unavailable") from exc

    def last_swept(self) -> datetime | None:
        item = _get("SWEEP", "CURSOR")
        return parse_iso(item.doc["at"]) if item and item.doc else None

    def set_last_swept(self, at: datetime) -> None:
        WebhookItem("SWEEP", "CURSOR", doc={"at": iso(at)}).save()
