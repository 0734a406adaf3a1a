"""Inbound e-mail parsing. Messages are built with the stdlib email package (our own data)."""

from __future__ import annotations

from email.message import EmailMessage

from aftersales.channels.email_inbound import (
    ReferencePatterns,
    extract_references,
    parse_email,
    thread_candidates,
    thread_key,
)

TICKET = "TKT_01JNX5Z8Q9V6W7Y8Z9A0B1C2D3"


def build(subject="Where is my order", plain=None, html=None, attachment=None, **headers):
    msg = EmailMessage()
    msg["From"] = "Zhang San <Zhang.San@Example.COM>"
    msg["To"] = "support@shop.test"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m2@mail.test>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    if plain is not None:
        msg.set_content(plain)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    if attachment:
        msg.add_attachment(attachment, maintype="image", subtype="jpeg", filename="photo.jpg")
    return msg.as_bytes()


def test_plain_text_preferred_and_attachments_extracted():
    """GIVEN a multipart/alternative mail with a photo WHEN parsed THEN the text/plain body, the
    bare lower-cased sender and the attachment bytes come out."""
    email = parse_email(build(plain="The box arrived crushed.", html="<p>HTML version</p>",
                              attachment=b"\xff\xd8jpegbytes"))
    assert email.text == "The box arrived crushed."
    assert email.from_address == "zhang.san@example.com"
    assert email.message_id == "<m2@mail.test>"
    [attachment] = email.attachments
    assert (attachment.filename, attachment.content_type, attachment.content) == (
        "photo.jpg", "image/jpeg", b"\xff\xd8jpegbytes")


def test_html_only_mail_falls_back_to_stripped_text():
    email = parse_email(build(html="<html><head><style>p{}</style></head><body><p>Hello&nbsp;there</p>"
                                   "<script>x()</script><div>Order #A12345678</div></body></html>"))
    assert email.text == "Hello there\nOrder #A12345678"


def test_thread_key_is_the_root_of_references():
    """GIVEN a reply in a thread WHEN resolved THEN the key is the first References id and lookup
    candidates go In-Reply-To first, then newest to oldest reference."""
    email = parse_email(build(plain="x", In_Reply_To="<m1@mail.test>",
                              References="<root@shop.test> <m0@mail.test> <m1@mail.test>"))
    assert thread_key(email) == "<root@shop.test>"
    assert thread_candidates(email) == ("<m1@mail.test>", "<m0@mail.test>", "<root@shop.test>")


def test_new_mail_starts_its_own_thread():
    email = parse_email(build(plain="x"))
    assert thread_key(email) == "<m2@mail.test>" and thread_candidates(email) == ()


def test_order_and_ticket_numbers_from_subject_and_body():
    email = parse_email(build(subject=f"Re: [{TICKET}] refund", plain="订单号：DY20250301001 还没退款"))
    refs = extract_references(email)
    assert refs.ticket_numbers == (TICKET,)
    assert refs.order_numbers == ("DY20250301001",)


def test_tenant_specific_patterns():
    email = parse_email(build(subject="PO-778899 damaged", plain="see subject"))
    refs = extract_references(email, ReferencePatterns(order=(r"\b(PO-\d{6})\b",), ticket=()))
    assert refs.order_numbers == ("PO-778899",) and refs.ticket_numbers == ()
