"""PynamoDB model and store of the surveys context.

Surveys table (every key starts with the tenant, except the sweeper's cursor):
  pk=<tenant>#SURVEY#<survey>        sk=SURVEY      the survey (doc) and its version
  pk=<tenant>#TICKET#<ticket>        sk=SURVEY      the ticket's latest survey id
  pk=<tenant>#SCUST#<customer>       sk=HISTORY     what the customer was sent, unsubscribe (doc, version)
  pk=<tenant>#SURVEYS                sk=SETTINGS    the tenant's survey settings
  pk=<tenant>#SFIG#<dim>#<period>    sk=<value>     figure counters (ADD on send and answer)
  pk=SWEEP                           sk=CURSOR      the sweeper's last run
  gsi1 (sparse due index, keys only): SDUE#<bucket> / <tenant>#<survey>; present while the sweep
        has something to do with the survey (send, reminder, a pending follow-up), so a sweep reads
        the buckets since its last run and never the pending surveys of later buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import ConcurrentModification, Unavailable
from aftersales.surveys.model import ContactHistory, FigureChange, Survey, SurveyRules, Tally

COUNTERS = tuple(Tally.model_fields)
SURVEY_SK, HISTORY_SK = "SURVEY", "HISTORY"


class _DueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = KeysOnlyProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class SurveyItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    survey_id = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    sent = NumberAttribute(null=True)
    answered = NumberAttribute(null=True)
    promoters = NumberAttribute(null=True)
    passives = NumberAttribute(null=True)
    detractors = NumberAttribute(null=True)
    csat_answers = NumberAttribute(null=True)
    csat_satisfied = NumberAttribute(null=True)
    csat_sum = NumberAttribute(null=True)
    due = _DueIndex()


def bind(table_name: str) -> None:
    """Point the model at the real table (composition root only)."""
    if SurveyItem.Meta.table_name != table_name:
        SurveyItem.Meta.table_name = table_name


def survey_pk(tenant_id: str, survey_id: str) -> str:
    return f"{tenant_id}#SURVEY#{survey_id}"


def _ticket_pk(tenant_id: str, ticket_id: str) -> str:
    return f"{tenant_id}#TICKET#{ticket_id}"


def _history_pk(tenant_id: str, customer_id: str) -> str:
    return f"{tenant_id}#SCUST#{customer_id}"


def _figures_pk(tenant_id: str, dimension: str, period: str) -> str:
    return f"{tenant_id}#SFIG#{dimension}#{period}"


def _row(survey: Survey, version: int, bucket: str | None) -> SurveyItem:
    doc = survey.model_dump(mode="json")
    doc["version"] = version
    return SurveyItem(survey_pk(survey.tenant_id, survey.survey_id), SURVEY_SK, doc=doc, version=version,
                      gsi1pk=f"SDUE#{bucket}" if bucket else None,
                      gsi1sk=f"{survey.tenant_id}#{survey.survey_id}" if bucket else None)



def _get(pk: str, sk: str) -> SurveyItem | None:
    try:
        return SurveyItem.get(pk, sk, consistent_read=True)
    except SurveyItem.DoesNotExist:
        return None
    except PynamoDBException as exc:
        raise Unavailable("surveys.store_unavailable") from exc


def _versioned(item: type[SurveyItem], version: int) -> Any:
    """The condition that the stored item still has `version` (0 = it does not exist yet)."""
    return item.pk.does_not_exist() if version == 0 else item.version == version


class DynamoSurveyStore:
    # ---------------------------------------------------------------- settings
    def settings(self, tenant_id: str) -> SurveyRules:
        item = _get(f"{tenant_id}#SURVEYS", "SETTINGS")
        return SurveyRules.model_validate(item.doc) if item and item.doc else SurveyRules(tenant_id=tenant_id)

    def save_settings(self, settings: SurveyRules) -> None:
        SurveyItem(f"{settings.tenant_id}#SURVEYS", "SETTINGS", doc=settings.model_dump(mode="json")).save()

    # ---------------------------------------------------------------- surveys
    def create(self, survey: Survey, bucket: str) -> bool:
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_row(survey, 1, bucket), condition=SurveyItem.pk.does_not_exist())
                if survey.ticket_id:
                    tx.save(SurveyItem(_ticket_pk(survey.tenant_id, survey.ticket_id), SURVEY_SK,
                                       survey_id=survey.survey_id))
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise Unavailable("surveys.store_unavailable") from exc
        return True

    def get(self, tenant_id: str, survey_id: str) -> Survey | None:
        item = _get(survey_pk(tenant_id, survey_id), SURVEY_SK)
        return Survey.model_validate(item.doc) if item else None

    def for_ticket(self, tenant_id: str, ticket_id: str) -> Survey | None:
        pointer = _get(_ticket_pk(tenant_id, ticket_id), SURVEY_SK)
        return self.get(tenant_id, pointer.survey_id) if pointer and pointer.survey_id else None

    def due_in_bucket(self, bucket: str) -> Iterator[tuple[str, str]]:
        for item in SurveyItem.due.query(f"SDUE#{bucket}"):
            tenant_id, survey_id = str(item.gsi1sk).split("#", 1)
            yield tenant_id, survey_id

    def save(self, survey: Survey, expected_version: int, bucket: str | None, *,
             history: ContactHistory | None = None, figures: FigureChange | None = None) -> Survey:
        version = expected_version + 1
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(_row(survey, version, bucket), condition=SurveyItem.version == expected_version)
                if history is not None:
                    tx.save(self._history_row(history), condition=_versioned(SurveyItem, history.version))
                for (dimension, value, period), delta in (figures.cells.items() if figures else ()):
                    tx.update(SurveyItem(_figures_pk(survey.tenant_id, dimension, period), value),
                              actions=[getattr(SurveyItem, name).add(getattr(delta, name))
                                       for name in COUNTERS if getattr(delta, name)])
        except TransactWriteError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("surveys.store_unavailable") from exc
        return survey.model_copy(update={"version": version})

    # ---------------------------------------------------------------- contact history
    @staticmethod
    def _history_row(history: ContactHistory) -> SurveyItem:
        doc = history.model_dump(mode="json")
        doc["version"] = history.version + 1
        return SurveyItem(_history_pk(history.tenant_id, history.customer_id), HISTORY_SK, doc=doc,
                          version=history.version + 1)

    def history(self, tenant_id: str, customer_id: str) -> ContactHistory:
        item = _get(_history_pk(tenant_id, customer_id), HISTORY_SK)
        if item is None or not item.doc:
            return ContactHistory(tenant_id=tenant_id, customer_id=customer_id)
        return ContactHistory.model_validate(item.doc)

    def save_history(self, history: ContactHistory) -> ContactHistory:
        try:
            self._history_row(history).save(condition=_versioned(SurveyItem, history.version))
        except PynamoDBException as exc:
            if condition_failed(exc):
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise Unavailable("surveys.store_unavailable") from exc
        return history.model_copy(update={"version": history.version + 1})

    # ---------------------------------------------------------------- figures
    def figures(self, tenant_id: str, dimension: str, period: str) -> dict[str, Tally]:
        try:
            return {item.sk: Tally(**{name: int(getattr(item, name) or 0) for name in COUNTERS})
                    for item in SurveyItem.query(_figures_pk(tenant_id, dimension, period))}
        except PynamoDBException as exc:
            raise Unavailable("surveys.store_unavailable") from exc

    # ---------------------------------------------------------------- sweep cursor
    def last_swept(self) -> datetime | None:
        item = _get("SWEEP", "CURSOR")
        return parse_iso(item.doc["at"]) if item and item.doc else None

    def set_last_swept(self, at: datetime) -> None:
        SurveyItem("SWEEP", "CURSOR", doc={"at": iso(at)}).save()

    def save_many(self, surveys: list[tuple[Survey, str]]) -> None:
        """Batched creation (the bench's pending surveys): version 1, indexed under each bucket."""
        with SurveyItem.batch_write() as batch:
            for survey, bucket in surveys:
                batch.save(_row(survey, 1, bucket))
