"""The tracking page through the functions under moto: a ticket update e-mailed by the notifications
function carries the signed tracking link; the API function (no authorizer: the token is the
credential) renders the ticket's progress in the customer's language without JavaScript, under a
strict CSP; a plain form POST adds the customer's message (303 back to the page, then shown there,
on the conversation staff read, and as ticket.customer_replied on the audit chain); the photo form
is a presigned POST that moto's S3 takes, and the media-check function attaches the checked photo to
the ticket; refused links and empty messages are 4xx pages, never 5xx."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from aftersales.core.clock import FixedClock
from tests.support.public_pages import public_request
from tests.support.sent_mail import sent_mails

SECRET = "tracking-link-secret-for-api-tests-0123456789"
BASE_URL = "https://api.example.com/v1"


@pytest.fixture
def link(aws, api, demo, monkeypatch):
    """A return-and-refund ticket of cust-1 (zh-Hans) approved by a supervisor and announced by e-mail."""
    import boto3

    from aftersales import wiring
    from aftersales.tickets.domain import Actor, OpenTicket
    from aftersales.tickets.model import Channel, Role, TicketType
    from aftersales.tickets.ports import TimelineEntry
    from aftersales.tickets.timeline import customer_visible
    from aftersales.wiring import Container
    from tests.support.ticket_factories import order
    from tests.support.tickets import walk

    for key, value in aws.functions["NotificationsFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("TRACKING_LINK_SECRET", SECRET)
    monkeypatch.setenv("TRACKING_LINK_BASE_URL", BASE_URL)
    boto3.client("ses").verify_email_identity(EmailAddress=aws.functions["NotificationsFunction"]
                                              .environment["NOTIFICATIONS_SENDER"])
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    c = Container(clock=clock)
    wiring.override(c)
    c.tickets.upsert_order("acme", order())
    c.channel_stores.intake.put_contact("acme", "cust-1", "email", "c1@example.com", "zh-Hans")
    boss = Actor(id="supervisor-1", roles=frozenset({Role.SUPERVISOR}))
    ticket = c.tickets.open("acme", OpenTicket(
        type=TicketType.RETURN_REFUND, order_id="O-1", customer_id="cust-1", channel=Channel.EMAIL,
        reason_code="quality", locale="zh-Hans", lines=[{"line_id": "L1", "quantity": 1}]),
        Actor(id="cust-1", roles=frozenset({Role.CUSTOMER}), customer_id="cust-1"))
    c.tickets.assign("acme", ticket.id, "agent-1", boss, reason="staff-only assignment reason")
    ticket = walk(c.tickets, "acme", ticket.id, "pending_approval", "approved", actor=boss)
    entries = c.ticket_store.audit_entries("acme", ticket.id)
    for entry in entries:  # what the timeline projector does with the domain events
        if customer_visible(entry.event):
            c.tickets.project_timeline("acme", ticket.id, TimelineEntry(seq=entry.seq, event=entry.event,
                                                                        at=entry.at, status=entry.to_status))
    approved = entries[-1]
    outcome = c.notifications.handle({"detail-type": approved.event, "detail": {
        "tenant_id": "acme", "ticket_id": ticket.id, "customer_id": "cust-1", "seq": approved.seq,
        "event": approved.event, "to_status": approved.to_status, "at": approved.at,
        "dedup_key": f"acme#{ticket.id}#{approved.seq}"}})
    assert outcome == "sent"
    mail = next(m for m in sent_mails() if m.to == ["c1@example.com"])
    yield {"mail": mail, "token": mail.body.split(f"{BASE_URL}/track/")[1].split()[0], "ticket": ticket,
           "container": c}
    wiring.override(None)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(text: str) -> list[tuple[str, dict]]:
    page = _Page()
    page.feed(text)
    return page.tags


def test_the_ticket_message_carries_the_link_in_the_customers_language(link):
    assert "您的售后单" in link["mail"].body and f"查看售后进度：{BASE_URL}/track/" in link["mail"].body


def test_the_page_shows_the_progress_in_chinese_without_script_under_a_strict_csp(api, link):
    reply = public_request(api.api, "GET", f"/track/{link['token']}", accept_language="en")
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    assert reply.headers["cache-control"] == "no-store" and reply.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    tags = _tags(reply.text)
    assert ("html", {"lang": "zh-Hans"}) in tags  # the ticket's language, whatever the browser asks
    assert not any(tag == "script" for tag, _ in tags)
    assert '<li class="current" aria-current="step"><span class="hint">当前：</span> 已同意</li>' in reply.text
    assert '<li class="ahead"><span class="hint">待进行：</span> 待退回商品</li>' in reply.text
    assert "staff-only assignment reason" not in reply.text and "agent-1" not in reply.text
    textarea = next(a for tag, a in tags if tag == "textarea")
    assert textarea["id"] in {a.get("for") for tag, a in tags if tag == "label"}


def test_a_form_post_adds_the_customers_message_and_returns_to_the_page(api, demo, link):
    token, ticket = link["token"], link["ticket"]
    reply = public_request(api.api, "POST", f"/track/{token}/messages", urlencode({"message": "我什么时候寄回？"}),
                           "application/x-www-form-urlencoded")
    assert reply.status == 303 and reply.headers["location"] == f"../{token}?sent=1"
    page = public_request(api.api, "GET", f"/track/{token}")
    assert "我什么时候寄回？" in page.text
    conversation = api.request("GET", f"/tickets/{ticket.id}/conversation", headers=demo["acme"]["agent"])
    assert conversation.status == 200
    [mine] = [m for m in conversation.body["items"] if m["body"] == "我什么时候寄回？"]
    assert mine["direction"] == "inbound" and mine["author"] == "cust-1"
    audit = api.request("GET", f"/tickets/{ticket.id}/audit", headers=demo["acme"]["supervisor"])
    assert audit.body["entries"][-1]["event"] == "ticket.customer_replied"


def test_refused_links_and_empty_messages_are_4xx_pages(api, link):
    token = link["token"]
    forged = public_request(api.api, "GET", f"/track/{token[:-3]}AAA")
    assert forged.status == 404 and "该查询链接无效" not in forged.text  # no ticket, no language: the browser's
    assert "This tracking link is not valid." in forged.text
    empty = public_request(api.api, "POST", f"/track/{token}/messages", urlencode({"message": "  "}),
                           "application/x-www-form-urlencoded")
    assert empty.status == 422 and "请先填写留言内容。" in empty.text and 'role="alert"' in empty.text
    unknown = public_request(api.api, "POST", f"/track/{token}/messages", urlencode({"evil": "x"}),
                             "application/x-www-form-urlencoded")
    assert unknown.status == 422
    survey_like = public_request(api.api, "GET", "/track/not-a-token")
    assert survey_like.status == 404


def test_a_photo_posted_from_the_page_joins_the_ticket_once_the_check_passes(aws, api, link, monkeypatch):
    import copy
    import json
    import re
    from html import unescape
    from pathlib import Path
    from urllib.parse import quote_plus, urlsplit

    import boto3
    import requests

    from aftersales import wiring
    from tests.support.lambdas import FakeContext, load_handler
    from tests.support.media_files import image_bytes

    token, ticket = link["token"], link["ticket"]
    bucket = aws.functions["ApiFunction"].environment["MEDIA_BUCKET"]
    boto3.client("s3").create_bucket(Bucket=bucket)
    form = public_request(api.api, "POST", f"/track/{token}/photos", "", "application/x-www-form-urlencoded")
    assert form.status == 200 and "选择照片" in form.text
    action = unescape(re.search(r'<form method="post" action="([^"]+)" enctype', form.text).group(1))
    bucket_origin = "{0.scheme}://{0.netloc}".format(urlsplit(action))
    assert f"form-action 'self' {bucket_origin};" in form.headers["content-security-policy"]
    fields = {unescape(k): unescape(v) for k, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"',
                                                             form.text)}
    assert fields["success_action_redirect"] == f"{BASE_URL}/track/{token}?photo=1"
    photo = image_bytes("JPEG")
    posted = requests.post(action, data=fields, files={"file": ("photo.jpg", photo)}, timeout=10,
                           allow_redirects=False)
    assert posted.status_code in (204, 303), posted.text

    for key, value in aws.functions["MediaCheckFunction"].environment.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    wiring.override(None)  # the check function's own container, as in its Lambda
    event = json.loads((Path(__file__).parents[2] / "fixtures" / "s3" / "object_created_post.json").read_text())
    event = copy.deepcopy(event)
    s3 = event["Records"][0]["s3"]
    s3["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    s3["object"].update(key=quote_plus(fields["key"]), size=len(photo))
    load_handler("media_check").lambda_handler(event, FakeContext("MediaCheckFunction"))
    wiring.override(link["container"])
    stored = link["container"].tickets.get("acme", ticket.id, _supervisor())
    assert len(stored.media_ids) == 1 and stored.media_ids[0] == fields["key"].rsplit("/", 1)[1]
    page = public_request(api.api, "GET", f"/track/{token}")
    assert "售后单上的照片和视频：1 个" in page.text


def _supervisor():
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role

    return Actor(id="supervisor-1", roles=frozenset({Role.SUPERVISOR}))


def test_times_on_the_page_are_in_the_time_zone_stored_with_the_customers_contact(api, demo, link):
    """GIVEN the customer's message on the page (times in UTC while no zone is known) WHEN the storefront
    stores the contact with time_zone Asia/Shanghai THEN the page shows the same time in +0800, in
    Babel's zh-Hans format; an unknown zone name is 422 at time_zone."""
    token = link["token"]
    public_request(api.api, "POST", f"/track/{token}/messages", urlencode({"message": "几点了？"}),
                   "application/x-www-form-urlencoded")
    before = public_request(api.api, "GET", f"/track/{token}").text
    assert "客服" in before and " UTC</span>" in before and "+0800" not in before
    key = demo["acme"]["key"]
    refused = api.request("PUT", "/customers/cust-1/contacts/email", {"address": "c1@example.com",
                                                                      "time_zone": "Mars/Olympus"}, key)
    assert refused.status == 422 and [f["path"] for f in refused.body["error"]["fields"]] == ["time_zone"]
    stored = api.request("PUT", "/customers/cust-1/contacts/email", {"address": "c1@example.com", "locale": "zh-CN",
                                                                     "time_zone": "Asia/Shanghai"}, key)
    assert stored.status == 200, stored
    after = public_request(api.api, "GET", f"/track/{token}").text
    assert " +0800</span>" in after and " UTC</span>" not in after
