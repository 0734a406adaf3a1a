"""Douyin shop open API client and the write-back mapping, against the recorded request samples in
tests/fixtures/douyin/skit (responses follow the official SDK's structs: see SOURCE.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from aftersales.channels.douyin import AfterSaleKind
from aftersales.channels.douyin_open import DouyinShopClient, PlatformRefused, param_json
from aftersales.channels.douyin_writeback import OPERATIONS, operate_params
from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest
from aftersales.notifications.errors import DeliveryFailed
from tests.support.fixture_files import load, raw

OPERATE_SAMPLE = load("douyin/skit/AftersaleOperateRequest.json")
TOKEN_SAMPLE = load("douyin/skit/TokenCreateRequest.json")
CONFIG = {"app_key": "7000000000000000001", "app_secret": "douyin-app-secret", "shop_id": "4463798",
          "return_address_id": 95251, "reject_reason_code": 7}
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


class Settings:
    def __init__(self, config):
        self.config = config

    def get(self, tenant_id, name):
        return dict(self.config) if self.config and name == "channel:douyin" else None


class DouyinApi:
    def __init__(self, replies=None):
        self.calls = []
        self.replies = list(replies or [])
        self.tokens = 0

    def request(self, method, url, body=None):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.calls.append((method, parts.path, query, body))
        if parts.path == "/token/create":
            self.tokens += 1
            return {"code": 10000, "msg": "success", "log_id": "l", "data": {
                "access_token": f"token-{self.tokens}", "expires_in": 604800, "refresh_token": "r",
                "shop_id": 4463798}}
        return self.replies.pop(0) if self.replies else {
            "code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "l",
            "data": {"items": [{"aftersale_id": 1, "status_code": 0, "status_msg": ""}]}}


def client(api, config=CONFIG, clock=None):
    return DouyinShopClient(Settings(config), api, clock or FixedClock(NOW))


def test_param_json_is_the_sorted_compact_unescaped_form_of_the_sample():
    """The sample request re-serialised: keys sorted at every depth, no spaces, Chinese and "/" as is."""
    text = param_json(OPERATE_SAMPLE)
    assert json.loads(text) == OPERATE_SAMPLE
    assert " " not in text.replace("商品有污渍，影响二次销售", "") and "商品有破损" in text
    assert text.startswith('{"items":[{"aftersale_id":"6959800000297566494","evidence":[],"logistics":'
                           '{"company_code":"yuantong","logistics_code":"YT31368712931","receiver_address_id":95251')
    assert text.endswith('"type":111}')
    assert raw("douyin/skit/AftersaleOperateRequest.json").decode().count("\n") > 1  # the sample is pretty-printed


def test_a_call_fetches_a_self_use_token_then_posts_the_signed_body():
    """GIVEN a tenant with app key, secret and shop id WHEN afterSale.operate is called THEN token.create
    goes first (the sample's fields, in the self-use form, no access_token), then the operate call
    with the token; both carry app_key/method/v=2/timestamp/sign_method and an HMAC-SHA256 sign over
    secret + app_key + method + param_json + timestamp + v2 + secret of exactly the body sent."""
    api = DouyinApi()
    data = client(api).call("acme", "afterSale.operate", OPERATE_SAMPLE)
    assert data["items"][0]["status_code"] == 0
    (m1, p1, q1, b1), (m2, p2, q2, b2) = api.calls
    assert (m1, p1, m2, p2) == ("POST", "/token/create", "POST", "/afterSale/operate")
    token_body = json.loads(b1)
    assert set(token_body) >= set(TOKEN_SAMPLE)
    assert token_body == {"code": "", "grant_type": "authorization_self", "shop_id": "4463798"}
    assert "access_token" not in q1 and q2["access_token"] == "token-1"
    for query, body, method in ((q1, b1, "token.create"), (q2, b2, "afterSale.operate")):
        assert query["method"] == method and query["v"] == "2" and query["sign_method"] == "hmac-sha256"
        assert query["app_key"] == CONFIG["app_key"] and query["timestamp"] == str(int(NOW.timestamp()))
        secret = CONFIG["app_secret"]
        text = (f"{secret}app_key{CONFIG['app_key']}method{method}param_json{body}"
                f"timestamp{query['timestamp']}v2{secret}")
        assert query["sign"] == hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    assert b2 == param_json(OPERATE_SAMPLE)


def test_the_token_is_reused_and_renewed_when_douyin_says_it_expired():
    api = DouyinApi(replies=[{"code": 10000, "data": {}},
                             {"code": 40003, "msg": "x", "sub_code": "isv.access-token-expired", "sub_msg": "expired"},
                             {"code": 10000, "data": {}}])
    douyin = client(api)
    douyin.call("acme", "afterSale.operate", {"type": 201, "items": []})
    douyin.call("acme", "afterSale.operate", {"type": 201, "items": []})
    assert [c[1] for c in api.calls] == ["/token/create", "/afterSale/operate", "/afterSale/operate",
                                         "/token/create", "/afterSale/operate"]
    assert [c[2].get("access_token") for c in api.calls if c[1] == "/afterSale/operate"] == [
        "token-1", "token-1", "token-2"]


@pytest.mark.parametrize(("reply", "error"), [
    ({"code": 20000, "msg": "服务异常", "sub_code": "isp.service-error:10002", "sub_msg": "请重试"}, DeliveryFailed),
    ({"code": 60000, "msg": "限流", "sub_code": "isv.traffic-limited"}, DeliveryFailed),
    ({"code": 50002, "msg": "业务处理失败", "sub_code": "isv.business-failed:20309541", "sub_msg": "售后状态不正确"},
     PlatformRefused),
    ({"code": 40003, "msg": "x", "sub_code": "isv.signature-invalid"}, PlatformRefused),
])
def test_envelope_codes_are_retried_or_refused(reply, error):
    with pytest.raises(error) as caught:
        client(DouyinApi(replies=[reply])).call("acme", "afterSale.operate", {"type": 201, "items": []})
    assert caught.value.details["sub_code"] == reply["sub_code"]


def test_legacy_envelope_and_missing_shop_id():
    assert client(DouyinApi(replies=[{"err_no": 0, "message": "success", "data": {"ok": 1}}])).call(
        "acme", "afterSale.operate", {}) == {"ok": 1}
    no_shop = {k: v for k, v in CONFIG.items() if k != "shop_id"}
    assert client(DouyinApi(), config=no_shop).configured("acme") is False
    with pytest.raises(PlatformRefused):
        client(DouyinApi(), config=no_shop).call("acme", "afterSale.operate", {})


def test_operate_params_fill_the_sample_fields_for_each_decision():
    """Every mapped decision yields one item whose fields are the sample's (plus reject_reason_code
    for refusals); approvals of returns carry the shop's return address, refusals its reason code."""
    item_fields = set(OPERATE_SAMPLE["items"][0]) | {"reject_reason_code"}
    logistics_fields = set(OPERATE_SAMPLE["items"][0]["logistics"])
    data = {"carrier_code": "yuantong", "tracking_number": "YT31368712931"}
    for (event, kind), code in OPERATIONS.items():
        params = operate_params(event, kind, "6959800000297566494", reason="破损", data=data, config=CONFIG)
        assert params["type"] == code
        (item,) = params["items"]
        assert set(item) <= item_fields and item["aftersale_id"] == "6959800000297566494"
        assert set(item.get("logistics", {})) <= logistics_fields
    assert operate_params("ticket.return_authorized", AfterSaleKind.RETURN_AND_REFUND, "1", reason=None, data={},
                          config=CONFIG)["items"][0]["logistics"] == {"receiver_address_id": 95251}
    refusal = operate_params("ticket.rejected", AfterSaleKind.REFUND_ONLY_SHIPPED, "1", reason="已发货", data={},
                             config=CONFIG)
    assert refusal == {"type": 202, "items": [{"aftersale_id": "1", "reject_reason_code": 7, "reason": "已发货"}]}
    assert operate_params("ticket.approved", AfterSaleKind.REFUND_ONLY_UNSHIPPED, "1", reason=None, data={},
                          config=CONFIG)["type"] == 401
    # no counterpart: refusing a pre-shipment refund is done by shipping; approving a return is 101 later
    assert operate_params("ticket.rejected", AfterSaleKind.REFUND_ONLY_UNSHIPPED, "1", reason=None, data={},
                          config=CONFIG) is None
    assert operate_params("ticket.approved", AfterSaleKind.RETURN_AND_REFUND, "1", reason=None, data={},
                          config=CONFIG) is None


@pytest.mark.parametrize(("event", "kind", "missing"), [
    ("ticket.rejected", AfterSaleKind.RETURN_AND_REFUND, "reject_reason_code"),
    ("ticket.return_authorized", AfterSaleKind.EXCHANGE, "return_address_id"),
])
def test_missing_shop_settings_are_named(event, kind, missing):
    config = {k: v for k, v in CONFIG.items() if k != missing}
    with pytest.raises(InvalidRequest) as caught:
        operate_params(event, kind, "1", reason=None, data={}, config=config)
    assert caught.value.details["field"] == missing
    with pytest.raises(InvalidRequest):
        operate_params("ticket.reshipped", AfterSaleKind.EXCHANGE, "1", reason=None, data={}, config=CONFIG)
