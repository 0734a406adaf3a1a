"""The moderation table under moto, created from template.yaml: signatures are found through their
band keys (one Query per band) and only within the tenant; a lexicon goes draft ->
publish with the same conditions as the in-memory fake; the service runs on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from aftersales.adapters.dynamo import moderation as tables
from aftersales.adapters.dynamo.drafts import DynamoDraftStore
from aftersales.core.clock import FixedClock
from aftersales.core.errors import ConcurrentModification, Conflict
from aftersales.moderation.duplicates import BANDS, MinHasher, closest
from aftersales.moderation.lexicon import LEXICON
from aftersales.moderation.normalise import normalise
from aftersales.moderation.service import ModerationService
from aftersales.moderation.verdict import Signals, Status

AT = datetime(2026, 12, 2, 8, tzinfo=UTC)
TEMPLATE = "这款保温杯质量非常好，保温效果一流，颜色也很漂亮，物流很快，客服态度很好，五星好评推荐购买"


@pytest.fixture
def table(aws) -> str:
    name = aws.tables["ModerationTable"].name
    tables.bind(name)
    return name


def test_a_copy_is_found_from_its_bands_only_and_only_within_the_tenant(table):
    index = tables.DynamoSignatureIndex()
    hasher = MinHasher()
    first = hasher.signature(normalise(TEMPLATE).text)
    index.put("acme", "01JREVIEW1", first, AT)
    index.put("acme", "01JREVIEW1", first, AT)  # a redelivery overwrites its own items
    other = hasher.signature(normalise("收到货了，杯子有点小，盖子拧不紧，漏水，和描述不符，申请退货了").text)
    index.put("acme", "01JREVIEW2", other, AT)

    items = boto3.client("dynamodb").scan(TableName=table)["Items"]  # the test looks; the adapter never scans
    assert len(items) == 2 * BANDS
    assert all(i["pk"]["S"].startswith("acme#SIG1#") and int(i["expires_at"]["N"]) > AT.timestamp()
               for i in items)

    copy = hasher.signature(normalise(TEMPLATE.replace("颜色", "顏色") + "哦").text)
    found = index.candidates("acme", copy.bands)
    assert set(found) == {"01JREVIEW1"}
    assert found["01JREVIEW1"] == first
    assert index.queries == BANDS  # one Query per band key
    assert closest(copy, found, "01JREVIEW3").review_id == "01JREVIEW1"
    assert index.candidates("other", copy.bands) == {}


def test_a_lexicon_goes_from_draft_to_published_versions(table):
    store = DynamoDraftStore(LEXICON, table)
    service = ModerationService(store, tables.DynamoSignatureIndex(), FixedClock(AT))
    draft, revision = service.put_draft("acme", {"terms": [{"text": "竞品链接", "category": "spam"}],
                                                 "allow": ["牛鞭"]}, None)
    assert revision == 1 and store.draft("acme") == (draft, 1)
    with pytest.raises(ConcurrentModification):
        service.put_draft("acme", {"terms": []}, 5)
    assert service.put_draft("acme", {"terms": [{"text": "竞品链接", "category": "spam"}]}, 1)[1] == 2
    published = service.publish("acme")
    assert store.published("acme") == published and published.version == 1
    with pytest.raises(Conflict):
        store.save(published)  # versions are immutable

    result = service.moderate("acme", "01JREVIEW1", "这有竞品链接，看看", Signals())
    assert [f.category for f in result.findings] == ["spam"] and result.lexicon_version == 1
    assert result.verdict.status is Status.PENDING_REVIEW


def test_the_service_finds_a_template_posted_twice_through_dynamodb(table):
    service = ModerationService(DynamoDraftStore(LEXICON, table), tables.DynamoSignatureIndex(), FixedClock(AT))
    assert service.moderate("acme", "01JREVIEW1", TEMPLATE, Signals()).verdict.status is Status.PUBLISH
    again = service.moderate("acme", "01JREVIEW2", TEMPLATE, Signals(verified_buyer=False, account_age_days=0))
    assert again.duplicate_of is not None and again.duplicate_of.review_id == "01JREVIEW1"
    assert again.verdict.status is Status.REJECT


def test_a_band_many_reviews_share_is_read_newest_first_and_only_so_deep(table):
    from tests.support.fakes.moderation import InMemorySignatureIndex

    signature = MinHasher().signature(normalise(TEMPLATE).text)
    dynamo, memory = tables.DynamoSignatureIndex(per_band=3), InMemorySignatureIndex(per_band=3)
    for number in range(6):
        for index in (dynamo, memory):
            index.put("acme", f"01JREVIEW{number}", signature, AT)
    newest = {"01JREVIEW5", "01JREVIEW4", "01JREVIEW3"}
    assert set(dynamo.candidates("acme", signature.bands)) == set(memory.candidates("acme", signature.bands)) == newest
