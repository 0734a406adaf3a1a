"""The knowledge-base routes and the bot on the DynamoDB adapters under moto, through the authorizer
and the API function: supervisors and admins keep entries, agents read them; bad input is a 422 with
its field path; a stale If-Match is a 412; tenants are isolated; the entries live in one partition
of the channels table per tenant; the dry run answers from a real ticket and from the tenant's entries.
And the WeCom callback function answers a customer's Chinese refund question on their open ticket
from its real state, in Chinese, through the real wiring (the bot's answer is on the conversation)."""

from __future__ import annotations

import boto3
from boto3.dynamodb.conditions import Key

from tests.support.channel_intake import env, svc, system, wecom_post  # noqa: F401

ENTRY = {"questions": ["退货地址是什么", "what is the return address"],
         "answers": {"en": "Acme Returns, 88 Harbour Rd, Shenzhen", "zh-Hans": "深圳市海港路88号 Acme 退货组"},
         "tags": ["returns"]}


def test_staff_keep_the_knowledge_base_and_agents_read_it(api, demo, aws):
    denied = api.request("POST", "/knowledge-base/entries", ENTRY, headers=demo["acme"]["agent"])
    assert denied.status == 403
    created = api.request("POST", "/knowledge-base/entries", ENTRY, headers=demo["acme"]["supervisor"])
    assert created.status == 201, created.body
    entry_id = created.body["id"]
    assert created.body["version"] == 1 and created.body["answers"]["zh-Hans"].startswith("深圳")
    listed = api.request("GET", "/knowledge-base/entries", headers=demo["acme"]["agent"])
    assert [e["id"] for e in listed.body["items"]] == [entry_id]
    assert api.request("GET", "/knowledge-base/entries", headers=demo["other"]["admin"]).body["items"] == []
    assert api.request("GET", f"/knowledge-base/entries/{entry_id}", headers=demo["other"]["admin"]).status == 404
    # one partition of the channels table per tenant, read by Query
    table = boto3.resource("dynamodb").Table(aws.tables["ChannelsTable"].name)
    items = table.query(KeyConditionExpression=Key("pk").eq("acme#KB"))["Items"]
    assert [i["sk"] for i in items] == [f"ENTRY#{entry_id}"]

    got = api.request("GET", f"/knowledge-base/entries/{entry_id}", headers=demo["acme"]["agent"])
    assert got.headers["etag"] == '"1"'
    changed = api.request("PUT", f"/knowledge-base/entries/{entry_id}", {**ENTRY, "enabled": False},
                          headers={**demo["acme"]["admin"], "If-Match": '"1"'})
    assert changed.status == 200 and changed.body["version"] == 2 and changed.body["enabled"] is False
    stale = api.request("PUT", f"/knowledge-base/entries/{entry_id}", ENTRY,
                        headers={**demo["acme"]["admin"], "If-Match": '"1"'})
    assert stale.status == 412
    gone = api.request("DELETE", f"/knowledge-base/entries/{entry_id}", headers=demo["acme"]["admin"])
    assert gone.status == 204
    assert api.request("DELETE", f"/knowledge-base/entries/{entry_id}", headers=demo["acme"]["admin"]).status == 404


def test_bad_entries_are_422_with_their_field_path(api, demo, aws):
    for body, field in (({**ENTRY, "questions": []}, "questions"),
                        ({**ENTRY, "answers": {"xx": "x"}}, "answers.xx"),
                        ({**ENTRY, "questions": ["   "]}, "questions[0]"),
                        ({**ENTRY, "colour": "red"}, "colour")):
        refused = api.request("POST", "/knowledge-base/entries", body, headers=demo["acme"]["admin"])
        assert refused.status == 422, (body, refused.body)
        assert field in str(refused.body), (field, refused.body)


def test_the_dry_run_answers_from_the_tenants_entries_and_the_real_ticket(api, demo, aws):
    from tests.support.tickets import order_payload

    key = demo["acme"]["key"]
    assert api.request("PUT", "/orders/O-KB-1", order_payload("O-KB-1", "cust-1"), headers=key).status in (200, 201)
    ticket = api.request("POST", "/tickets", {"type": "refund_only", "order_id": "O-KB-1", "channel": "web",
                                              "reason_code": "not_as_described",
                                              "lines": [{"line_id": "L1", "quantity": 1}]},
                         headers={**key, "Accept-Language": "zh-Hans"})
    assert ticket.status == 201, ticket.body
    api.request("POST", "/knowledge-base/entries", ENTRY, headers=demo["acme"]["admin"])
    asked = api.request("POST", "/knowledge-base/try", {"ticket_id": ticket.body["id"], "text": "退货地址是啥"},
                        headers=demo["acme"]["agent"])
    assert asked.status == 200 and asked.body["answered"] is True
    assert asked.body["suggested_answer"] == ENTRY["answers"]["zh-Hans"]
    refund = api.request("POST", "/knowledge-base/try", {"ticket_id": ticket.body["id"], "text": "我的退款到哪了"},
                         headers=demo["acme"]["agent"])
    assert refund.body["intent"] == "refund_status" and refund.body["answered"] is True
    assert ticket.body["id"] in refund.body["suggested_answer"] and "还没有退款" in refund.body["suggested_answer"]
    person = api.request("POST", "/knowledge-base/try", {"ticket_id": ticket.body["id"], "text": "转人工"},
                         headers=demo["acme"]["agent"])
    assert person.body["answered"] is False and person.body["reason"] == "person_requested"


def test_the_wecom_function_answers_a_refund_question_on_the_open_ticket_in_chinese(env):  # noqa: F811
    assert wecom_post(env, "订单 SO-20261118-01 破损了，要退货", "m-kb-1").raw == "success"
    [ticket] = svc().tickets.list("acme", system(), customer_id="cust-1").items
    assert wecom_post(env, "我的退款到哪了", "m-kb-2").raw == "success"
    items = svc().channels.conversations.of_ticket("acme", ticket.id, system())
    said, answer = items[-2], items[-1]
    assert said.body == "我的退款到哪了" and said.data["bot"]["intent"] == "refund_status"
    assert answer.author == "bot:answers" and answer.data["automatic"] is True and answer.channel == "wecom"
    assert "还没有退款" in answer.body and ticket.id in answer.body and "自动回复" in answer.body
    events = [e.event for e in svc().tickets.audit("acme", ticket.id, system())]
    assert events[-1] == "ticket.auto_answered"


def test_control_characters_in_an_entry_are_refused(api, demo, aws):
    refused = api.request("POST", "/knowledge-base/entries", {**ENTRY, "questions": ["退货\x00地址"]},
                          headers=demo["acme"]["admin"])
    assert refused.status == 422 and "questions" in str(refused.body)
