"""Fuzz of every provider-facing webhook function: the providers' real payloads (tests/fixtures),
mutated by Hypothesis (huge numbers, long strings, non-ASCII digits, arrays, missing fields,
non-UTF-8), SIGNED with the provider's own scheme and the tenant's secret, through the real handler
under moto. Whatever the body, the answer is below 500, and a 4xx carries the error body
`{"error": {"code", "message"}}`. The example count per function is bounded (EXAMPLES)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import time
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.channels.douyin import push_signature
from aftersales.channels.wecom import signature as wecom_signature
from tests.support.channels import (
    CARRIER_PAYLOADS,
    carrier_signed,
    configure,
    extra_resources,
    put_integration,
    seed_order,
    take_queued,
)
from tests.support.fixture_files import FIXTURES, load, raw
from tests.support.lambdas import FakeContext, load_handler
from tests.support.webhook_bodies import bodies, json_values, long_strings, raw_bodies, scalars

EXAMPLES = int(os.environ.get("WEBHOOK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
STRIPE_SECRET = "whsec_fuzz_secret"
APP_KEY, APP_SECRET = "fuzz-app-key", "fuzz-app-secret-123"
WECOM = load("wecom/wecom_callback_crypto.json")["config"]


def _event(method: str, resource: str, path: str, params: dict, body: bytes, headers: dict,
           query: dict | None = None, authorizer: dict | None = None) -> dict:
    """API Gateway's REST event; a body that is not UTF-8 arrives base64-encoded, as with binary types."""
    try:
        text, encoded = body.decode("utf-8"), False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode(), True
    return {"resource": resource, "path": path, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": query,
            "pathParameters": params, "body": text, "isBase64Encoded": encoded,
            "requestContext": {"requestId": str(uuid.uuid4()), "stage": "v1", "authorizer": authorizer or {}}}


def _call(handler, event: dict) -> tuple[int, str]:
    reply = handler.lambda_handler(event, FakeContext("fuzz"))
    return reply["statusCode"], reply.get("body") or ""


def assert_answer(status: int, body: str) -> None:
    """THEN never a 5xx; a 4xx says what was wrong in the error body shape."""
    assert status < 500, (status, body[:500])
    if status >= 400:
        error = json.loads(body)["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]


@pytest.fixture
def tenant(aws):
    extra_resources(aws)
    configure("acme")
    put_integration("acme", "channel:wecom", {"token": WECOM["token"], "encoding_aes_key": WECOM["encoding_aes_key"],
                                              "corp_id": WECOM["corpid_receiveid"]})
    put_integration("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    return "acme"


# ---------------------------------------------------------------------------------------- carriers

def post_carrier(handler, provider: str, body: bytes) -> tuple[int, str]:
    headers, query = carrier_signed(provider, body)
    return _call(handler, _event("POST", "/webhooks/carriers/{provider}/{tenant_id}",
                                 f"/webhooks/carriers/{provider}/acme", {"provider": provider, "tenant_id": "acme"},
                                 body, {"Content-Type": "application/json", **headers}, query))


@pytest.mark.parametrize("provider", sorted(CARRIER_PAYLOADS))
def test_signed_carrier_bodies_never_answer_5xx(tenant, provider):
    """GIVEN a tenant with this carrier configured WHEN any mutation of the carrier's real payload
    arrives correctly signed THEN the carrier webhook answers below 500."""
    handler = load_handler("carrier_webhook")

    @FUZZ
    @given(body=bodies(*CARRIER_PAYLOADS[provider]))
    def check(body: bytes) -> None:
        assert_answer(*post_carrier(handler, provider, body))

    check()


# ---------------------------------------------------------------------------------------- Stripe

def _stripe_event(obj: dict, kind: str) -> dict:
    event = load("stripe/fixture_event.json")
    event.update({"id": "evt_fuzz", "type": kind, "data": {"object": obj}})
    return event


STRIPE_BASES = [_stripe_event(load("stripe/fixture_refund.json"), "refund.updated"),
                _stripe_event(load("stripe/fixture_dispute.json"), "charge.dispute.created"),
                _stripe_event(load("stripe/fixture_charge.json"), "charge.refunded"),
                load("stripe/fixture_event.json")]


def stripe_signature(body: bytes, at: int | None = None, secret: str = STRIPE_SECRET) -> str:
    t = int(time.time()) if at is None else at
    return f"t={t},v1=" + hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


@pytest.fixture
def stripe_hook(tenant, money, monkeypatch):
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", STRIPE_SECRET)
    handler = load_handler("stripe_webhook")

    def post(body: bytes, signature: str | None = None) -> tuple[int, str]:
        return _call(handler, _event("POST", "/webhooks/stripe/{tenant_id}", "/webhooks/stripe/acme",
                                     {"tenant_id": "acme"}, body,
                                     {"Content-Type": "application/json",
                                      "Stripe-Signature": signature or stripe_signature(body)}))

    return post


def _fresh_ids(doc):
    """Mutations keep the fixtures' event id: give each example its own, so dedupe does not hide it."""
    if isinstance(doc, dict) and doc.get("id") == "evt_fuzz":
        return {**doc, "id": f"evt_{uuid.uuid4().hex}"}
    return doc


def test_signed_stripe_bodies_never_answer_5xx(stripe_hook):
    """GIVEN the tenant's Stripe webhook secret WHEN any mutation of Stripe's real event payloads
    arrives with a valid Stripe-Signature THEN the Stripe webhook answers below 500."""
    from tests.support.webhook_bodies import encode, json_documents

    @FUZZ
    @given(body=st.one_of(json_documents(*STRIPE_BASES).map(_fresh_ids).map(encode), raw_bodies()))
    def check(body: bytes) -> None:
        assert_answer(*stripe_hook(body))

    check()


# ---------------------------------------------------------------------------------------- WeCom

KF_EVENT = raw("wecom/skit/KfMessageEvent.xml").decode()
# The recorded kf event's elements, plus the documented text-message elements on the same envelope.
WECOM_FIELDS = {"ToUserName": WECOM["corpid_receiveid"], "FromUserName": "wm-fuzz-user", "CreateTime": "1348831860",
                "MsgType": "text", "Content": "订单 O-1 坏了", "MsgId": "1234567890123456", "AgentID": "1",
                "Event": "kf_msg_or_event", "Token": "ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR",
                "OpenKfId": "wkxxxxxxx"}
assert all(f"<{tag}>" in KF_EVENT for tag in ("ToUserName", "CreateTime", "MsgType", "Event", "Token", "OpenKfId"))


def wecom_seal(message: bytes, receive_id: str = WECOM["corpid_receiveid"]) -> str:
    """WXBizMsgCrypt's layout on arbitrary bytes: 16 random | length | message | receive id, AES-CBC."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(WECOM["encoding_aes_key"] + "=")
    plain = os.urandom(16) + struct.pack(">I", len(message)) + message + receive_id.encode()
    pad = 32 - len(plain) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()).decode()


def wecom_xml(fields: dict) -> bytes:
    return ("<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>").encode(
        "utf-8", "surrogatepass")


@st.composite
def wecom_messages(draw) -> bytes:
    fields = dict(WECOM_FIELDS)
    if draw(st.booleans()):
        fields["MsgType"] = "event"
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(sorted(fields)))
        if draw(st.integers(0, 3)) == 0:
            fields.pop(name)
        else:
            fields[name] = str(draw(scalars())).replace("]]>", "")
    return draw(st.one_of(st.just(wecom_xml(fields)), st.just(wecom_xml(fields)), raw_bodies(),
                          st.just(KF_EVENT.encode())))


@pytest.fixture
def wecom_hook(tenant):
    handler = load_handler("wecom_callback")

    def call(method: str, query: dict, body: bytes = b"") -> tuple[int, str]:
        return _call(handler, _event(method, "/webhooks/wecom/{tenant_id}", "/webhooks/wecom/acme",
                                     {"tenant_id": "acme"}, body, {"Content-Type": "text/xml"}, query))

    return call


def wecom_post_query(encrypt: str, timestamp: str | None = None, nonce: str | None = None) -> dict:
    ts = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:10]
    return {"msg_signature": wecom_signature(WECOM["token"], ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}


def test_signed_wecom_callbacks_never_answer_5xx(wecom_hook):
    """GIVEN the tenant's WeCom token and key WHEN any mutation of a callback message is sealed and
    signed as WeCom does (fresh timestamp and nonce) THEN the callback answers below 500."""
    @FUZZ
    @given(message=wecom_messages(), envelope=st.sampled_from(("xml", "xml", "not_xml", "no_encrypt")))
    def check(message: bytes, envelope: str) -> None:
        encrypt = wecom_seal(message)
        body = {"xml": f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>".encode(),
                "not_xml": encrypt.encode(), "no_encrypt": b"<xml><ToUserName>x</ToUserName></xml>"}[envelope]
        assert_answer(*wecom_hook("POST", wecom_post_query(encrypt), body))

    check()


def test_signed_wecom_url_verifications_never_answer_5xx(wecom_hook):
    """GIVEN the tenant's WeCom token and key WHEN a URL verification echostr of any content is sealed
    and signed THEN the verification answers below 500."""
    @FUZZ
    @given(echo=st.one_of(st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")), raw_bodies(),
                          long_strings().map(str.encode)),
           timestamp=st.one_of(st.just(None), st.sampled_from(("99999999999999999999", "١٢٣", "", "-1"))))
    def check(echo: bytes, timestamp: str | None) -> None:
        encrypt = wecom_seal(echo)
        query = {**wecom_post_query(encrypt, timestamp), "echostr": encrypt}
        status, body = wecom_hook("GET", query)
        if status >= 400:
            assert_answer(status, body)

    check()


# ---------------------------------------------------------------------------------------- Douyin

DOUYIN_SAMPLES = [load(f"douyin/event_samples/{path.name}")
                  for path in sorted((FIXTURES / "douyin" / "event_samples").glob("*.json"))]


@st.composite
def douyin_pushes(draw) -> bytes:
    """A push as Douyin sends it (an array of messages, msg ids fresh), one or two of them mutated."""
    from tests.support.webhook_bodies import encode, mutated

    chosen = draw(st.lists(st.sampled_from(DOUYIN_SAMPLES), min_size=1, max_size=4))
    messages = [{**m, "msgId": f"fuzz-{uuid.uuid4().hex}"} for m in chosen]
    shape = draw(st.sampled_from(("mutated", "mutated", "mutated", "data_as_string", "any")))
    if shape == "any":
        return encode(draw(json_values(max_leaves=20)))
    if shape == "data_as_string":
        messages = [{**m, "data": json.dumps(m["data"])} for m in messages]
    return encode(draw(mutated(messages)))


@pytest.fixture
def douyin_hook(tenant):
    seed_order("acme", str(DOUYIN_SAMPLES[0]["data"]["p_id"]))  # the samples' order: creates open tickets
    handler = load_handler("douyin_push")

    def post(body: bytes) -> tuple[int, str]:
        return _call(handler, _event("POST", "/webhooks/douyin/{tenant_id}", "/webhooks/douyin/acme",
                                     {"tenant_id": "acme"}, body,
                                     {"Content-Type": "application/json",
                                      "event-sign": push_signature(APP_KEY, body, APP_SECRET)}))

    return post


def test_signed_douyin_pushes_never_answer_5xx(douyin_hook):
    """GIVEN the tenant's Douyin app key and secret WHEN any mutation of Douyin's real after-sale push
    messages arrives with a valid event-sign THEN the push answers below 500, and the intake function
    files whatever the push queued without a failed record (bad data never loops through the DLQ)."""
    worker = load_handler("douyin_intake")

    @FUZZ
    @given(body=st.one_of(douyin_pushes(), raw_bodies()))
    def check(body: bytes) -> None:
        assert_answer(*douyin_hook(body))
        records = take_queued(os.environ["DOUYIN_INTAKE_QUEUE_URL"])
        if records:
            assert worker.lambda_handler({"Records": records}, FakeContext("fuzz")) == {"batchItemFailures": []}

    check()


# ---------------------------------------------------------------------------------------- e-mail

@st.composite
def mails(draw) -> bytes:
    """Raw MIME: any subset of the headers intake reads, each with any value (folded, encoded-word,
    5,000 characters, nothing), a plain or HTML body in a declared charset; or a cut-off copy."""
    header_values = st.one_of(st.text(max_size=60), long_strings(), st.sampled_from((
        "", "<>", "<a@b>", "<" + "x" * 3000 + "@example.com>", "=?utf-8?b?////?=", "=?x-unknown?q?abc?=",
        "Buyer <buyer@example.com>", "\"unterminated <a@b", "group: a@b, <c@d>;", "<a@b> <c@d> " * 50)))
    lines = [f"{name}: {draw(header_values)}" for name in ("From", "Subject", "Message-ID", "In-Reply-To", "References")
             if draw(st.booleans())]
    kind = draw(st.sampled_from(("plain", "html")))
    charset = draw(st.sampled_from(("utf-8", "gb2312", "x-unknown", "")))
    lines.append(f"Content-Type: text/{kind}" + (f"; charset={charset}" if charset else ""))
    body = draw(st.one_of(st.text(max_size=200), long_strings(), st.just("<p>订单 O-1 坏了</p>")))
    mime = ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8", "surrogatepass")
    return draw(st.one_of(st.just(mime), st.just(mime[: draw(st.integers(0, len(mime)))]), raw_bodies()))


def test_dropped_mail_never_answers_5xx(tenant):
    """GIVEN the authenticated inbound-mail drop WHEN any MIME (or not-MIME) body arrives THEN the
    drop answers below 500."""
    handler = load_handler("email_inbound")
    authorizer = {"tenant_id": "acme", "principal_kind": "api_key", "subject_id": "k1", "roles": "storefront"}

    @FUZZ
    @given(mime=mails())
    def check(mime: bytes) -> None:
        assert_answer(*_call(handler, _event("POST", "/inbound-email", "/inbound-email", {}, mime,
                                             {"Content-Type": "message/rfc822"}, authorizer=authorizer)))

    check()
