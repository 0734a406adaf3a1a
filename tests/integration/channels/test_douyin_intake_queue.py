"""Douyin pushes through the push Lambda and the intake queue (moto): the push verifies, keeps its
body, queues its messages one after-sale per queue message and answers Douyin's success body at
once; the intake Lambda files them with partial batch failures. Pushes are the recorded Douyin
samples re-keyed to our orders."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.douyin import push_signature
from tests.support.channels import Webhooks, extra_resources, put_integration, seed_order, table_items, take_queued
from tests.support.fixture_files import FIXTURES
from tests.support.lambdas import FakeContext, sqs_record

APP_KEY, APP_SECRET = "7000000000000000003", "douyin-intake-secret"
STEPS = (("RefundCreatedEvent", 200), ("RefundReturnAgreedEvent", 202), ("RefundBuyerReturnGoodsEvent", 203))


@pytest.fixture
def env(aws):
    extra_resources(aws)
    put_integration("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    return {"hooks": Webhooks(), "model": aws}


def message(sample: str, tag: int, msg_id: str, order_id: str, aftersale_id: str, **data) -> dict:
    recorded = json.loads((FIXTURES / "douyin" / "event_samples" / f"{sample}.json").read_text())
    recorded["data"].update({"p_id": order_id, "s_id": "L1", "aftersale_id": aftersale_id, "aftersale_type": 0, **data})
    return recorded | {"tag": tag, "msgId": msg_id}


def signed(messages: list[dict]) -> tuple[bytes, dict]:
    body = json.dumps(messages).encode()
    return body, {"event-sign": push_signature(APP_KEY, body, APP_SECRET), "Content-Type": "application/json"}


def tickets(env) -> list[dict]:
    from aftersales.adapters.dynamo.store import HEADER_SK

    return [i for i in table_items(env["model"].tables["TicketsTable"].name) if i["sk"]["S"] == HEADER_SK]


def test_the_template_wires_the_intake_queue_with_partial_failures_and_a_dlq(aws):
    """The push only stores and queues (no ticket or money table); the intake function reads the queue
    in batches of 10 with ReportBatchItemFailures; five failed receives park a message in the DLQ."""
    push = aws.functions["DouyinPushFunction"]
    assert "DOUYIN_INTAKE_QUEUE_URL" in push.environment and "MONEY_TABLE" not in push.environment
    (source,) = aws.functions["DouyinIntakeFunction"].sqs_events
    assert source.queue_arn == aws.queues["DouyinIntakeQueue"].arn
    assert (source.batch_size, source.report_batch_item_failures) == (10, True)
    redrive = json.loads(aws.queues["DouyinIntakeQueue"].attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == aws.queues["DouyinIntakeDLQ"].arn and redrive["maxReceiveCount"] == 5
    assert "MONEY_TABLE" in aws.functions["DouyinIntakeFunction"].environment


def test_a_300_message_push_is_answered_before_anything_is_filed(env):
    """GIVEN a signed push of 300 messages (100 after-sales: created, return agreed, goods returned) WHEN
    it arrives THEN Douyin's success body with all 300 queued, one queue message per after-sale (its
    three msg ids in push order) and no ticket yet (before: the push filed all 300 before answering,
    18 s); WHEN the intake function files a batch of ten of them THEN ten tickets, each walked to
    return_in_transit."""
    import os

    for n in range(10):
        seed_order("acme", f"O-{n}")
    messages = [message(sample, tag, f"m-{n}-{tag}", f"O-{n}", f"AS-{n}")
                for n in range(100) for sample, tag in STEPS]
    body, headers = signed(messages)
    reply = env["hooks"].post_douyin("acme", body, headers)
    assert reply.status == 200, reply
    assert (reply.body["code"], reply.body["msg"]) == (0, "success")
    assert [r["outcome"] for r in reply.body["results"]] == ["queued"] * 300
    assert tickets(env) == []
    records = take_queued(os.environ["DOUYIN_INTAKE_QUEUE_URL"])
    groups = {json.loads(r["body"])["msg_ids"][0].split("-")[1]: r for r in records}
    assert len(records) == len(groups) == 100
    assert json.loads(groups["7"]["body"])["msg_ids"] == ["m-7-200", "m-7-202", "m-7-203"]
    batch = [groups[str(n)] for n in range(10)]  # the template's BatchSize
    assert env["hooks"].douyin_worker.lambda_handler({"Records": batch}, FakeContext("douyin-intake")) == {
        "batchItemFailures": []}
    assert len(tickets(env)) == 10
    assert {t["status"]["S"] for t in tickets(env)} == {"return_in_transit"}


def test_a_record_that_cannot_be_filed_fails_alone(env):
    """GIVEN one queued group and one queue message that is not a group WHEN both reach the intake
    function in one batch THEN only the bad one is reported (the queue retries it, then the DLQ) and
    the good one is filed."""
    import os

    seed_order("acme", "O-1")
    body, headers = signed([message("RefundCreatedEvent", 200, "m-ok", "O-1", "AS-ok")])
    assert env["hooks"].post_douyin("acme", body, headers).status == 200
    (good,) = take_queued(os.environ["DOUYIN_INTAKE_QUEUE_URL"])
    bad = sqs_record({"tenant_id": "acme"}, message_id="not-a-group")
    reply = env["hooks"].douyin_worker.lambda_handler({"Records": [good, bad]}, FakeContext("douyin-intake"))
    assert reply == {"batchItemFailures": [{"itemIdentifier": "not-a-group"}]}
    assert len(tickets(env)) == 1


def test_a_push_that_cannot_be_queued_answers_500_and_douyins_re_push_is_queued(env, monkeypatch):
    """GIVEN the intake queue unreachable WHEN a push arrives THEN 500 (Douyin pushes again) and the body
    is not kept; WHEN Douyin re-pushes the same bytes with the queue back THEN it is queued, not a duplicate."""
    import os

    from aftersales import wiring

    queue = os.environ["DOUYIN_INTAKE_QUEUE_URL"]
    body, headers = signed([message("RefundCreatedEvent", 200, "m-retry", "O-9", "AS-9")])
    monkeypatch.setenv("DOUYIN_INTAKE_QUEUE_URL", queue + "-missing")
    wiring.reset()
    assert env["hooks"].post_douyin("acme", body, headers).status == 500
    monkeypatch.setenv("DOUYIN_INTAKE_QUEUE_URL", queue)
    wiring.reset()
    again = env["hooks"].post_douyin("acme", body, headers)
    assert [r["outcome"] for r in again.body["results"]] == ["queued"]
    assert len(take_queued(queue)) == 1


@pytest.mark.parametrize("data", [
    {"apply_time": 10**20}, {"apply_time": "١٦١٨٩٩٠٥٨٧"}, {"apply_time": -1},
    {"refund_amount": 10**30}, {"aftersale_type": "٣"}, {"reason_code": "9" * 5000}, {"shop_id": {"nested": 1}},
])
def test_an_unusable_field_inside_a_message_is_left_out_and_the_message_filed(env, data):
    """GIVEN a signed push whose create message carries a huge / non-ASCII / nested value in one data
    field WHEN pushed and filed THEN 200 and the ticket opens without that field (before: 500 and
    Douyin pushed the whole batch again)."""
    seed_order("acme", "O-1")
    body, headers = signed([message("RefundCreatedEvent", 200, "m-odd", "O-1", "AS-odd", **data)])
    reply, filed = env["hooks"].push_and_file_douyin("acme", body, headers)
    assert reply.status == 200, reply
    assert [r["outcome"] for r in filed] == ["created"]


@pytest.mark.parametrize("messages, reason", [
    ([{"tag": 200, "msgId": "m" * 5000, "data": {}}], "douyin.message_without_tag_or_id"),
    ([{"tag": {"a": 1}, "msgId": "m-1", "data": {}}], "douyin.message_without_tag_or_id"),
    ([{"tag": 200, "msgId": "m-1", "data": [1, 2]}], "douyin.data_not_object"),
    ([{"tag": 200, "msgId": f"m-{i}", "data": {}} for i in range(501)], "douyin.too_many_messages"),
])
def test_a_push_that_is_not_douyin_messages_is_400_and_queues_nothing(env, messages, reason):
    import os

    body, headers = signed(messages)
    reply = env["hooks"].post_douyin("acme", body, headers)
    assert reply.status == 400 and reply.body["error"]["reason_id"] == reason, reply
    assert take_queued(os.environ["DOUYIN_INTAKE_QUEUE_URL"]) == []


def test_a_message_that_does_not_fit_the_order_is_parked_for_an_agent_not_retried(env, api, demo):
    """GIVEN a signed create naming an order line the order does not have WHEN it is filed THEN the record
    succeeds (no retry, no DLQ) and the message waits in the unmatched inbox; WHEN a create for the same
    order and issue opens a ticket THEN the parked one joins that ticket (one ticket per order and issue)
    and leaves the inbox."""
    seed_order("acme", "O-1")
    odd = message("RefundCreatedEvent", 200, "m-line", "O-1", "AS-line")
    odd["data"]["s_id"] = "L-NOT-ON-THE-ORDER"
    body, headers = signed([odd])
    reply, filed = env["hooks"].push_and_file_douyin("acme", body, headers)
    assert reply.status == 200
    assert [(r["outcome"], r["detail"]) for r in filed] == [("parked", "error.lines_required")]
    listed = api.request("GET", "/inbox/unmatched", None, demo["acme"]["agent"])
    assert [i["channel"] for i in listed.body["items"]] == ["douyin"]
    body, headers = signed([message("RefundCreatedEvent", 200, "m-fine", "O-1", "AS-fine")])
    assert [r["outcome"] for r in env["hooks"].push_and_file_douyin("acme", body, headers)[1]] == ["created"]
    assert api.request("GET", "/inbox/unmatched", None, demo["acme"]["agent"]).body["items"] == []
    assert len(tickets(env)) == 1


@pytest.mark.parametrize(("step", "expected_status", "event", "reason"), [
    (("RefundRefusedEvent", 204), "rejected", "ticket.rejected", "douyin_rejected"),
    (("RefundClosedEvent", 207), "cancelled", "ticket.cancelled", "douyin_closed"),
])
def test_a_step_douyin_takes_after_the_return_was_agreed_is_followed_through_the_lambdas(env, step, expected_status,
                                                                                        event, reason):
    """GIVEN a Douyin return and refund whose return Douyin agreed (pushed and filed through the
    Lambdas on moto) WHEN Douyin then refuses it, or the buyer closes it THEN the ticket is rejected
    (or cancelled) where it is, in one step audited douyin_<stage> by the system, not walked through a
    return shipped, received and inspected."""
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role
    from aftersales.wiring import services

    seed_order("acme", "O-1")
    agreed = [message("RefundCreatedEvent", 200, "m-1", "O-1", "AS-1"),
              message("RefundReturnAgreedEvent", 202, "m-2", "O-1", "AS-1")]
    _, filed = env["hooks"].push_and_file_douyin("acme", *signed(agreed))
    assert [r["outcome"] for r in filed] == ["created", "transitioned"]
    _, (moved,) = env["hooks"].push_and_file_douyin("acme", *signed([message(*step, "m-3", "O-1", "AS-1")]))
    assert (moved["outcome"], moved["detail"]) == ("transitioned", expected_status)
    system = Actor(id="t", roles=frozenset({Role.SYSTEM}))
    assert services().tickets.get("acme", moved["ticket_id"], system).status.value == expected_status
    last = services().tickets.audit("acme", moved["ticket_id"], system)[-1]
    assert (last.event, last.from_status, last.reason) == (event, "awaiting_return", reason)
