"""Contract: WeCom crypto against Tencent's official vector; Douyin push parsing over the real
SDK samples (signatures computed here over the real bytes with test credentials)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftersales.channels import douyin
from aftersales.channels.wecom import WeComCrypto, WeComCryptoError
from aftersales.core.money import Money
from aftersales.logistics.verification import VerificationError
from tests.support.fixture_files import FIXTURES, load, raw

APP_KEY, APP_SECRET = "test-app-key", "test-app-secret"
DOUYIN_SAMPLES = sorted((FIXTURES / "douyin" / "event_samples").glob("*.json"))


# --- WeCom ---------------------------------------------------------------------------------------

@pytest.fixture
def vector():
    return load("wecom/wecom_callback_crypto.json")


def _crypto(vector, receive_id=None):
    config = vector["config"]
    return WeComCrypto(config["token"], config["encoding_aes_key"],
                       receive_id or config["corpid_receiveid"])


def test_wecom_official_url_verification_vector(vector):
    """GIVEN Tencent's official URL-verification request WHEN verified and decrypted
    THEN the echo plaintext equals the published one."""
    v = vector["verify_url"]
    echo = _crypto(vector).verify_url(v["msg_signature"], v["timestamp"], v["nonce"], v["echostr"])
    assert echo == v["expected_reply_body"]


def test_wecom_vector_with_wrong_signature_is_40001(vector):
    v = vector["verify_url"]
    with pytest.raises(WeComCryptoError) as err:
        _crypto(vector).verify_url("0" * 40, v["timestamp"], v["nonce"], v["echostr"])
    assert err.value.details["errcode"] == -40001


def test_wecom_vector_with_other_receive_id_is_40005(vector):
    """GIVEN the official vector WHEN our configured corp id differs THEN -40005, no plaintext."""
    v = vector["verify_url"]
    with pytest.raises(WeComCryptoError) as err:
        _crypto(vector, receive_id="ww_other_corp").verify_url(
            v["msg_signature"], v["timestamp"], v["nonce"], v["echostr"])
    assert err.value.details["errcode"] == -40005


# --- Douyin --------------------------------------------------------------------------------------

def test_the_index_lists_every_sample_we_hold():
    index = load("douyin/message_types_index.json")["messages"]
    sample_files = {m["sample_file"] for m in index.values() if m.get("sample_file")}
    assert {p.name for p in DOUYIN_SAMPLES} <= sample_files


@pytest.mark.parametrize("path", DOUYIN_SAMPLES, ids=lambda p: p.stem)
def test_douyin_sample_verifies_parses_and_maps(path: Path):
    """GIVEN a real 抖店 sample body signed md5(app_key + body + app_secret)
    WHEN verified, parsed and mapped THEN it yields exactly one known intake command."""
    body = path.read_bytes()
    douyin.verify_push({"event-sign": douyin.push_signature(APP_KEY, body, APP_SECRET)},
                       body, APP_KEY, APP_SECRET)

    [message] = douyin.parse_push(body)
    [command] = douyin.to_commands([message])

    assert command.command != "unknown"
    assert command.idempotency_key == json.loads(body)["msgId"]
    assert command.order_id == "4705288465508532862"  # big int kept exactly
    assert command.shop_id == "95250"


def test_douyin_tampered_sample_is_rejected():
    body = raw("douyin/event_samples/RefundCreatedEvent.json")
    sign = douyin.push_signature(APP_KEY, body, APP_SECRET)
    with pytest.raises(VerificationError):
        douyin.verify_push({"Event-Sign": sign}, body.replace(b"95250", b"95251"), APP_KEY, APP_SECRET)


def test_douyin_created_sample_becomes_create_ticket():
    [message] = douyin.parse_push(raw("douyin/event_samples/RefundCreatedEvent.json"))
    command = douyin.to_command(message)
    assert isinstance(command, douyin.CreateTicket)
    assert command.kind is douyin.AfterSaleKind.EXCHANGE  # aftersale_type 3
    assert command.refund_amount == Money(amount=0, currency="CNY")
    assert command.reason_code == 78
    assert command.occurred_at is not None and command.occurred_at.timestamp() == 1618990587


def test_douyin_success_sample_carries_refund_amount_in_fen():
    [message] = douyin.parse_push(raw("douyin/event_samples/RefundSuccessEvent.json"))
    command = douyin.to_command(message)
    assert isinstance(command, douyin.TransitionTicket)
    assert command.to_stage is douyin.Stage.REFUNDED
    assert command.refund_amount == Money(amount=13200, currency="CNY")


def test_douyin_live_shape_array_with_string_data_parses_like_the_sample():
    """GIVEN the real samples re-wrapped the way live pushes arrive (array, msg_id, data as a JSON
    string, tag as a string) WHEN parsed THEN the messages equal the sample parses."""
    samples = [json.loads(p.read_bytes()) for p in DOUYIN_SAMPLES]
    live_body = json.dumps([{"tag": str(s["tag"]), "msg_id": f'{s["msgId"]}#{i}',
                             "data": json.dumps(s["data"])} for i, s in enumerate(samples)]).encode()

    parsed = douyin.parse_push(live_body)

    assert [m.data for m in parsed] == [s["data"] for s in samples]
    assert [m.tag for m in parsed] == [str(s["tag"]) for s in samples]
