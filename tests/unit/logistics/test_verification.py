"""Signature verifiers: header handling, constant-time paths, Standard Webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aftersales.core.errors import Unauthorized
from aftersales.logistics.verification import (
    StandardWebhooks,
    VerificationError,
    aftership_signature,
    new_shippo_token,
    verify_aftership,
    verify_shippo_token,
)

BODY = b'{"our":"own test bytes"}'
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def test_verification_error_is_a_401_domain_error():
    assert issubclass(VerificationError, Unauthorized)


def test_missing_header_is_rejected():
    with pytest.raises(VerificationError):
        verify_aftership({}, BODY, "s")


def test_header_lookup_is_case_insensitive():
    verify_aftership({"AFTERSHIP-HMAC-SHA256": aftership_signature("s", BODY)}, BODY, "s")


def test_shippo_url_token_accepts_any_current_token_for_rotation():
    """GIVEN an old and a new token during rotation WHEN either arrives THEN accepted; other -> 401."""
    old, new = new_shippo_token(), new_shippo_token()
    verify_shippo_token({"token": old}, [old, new])
    verify_shippo_token({"token": new}, [old, new])
    for query in ({"token": "guess"}, {}):
        with pytest.raises(VerificationError):
            verify_shippo_token(query, [old, new])


def test_shippo_empty_configured_token_never_matches():
    with pytest.raises(VerificationError):
        verify_shippo_token({"token": "x"}, [""])


def test_standard_webhooks_published_vector():
    """GIVEN the test vector published with the Standard Webhooks reference libraries
    WHEN signed THEN the signature matches."""
    hook = StandardWebhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    assert hook.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}') == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_standard_webhooks_round_trip_for_our_outbound_deliveries():
    """GIVEN our outbound headers WHEN the receiver verifies THEN it gets the webhook id back,
    also when several signatures (key rotation) are listed."""
    secret = StandardWebhooks.generate_secret()
    hook = StandardWebhooks(secret)
    headers = hook.headers("msg_1", NOW, BODY)
    assert hook.verify(headers, BODY, NOW + timedelta(seconds=30)) == "msg_1"
    rotated = {**headers, "webhook-signature": "v1,bm90IGl0 " + headers["webhook-signature"]}
    assert hook.verify(rotated, BODY, NOW) == "msg_1"


@pytest.mark.parametrize("skew", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_standard_webhooks_rejects_stale_or_future_timestamps(skew):
    hook = StandardWebhooks(StandardWebhooks.generate_secret())
    headers = hook.headers("msg_1", NOW, BODY)
    with pytest.raises(VerificationError):
        hook.verify(headers, BODY, NOW + skew)


def test_standard_webhooks_rejects_other_key_and_tampered_body():
    hook, other = (StandardWebhooks(StandardWebhooks.generate_secret()) for _ in range(2))
    headers = other.headers("msg_1", NOW, BODY)
    with pytest.raises(VerificationError):
        hook.verify(headers, BODY, NOW)
    with pytest.raises(VerificationError):
        other.verify(headers, BODY + b" ", NOW)
