from datetime import UTC, datetime, timedelta

import pytest

from aftersales.auth import credentials
from aftersales.core.errors import Unauthorized
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
