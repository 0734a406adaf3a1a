"""DynamoDB store of tenants' sentiment models (SentimentTable, PynamoDB):

  <tenant>#SENTIMENT   MODEL                 the current refit (`model`, none: the shipped model), the
                                             last refit, reviews published since it (`rated`),
                                             `revision`; gsi1 while the tenant is due
  <tenant>#SENTIMENT   RUN#<at>#<version>    one refit, won or lost (the history)

gsi1 (`REFIT_DUE`, `<due at>#<tenant>`, keys only) is sparse: an item is in it from the moment the
schedule rule makes the tenant due until its refit is stored, so the sweep reads the due tenants
with one query and nothing here scans. Counter updates do not touch the index (keys only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError, UpdateError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import ConcurrentModification, Unavailable
from aftersales.sentiment.refit import RatedReview
from aftersales.sentiment.refit_schedule import RefitRun, RefitState, TenantModel

MODEL_SK, RUN_PREFIX, DUE_PK = "MODEL", "RUN#", "REFIT_DUE"
UNAVAILABLE = "sentiment.analysis_unavailable"


class DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = KeysOnlyProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class SentimentItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    model = JSONAttribute(null=True)
    last_run = JSONAttribute(null=True)
    run = JSONAttribute(null=True)
    rated = NumberAttribute(null=True)
    revision = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due = DueIndex()


def bind(table_name: str) -> None:
    if SentimentItem.Meta.table_name != table_name:
        SentimentItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes


def tenant_pk(tenant_id: str) -> str:
    return f"{tenant_id}#SENTIMENT"


def _due_sk(tenant_id: str, due_at: datetime) -> str:
    return f"{iso(due_at)}#{tenant_id}"


def _state(row: SentimentItem | None) -> RefitState:
    if row is None:
        return RefitState()
    return RefitState(model=TenantModel.model_validate(row.model) if row.model else None,
                      rated_since_refit=int(row.rated or 0),
                      last_run=RefitRun.model_validate(row.last_run) if row.last_run else None,
                      due_at=parse_iso(row.gsi1sk.split("#", 1)[0]) if row.gsi1sk else None,
                      revision=int(row.revision or 0))



class DynamoRefitStore:
    def current_model(self, tenant_id: str) -> TenantModel | None:
        try:
            row = SentimentItem.get(tenant_pk(tenant_id), MODEL_SK, attributes_to_get=["model"])
        except SentimentItem.DoesNotExist:
            return None
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return TenantModel.model_validate(row.model) if row.model else None

    def state(self, tenant_id: str) -> RefitState:
        try:
            return _state(SentimentItem.get(tenant_pk(tenant_id), MODEL_SK, consistent_read=True))
        except SentimentItem.DoesNotExist:
            return RefitState()
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def count_rated(self, tenant_id: str, n: int) -> RefitState:
        row = SentimentItem(tenant_pk(tenant_id), MODEL_SK)
        try:
            row.update(actions=[SentimentItem.rated.add(n)])  # ALL_NEW: the row holds the item after it
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc
        return _state(row)

    def mark_due(self, tenant_id: str, due_at: datetime) -> None:
        row = SentimentItem(tenant_pk(tenant_id), MODEL_SK)
        try:
            row.update(actions=[SentimentItem.gsi1pk.set(DUE_PK), SentimentItem.gsi1sk.set(_due_sk(tenant_id, due_at))],
                       condition=SentimentItem.gsi1pk.does_not_exist())
        except UpdateError as exc:
            if not condition_failed(exc):
                raise Unavailable(UNAVAILABLE) from exc  # else: already due

    def due(self, now: datetime, limit: int) -> list[str]:
        try:
            rows = SentimentItem.due.query(DUE_PK, SentimentItem.gsi1sk <= f"{iso(now)}~", limit=limit)
            return [row.pk.removesuffix("#SENTIMENT") for row in rows]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc

    def record(self, tenant_id: str, run: RefitRun, model: TenantModel | None, *, counted: int,
               expected_revision: int) -> None:
        pk = tenant_pk(tenant_id)
        actions: list[Any] = [SentimentItem.last_run.set(run.model_dump(mode="json")),
                              SentimentItem.revision.set(expected_revision + 1),
                              SentimentItem.gsi1pk.remove(), SentimentItem.gsi1sk.remove()]
        actions.append(SentimentItem.model.set(model.model_dump(mode="json")) if model
                       else SentimentItem.model.remove())
        if counted:
            actions.append(SentimentItem.rated.add(-counted))
        same = SentimentItem.revision == expected_revision
        condition = (SentimentItem.revision.does_not_exist() | same) if expected_revision == 0 else same
        history = SentimentItem(pk, f"{RUN_PREFIX}{iso(run.at)}#{run.candidate_version}",
                                run=run.model_dump(mode="json"))
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.update(SentimentItem(pk, MODEL_SK), actions=actions, condition=condition)
                tx.save(history)
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable(UNAVAILABLE) from exc

    def history(self, tenant_id: str, limit: int) -> list[RefitRun]:
        try:
            rows = SentimentItem.query(tenant_pk(tenant_id), SentimentItem.sk.startswith(RUN_PREFIX),
                                       scan_index_forward=False, limit=limit)
            return [RefitRun.model_validate(row.run) for row in rows]
        except PynamoDBException as exc:
            raise Unavailable(UNAVAILABLE) from exc


class DynamoRatedReviews:
    """A tenant's newest published reviews with their stars, from the reviews table's status index
    (gsi2: `<tenant>#STATUS#published`, newest change first); the reviews table must be bound."""

    def newest(self, tenant_id: str, limit: int) -> list[RatedReview]:
        from aftersales.adapters.dynamo.reviews import ReviewItem
        from aftersales.reviews.model import Review, ReviewStatus

        try:
            rows = list(ReviewItem.by_status.query(f"{tenant_id}#STATUS#{ReviewStatus.PUBLISHED.value}",
                                                   scan_index_forward=False, limit=limit))
        except PynamoDBException as exc:
            raise Unavailable("reviews.store_unavailable") from exc
        rated = []
        for row in rows:
            content = Review.model_validate(row.doc).content
            text = f"{content.title}\n{content.text}" if content.title else content.text  # as moderation read it
            rated.append(RatedReview(review_id=str(row.review_id), text=text, stars=content.rating))
        return rated
