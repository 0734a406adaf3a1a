"""IntegrationService: no blank, short or malformed signing secret, token or key is ever stored,
whoever calls (the API's request models check the same rules, integrations/model.py)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest
from aftersales.integrations.service import IntegrationService
from aftersales.logistics.events import Provider
from aftersales.logistics.verification import StandardWebhooks
from tests.support.channels_fakes import FakeIntegrationSettings

VECTOR_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"  # WeCom's published EncodingAESKey
WECOM = {"token": "QDG6eK", "encoding_aes_key": VECTOR_KEY, "corp_id": "wx5823bf96d3bd56c7"}
DOUYIN = {"app_key": "7000000000000000001", "app_secret": "douyin-app-secret"}
CARRIERS = [Provider.AFTERSHIP, Provider.EASYPOST, Provider.SEVENTEEN_TRACK]

# whitespace of every kind (ASCII, NBSP, ideographic space, line separators) and invisible
# format characters (zero-width space, BOM): blank or pasted around a secret
BLANKS = st.text(st.sampled_from(" \t\n\r\x0b\x0c\u00a0\u2002\u3000\u2028\u200b\ufeff"), max_size=40)
SECRETS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7e), min_size=8, max_size=64)


def service() -> tuple[IntegrationService, FakeIntegrationSettings]:
    settings = FakeIntegrationSettings()
    return IntegrationService(settings, FixedClock(datetime(2026, 12, 1, tzinfo=UTC))), settings


def _spoilt(secret: str, blank: str, where: int) -> str:
    """`blank` alone, or put before, inside or after `secret`."""
    return [blank, blank + secret, secret[:4] + blank + secret[4:], secret + blank][where]


@given(secret=SECRETS, blank=BLANKS, where=st.integers(0, 3), provider=st.sampled_from(CARRIERS))
def test_no_blank_or_whitespace_carrier_secret_is_stored(secret, blank, where, provider):
    """GIVEN a secret left blank or with whitespace/invisible characters around or inside it
    WHEN it is set as a carrier's webhook secret THEN InvalidRequest on `secret` and nothing is stored."""
    svc, settings = service()
    value = _spoilt(secret, blank, where)
    if value == secret:  # an empty `blank` around a good secret leaves a good secret
        svc.set_carrier_secret("acme", provider, value)
        assert settings.get("acme", f"carrier:{provider.value}") == {"secret": secret}
        return
    with pytest.raises(InvalidRequest) as refused:
        svc.set_carrier_secret("acme", provider, value)
    assert refused.value.details["field"] == "secret"
    assert len(settings) == 0


@given(secret=SECRETS, blank=BLANKS.filter(bool), where=st.integers(0, 3),
       field=st.sampled_from(["app_secret", "app_key"]))
def test_no_blank_or_whitespace_douyin_credential_is_stored(secret, blank, where, field):
    """GIVEN Douyin credentials whose app secret or app key is blank or holds whitespace
    WHEN they are set THEN InvalidRequest naming that field and no Douyin settings are stored."""
    svc, settings = service()
    with pytest.raises(InvalidRequest) as refused:
        svc.set_douyin("acme", {**DOUYIN, field: _spoilt(secret, blank, where)})
    assert refused.value.details["field"] == field
    assert "channel:douyin" not in settings


@given(secret=SECRETS, blank=BLANKS.filter(bool), where=st.integers(0, 3),
       field=st.sampled_from(["secret", "kf_secret"]))
def test_no_blank_or_whitespace_wecom_secret_is_stored(secret, blank, where, field):
    """GIVEN WeCom settings whose application or 微信客服 secret is blank or holds whitespace
    WHEN they are set THEN InvalidRequest naming that field and no WeCom settings are stored."""
    svc, settings = service()
    extra = {"agent_id": 1000002} if field == "secret" else {}
    with pytest.raises(InvalidRequest) as refused:
        svc.set_wecom("acme", {**WECOM, **extra, field: _spoilt(secret, blank, where)})
    assert refused.value.details["field"] == field
    assert len(settings) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("token", ""), ("token", "  "), ("token", "ab"), ("token", "t" * 33), ("token", "tok en"), ("token", "tok-en"),
    ("encoding_aes_key", ""), ("encoding_aes_key", " " * 43), ("encoding_aes_key", VECTOR_KEY[:42]),
    ("encoding_aes_key", VECTOR_KEY + "="), ("encoding_aes_key", VECTOR_KEY[:42] + "+"),
    ("encoding_aes_key", VECTOR_KEY[:42] + "\u00e9"),
    ("corp_id", ""), ("corp_id", " "), ("corp_id", "wx58 23"),
])
def test_wecom_callback_credentials_follow_wecoms_format(field, value):
    """GIVEN WeCom callback settings whose Token is not 3-32 letters/digits or whose EncodingAESKey
    is not 43 letters/digits (WeCom's console rules), or a blank corp id
    WHEN they are set THEN InvalidRequest naming the field and nothing is stored."""
    svc, settings = service()
    with pytest.raises(InvalidRequest) as refused:
        svc.set_wecom("acme", {**WECOM, field: value})
    assert refused.value.details["field"] == field
    assert len(settings) == 0


def test_valid_credentials_are_stored_as_given():
    """GIVEN WeCom's published vector credentials, Douyin app credentials and a carrier secret
    WHEN they are set THEN each is stored unchanged (a key of 43 letters/digits is a 32-byte AES key)."""
    svc, settings = service()
    svc.set_wecom("acme", {**WECOM, "kf_secret": "kf-secret-0123456789"})
    svc.set_douyin("acme", DOUYIN)
    svc.set_carrier_secret("acme", Provider.AFTERSHIP, "aftership-secret-01")
    assert settings.get("acme", "channel:wecom") == {**WECOM, "kf_secret": "kf-secret-0123456789"}
    assert settings.get("acme", "channel:douyin") == DOUYIN
    assert settings.get("acme", "carrier:aftership") == {"secret": "aftership-secret-01"}
    assert len(base64.b64decode(VECTOR_KEY + "=")) == 32


def test_a_short_secret_is_refused():
    """GIVEN a 7-character secret WHEN it is set for a carrier THEN InvalidRequest: 8 is the least."""
    svc, settings = service()
    with pytest.raises(InvalidRequest):
        svc.set_carrier_secret("acme", Provider.EASYPOST, "1234567")
    assert len(settings) == 0


@pytest.mark.parametrize("secret", ["", "whsec_", "whsec_ ", "whsec_not base64!", "whsec_" + "A" * 30,
                                    "whsec_" + base64.b64encode(b"k" * 65).decode()])
def test_standard_webhooks_refuses_an_empty_or_malformed_secret(secret):
    """GIVEN a Standard Webhooks secret that is empty, not base64, or not a 24..64-byte key
    WHEN a verifier is made with it THEN InvalidRequest on `secret` (an empty key would sign anything)."""
    with pytest.raises(InvalidRequest) as refused:
        StandardWebhooks(secret)
    assert refused.value.details["field"] == "secret"
