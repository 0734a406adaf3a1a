"""WeCom message crypto round trips and XML hardening (the official vector is in tests/contract)."""

from __future__ import annotations

import pytest

from aftersales.channels.safe_xml import UnsafeXml, parse_xml
from aftersales.channels.wecom import WeComCrypto, WeComCryptoError, parse_message, signature

TOKEN, AES_KEY, CORP = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
# Our own test message in the documented text-message layout (not a provider capture).
TEXT_XML = ("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
            "<FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1348831860</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[订单 123 还没到]]></Content>"
            "<MsgId>1234567890123456</MsgId><AgentID>1</AgentID></xml>")


@pytest.fixture
def crypto():
    return WeComCrypto(TOKEN, AES_KEY, CORP, random_bytes=lambda n: b"r" * n)


def test_encrypted_callback_decrypts_and_parses_text_message(crypto):
    """GIVEN a POST callback whose <Encrypt> we sealed with the tenant key
    WHEN decrypted and parsed THEN sender, content and msg id come out."""
    encrypt = crypto.encrypt(TEXT_XML)
    body = f"<xml><ToUserName><![CDATA[{CORP}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    sig = signature(TOKEN, "1409659813", "1372623149", encrypt)

    message = parse_message(crypto.decrypt_message(sig, "1409659813", "1372623149", body.encode()))

    assert (message.msg_type, message.sender, message.msg_id) == ("text", "zhangsan", "1234567890123456")
    assert message.content == "订单 123 还没到"
    assert message.created_at.year == 2012


def test_encrypted_reply_envelope_is_verifiable(crypto):
    reply = crypto.encrypt_reply("<xml><Content>ok</Content></xml>", "1409659813", "nonce1")
    root = parse_xml(reply)
    encrypt = root.findtext("Encrypt")
    assert root.findtext("MsgSignature") == signature(TOKEN, "1409659813", "nonce1", encrypt)
    assert crypto.verify_url(root.findtext("MsgSignature"), "1409659813", "nonce1", encrypt) == \
        "<xml><Content>ok</Content></xml>"


def test_padding_is_to_32_byte_blocks(crypto):
    import base64
    for size in (0, 1, 11, 12, 31, 32, 100):
        assert len(base64.b64decode(crypto.encrypt("x" * size))) % 32 == 0


def test_garbage_ciphertext_is_rejected_with_an_error_code(crypto):
    sig = signature(TOKEN, "1", "2", "QUJD")
    with pytest.raises(WeComCryptoError) as err:
        crypto.verify_url(sig, "1", "2", "QUJD")
    assert err.value.details["errcode"] in (-40007, -40008)


def test_illegal_aes_key_is_rejected():
    with pytest.raises(WeComCryptoError):
        WeComCrypto(TOKEN, "short", CORP)


def test_doctype_and_entities_are_rejected_before_parsing():
    """GIVEN a billion-laughs style document WHEN parsed THEN it is refused outright."""
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'
    with pytest.raises(UnsafeXml):
        parse_xml(bomb)


def test_missing_encrypt_element_is_40002(crypto):
    with pytest.raises(WeComCryptoError) as err:
        crypto.decrypt_message("x", "1", "2", b"<xml><ToUserName>a</ToUserName></xml>")
    assert err.value.details["errcode"] == -40002
