"""Platform cases join the disputes record through the real webhook functions under moto, each with
only the environment template.yaml gives it: a Stripe chargeback through functions/stripe_webhook,
a Douyin arbitration through functions/douyin_push and the intake queue into functions/douyin_intake.
The records are read back from the template's DisputesTable through services().disputes."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.douyin import push_signature
from tests.support.channels import Webhooks, extra_resources, put_integration, seed_order
from tests.support.fixture_files import load
from tests.support.money import open_ticket
from tests.support.stripe_webhooks import SECRET, envelope, fixture, poster, sign

APP_KEY, APP_SECRET = "7000000000000000003", "douyin-arbitration-secret"


def _only_the_functions_environment(aws, monkeypatch, function: str) -> None:
    """Forget the disputes table the API function's environment gave every test, then take the
    function's own: what the function needs must be in its template entry."""
    monkeypatch.delenv("DISPUTES_TABLE", raising=False)
    for key, value in aws.functions[function].environment.items():
        monkeypatch.setenv(key, str(value))
    from aftersales import wiring

    wiring.reset()


def _policy_tables(function: str) -> set[str]:
    from infra.local.cfn import load_yaml
    from tests.support.environment import ROOT

    resources = load_yaml((ROOT / "template.yaml").read_text())["Resources"]
    tables = set()
    for policy in resources[function]["Properties"]["Policies"]:
        if isinstance(policy, dict) and "DynamoDBCrudPolicy" in policy:
            tables.add(policy["DynamoDBCrudPolicy"]["TableName"]["Ref"])
        if isinstance(policy, dict) and "EventBridgePutEventsPolicy" in policy:
            tables.add("events:" + policy["EventBridgePutEventsPolicy"]["EventBusName"]["Ref"])
    return tables


@pytest.mark.parametrize("function", ["StripeWebhookFunction", "DouyinIntakeFunction"])
def test_the_template_gives_both_webhook_paths_the_disputes_table_and_the_bus(aws, function):
    assert "DISPUTES_TABLE" in aws.functions[function].environment
    assert {"DisputesTable", "events:DomainEventBus"} <= _policy_tables(function)
    assert "DISPUTES_TABLE" not in aws.functions["DouyinPushFunction"].environment  # it only keeps and queues


def test_a_stripe_chargeback_joins_the_orders_ticket_through_the_webhook_function(aws, monkeypatch):
    """GIVEN order O-21 paid by ch_O-21 with an open ticket WHEN Stripe's dispute fixture arrives as
    charge.dispute.created, then charge.dispute.closed (lost), each signed THEN one dispute on that
    ticket in DisputesTable, decided upheld by Stripe, and a duplicate delivery changes nothing."""
    import os

    import boto3

    from aftersales import wiring

    _only_the_functions_environment(aws, monkeypatch, "StripeWebhookFunction")
    money = wiring.services()
    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", SECRET)
    post = poster()
    ticket = open_ticket(money, order_id="O-21")
    dispute = {**fixture("fixture_dispute.json"), "charge": "ch_O-21"}
    for kind, event_id, obj in (("charge.dispute.created", "evt_i1", dispute),
                                ("charge.dispute.closed", "evt_i2", {**dispute, "status": "lost"}),
                                ("charge.dispute.closed", "evt_i2", {**dispute, "status": "lost"})):
        body = json.dumps(envelope(obj, kind, event_id))
        assert post(body, sign(body))["status"] == 200
    record = money.disputes.platform_dispute("acme", "stripe", dispute["id"])
    assert record.ticket_id == ticket.id and record.version == 3  # raised, platform update, decided
    assert record.decision.outcome.value == "upheld" and record.platform.events == ["evt_i1", "evt_i2"]
    assert [d.id for d in money.dispute_store.for_ticket("acme", ticket.id)] == [record.id]


def _douyin(sample: str, tag: int, msg_id: str, **data) -> dict:
    recorded = load(f"douyin/event_samples/{sample}.json")
    recorded["data"].update({"p_id": "O-31", "s_id": "L1", "aftersale_id": "AS-31", **data})
    return recorded | {"tag": tag, "msgId": msg_id}


def _signed(messages: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps(messages).encode()
    return body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET), "Content-Type": "application/json"}


def test_a_douyin_arbitration_joins_the_after_sales_ticket_through_push_and_intake(aws, monkeypatch):
    """GIVEN a Douyin after-sale filed through the push and intake functions WHEN Douyin's recorded
    212 (arbitration applied) and a 215 (the buyer withdrew it) are pushed and filed THEN one douyin
    dispute on the after-sale's ticket, decided for the merchant; the ticket still has its notes."""
    from aftersales.wiring import services

    extra_resources(aws)
    _only_the_functions_environment(aws, monkeypatch, "DouyinIntakeFunction")
    put_integration("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    seed_order("acme", "O-31")
    hooks = Webhooks()
    _, created = hooks.push_and_file_douyin("acme", *_signed([_douyin("RefundCreatedEvent", 200, "dy-200",
                                                                      aftersale_type=1, refund_amount=3990)]))
    (ticket_id,) = {r["ticket_id"] for r in created}
    reply, filed = hooks.push_and_file_douyin("acme", *_signed([_douyin("RefundArbitrateAppliedEvent", 212, "dy-212"),
                                                                _douyin("RefundArbitrateAppliedEvent", 215, "dy-215")]))
    assert reply.status == 200 and [r["outcome"] for r in filed] == ["commented", "commented"]
    record = services().disputes.platform_dispute("acme", "douyin", "AS-31")
    assert record.ticket_id == ticket_id and record.source.value == "douyin"
    assert record.platform.reference == "xxxxxxx" and record.platform.events == ["dy-212", "dy-215"]
    assert record.decision.outcome.value == "dismissed" and record.decision.reason == "douyin:arbitration_cancelled"
    # Douyin pushes the same messages again (new bytes): filed once, the record unchanged
    _, again = hooks.push_and_file_douyin("acme", *_signed([_douyin("RefundArbitrateAppliedEvent", 212, "dy-212")]))
    assert [r["outcome"] for r in again] == ["duplicate"]
    assert services().disputes.platform_dispute("acme", "douyin", "AS-31").version == record.version
