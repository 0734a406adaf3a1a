"""PUT /integrations/...: a blank, short or malformed signing secret, token or key is a 422 with
the field's path and nothing is configured (carriers, WeCom, Douyin), through the API on moto."""

from __future__ import annotations

import json

import pytest

from tests.support.fixture_files import load

VECTOR = load("wecom/wecom_callback_crypto.json")["config"]
WECOM = {"token": VECTOR["token"], "encoding_aes_key": VECTOR["encoding_aes_key"],
         "corp_id": VECTOR["corpid_receiveid"]}
DOUYIN = {"app_key": "7000000000000000001", "app_secret": "douyin-app-secret"}

REFUSED = [
    ("/integrations/carriers/aftership", {"secret": ""}, "secret"),
    ("/integrations/carriers/easypost", {"secret": " " * 12}, "secret"),
    ("/integrations/carriers/17track", {"secret": "\u200b" + "k" * 31}, "secret"),
    ("/integrations/carriers/aftership", {"secret": "secret with spaces"}, "secret"),
    ("/integrations/carriers/easypost", {"secret": "1234567"}, "secret"),
    ("/integrations/channels/douyin", {**DOUYIN, "app_secret": ""}, "app_secret"),
    ("/integrations/channels/douyin", {**DOUYIN, "app_secret": "\t" * 16}, "app_secret"),
    ("/integrations/channels/douyin", {**DOUYIN, "app_key": " "}, "app_key"),
    ("/integrations/channels/wecom", {**WECOM, "token": ""}, "token"),
    ("/integrations/channels/wecom", {**WECOM, "token": "   "}, "token"),
    ("/integrations/channels/wecom", {**WECOM, "encoding_aes_key": " " * 43}, "encoding_aes_key"),
    ("/integrations/channels/wecom", {**WECOM, "encoding_aes_key": VECTOR["encoding_aes_key"][:42] + "/"},
     "encoding_aes_key"),
    ("/integrations/channels/wecom", {**WECOM, "agent_id": 1000002, "secret": " " * 43}, "secret"),
    ("/integrations/channels/wecom", {**WECOM, "kf_secret": "kf secret 0123"}, "kf_secret"),
]


@pytest.mark.parametrize(("path", "body", "field"), REFUSED, ids=[f"{p.rsplit('/', 1)[1]}-{f}-{i}"
                                                                  for i, (p, _, f) in enumerate(REFUSED)])
def test_a_blank_or_malformed_credential_is_refused_with_its_field(api, demo, aws, path, body, field):
    """GIVEN an admin WHEN an integration is configured with a blank, short or malformed secret,
    token or key THEN 422 naming that field, and GET /integrations lists nothing configured."""
    admin = demo["acme"]["admin"]
    response = api.request("PUT", path, body, admin)
    assert response.status == 422, response
    assert [f["path"] for f in response.body["error"]["fields"]] == [field], response.body
    assert api.request("GET", "/integrations", None, admin).body["items"] == []


def test_valid_credentials_are_configured_and_never_read_back(api, demo, aws):
    """GIVEN an admin WHEN a carrier secret, WeCom's published callback credentials and Douyin app
    credentials are configured THEN 200 each, and GET /integrations names them without their values."""
    admin = demo["acme"]["admin"]
    carrier = {"secret": "aftership-secret-01"}
    assert api.request("PUT", "/integrations/carriers/aftership", carrier, admin).status == 200
    assert api.request("PUT", "/integrations/channels/wecom", WECOM, admin).status == 200
    assert api.request("PUT", "/integrations/channels/douyin", DOUYIN, admin).status == 200
    listed = api.request("GET", "/integrations", None, admin).body
    assert listed["items"] == ["carrier:aftership", "channel:douyin", "channel:wecom"]
    text = json.dumps(listed)
    assert not any(s in text for s in (carrier["secret"], DOUYIN["app_secret"], WECOM["encoding_aes_key"]))
