"""Replay protection for signed callbacks whose signature covers a timestamp and a nonce (WeCom's
msg_signature = SHA1 over token, timestamp, nonce and the ciphertext).

A valid signature only proves WeCom sent these bytes once, at some time. So, after the signature:
- the signed timestamp must lie within WINDOW of our (injectable) clock, both ways;
- the (timestamp, nonce) pair is claimed with the dedupe store's conditional put: a second callback
  with the same pair inside the window is a replay and refused. The claim is released again when
  the callback's processing fails, so WeCom's own retry of it is taken.
Claims outlive the window (a day), so nothing a replayer can still present is forgotten.
"""

from __future__ import annotations

from datetime import timedelta

from aftersales.channels.ports import DedupeMarkers
from aftersales.core.clock import Clock
from aftersales.logistics.verification import VerificationError

WINDOW = timedelta(minutes=5)
CLAIM_TTL_DAYS = 1
MAX_NONCE = 64


class ReplayWindow:
    def __init__(self, store: DedupeMarkers, clock: Clock, provider: str, window: timedelta = WINDOW) -> None:
        self._store, self._clock, self._provider, self._window = store, clock, provider, window

    @property
    def source(self) -> str:
        return f"{self._provider}_nonce"

    def admit(self, tenant_id: str, timestamp: str, nonce: str) -> str:
        """Claims the callback's (timestamp, nonce); returns the claim for `release`. Raises
        VerificationError (401) when the timestamp is not unix seconds, outside the window, or the
        pair was seen before."""
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise VerificationError("webhook.timestamp_invalid", provider=self._provider)
        if abs(self._clock.now().timestamp() - int(timestamp)) > self._window.total_seconds():
            raise VerificationError("webhook.timestamp_out_of_tolerance", provider=self._provider)
        if not nonce or len(nonce) > MAX_NONCE or not (nonce.isascii() and nonce.isprintable()):
            raise VerificationError("webhook.nonce_invalid", provider=self._provider)
        claim = f"{timestamp}:{nonce}"
        if not self._store.first_seen(tenant_id, self.source, claim, ttl_days=CLAIM_TTL_DAYS):
            raise VerificationError("webhook.replayed", provider=self._provider)
        return claim

    def release(self, tenant_id: str, claim: str) -> None:
        self._store.forget(tenant_id, self.source, claim)
