"""Webhook signature verifiers. Each runs on the raw body BEFORE anything is parsed or stored.

All comparisons are constant time (hmac.compare_digest). Every failure raises VerificationError,
a core Unauthorized (401), whose details never include the secret or the body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from aftersales.core.errors import InvalidRequest, Unauthorized
from aftersales.core.headers import header


class VerificationError(Unauthorized):
    code = "signature_invalid"


def _equal(expected: str | bytes, received: str | bytes | None) -> bool:
    if received is None:
        return False
    a = expected.encode() if isinstance(expected, str) else expected
    b = received.encode() if isinstance(received, str) else received
    return hmac.compare_digest(a, b)


def _require(value: str | None, provider: str) -> str:
    if not value:
        raise VerificationError("webhook.signature_missing", provider=provider)
    return value


# --- AfterShip -----------------------------------------------------------------------------------

AFTERSHIP_HEADER = "aftership-hmac-sha256"


def aftership_signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_aftership(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """`aftership-hmac-sha256` = base64(HMAC-SHA256(secret, raw body))."""
    received = _require(header(headers, AFTERSHIP_HEADER), "aftership")
    if not _equal(aftership_signature(secret, body), received.strip()):
        raise VerificationError("webhook.signature_invalid", provider="aftership")


# --- EasyPost ------------------------------------------------------------------------------------

EASYPOST_HEADER = "x-hmac-signature"
_EASYPOST_PREFIX = "hmac-sha256-hex="


def easypost_signature(secret: str, body: bytes) -> str:
    # EasyPost's client libraries NFKD-normalise the secret before using it as the key.
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return _EASYPOST_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify_easypost(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """`X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(NFKD(secret), raw body)>`."""
    received = _require(header(headers, EASYPOST_HEADER), "easypost")
    if not _equal(easypost_signature(secret, body), received.strip().lower()):
        raise VerificationError("webhook.signature_invalid", provider="easypost")


# --- 17TRACK -------------------------------------------------------------------------------------

SEVENTEEN_TRACK_HEADER = "sign"


def seventeen_track_signature(api_key: str, body: bytes) -> str:
    # v2 webhooks: plain SHA-256 (not HMAC) over "<raw body>/<security key>", lower-case hex.
    return hashlib.sha256(body + b"/" + api_key.encode()).hexdigest()


def verify_17track(headers: Mapping[str, str], body: bytes, api_key: str) -> None:
    received = _require(header(headers, SEVENTEEN_TRACK_HEADER), "17track")
    if not _equal(seventeen_track_signature(api_key, body), received.strip().lower()):
        raise VerificationError("webhook.signature_invalid", provider="17track")


# --- Shippo --------------------------------------------------------------------------------------

SHIPPO_TOKEN_PARAM = "token"


def verify_shippo_token(query: Mapping[str, str], accepted_tokens: Iterable[str]) -> None:
    """Shippo signs nothing by default and only lets us configure a URL (< 200 chars), so the
    webhook URL carries a random per-tenant token (`?token=<32+ url-safe chars>`) compared here in
    constant time. Several accepted tokens allow rotation without downtime. The token is a bearer
    secret: endpoints must strip it from access logs, and we re-fetch the track from Shippo's API
    before acting on money-moving statuses."""
    received = _require(query.get(SHIPPO_TOKEN_PARAM), "shippo")
    # Check every candidate (no early exit) so timing does not reveal which one matched.
    matched = False
    for token in accepted_tokens:
        matched |= bool(token) and _equal(token, received)
    if not matched:
        raise VerificationError("webhook.signature_invalid", provider="shippo")


def new_shippo_token() -> str:
    return secrets.token_urlsafe(32)


# --- Standard Webhooks (inbound and our own outbound) --------------------------------------------

class StandardWebhooks:
    """https://www.standardwebhooks.com: headers webhook-id / webhook-timestamp / webhook-signature,
    signature `v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>`, key = base64 secret after
    `whsec_`, timestamps more than `tolerance` from now rejected (replay protection)."""

    PREFIX = "whsec_"
    KEY_BYTES = range(24, 65)  # the scheme's keys are 24 to 64 random bytes

    def __init__(self, secret: str, tolerance: timedelta = timedelta(minutes=5)) -> None:
        """InvalidRequest (422, field `secret`) for a secret that is not base64 of a 24..64-byte key:
        an empty one would sign with no key at all."""
        try:
            self._key = base64.b64decode(secret.removeprefix(self.PREFIX), validate=True)
        except ValueError:
            self._key = b""
        if len(self._key) not in self.KEY_BYTES:
            raise InvalidRequest("error.integration_setting_invalid", field="secret",
                                 problem="not the base64 of a 24 to 64-byte key after whsec_")
        self._tolerance = tolerance

    @classmethod
    def generate_secret(cls) -> str:
        return cls.PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()

    def sign(self, msg_id: str, timestamp: int, body: bytes) -> str:
        signed = f"{msg_id}.{timestamp}.".encode() + body
        return "v1," + base64.b64encode(hmac.new(self._key, signed, hashlib.sha256).digest()).decode()

    def headers(self, msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
        """Headers for one of OUR outbound deliveries; msg_id stays the same across retries."""
        ts = int(at.timestamp())
        return {"webhook-id": msg_id, "webhook-timestamp": str(ts),
                "webhook-signature": self.sign(msg_id, ts, body)}

    def verify(self, headers: Mapping[str, str], body: bytes, now: datetime) -> str:
        """Returns the webhook id (the idempotency key) when the delivery is authentic."""
        msg_id = _require(header(headers, "webhook-id"), "standard_webhooks")
        ts_text = _require(header(headers, "webhook-timestamp"), "standard_webhooks")
        signatures = _require(header(headers, "webhook-signature"), "standard_webhooks")
        timestamp = self._check_timestamp(ts_text, now)
        expected = self.sign(msg_id, timestamp, body)
        matched = False
        for candidate in signatures.split():
            if candidate.startswith("v1,"):
                matched |= _equal(expected, candidate)
        if not matched:
            raise VerificationError("webhook.signature_invalid", provider="standard_webhooks")
        return msg_id

    def _check_timestamp(self, text: str, now: datetime) -> int:
        try:
            timestamp = int(text)
        except ValueError as exc:
            raise VerificationError("webhook.timestamp_invalid") from exc
        if abs(now.timestamp() - timestamp) > self._tolerance.total_seconds():
            raise VerificationError("webhook.timestamp_out_of_tolerance")
        return timestamp
