"""Douyin write-back through its Lambda handler: moto for AWS, a local HTTP server answering like
the 抖店 open API. Pushes are the recorded Douyin samples re-keyed to our order."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.douyin import push_signature
from tests.support.channels import Webhooks, extra_resources, seed_order
from tests.support.fake_http import FakeJsonApi
from tests.support.fixture_files import FIXTURES, load
from tests.support.lambdas import FakeContext, load_handler, sqs_record
from tests.support.tickets import walk

APP_KEY, APP_SECRET = "7000000000000000001", "douyin-app-secret"
SETTINGS = {"app_key": APP_KEY, "app_secret": APP_SECRET, "shop_id": "95250", "return_address_id": 95251,
            "reject_reason_code": 7}
OK = {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "l",
      "data": {"items": [{"aftersale_id": 1, "status_code": 0, "status_msg": ""}]}}


@pytest.fixture
def douyin(aws, monkeypatch):
    api = FakeJsonApi(lambda method, path, query, body: (200, {
        "code": 10000, "data": {"access_token": "shop-token", "expires_in": 604800}} if path == "/token/create"
        else api.replies.pop(0)))
    api.replies = []
    monkeypatch.setenv("DOUYIN_API_BASE", api.url)
    from aftersales import wiring

    wiring.reset()
    extra_resources(aws)
    seed_order("acme", "O-1")
    wiring.services().integrations.set_douyin("acme", dict(SETTINGS))
    yield api
    api.close()


def push(tag: int, sample: str, aftersale_id: str, aftersale_type: int, msg_id: str, order_id: str = "O-1"):
    message = json.loads((FIXTURES / "douyin" / "event_samples" / f"{sample}.json").read_text())
    message["data"].update(p_id=order_id, s_id="L1", aftersale_id=aftersale_id, aftersale_type=aftersale_type)
    body = json.dumps([message | {"tag": tag, "msgId": msg_id}]).encode()
    reply, filed = Webhooks().push_and_file_douyin("acme", body,
                                                   {"event-sign": push_signature(APP_KEY, body, APP_SECRET)})
    assert reply.status == 200, reply
    return filed[0]


def services():
    from aftersales.wiring import services as built

    return built()


def decide(ticket_id: str, *steps: str, reason: str | None = None):
    """Staff steps on the ticket; returns the last step's domain event as EventBridge delivers it."""
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    agent = Actor(id="agent-1", roles=frozenset({Role.AGENT, Role.SUPERVISOR}))
    walk(services().tickets, "acme", ticket_id, *steps, actor=agent, reason=reason)
    return event_of(services().tickets.audit("acme", ticket_id, agent)[-1], ticket_id)


def event_of(entry, ticket_id: str) -> dict:
    return {"detail-type": entry.event, "source": "aftersales.tickets", "detail": {
        "tenant_id": "acme", "ticket_id": ticket_id, "seq": entry.seq, "event": entry.event,
        "from_status": entry.from_status, "to_status": entry.to_status, "reason": entry.reason,
        "data": entry.data or {}, "dedup_key": f"{ticket_id}#{entry.seq}"}}


def run(event: dict) -> dict:
    record = sqs_record(event)
    return load_handler("douyin_writeback").lambda_handler({"Records": [record]}, FakeContext("dy"))


def audit_events(ticket_id: str) -> list:
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return services().tickets.audit("acme", ticket_id, Actor(id="t", roles=frozenset({Role.SYSTEM})))


def test_an_approval_taken_here_is_written_back_to_the_douyin_after_sale(douyin):
    """GIVEN a refund-only request (after shipment) pushed by Douyin WHEN our agent approves it THEN
    Douyin gets afterSale.operate type 201 for that after-sale with a shop token, the ticket's audit
    says so, and a redelivery of the same event calls Douyin no more."""
    ticket_id = push(200, "RefundCreatedEvent", "AS-201", 1, "m-create")["ticket_id"]
    douyin.replies = [OK]
    approved = decide(ticket_id, "pending_approval", "approved")
    assert run(approved) == {"batchItemFailures": []}
    assert douyin.paths() == ["/token/create", "/afterSale/operate"]
    _, _, query, body = douyin.received[1]
    assert query["access_token"] == "shop-token" and query["method"] == "afterSale.operate"
    assert json.loads(body) == {"type": 201, "items": [{"aftersale_id": "AS-201"}]}
    synced = audit_events(ticket_id)[-1]
    assert synced.event == "ticket.platform_synced"
    assert synced.data == {"platform": "douyin", "aftersale_id": "AS-201", "operate_type": 201}
    assert run(approved) == {"batchItemFailures": []}
    assert len(douyin.received) == 2


def test_steps_douyin_reported_are_not_echoed_back(douyin):
    """GIVEN Douyin's own "return agreed" push moving our ticket WHEN that step's event arrives
    THEN nothing is sent to Douyin."""
    ticket_id = push(200, "RefundCreatedEvent", "AS-101", 0, "m-create-2")["ticket_id"]
    assert push(202, "RefundReturnAgreedEvent", "AS-101", 0, "m-agree")["outcome"] == "transitioned"
    entries = [e for e in audit_events(ticket_id) if e.event == "ticket.return_authorized"]
    assert entries and entries[-1].reason.startswith("douyin_")
    assert run(event_of(entries[-1], ticket_id)) == {"batchItemFailures": []}
    assert douyin.received == []


def test_douyin_refusals_and_missing_settings_land_on_the_ticket_for_an_agent(douyin):
    """GIVEN Douyin refusing the call (after-sale in the wrong state) WHEN our agent rejects a return
    THEN the ticket's audit has platform_sync_failed with Douyin's sub-code; GIVEN no reject reason
    code configured THEN the same note names the missing setting and Douyin is not called."""
    ticket_id = push(200, "RefundCreatedEvent", "AS-102", 0, "m-create-3")["ticket_id"]
    douyin.replies = [{"code": 50002, "msg": "业务处理失败", "sub_code": "isv.business-failed:20309541",
                       "sub_msg": "售后状态不正确", "log_id": "l2"}]
    rejected = decide(ticket_id, "pending_approval", "rejected", reason="not_eligible")
    assert run(rejected) == {"batchItemFailures": []}
    assert json.loads(douyin.received[-1][3])["type"] == 102
    failed = audit_events(ticket_id)[-1]
    assert failed.event == "ticket.platform_sync_failed" and failed.reason == "douyin.platform_refused"
    assert failed.data["details"]["sub_code"] == "isv.business-failed:20309541"

    seed_order("acme", "O-2")
    other = push(200, "RefundCreatedEvent", "AS-103", 1, "m-create-4", order_id="O-2")["ticket_id"]
    services().integrations.set_douyin("acme",
                                           {k: v for k, v in SETTINGS.items() if k != "reject_reason_code"})
    calls = len(douyin.received)
    assert run(decide(other, "pending_approval", "rejected")) == {"batchItemFailures": []}
    note = audit_events(other)[-1]
    assert note.event == "ticket.platform_sync_failed" and note.reason == "douyin.reject_reason_code_missing"
    assert len(douyin.received) == calls


def test_douyin_busy_fails_the_record_so_the_queue_retries_it(douyin):
    """GIVEN Douyin answering 20000 (service error, retry) WHEN the approval is written back THEN the
    record fails (SQS redelivers, then the DLQ) and the retry calls Douyin again and succeeds."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    ticket_id = push(200, "RefundCreatedEvent", "AS-104", 2, "m-create-5")["ticket_id"]
    douyin.replies = [{"code": 20000, "msg": "服务异常", "sub_code": "isp.service-error:10002", "sub_msg": "请重试"},
                      OK]
    approved = decide(ticket_id, "pending_approval", "approved")
    with pytest.raises(BatchProcessingError):
        run(approved)
    assert run(approved) == {"batchItemFailures": []}
    operate = [json.loads(b) for _, p, _, b in douyin.received if p == "/afterSale/operate"]
    assert [o["type"] for o in operate] == [401, 401]  # aftersale_type 2: refund before shipment
    assert audit_events(ticket_id)[-1].event == "ticket.platform_synced"


def test_tenants_without_a_shop_id_receive_pushes_but_write_nothing_back(douyin):
    ticket_id = push(200, "RefundCreatedEvent", "AS-105", 1, "m-create-6")["ticket_id"]
    services().integrations.set_douyin("acme", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    assert run(decide(ticket_id, "pending_approval", "approved")) == {"batchItemFailures": []}
    assert douyin.received == [] and audit_events(ticket_id)[-1].event == "ticket.approved"
    assert load("douyin/skit/AftersaleOperateRequest.json")["type"] == 111  # the sample the mapping follows


def seed_douyin_paid_order(order_id: str) -> None:
    from aftersales.orders.domain import Order
    from tests.support.tickets import order_payload

    payload = order_payload(order_id)
    payload["payment"] = {**payload["payment"], "provider": "douyin", "reference": f"dy-{order_id}"}
    services().tickets.upsert_order("acme", Order.model_validate(payload))


def test_douyin_pays_the_refund_of_a_douyin_order_and_its_push_settles_our_grant(douyin, aws, monkeypatch):
    """GIVEN a Douyin-paid order and a refund-only request pushed by Douyin, approved here (written
    back as 201) WHEN the refund saga grants and attempts THEN no payment provider is called: the
    attempt waits on Douyin ("douyin:<grant>", pending) and polling changes nothing; WHEN Douyin's
    refund-success push arrives THEN the grant settles and the ticket is refunded with the grant."""
    from aftersales.refunds.service import grant_id_for

    for key, value in aws.functions["MoneyEventsFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    seed_douyin_paid_order("O-DY")
    ticket_id = push(200, "RefundCreatedEvent", "AS-301", 1, "m-create-7", order_id="O-DY")["ticket_id"]
    douyin.replies = [OK]
    run(decide(ticket_id, "pending_approval", "approved"))
    assert json.loads(douyin.received[-1][3])["type"] == 201
    decide(ticket_id, "refund_pending")
    refunds = services().refunds
    ticket = services().tickets.get("acme", ticket_id, _system())
    grant_id = grant_id_for(ticket.id, ticket.version)
    grant = refunds.grant("acme", ticket_id, grant_id)
    assert grant.settled_by_platform == "douyin" and grant.payment_ref == "dy-O-DY"
    attempt = refunds.attempt("acme", ticket_id, grant_id)
    assert (attempt.status.value, attempt.provider_refund_id) == ("pending", f"douyin:{grant_id}")
    assert refunds.poll("acme", ticket_id, grant_id).status.value == "pending"
    assert not services().payments.built("acme")  # no payment provider was even built

    result = push(206, "RefundSuccessEvent", "AS-301", 1, "m-success", order_id="O-DY")
    assert (result["outcome"], result["detail"]) == ("transitioned", "refund settled by douyin")
    refunded = services().tickets.get("acme", ticket_id, _system())
    assert refunded.status.value == "refunded"
    last = audit_events(ticket_id)[-1]
    assert last.event == "ticket.refunded" and last.data["provider_refund_id"] == f"douyin:{grant_id}"


def test_a_douyin_refund_before_our_saga_granted_just_moves_the_ticket(douyin):
    """GIVEN Douyin refunds (agreed in its back office) before any grant of ours exists WHEN the
    refund-success push arrives THEN the ticket is walked to refunded as Douyin reports."""
    ticket_id = push(200, "RefundCreatedEvent", "AS-302", 1, "m-create-8")["ticket_id"]
    result = push(206, "RefundSuccessEvent", "AS-302", 1, "m-success-2")
    assert result["outcome"] == "transitioned" and result["detail"] != "refund settled by douyin"
    assert services().tickets.get("acme", ticket_id, _system()).status.value == "refunded"


def _system():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="t", roles=frozenset({Role.SYSTEM}))


def test_a_douyin_paid_order_is_never_refunded_as_store_credit(douyin, aws, monkeypatch):
    """GIVEN a tenant offering store credit and a Douyin-paid order WHEN the customer asks for store
    credit THEN 422 refunds.destination_fixed_by_platform; and a store-credit request recorded anyway
    (e.g. before the order was known as Douyin-paid) is overridden: the grant goes to the original
    payment and waits on Douyin — Douyin refunds on our agreement, store credit on top would be twice."""
    from aftersales.core.errors import InvalidRequest
    from aftersales.refunds.refundable import RefundDestination, TenantRefundSettings
    from aftersales.refunds.service import grant_id_for

    for key, value in aws.functions["MoneyEventsFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    refunds = services().refunds
    refunds.put_settings("acme", TenantRefundSettings(alternative_destinations={RefundDestination.STORE_CREDIT}))
    seed_douyin_paid_order("O-DY2")
    ticket_id = push(200, "RefundCreatedEvent", "AS-401", 1, "m-create-9", order_id="O-DY2")["ticket_id"]
    customer = services().tickets.get("acme", ticket_id, _system()).customer_id
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    buyer = Actor(id=customer, roles=frozenset({Role.CUSTOMER}), customer_id=customer)
    with pytest.raises(InvalidRequest) as refused:
        refunds.request_destination("acme", ticket_id, buyer, RefundDestination.STORE_CREDIT)
    assert refused.value.message_id == "refunds.destination_fixed_by_platform"
    services().money_tables.refunds.put_destination("acme", ticket_id, RefundDestination.STORE_CREDIT, customer,
                                                    "2026-11-26T00:00:00Z")
    douyin.replies = [OK]
    run(decide(ticket_id, "pending_approval", "approved", "refund_pending"))
    ticket = services().tickets.get("acme", ticket_id, _system())
    grant = refunds.grant("acme", ticket_id, grant_id_for(ticket.id, ticket.version))
    assert grant.destination is RefundDestination.ORIGINAL_PAYMENT and grant.settled_by_platform == "douyin"
    assert grant.requested_destination is RefundDestination.STORE_CREDIT
