"""The one DynamoDB draft store under moto, for each versioned document on its template table (the
approval policy and the intake rules in MoneyTable, the moderation settings in ModerationTable):
the stored items keep their shape (<tenant>#<KEY> / DRAFT | PUBLISHED | V#<n:06d>, doc, version),
items written before the store was shared are read as they are, versions list by one Query, and the
conditions hold (stale draft, existing version, pointer only forward)."""

from __future__ import annotations

import json

import boto3
import pytest

from aftersales.adapters.dynamo.drafts import DynamoDraftStore
from aftersales.approvals.defaults import POLICY
from aftersales.core.drafts import Drafts
from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.eligibility.defaults import RULES
from aftersales.moderation.lexicon import LEXICON

KINDS = {
    "POLICY": (POLICY, "MoneyTable", {"default_route": "single_review", "rules": []}),
    "INTAKE_RULES": (RULES, "MoneyTable", {"rules": [{"id": "all", "return_window_days": 60}]}),
    "LEXICON": (LEXICON, "ModerationTable", {"terms": [{"text": "cheapbags", "category": "spam"}],
                                             "verdict": {"review_fake": 0.4}}),
}


@pytest.fixture(params=sorted(KINDS))
def rig(request, aws):
    kind, table, document = KINDS[request.param]
    name = aws.tables[table].name
    return DynamoDraftStore(kind, name), kind, name, document


def _items(table: str, pk: str) -> dict[str, dict]:
    found = boto3.client("dynamodb").query(TableName=table, KeyConditionExpression="pk = :pk",
                                           ExpressionAttributeValues={":pk": {"S": pk}})["Items"]
    return {item["sk"]["S"]: item for item in found}


def test_items_keep_their_shape_and_the_conditions_hold(rig):
    store, kind, table, document = rig
    drafts = Drafts(store, kind)
    draft, revision = drafts.put_draft("acme", document, None)
    assert store.draft("acme") == (draft, 1) and revision == 1
    with pytest.raises(ConcurrentModification):
        store.put_draft(draft, None)  # a draft exists
    with pytest.raises(ConcurrentModification):
        store.put_draft(draft, 7)
    published = drafts.publish("acme")
    with pytest.raises(Conflict) as exists:
        store.save(published)
    assert exists.value.message_id == kind.message("version_exists")

    items = _items(table, f"acme#{kind.key}")
    version_key = f"V#{published.version:06d}"
    assert set(items) == {"DRAFT", "PUBLISHED", version_key}
    assert int(items["DRAFT"]["version"]["N"]) == 1
    assert int(items["PUBLISHED"]["version"]["N"]) == published.version
    assert "version" not in items[version_key] and set(items[version_key]) == {"pk", "sk", "doc"}
    assert store.published("acme") == published == store.version("acme", published.version)
    assert store.version("acme", published.version + 1) is None and store.published("other") is None


def test_versions_are_listed_newest_first_and_a_roll_back_moves_the_pointer_forward(rig):
    store, kind, _table, document = rig
    drafts = Drafts(store, kind)
    drafts.put_draft("acme", document, None)
    first = drafts.publish("acme")
    restored = drafts.roll_back("acme", kind.default("acme").version)
    assert store.versions("acme", 10) == [restored.version, first.version]
    assert store.versions("acme", 1) == [restored.version]
    assert store.published("acme") == restored
    with pytest.raises(Conflict):
        store.save(first.model_copy(update={"version": restored.version}))  # the version exists
    assert store.versions("other", 10) == []


def test_items_written_before_the_store_was_shared_are_read(rig):
    """GIVEN the items the per-context adapters wrote (a doc without the fields added since) WHEN
    the shared store reads them THEN the same documents come back."""
    store, kind, table, _document = rig
    doc = kind.default("acme").model_dump(mode="json") | {"version": 4, "status": "published"}
    if kind is LEXICON:
        doc.pop("verdict")  # stored before the verdict tuning existed
    client = boto3.client("dynamodb")
    pk, stored = {"S": f"acme#{kind.key}"}, {"S": json.dumps(doc)}  # PynamoDB's JSONAttribute: a JSON string
    client.put_item(TableName=table, Item={"pk": pk, "sk": {"S": "V#000004"}, "doc": stored})
    client.put_item(TableName=table, Item={"pk": pk, "sk": {"S": "PUBLISHED"}, "doc": stored, "version": {"N": "4"}})
    assert store.published("acme").version == 4 and store.version("acme", 4) == store.published("acme")
    assert store.versions("acme", 10) == [4]
