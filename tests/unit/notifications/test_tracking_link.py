"""Every ticket message carries the signed link to the ticket's tracking page, in its language."""

from __future__ import annotations

from aftersales.notifications.templates import render


def test_the_link_is_the_last_sentence_in_the_customers_language():
    zh = render("ticket.approved", "zh-Hans", "email", ticket="tkt_1", status="approved",
                link="https://api.example.com/v1/track/abc.def")
    en = render("ticket.approved", "en", "wecom", ticket="tkt_1", status="approved",
                link="https://api.example.com/v1/track/abc.def")
    assert zh is not None and zh.body.endswith("查看售后进度：https://api.example.com/v1/track/abc.def")
    assert en is not None and en.body.endswith("Follow your request here: https://api.example.com/v1/track/abc.def")


def test_without_a_link_the_message_is_unchanged():
    plain = render("ticket.approved", "en", "email", ticket="tkt_1", status="approved")
    assert plain is not None and "track" not in plain.body and plain.body.endswith("Status: Approved.")
