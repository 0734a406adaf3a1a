"""Token lifetimes and one-credential-per-request through the real authorizer and API function (moto)."""

from __future__ import annotations

import logging

import pytest

from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory
from aftersales.auth import credentials
from aftersales.wiring import services
from tests.support import order_payload


# ---------------------------------------------------------------------- one credential per request
def test_an_api_key_and_a_bearer_token_together_are_refused_with_400(api, demo):
    """GIVEN a valid storefront key and a valid supervisor token in one request WHEN it arrives THEN
    400 conflicting_credentials (it used to act silently as the key), before validation (a bad body
    is still 400, not 422), on any route, and nothing is written."""
    both = {**demo["acme"]["key"], **demo["acme"]["supervisor"]}
    refused = api.request("PUT", "/orders/O-1", order_payload(), both)
    assert refused.status == 400 and refused.body["error"]["code"] == "conflicting_credentials"
    assert api.request("GET", "/orders/O-1", headers=demo["acme"]["key"]).status == 404  # nothing stored
    assert api.request("POST", "/tickets", {"type": "nope"}, both).status == 400
    assert api.request("GET", "/ticket-types", headers=both).status == 400
    invalid_key = {"X-Api-Key": "ak_nope_nope", **demo["acme"]["supervisor"]}
    assert api.request("GET", "/tickets", headers=invalid_key).status == 400
    zh = api.request("GET", "/tickets", headers={**both, "Accept-Language": "zh-CN"})
    assert zh.status == 400 and "API Key" in zh.body["error"]["message"]


# ---------------------------------------------------------------------- token lifetimes
def _signed(tenant_id: str, *, kind: str, iat: int, exp: int) -> dict[str, str]:
    """A token signed with the tenant's own key, as a storefront minting its own would sign it."""
    import jwt

    key = DynamoTenantDirectory().get_tenant(tenant_id).active_key()
    who = {"cid": "cust-1"} if kind == "customer" else {"roles": ["admin"]}
    claims = {"iss": credentials.ISSUER, "aud": credentials.AUDIENCE, "sub": "admin-1", "tid": tenant_id,
              "typ": kind, "iat": iat, "exp": exp, **who}
    return {"Authorization": f"Bearer {jwt.encode(claims, key.secret, algorithm='HS256', headers={'kid': key.kid})}"}


@pytest.mark.parametrize("kind", ["customer", "staff"])
def test_long_lived_and_future_tokens_are_401_at_the_authorizer(api, demo, kind):
    """GIVEN tokens correctly signed with acme's key WHEN one lives ten years, or is issued a day
    ahead THEN 401 (both used to be accepted); a token within the rules is accepted."""
    now = int(services().clock.now().timestamp())
    ten_years = _signed("acme", kind=kind, iat=now, exp=now + 10 * 365 * 86400)
    tomorrow = _signed("acme", kind=kind, iat=now + 86400, exp=now + 86400 + 600)
    fine = _signed("acme", kind=kind, iat=now, exp=now + 600)
    assert api.request("GET", "/tickets", headers=ten_years).status == 401
    assert api.request("GET", "/tickets", headers=tomorrow).status == 401
    assert api.request("GET", "/tickets", headers=fine).status == 200


def test_refusals_are_logged_with_their_reason(api, demo, caplog):
    caplog.set_level(logging.INFO)
    now = int(services().clock.now().timestamp())
    api.request("GET", "/tickets", headers=_signed("acme", kind="staff", iat=now, exp=now + 13 * 3600))
    api.request("GET", "/tickets", headers={**demo["acme"]["key"], **demo["acme"]["agent"]})
    reasons = {getattr(r, "reason", None) for r in caplog.records}
    assert {"error.token_lifetime_too_long", "error.conflicting_credentials"} <= reasons
