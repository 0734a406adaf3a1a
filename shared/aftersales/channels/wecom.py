"""WeCom (企业微信) callback crypto, per the official WXBizMsgCrypt scheme.

- msg_signature = SHA1 hex of the sorted, concatenated [token, timestamp, nonce, encrypt];
- AES-256-CBC, key = base64decode(EncodingAESKey + "="), iv = key[:16], PKCS#7 to 32-byte blocks;
- plaintext = 16 random bytes | 4-byte big-endian length | message | receive id (corp id).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import ConfigDict

from aftersales.channels.safe_xml import child_text, parse_xml
from aftersales.core.clock import from_unix
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.logistics.verification import VerificationError

_BLOCK = 32
KF_EVENT = "kf_msg_or_event"  # 微信客服: a customer wrote (or something happened) on a kf account


class WeComCryptoError(VerificationError):
    """Carries the official error code (-40001 signature, -40005 receive id, -40007 decrypt...)."""

    code = "wecom_crypto_error"


def _pkcs7_pad(data: bytes) -> bytes:
    pad = _BLOCK - len(data) % _BLOCK
    return data + bytes([pad]) * pad


def _pkcs7_unpad(data: bytes) -> bytes:
    if not data:
        raise WeComCryptoError("wecom.illegal_buffer", errcode=-40008)
    pad = data[-1]
    if not 1 <= pad <= _BLOCK or data[-pad:] != bytes([pad]) * pad:
        raise WeComCryptoError("wecom.decrypt_failed", errcode=-40007)
    return data[:-pad]


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


class WeComMessage(DomainModel):
    model_config = ConfigDict(frozen=True)

    msg_type: str
    msg_id: str | None
    sender: str | None  # FromUserName: the member / external contact user id
    receiver: str | None  # ToUserName: our corp id
    agent_id: str | None
    created_at: datetime | None
    content: str | None  # text messages only
    event: str | None  # event pushes (change_external_contact, kf_msg_or_event, ...)
    token: str | None = None  # kf_msg_or_event: the Token to pass to kf/sync_msg (valid 10 minutes)
    open_kfid: str | None = None  # kf_msg_or_event: the 微信客服 account that has new messages


class WeComCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str,
                 random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise WeComCryptoError("wecom.illegal_aes_key", errcode=-40004) from exc
        if len(key) != 32:
            raise WeComCryptoError("wecom.illegal_aes_key", errcode=-40004)
        self._token, self._key, self._iv = token, key, key[:16]
        self._receive_id = receive_id
        self._random = random_bytes

    # --- inbound --------------------------------------------------------------------------------

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET URL verification: returns the plaintext echo to send back as the response body."""
        return self._verify_and_decrypt(msg_signature, timestamp, nonce, echostr)

    def decrypt_message(self, msg_signature: str, timestamp: str, nonce: str, body: bytes) -> str:
        """POST callback: `<xml><ToUserName/><Encrypt/><AgentID/></xml>` -> decrypted message XML."""
        encrypt = child_text(parse_xml(body), "Encrypt")
        if not encrypt:
            raise WeComCryptoError("wecom.parse_xml_failed", errcode=-40002)
        return self._verify_and_decrypt(msg_signature, timestamp, nonce, encrypt)

    def _verify_and_decrypt(self, msg_signature: str, timestamp: str, nonce: str,
                            encrypt: str) -> str:
        expected = signature(self._token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), (msg_signature or "").lower().encode()):
            raise WeComCryptoError("wecom.signature_invalid", errcode=-40001)
        return self._decrypt(encrypt)

    def _decrypt(self, encrypt: str) -> str:
        try:
            cipher_text = base64.b64decode(encrypt, validate=True)
        except binascii.Error as exc:
            raise WeComCryptoError("wecom.base64_decode_failed", errcode=-40010) from exc
        if not cipher_text or len(cipher_text) % 16:
            raise WeComCryptoError("wecom.decrypt_failed", errcode=-40007)
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._iv)).decryptor()
        plain = _pkcs7_unpad(decryptor.update(cipher_text) + decryptor.finalize())
        return self._unpack(plain)

    def _unpack(self, plain: bytes) -> str:
        if len(plain) < 20:
            raise WeComCryptoError("wecom.illegal_buffer", errcode=-40008)
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise WeComCryptoError("wecom.illegal_buffer", errcode=-40008)
        message, receive_id = plain[20:20 + length], plain[20 + length:]
        if not hmac.compare_digest(receive_id, self._receive_id.encode()):
            raise WeComCryptoError("wecom.receive_id_mismatch", errcode=-40005)
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError:
            raise WeComCryptoError("wecom.illegal_buffer", errcode=-40008) from None

    # --- outbound (passive replies) -------------------------------------------------------------

    def encrypt(self, message: str) -> str:
        raw = message.encode("utf-8")
        plain = self._random(16) + struct.pack(">I", len(raw)) + raw + self._receive_id.encode()
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._iv)).encryptor()
        sealed = encryptor.update(_pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def encrypt_reply(self, message: str, timestamp: str, nonce: str) -> str:
        """The encrypted reply envelope WeCom expects as the POST response body."""
        encrypt = self.encrypt(message)
        sig = signature(self._token, timestamp, nonce, encrypt)
        return (f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{sig}]]></MsgSignature>"
                f"<TimeStamp>{int(timestamp)}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
                )


class WeComPayloadError(InvalidRequest):
    """A decrypted, authentic message with a field WeCom never sends (400 with the element name)."""

    code = "wecom_payload_invalid"


# Longest values WeCom documents: user ids 64 bytes, external_userid / open_kfid ~32, MsgId a 64-bit
# integer, the kf sync Token ~50; text messages 2048 bytes. Twice that, and never a control character.
_ID_ELEMENTS = {"MsgId": 64, "FromUserName": 128, "ToUserName": 128, "AgentID": 20, "Token": 256,
                "OpenKfId": 128, "MsgType": 32, "Event": 64}
MAX_CONTENT = 4096


def _element(root, tag: str, limit: int) -> str | None:
    value = child_text(root, tag)
    if value is None:
        return None
    if len(value) > limit or not value.isprintable():
        raise WeComPayloadError("wecom.field_invalid", field=tag, limit=limit)
    return value


def parse_message(xml_text: str) -> WeComMessage:
    """Decrypted message XML -> WeComMessage (text: sender, content, msg id; the 微信客服 event
    `kf_msg_or_event`: Token and OpenKfId, the messages themselves are pulled with kf/sync_msg).
    Ids are bounded and CreateTime must be unix seconds in core.clock's range (WeComPayloadError)."""
    root = parse_xml(xml_text)
    ids = {tag: _element(root, tag, limit) for tag, limit in _ID_ELEMENTS.items()}
    created = child_text(root, "CreateTime")
    created_at = from_unix(created) if created is not None else None
    if created is not None and created_at is None:
        raise WeComPayloadError("wecom.field_invalid", field="CreateTime", limit=12)
    content = child_text(root, "Content")
    if content is not None and len(content) > MAX_CONTENT:
        raise WeComPayloadError("wecom.field_invalid", field="Content", limit=MAX_CONTENT)
    return WeComMessage(
        msg_type=(ids["MsgType"] or "unknown").strip() or "unknown",
        msg_id=ids["MsgId"],
        sender=ids["FromUserName"],
        receiver=ids["ToUserName"],
        agent_id=ids["AgentID"],
        created_at=created_at,
        content=content,
        event=ids["Event"],
        token=ids["Token"],
        open_kfid=ids["OpenKfId"],
    )
