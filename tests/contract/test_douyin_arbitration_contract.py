"""Contract: Douyin's recorded arbitration samples (212, 216, 218; tests/fixtures/douyin), as their
raw bytes, verify, parse and map to the disputes context's PlatformCase - in the SDK samples' shape
(one object, `msgId`, an object `data`) and in the live push shape (an array, `msg_id`, `data` as a
JSON string), which must give the same case."""

from __future__ import annotations

import json

import pytest

from aftersales.channels import douyin
from aftersales.channels.douyin_arbitration import arbitration_case
from aftersales.core.money import Money
from tests.support.fixture_files import raw

APP_KEY, APP_SECRET = "test-app-key", "test-app-secret"
AMOUNT = Money(amount=12900, currency="CNY")
RECORDED = {"event_samples/RefundArbitrateAppliedEvent.json": ("212", "arbitration_applied", "xxxxxxx"),
            "event_samples/RefundArbitrateAuditedEvent.json": ("216", "arbitrated_2", "xxxxxxx"),
            "arbitration_samples/RefundArbitrateDiscussUploadEvent.json": ("218", "negotiation_evidence_uploaded",
                                                                           "xxxxxxxxx")}


def _case(body: bytes):
    douyin.verify_push({"event-sign": douyin.push_signature(APP_KEY, body, APP_SECRET)}, body, APP_KEY, APP_SECRET)
    [command] = douyin.to_commands(douyin.parse_push(body))
    return command, arbitration_case(command, AMOUNT)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_a_recorded_arbitration_sample_is_a_douyin_case_of_its_after_sale(name):
    tag, status, arbitration_id = RECORDED[name]
    command, case = _case(raw(f"douyin/{name}"))
    assert command.tag == tag and command.aftersale_id == "xxxxxx"
    assert (case.provider, case.case_id, case.reference, case.status) == ("douyin", "xxxxxx", arbitration_id, status)
    assert case.amount == AMOUNT and case.evidence_due_by is None and case.funds == []


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_live_push_shape_gives_the_same_case(name):
    """GIVEN the sample re-shaped as Douyin pushes it live ([{tag: "212", msg_id, data: "<json>"}])
    THEN the same case as from the SDK's sample."""
    sample = json.loads(raw(f"douyin/{name}"))
    live = json.dumps([{"tag": str(sample["tag"]), "msg_id": sample["msgId"],
                        "data": json.dumps(sample["data"], ensure_ascii=False)}]).encode()
    assert _case(live)[1] == _case(raw(f"douyin/{name}"))[1]
