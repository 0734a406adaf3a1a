"""Customer contact values checked once, the same way everywhere they are stored or used.

E-mail addresses go through `email-validator` (syntax only: no DNS, so no network on a request
path and the same answer every time). We send with Amazon SES, which takes no SMTPUTF8: the
part before the @ must be ASCII, an internationalised domain is sent in its ASCII (IDNA) form.
A display name, quotes, comments, a bracketed IP literal, whitespace or a CR/LF make a value
invalid, so a stored address can never carry a second header into an outgoing message.
"""

from __future__ import annotations

from typing import NamedTuple

from aftersales.core.errors import InvalidRequest

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit less the angle brackets


class EmailAddress(NamedTuple):
    local: str  # the part before the @ (ASCII)
    domain: str  # the domain in ASCII (IDNA) form, as it goes on the wire
    normalized: str  # the address as we store it (domain lower-cased, Unicode domain kept)

    @property
    def ascii(self) -> str:
        return f"{self.local}@{self.domain}"


def email_address(value: str, field: str) -> EmailAddress:
    """The parts of a deliverable-looking e-mail address; raises InvalidRequest (422 at the API)
    naming `field`. Leading/trailing blanks are forgiven, nothing else is."""
    # imported here: the library compiles its grammar on import (~40 ms), which only the code paths
    # that handle an address should pay at cold start
    from email_validator import EmailNotValidError, validate_email

    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_EMAIL_LENGTH:
        raise InvalidRequest("error.invalid_email", field=field)
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False,
                                 allow_display_name=False, allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError as exc:
        raise InvalidRequest("error.invalid_email", field=field) from exc
    assert checked.ascii_email is not None  # allow_smtputf8=False guarantees an ASCII form
    local, _, domain = checked.ascii_email.rpartition("@")
    return EmailAddress(local=local, domain=domain, normalized=checked.normalized)


def valid_email(value: str, field: str) -> str:
    """The address as it is stored (normalised); raises InvalidRequest naming `field`."""
    return email_address(value, field).normalized


MAX_PLATFORM_USER_ID = 128


def valid_platform_user(value: str, field: str) -> str:
    """A channel's own user id (WeCom userid / external_userid, Douyin open id): one printable
    token, no blanks or control characters; raises InvalidRequest (error.invalid_contact) naming
    `field`. Whether the platform knows the user only the platform can say, at send time."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_PLATFORM_USER_ID or any(c.isspace() or not c.isprintable() for c in text):
        raise InvalidRequest("error.invalid_contact", field=field)
    return text


DEFAULT_PHONE_REGION = "CN"  # a number written without a country code is read as a Chinese number


def valid_mobile(value: str, field: str, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """A mobile number in E.164 ('+8613800138000'), checked against libphonenumber's numbering
    plans (`phonenumberslite`: the metadata without the geocoder): the number must be valid for its
    country and able to take an SMS (mobile, or a plan that does not tell mobile from fixed line, as
    in the US). Raises InvalidRequest (error.invalid_phone) naming `field`."""
    import phonenumbers  # imported here: only the paths that handle a phone number pay for its metadata

    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 32 or any(not c.isprintable() for c in text):
        raise InvalidRequest("error.invalid_phone", field=field)
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidRequest("error.invalid_phone", field=field) from exc
    texting = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in texting:
        raise InvalidRequest("error.invalid_phone", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
