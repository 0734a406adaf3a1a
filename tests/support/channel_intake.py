"""Channel-intake helpers: the `env` fixture (a tenant with WeCom and Douyin settings and two seeded
orders, reached through the webhook handlers), a signed WeCom callback post, and an inbound e-mail."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from tests.support.channels import Webhooks, extra_resources, sealed_wecom_callback, seed_order, wecom_text_message
from tests.support.fixture_files import load

APP_KEY, APP_SECRET = "test-app-key", "test-app-secret-123"


@pytest.fixture
def env(aws):
    from aftersales.wiring import services

    extra_resources(aws)
    integrations = services().integrations
    vector = load("wecom/wecom_callback_crypto.json")["config"]
    integrations.set_wecom("acme", {"token": vector["token"], "encoding_aes_key": vector["encoding_aes_key"],
                                    "corp_id": vector["corpid_receiveid"]})
    integrations.set_douyin("acme", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    seed_order("acme", "O-1")
    seed_order("acme", "SO-20261118-01")
    return Webhooks()



def svc():
    from aftersales.wiring import services

    return services()



def system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="t", roles=frozenset({Role.SYSTEM}))



def wecom_post(env, text: str, msg_id: str, sender: str = "wm-user-1"):
    """A text message from `sender`, sealed with the official vector and signed at the service's now."""
    config = load("wecom/wecom_callback_crypto.json")["config"]
    query, body = sealed_wecom_callback(config, wecom_text_message(config["corpid_receiveid"], sender, text, msg_id),
                                        timestamp=str(int(svc().clock.now().timestamp())))
    return env.wecom_call("POST", "acme", query, body)



def mail(subject: str, text: str, message_id: str, in_reply_to: str | None = None, attach: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Buyer <buyer@example.com>", "help@shop.test"
    msg["Subject"], msg["Message-ID"] = subject, message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text)
    if attach:
        msg.add_attachment(b"\x89PNG fake", maintype="image", subtype="png", filename="photo.png")
    return msg.as_bytes()
