"""Credential formats, token verification against the injectable clock, one credential per request."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.auth import credentials
from aftersales.core.errors import ConflictingCredentials, Unauthorized
from aftersales.tickets.model import Role

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_api_keys_round_trip_and_only_the_hash_is_kept():
    key, digest = credentials.new_api_key("k1")
    key_id, secret = credentials.split_api_key(key)
    assert key_id == "k1" and secret not in digest
    assert credentials.api_key_matches(secret, digest)
    assert not credentials.api_key_matches(secret + "x", digest)


@pytest.mark.parametrize("bad", ["", "ak_", "ak_k1", "sk_k1_secret", "nonsense"])
def test_malformed_api_keys_are_unauthorized(bad):
    with pytest.raises(Unauthorized):
        credentials.split_api_key(bad)


def _token(kind="customer", now=NOW, ttl=timedelta(minutes=15), secret="s" * 40, **kw):
    return credentials.mint_token(tenant_id="t1", kid="kid1", secret=secret, subject="c1", kind=kind, now=now,
                                  ttl=ttl, **kw)


def test_customer_token_carries_tenant_and_customer():
    principal = credentials.verify_token(_token(), secret="s" * 40, tenant_id="t1", now=NOW)
    assert principal.customer_id == "c1" and principal.roles == {Role.CUSTOMER}
    assert credentials.unverified_routing(_token()) == ("t1", "kid1")


def test_expired_forged_and_cross_tenant_tokens_fail():
    with pytest.raises(Unauthorized):
        credentials.verify_token(_token(), secret="s" * 40, tenant_id="t1", now=NOW + timedelta(hours=2))
    with pytest.raises(Unauthorized):
        credentials.verify_token(_token(secret="x" * 40), secret="s" * 40, tenant_id="t1", now=NOW)
    with pytest.raises(Unauthorized):
        credentials.verify_token(_token(), secret="s" * 40, tenant_id="t2", now=NOW)


def test_customer_tokens_live_at_most_an_hour():
    token = _token(ttl=timedelta(days=30))
    with pytest.raises(Unauthorized):
        credentials.verify_token(token, secret="s" * 40, tenant_id="t1", now=NOW + timedelta(minutes=62))


def test_staff_tokens_keep_only_staff_roles():
    token = _token(kind="staff", roles=frozenset({Role.SUPERVISOR}))
    principal = credentials.verify_token(token, secret="s" * 40, tenant_id="t1", now=NOW)
    assert principal.kind == "staff" and principal.roles == {Role.SUPERVISOR}
    assert credentials.Principal.from_context(principal.to_context()) == principal


# ---------------------------------------------------------------------- token lifetimes
SECRET = "s" * 40


def _self_minted(kind: str, *, iat: object, exp: object, **extra: object) -> str:
    """A token a storefront signs itself with the tenant's key, with whatever times it likes."""
    import jwt

    claims = {"iss": credentials.ISSUER, "aud": credentials.AUDIENCE, "sub": "u1", "tid": "t1", "typ": kind,
              "iat": iat, "exp": exp, **({"cid": "u1"} if kind == "customer" else {"roles": ["admin"]}), **extra}
    return jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": "kid1"})


def _verify(token: str, now: datetime = NOW):
    return credentials.verify_token(token, secret=SECRET, tenant_id="t1", now=now)


@pytest.mark.parametrize("kind", ["customer", "staff"])
def test_a_validly_signed_token_living_ten_years_is_refused(kind):
    """GIVEN a token signed with the tenant's key, issued now and expiring in ten years
    WHEN it is verified THEN 401 token_lifetime_too_long (not accepted for its first hour or day)."""
    now = int(NOW.timestamp())
    with pytest.raises(Unauthorized) as refused:
        _verify(_self_minted(kind, iat=now, exp=now + 10 * 365 * 86400))
    assert refused.value.message_id == "error.token_lifetime_too_long"


@pytest.mark.parametrize("kind", ["customer", "staff"])
def test_a_token_issued_a_day_in_the_future_is_refused(kind):
    """GIVEN a token whose iat is tomorrow (and a lifetime within its kind's maximum)
    WHEN verified today THEN 401 token_issued_in_future: it cannot be pre-minted to outlive the limit."""
    tomorrow = int((NOW + timedelta(days=1)).timestamp())
    with pytest.raises(Unauthorized) as refused:
        _verify(_self_minted(kind, iat=tomorrow, exp=tomorrow + 600))
    assert refused.value.message_id == "error.token_issued_in_future"


@pytest.mark.parametrize(("kind", "limit"), [("customer", credentials.MAX_CUSTOMER_TTL),
                                             ("staff", credentials.MAX_STAFF_TTL)])
def test_lifetime_at_the_limit_and_clock_skew_within_the_leeway_are_accepted(kind, limit):
    """GIVEN the signer's clock LEEWAY seconds ahead and a lifetime of exactly the kind's maximum
    WHEN verified THEN accepted; one second more of either THEN refused."""
    iat = int(NOW.timestamp()) + credentials.LEEWAY_SECONDS
    assert _verify(_self_minted(kind, iat=iat, exp=iat + int(limit.total_seconds()))).kind == kind
    with pytest.raises(Unauthorized):
        _verify(_self_minted(kind, iat=iat + 1, exp=iat + 1 + 60))
    with pytest.raises(Unauthorized):
        _verify(_self_minted(kind, iat=iat, exp=iat + int(limit.total_seconds()) + 1))


@pytest.mark.parametrize("times", [{"iat": "yesterday", "exp": 2_000_000_000}, {"iat": True, "exp": 2_000_000_000},
                                   {"iat": 1_800_000_000, "exp": None}])
def test_non_numeric_times_are_an_invalid_token_not_a_crash(times):
    with pytest.raises(Unauthorized) as refused:
        _verify(_self_minted("customer", **times))
    assert refused.value.message_id == "error.invalid_token"


@given(kind=st.sampled_from(["customer", "staff"]),
       issued=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
       lifetime=st.integers(min_value=-3600, max_value=30 * 86400))
def test_a_token_is_accepted_exactly_when_issued_not_in_the_future_unexpired_and_not_too_long(kind, issued, lifetime):
    """GIVEN any iat around now and any lifetime WHEN verified against the injected clock THEN
    accepted iff iat <= now + leeway, exp - iat <= the kind's maximum and exp + leeway >= now."""
    now = int(NOW.timestamp())
    iat, exp = now + issued, now + issued + lifetime
    ok = (iat <= now + credentials.LEEWAY_SECONDS
          and lifetime <= credentials.MAX_TTL[kind].total_seconds()
          and exp + credentials.LEEWAY_SECONDS >= now)
    token = _self_minted(kind, iat=iat, exp=exp)
    if ok:
        assert _verify(token).kind == kind
    else:
        with pytest.raises(Unauthorized):
            _verify(token)


def test_minting_never_exceeds_the_kinds_maximum():
    """GIVEN a request for a 30-day staff token WHEN minted THEN it lives 12 h and verifies."""
    import jwt

    token = _token(kind="staff", ttl=timedelta(days=30), roles=frozenset({Role.AGENT}))
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == credentials.MAX_STAFF_TTL.total_seconds()
    assert credentials.verify_token(token, secret="s" * 40, tenant_id="t1", now=NOW).roles == {Role.AGENT}


# ---------------------------------------------------------------------- one credential per request
def test_an_api_key_with_any_authorization_header_is_conflicting():
    """GIVEN X-Api-Key and an Authorization header (bearer or any other scheme) WHEN read THEN
    ConflictingCredentials, before either is looked at."""
    for authorization in ("Bearer a.b.c", "Basic dXNlcjpwdw==", "bearer x"):
        with pytest.raises(ConflictingCredentials):
            credentials.single_credential("ak_k1_secret", authorization)


@pytest.mark.parametrize(("api_key", "authorization", "expected"), [
    ("ak_k1_s", None, ("ak_k1_s", None)),
    (" ak_k1_s ", "  ", ("ak_k1_s", None)),
    (None, "Bearer a.b.c", (None, "a.b.c")),
    ("", "bearer  a.b.c ", (None, "a.b.c")),
    (None, None, (None, None)),
])
def test_a_single_credential_is_read_as_sent(api_key, authorization, expected):
    assert credentials.single_credential(api_key, authorization) == expected


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", "Token a.b.c"])
def test_an_authorization_header_that_is_no_bearer_token_is_malformed(authorization):
    with pytest.raises(Unauthorized) as refused:
        credentials.single_credential(None, authorization)
    assert refused.value.message_id == "error.malformed_credentials"


def test_api_key_principals_carry_their_scopes_through_the_authorizer_context():
    principal = credentials.Principal("t1", "api_key", "apikey:k1", frozenset(),
                                      scopes=frozenset({credentials.ApiKeyScope.STAFF_TOKEN_ISSUER}))
    assert credentials.Principal.from_context(principal.to_context()) == principal


def test_a_context_without_a_tenant_is_no_principal():
    """GIVEN the authorizer context of a refused request (no tenant) WHEN read THEN 401, not a crash."""
    with pytest.raises(Unauthorized):
        credentials.Principal.from_context({credentials.CONFLICTING_CREDENTIALS: "true", "principalId": "refused"})
