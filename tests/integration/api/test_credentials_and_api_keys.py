"""API key scopes, key management, token lifetimes and one-credential-per-request through the real
authorizer and API function (moto)."""

from __future__ import annotations

import json
import logging

import pytest

from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory
from aftersales.auth import credentials
from aftersales.auth.credentials import ApiKeyScope, split_api_key
from aftersales.wiring import services
from tests.support.tickets import order_payload


def _key(tenant_id: str, *scopes: ApiKeyScope) -> dict[str, str]:
    return {"X-Api-Key": services().tenants.issue_api_key(tenant_id, "test", scopes).api_key}


@pytest.fixture
def keys(demo):
    """acme's storefront key (from the demo fixture), a staff_token_issuer key and an admin key."""
    return {"storefront": demo["acme"]["key"], "issuer": _key("acme", ApiKeyScope.STAFF_TOKEN_ISSUER),
            "admin": _key("acme", ApiKeyScope.ADMIN)}


def _bearer(reply) -> dict[str, str]:
    return {"Authorization": f"Bearer {reply.body['token']}"}


# ---------------------------------------------------------------------- scopes
def test_a_storefront_key_cannot_mint_staff_tokens_or_register_staff(api, demo, keys):
    """GIVEN the storefront key (a key issued without scopes) WHEN it asks for an admin's staff token
    or registers a staff user THEN 403 (it used to get 201: a leaked storefront key was a leaked
    admin), while its own work (orders, customer tokens) still succeeds."""
    storefront = keys["storefront"]
    assert api.request("POST", "/auth/staff-tokens", {"user_id": "admin-1"}, storefront).status == 403
    assert api.request("PUT", "/staff/mallory", {"display_name": "M", "roles": ["admin"]}, storefront).status == 403
    assert api.request("GET", "/api-keys", headers=storefront).status == 403
    assert api.request("POST", "/api-keys", {"name": "mine", "scopes": ["admin"]}, storefront).status == 403
    assert api.request("PUT", "/orders/O-1", order_payload(), storefront).status == 201
    assert api.request("POST", "/auth/customer-tokens", {"customer_id": "cust-1"}, storefront).status == 201


def test_a_staff_token_issuer_mints_staff_tokens_for_registered_staff_only(api, demo, keys):
    """GIVEN a staff_token_issuer key (an SSO bridge) WHEN it mints THEN a working token for a
    registered, active staff user, 404 for anyone else; it reads no tickets, registers no staff
    and mints no customer tokens."""
    issuer = keys["issuer"]
    minted = api.request("POST", "/auth/staff-tokens", {"user_id": "agent-1"}, issuer)
    assert minted.status == 201
    assert api.request("GET", "/tickets", headers=_bearer(minted)).status == 200
    assert api.request("POST", "/auth/staff-tokens", {"user_id": "nobody"}, issuer).status == 404
    assert api.request("GET", "/tickets", headers=issuer).status == 403
    assert api.request("GET", "/orders/O-1", headers=issuer).status == 403
    assert api.request("PUT", "/staff/x", {"display_name": "X", "roles": ["agent"]}, issuer).status == 403
    assert api.request("POST", "/auth/customer-tokens", {"customer_id": "cust-1"}, issuer).status == 403
    assert api.request("GET", "/api-keys", headers=issuer).status == 403


def test_an_admin_key_manages_staff_and_keys_but_not_tickets(api, demo, keys):
    admin = keys["admin"]
    assert api.request("PUT", "/staff/new-agent", {"display_name": "New", "roles": ["agent"]}, admin).status == 200
    assert api.request("GET", "/api-keys", headers=admin).status == 200
    assert api.request("GET", "/tickets", headers=admin).status == 403
    assert api.request("PUT", "/orders/O-1", order_payload(), admin).status == 403
    assert api.request("POST", "/auth/staff-tokens", {"user_id": "new-agent"}, admin).status == 403


# ---------------------------------------------------------------------- key management
def test_an_admin_issues_rotates_and_revokes_a_key(api, demo, caplog):
    """GIVEN an admin staff token WHEN it issues a key, rotates it and revokes it THEN the secret is
    shown once (never listed), the old secret works during the grace, nothing works after revocation,
    and the record and the audit log say who did each step."""
    admin = demo["acme"]["admin"]
    created = api.request("POST", "/api-keys", {"name": "sso bridge", "scopes": ["staff_token_issuer"]}, admin)
    assert created.status == 201
    first = {"X-Api-Key": created.body["api_key"]}
    key_id = created.body["key_id"]
    assert created.body["scopes"] == ["staff_token_issuer"] and created.body["created_by"] == "admin-1"
    assert api.request("POST", "/auth/staff-tokens", {"user_id": "agent-1"}, first).status == 201

    listed = api.request("GET", "/api-keys", headers=admin)
    assert key_id in [k["key_id"] for k in listed.body["items"]]
    assert "api_key" not in json.dumps(listed.body) and "sha256" not in json.dumps(listed.body)
    secret = split_api_key(created.body["api_key"])[1]  # the secret itself may contain "_"
    assert secret not in json.dumps(listed.body)

    rotated = api.request("POST", f"/api-keys/{key_id}/rotation", {"grace_seconds": 3600}, admin)
    assert rotated.status == 200 and rotated.body["key_id"] == key_id and rotated.body["rotated_by"] == "admin-1"
    second = {"X-Api-Key": rotated.body["api_key"]}
    for usable in (first, second):
        assert api.request("POST", "/auth/staff-tokens", {"user_id": "agent-1"}, usable).status == 201

    revoked = api.request("POST", f"/api-keys/{key_id}/revocation", None, admin)
    assert revoked.status == 200 and revoked.body["status"] == "revoked" and revoked.body["revoked_by"] == "admin-1"
    for dead in (first, second):
        assert api.request("POST", "/auth/staff-tokens", {"user_id": "agent-1"}, dead).status == 401
    assert api.request("POST", f"/api-keys/{key_id}/rotation", {}, admin).status == 409

    audit = [(r.getMessage(), getattr(r, "actor", None), getattr(r, "key_id", None)) for r in caplog.records
             if getattr(r, "audit", False)]
    assert ("api key issued", "admin-1", key_id) in audit
    assert ("api key rotated", "admin-1", key_id) in audit and ("api key revoked", "admin-1", key_id) in audit
    assert all(secret not in r.getMessage() and secret not in str(vars(r)) for r in caplog.records)


def test_a_rotation_without_grace_ends_the_old_secret_at_once(api, demo, keys):
    created = api.request("POST", "/api-keys", {"name": "shop"}, keys["admin"])
    assert created.body["scopes"] == ["storefront"]  # least privilege by default
    rotated = api.request("POST", f"/api-keys/{created.body['key_id']}/rotation", {"grace_seconds": 0}, keys["admin"])
    assert api.request("GET", "/tickets", headers={"X-Api-Key": created.body["api_key"]}).status == 401
    assert api.request("GET", "/tickets", headers={"X-Api-Key": rotated.body["api_key"]}).status == 200


def test_a_rotation_without_a_body_grants_the_default_grace(api, demo, keys):
    created = api.request("POST", "/api-keys", {"name": "shop"}, keys["admin"])
    rotated = api.request("POST", f"/api-keys/{created.body['key_id']}/rotation", None, keys["admin"])
    assert rotated.status == 200, rotated
    assert rotated.body["previous_secret_valid_until"] > rotated.body["rotated_at"]
    assert api.request("GET", "/tickets", headers={"X-Api-Key": created.body["api_key"]}).status == 200


def test_key_management_input_is_validated_with_field_paths(api, demo, keys):
    admin = keys["admin"]
    bad_scope = api.request("POST", "/api-keys", {"name": "x", "scopes": ["superuser"]}, admin)
    assert bad_scope.status == 422 and any(f["path"].startswith("scopes") for f in bad_scope.body["error"]["fields"])
    assert api.request("POST", "/api-keys", {"name": "x", "scopes": []}, admin).status == 422
    created = api.request("POST", "/api-keys", {"name": "shop"}, admin).body
    too_long = api.request("POST", f"/api-keys/{created['key_id']}/rotation", {"grace_seconds": 30 * 86400}, admin)
    assert too_long.status == 422 and too_long.body["error"]["fields"][0]["path"] == "grace_seconds"
    assert api.request("POST", "/api-keys/nokey/revocation", None, admin).status == 404


def test_a_tenant_cannot_manage_or_list_another_tenants_keys(api, demo, keys):
    """GIVEN acme's key WHEN the other tenant's admin rotates, revokes or lists THEN 404 / absent, and
    acme's key keeps working."""
    created = api.request("POST", "/api-keys", {"name": "shop"}, keys["admin"]).body
    other_admin = demo["other"]["admin"]
    assert api.request("POST", f"/api-keys/{created['key_id']}/rotation", {}, other_admin).status == 404
    assert api.request("POST", f"/api-keys/{created['key_id']}/revocation", None, other_admin).status == 404
    listed = api.request("GET", "/api-keys", headers=other_admin).body["items"]
    assert created["key_id"] not in [k["key_id"] for k in listed]
    assert api.request("GET", "/tickets", headers={"X-Api-Key": created["api_key"]}).status == 200


def test_listing_pages_through_the_keys(api, demo, keys):
    for n in range(3):
        api.request("POST", "/api-keys", {"name": f"shop {n}"}, keys["admin"])
    seen, cursor = [], None
    while True:
        page = api.request("GET", "/api-keys", headers=keys["admin"],
                           query={"limit": "2", **({"cursor": cursor} if cursor else {})}).body
        seen += [k["key_id"] for k in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == len(set(seen)) == 6  # storefront, issuer, admin + three new, each once
    assert seen == sorted(seen)


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


def test_key_management_is_in_the_openapi_document(api):
    from tests.support.lambdas import FakeContext

    event = {"resource": "/openapi.json", "path": "/openapi.json", "httpMethod": "GET", "headers": {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1"},
             "body": None, "isBase64Encoded": False}
    spec = json.loads(api.api.lambda_handler(event, FakeContext("api"))["body"])
    assert {"/api-keys", "/api-keys/{key_id}/rotation", "/api-keys/{key_id}/revocation"} <= set(spec["paths"])
    scopes = spec["components"]["schemas"]["ApiKeyScope"]["enum"]
    # repair_provider and repair_technician are listed on providers' and technicians' keys; POST /api-keys
    # refuses them (422): only POST /repairs/providers/{provider_id}[/technicians/{technician_id}]/api-keys
    # issues one
    assert set(scopes) == {"storefront", "staff_token_issuer", "admin", "repair_provider", "repair_technician"}
