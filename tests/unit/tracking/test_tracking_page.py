"""The customer's tracking page on the real tickets and reply services over in-memory fakes: GIVEN a
return in transit with a parcel, a refund under way, a running deadline, staff-only notes and a
conversation, WHEN the customer opens the signed link, THEN the page shows the steps, what comes next
and by when, the parcel's checkpoints and the refund's state in the ticket's language, and nothing
of the back office; the message form puts the customer's message on the conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.core.errors import IllegalTransition, InvalidRequest
from aftersales.tickets.model import Status, TicketType
from aftersales.tracking.links import TrackingLinkRefused, TrackingLinks
from aftersales.tracking.page import TEXT_PAIRS, refusal_page, tracking_page
from aftersales.tracking.view import Step
from tests.support.tickets import walk
from tests.support.tracking import (
    PROVIDER_REFUND_ID,
    SECRET,
    STAFF_NOTE,
    SUPERVISOR,
    TENANT,
    TRACKING_NUMBER,
    TrackingRig,
    text_of,
)


@pytest.fixture
def rig() -> TrackingRig:
    return TrackingRig()


def test_the_steps_are_the_ticket_history_its_status_and_the_usual_way_on(rig):
    ticket_id = rig.return_in_transit()
    view = rig.service.page(rig.token(ticket_id))
    assert view.steps == (
        Step("submitted", "done"), Step("pending_approval", "done"), Step("approved", "done"),
        Step("awaiting_return", "done"), Step("return_in_transit", "current"), Step("return_received", "ahead"),
        Step("inspecting", "ahead"), Step("refund_pending", "ahead"), Step("refunded", "ahead"),
        Step("closed", "ahead"))
    assert view.next_status == "return_received"
    assert view.due is not None and view.due.metric == "resolution"  # the paused first-response clock promises nothing


def test_the_page_in_chinese_shows_progress_next_step_parcel_and_refund(rig):
    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    html = tracking_page(rig.service.page(token), token)
    text = text_of(html)
    assert '<html lang="zh-Hans">' in html
    assert f"售后单 {ticket_id}" in text
    assert "当前： 退货运输中" in text and "待进行： 退货已签收" in text
    assert "下一步：退货已签收。" in text
    assert "我们争取在 2026年12月5日 08:00 UTC (3天后) 前处理完毕。" in text  # Babel, zh-Hans; the zone named
    assert f"退货包裹: {TRACKING_NUMBER} · SF Express" in text and "状态：运输中" in text
    assert text.index("快件已到达上海转运中心") < text.index("快件已揽收")  # newest checkpoint first
    assert "¥129.50 · 支付机构处理中" in text and "退回原支付方式" in text
    assert f'action="{token}/messages"' in html


def test_the_page_in_english(rig):
    rig = TrackingRig(locale="en")
    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    text = text_of(tracking_page(rig.service.page(token), token))
    assert f"Request {ticket_id}" in text and "Now: Return in transit" in text
    assert "We aim to finish by Dec 5, 2026, 8:00\u202fAM UTC (in 3 days)." in text
    assert "CN¥129.50 · Being processed by the payment provider" in text
    assert "Send message" in text


def test_the_page_in_german_formats_money_and_times_the_german_way(rig):
    """GIVEN a ticket opened in German THEN the page is German, the amount "129,50 CN¥" and the promise
    "05.12.2026, 08:00 UTC (in 3 Tagen)" (Babel's de patterns, the page rendered 3 days before), never
    the English forms."""
    rig = TrackingRig(locale="de")
    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    html = tracking_page(rig.service.page(token), token)
    text = text_of(html)
    assert '<html lang="de">' in html and f"Anfrage {ticket_id}" in text
    assert "Wir möchten bis 05.12.2026, 08:00 UTC (in 3 Tagen) fertig sein." in text
    assert "129,50\xa0CN¥ · Wird vom Zahlungsdienstleister bearbeitet" in text
    assert "129.50" not in text and "2026-12-05" not in text


def test_times_are_shown_in_the_customers_zone_when_it_is_known(rig):
    from dataclasses import replace

    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    view = replace(rig.service.page(token), locale="de", time_zone="Europe/Berlin")
    assert "Wir möchten bis 05.12.2026, 09:00 MEZ (in 3 Tagen) fertig sein." in text_of(tracking_page(view, token))


def test_no_staff_data_reaches_the_page(rig):
    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    html = tracking_page(rig.service.page(token), token)
    for secret in (STAFF_NOTE, "agent-7", "vip queue", "sup-1", PROVIDER_REFUND_ID, "card_declined_by_issuer",
                   "ch_1", "grt-1", "cust-1", "sla_reminder", "assigned", "到货破损"):
        assert secret not in html, secret


def test_a_message_from_the_page_is_the_customers_on_the_conversation_and_shown(rig):
    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    rig.service.add_message(token, "  <script>alert(1)</script> 请问什么时候退款？ ")
    [item] = rig.conversations.list(TENANT, ticket_id)
    assert item.direction == "inbound" and item.author == "cust-1"
    assert item.body == "<script>alert(1)</script> 请问什么时候退款？"
    assert rig.ticket_store.audit_entries(TENANT, ticket_id)[-1].event == "ticket.customer_replied"
    html = tracking_page(rig.service.page(token), token)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 请问什么时候退款？" in html and "<script>" not in html
    assert "您 ·" in text_of(html)


def test_an_empty_or_oversized_message_is_refused_with_its_field(rig):
    token = rig.token(rig.return_in_transit())
    with pytest.raises(InvalidRequest) as empty:
        rig.service.add_message(token, "   ")
    with pytest.raises(InvalidRequest) as long:
        rig.service.add_message(token, "x" * 2001)
    assert empty.value.details["field"] == long.value.details["field"] == "body.message"
    assert len(rig.conversations) == 0


def test_a_closed_ticket_shows_no_form_and_refuses_a_message(rig):
    ticket_id = rig.opened(TicketType.COMPLAINT)
    walk(rig.tickets, TENANT, ticket_id, "investigating", "resolved", "closed", actor=SUPERVISOR)
    rig.project(ticket_id)
    token = rig.token(ticket_id)
    view = rig.service.page(token)
    assert view.terminal and view.steps[-1] == Step("closed", "current") and view.due is None
    html = tracking_page(view, token)
    assert "<form" not in html and "您无需再做任何操作。" in text_of(html)
    with pytest.raises(IllegalTransition):
        rig.service.add_message(token, "还有问题")
    assert rig.tickets.get(TENANT, ticket_id, SUPERVISOR).status is Status.CLOSED


def test_forged_expired_foreign_and_survey_links_are_refused(rig):
    ticket_id = rig.opened()
    token = rig.token(ticket_id)
    body, mac = token.split(".")
    with pytest.raises(TrackingLinkRefused) as forged:
        rig.service.page(f"{body}.{mac[:-2]}AA")
    other_key = TrackingLinks("another-secret-that-is-32-chars-long!!")
    with pytest.raises(TrackingLinkRefused) as foreign:
        rig.service.page(other_key.token(TENANT, ticket_id, rig.clock.now()))
    from aftersales.surveys import tokens as survey_tokens
    with pytest.raises(TrackingLinkRefused) as survey:  # same key, other purpose
        rig.service.page(survey_tokens.issue(SECRET, TENANT, ticket_id, rig.clock.now() + timedelta(days=1)))
    with pytest.raises(TrackingLinkRefused) as unknown:
        rig.service.page(rig.links.token(TENANT, "tkt-nope", rig.clock.now()))
    rig.clock.advance(days=91)
    with pytest.raises(TrackingLinkRefused) as expired:
        rig.service.page(token)
    assert [e.value.details["reason"] for e in (forged, foreign, survey, unknown, expired)] == [
        "forged", "forged", "forged", "unknown_ticket", "expired"]
    assert expired.value.message_id == "tracking.link_expired"
    assert "该查询链接已过期" in refusal_page("zh-Hans", expired.value.message_id)


def test_the_link_url_points_at_the_page_and_needs_a_base_url(rig):
    url = rig.links.url(TENANT, "tkt-1", rig.clock.now())
    assert url is not None and url.startswith("https://track.example.com/v1/track/")
    claim = rig.links.verify(url.rsplit("/", 1)[1], rig.clock.now())
    assert (claim.tenant_id, claim.ticket_id) == (TENANT, "tkt-1")
    assert TrackingLinks(SECRET).url(TENANT, "tkt-1", rig.clock.now()) is None


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(fg, bg):
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def test_a_photo_from_the_page_is_a_presigned_post_back_to_the_page_and_joins_the_ticket_once_checked(rig):
    from aftersales.media.model import MediaStatus
    from aftersales.tracking.page import photo_page
    from tests.support.media_files import image_bytes

    ticket_id = rig.return_in_transit()
    token = rig.token(ticket_id)
    page = tracking_page(rig.service.page(token), token)
    assert f'action="{token}/photos"' in page and "添加照片" in page
    upload = rig.service.photo_upload(token)
    assert upload.fields["success_action_redirect"] == f"https://track.example.com/v1/track/{token}?photo=1"
    assert upload.fields["Content-Type"] == "image/jpeg"
    key = upload.fields["key"]
    [item] = [i for i in rig.media_store.items.values() if i.upload_key == key]
    assert (item.status, item.customer_id, item.ticket_id) == (MediaStatus.PENDING, "cust-1", ticket_id)
    form = photo_page("zh-Hans", ticket_id, upload, token)
    assert form.index('name="success_action_redirect"') < form.index('type="file"')  # the file goes last
    assert 'enctype="multipart/form-data"' in form and "<script" not in form

    content = image_bytes("JPEG")
    rig.media_objects.uploads[key] = content  # what S3 holds after the browser's post
    assert rig.media.check_upload(TENANT, item.id, len(content)) == "ready"
    ticket = rig.tickets.get(TENANT, ticket_id, SUPERVISOR)
    assert ticket.media_ids == [item.id]
    assert rig.ticket_store.audit_entries(TENANT, ticket_id)[-1].actor_id == "cust-1"
    assert rig.media.check_upload(TENANT, item.id, len(content)) == "already_checked"  # a redelivery
    assert rig.tickets.get(TENANT, ticket_id, SUPERVISOR).media_ids == [item.id]  # attached once
    shown = tracking_page(rig.service.page(token), token, photo_sent=True)
    assert "售后单上的照片和视频：1 个" in shown and "感谢上传" in shown


def test_a_photo_that_fails_its_check_never_joins_the_ticket(rig):
    ticket_id = rig.return_in_transit()
    upload = rig.service.photo_upload(rig.token(ticket_id))
    key = upload.fields["key"]
    [item] = [i for i in rig.media_store.items.values() if i.upload_key == key]
    rig.media_objects.uploads[key] = b"%PDF-1.7 not a photo"
    assert rig.media.check_upload(TENANT, item.id, 20).startswith("rejected:")
    assert rig.tickets.get(TENANT, ticket_id, SUPERVISOR).media_ids == []


def test_a_closed_ticket_takes_no_photo(rig):
    from aftersales.core.errors import Conflict

    ticket_id = rig.opened(TicketType.COMPLAINT)
    walk(rig.tickets, TENANT, ticket_id, "investigating", "resolved", "closed", actor=SUPERVISOR)
    token = rig.token(ticket_id)
    assert "/photos" not in tracking_page(rig.service.page(token), token)
    with pytest.raises(Conflict):
        rig.service.photo_upload(token)
    assert len(rig.media_store) == 0


def test_without_a_configured_base_url_the_photo_comes_back_to_the_stage_it_was_asked_on():
    from aftersales.core.errors import Conflict

    rig = TrackingRig(base_url="")
    token = rig.token(rig.return_in_transit())
    upload = rig.service.photo_upload(token, "https://abc123.execute-api.eu-west-1.amazonaws.com/v1")
    assert upload.fields["success_action_redirect"] == \
        f"https://abc123.execute-api.eu-west-1.amazonaws.com/v1/track/{token}?photo=1"
    with pytest.raises(Conflict):  # nowhere to come back to
        rig.service.photo_upload(token)
