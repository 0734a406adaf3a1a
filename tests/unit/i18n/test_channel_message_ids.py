"""Every message id the logistics / channels / notifications code raises - including the
Lambda handlers under functions/, which the catalog-wide scan does not read - has en + zh-Hans text."""

from __future__ import annotations

from tests.support.catalog import CALL, error_classes, raised_message_ids
from tests.support.environment import ROOT
from tools.messages import MESSAGES

HANDLERS = ("carrier_webhook", "wecom_callback", "douyin_push", "douyin_intake", "email_inbound", "stripe_webhook",
            "logistics_sweep", "notifications")
CHANNEL_SOURCES = ("shared/aftersales/logistics/", "shared/aftersales/channels/", "shared/aftersales/notifications/",
                  "shared/aftersales/adapters/aws_intake.py", "shared/aftersales/adapters/dynamo/logistics.py",
                  "shared/aftersales/adapters/dynamo/intake.py", "shared/aftersales/http/webhooks.py",
                  "shared/aftersales/http/routes/logistics.py", "shared/aftersales/adapters/stripe_payments.py",
                  "shared/aftersales/refunds/webhooks.py", "shared/aftersales/core/payloads.py")


def _handler_ids() -> dict[str, str]:
    classes = error_classes()
    found: dict[str, str] = {}
    for name in HANDLERS:
        path = ROOT / "functions" / name / "handler.py"
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            if match.group(1) in classes:
                found.setdefault(match.group(2), f"functions/{name}/handler.py")
    return found


def test_channel_handlers_and_services_raise_only_catalogued_message_ids():
    """GIVEN the channel, logistics and notification services, adapters, routes and Lambda handlers
    WHEN every message id passed to a DomainError subclass is looked up
    THEN tools/messages.py has a non-empty en and zh-Hans text."""
    catalog = {msgid: (en, zh) for msgid, en, zh in MESSAGES}
    raised = {i: where for i, where in raised_message_ids().items() if where.startswith(CHANNEL_SOURCES)}
    raised |= _handler_ids()
    assert "email.key_without_tenant" in raised and "webhook.signature_invalid" in raised
    missing = {i: where for i, where in raised.items() if i not in catalog}
    assert not missing, f"add to tools/messages.py and run `make i18n`: {missing}"
    assert all(catalog[i][0].strip() and catalog[i][1].strip() for i in raised)
