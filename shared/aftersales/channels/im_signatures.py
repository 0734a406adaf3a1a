"""Push signatures of the IM channels, checked on the raw body BEFORE anything is parsed or stored.

- NetEase Qiyu (网易七鱼, message interface, doc 通用说明): query parameters `eventType`, `time` (UTC
  seconds) and `checksum` = lowercase hex SHA1(appSecret + md5 + time), md5 = lowercase hex MD5 of
  the whole raw body; a push is valid for 5 minutes. Our calls to Qiyu's open API carry the same
  checksum (with `appKey`), so `qiyu_checksum` signs both ways.
- Meiqia (美洽, SDK 3.0 push): header `Authorization: meiqia_sign:<sign>`, sign = base64 of the
  lowercase HEX text of HMAC-SHA1(Secret-Key, raw body) (base64 of the hex string, not of the digest).

Comparisons are constant time; failures raise VerificationError (401) without the secret or body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from aftersales.core.headers import header
from aftersales.logistics.verification import VerificationError

QIYU_WINDOW = timedelta(minutes=5)
MEIQIA_PREFIX = "meiqia_sign:"


def qiyu_checksum(app_secret: str, body: bytes, time: int | str) -> str:
    md5 = hashlib.md5(body).hexdigest()  # MD5 / SHA1: the vendor's scheme, not our choice
    return hashlib.sha1(f"{app_secret}{md5}{time}".encode()).hexdigest()


def verify_qiyu(app_secret: str, query: Mapping[str, str], body: bytes, now: datetime) -> str:
    """The push's eventType once its checksum and time are good."""
    checksum, time, event = query.get("checksum") or "", query.get("time") or "", query.get("eventType") or ""
    if not (checksum and time and event):
        raise VerificationError("webhook.signature_missing", provider="qiyu")
    if not time.isdigit() or abs(now.timestamp() - int(time)) > QIYU_WINDOW.total_seconds():
        raise VerificationError("webhook.timestamp_out_of_tolerance", provider="qiyu")
    if not hmac.compare_digest(qiyu_checksum(app_secret, body, time).encode(), checksum.lower().encode()):
        raise VerificationError("webhook.signature_invalid", provider="qiyu")
    return event


def meiqia_sign(secret_key: str, body: bytes) -> str:
    hexdigest = hmac.new(secret_key.encode(), body, hashlib.sha1).hexdigest()
    return base64.b64encode(hexdigest.encode()).decode()


def verify_meiqia(secret_key: str, headers: Mapping[str, str], body: bytes) -> None:
    value = header(headers, "Authorization") or ""
    if not value.startswith(MEIQIA_PREFIX):
        raise VerificationError("webhook.signature_missing", provider="meiqia")
    received = value[len(MEIQIA_PREFIX):].strip()
    if not hmac.compare_digest(meiqia_sign(secret_key, body).encode(), received.encode()):
        raise VerificationError("webhook.signature_invalid", provider="meiqia")
