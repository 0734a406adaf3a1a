"""The one e-mail address validator (aftersales.core.contacts)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.contacts import email_address, valid_email, valid_platform_user
from aftersales.core.errors import InvalidRequest

INJECTION = "a@b.com\r\nBcc: x@evil"


@pytest.mark.parametrize("value", [
    "not-an-email", INJECTION, "a@b.com\nBcc: x@evil", "Buyer <buyer@example.com>", '"a b"@example.com',
    "a@[192.0.2.1]", "a@localhost", "a..b@example.com", "用户@example.com", "", "   ", "a@b.com,c@d.com",
    "x" * 250 + "@example.com",
])
def test_what_cannot_be_an_address_is_refused_with_the_field_path(value):
    """GIVEN a value that cannot be one mailbox (or could smuggle a header)
    WHEN it is validated for the field `address`
    THEN InvalidRequest names that field and says error.invalid_email."""
    with pytest.raises(InvalidRequest) as caught:
        valid_email(value, "address")
    assert caught.value.message_id == "error.invalid_email"
    assert caught.value.details == {"field": "address"}


def test_an_address_is_normalised_and_keeps_an_ascii_form_for_the_wire():
    """GIVEN a mixed-case address and one with an internationalised domain
    WHEN validated
    THEN the domain is lower-cased for storage and IDNA-encoded for sending; blanks around are forgiven."""
    assert valid_email("  Buyer@Example.COM ", "address") == "Buyer@example.com"
    parts = email_address("kunde@bücher.example", "address")
    assert parts.normalized == "kunde@bücher.example"
    assert (parts.local, parts.domain, parts.ascii) == ("kunde", "xn--bcher-kva.example",
                                                        "kunde@xn--bcher-kva.example")


def test_no_dns_is_asked(monkeypatch):
    """GIVEN a domain that does not exist
    WHEN validated
    THEN it passes on syntax alone: no resolver is consulted on a request path."""
    import dns.resolver

    def refuse(*_a, **_k):
        raise AssertionError("DNS was queried")

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", refuse)
    assert valid_email("someone@zz-no-such-domain-here.com", "address") == "someone@zz-no-such-domain-here.com"


@given(st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True), st.sampled_from(["\r", "\n", "\r\n"]),
       st.from_regex(r"[!-~]{1,30}", fullmatch=True))
def test_an_inner_line_break_never_validates(local, brk, tail):
    """GIVEN an address followed by a CR and/or LF and more text (a header smuggled after it)
    WHEN validated
    THEN it is refused."""
    with pytest.raises(InvalidRequest):
        valid_email(f"{local}@example.com{brk}{tail}", "address")


@given(st.text(max_size=80))
def test_whatever_is_accepted_has_no_line_break_or_blank(value):
    """GIVEN any text at all
    WHEN it passes validation
    THEN what is returned is one token: no CR, LF, space or tab (nothing to fold into a header)."""
    try:
        parts = email_address(value, "address")
    except InvalidRequest:
        return
    for text in (parts.normalized, parts.ascii):
        assert not any(c in text for c in "\r\n\t ")


@pytest.mark.parametrize("value", ["wm-user\r\nBcc: x", "two words", "", " \t ", "a\x00b", "x" * 129])
def test_a_platform_user_id_is_one_printable_token(value):
    """GIVEN a WeCom / Douyin user id with a blank, a control character, nothing, or too long
    WHEN validated THEN InvalidRequest names the field (error.invalid_contact)."""
    with pytest.raises(InvalidRequest) as caught:
        valid_platform_user(value, "address")
    assert caught.value.message_id == "error.invalid_contact" and caught.value.details == {"field": "address"}


def test_real_platform_user_ids_pass_unchanged():
    """GIVEN ids as WeCom and Douyin issue them WHEN validated THEN they come back as they were."""
    for value in ("wmqfasd1e1927831123109rBAAAA", "userid1", "zhangsan@corp", "dy-buyer_1.x"):
        assert valid_platform_user(value, "address") == value
