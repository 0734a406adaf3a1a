"""Money, dates and relative times in the reader's locale (Babel's CLDR data), for every text a
customer reads: notifications, the customer timeline, the tracking and survey pages, error details.

Amounts come in integer minor units with their currency (aftersales.core.money) and are divided by
the currency's ISO 4217 exponent here, never earlier; instants are time zone-aware and shown in
the customer's zone (a contact's `time_zone`, else the tenant's), UTC when none is known.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency
from pydantic import AfterValidator, Field

from aftersales.core.i18n import supported
from aftersales.core.money import Money, minor_unit_exponent

UTC_NAME = "UTC"


@lru_cache(maxsize=16)
def babel_locale(locale: str) -> Locale:
    """Babel's locale of a catalog locale ("zh-Hant" -> zh_Hant, which CLDR places in Taiwan)."""
    return Locale.parse(supported(locale).replace("-", "_"))


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a time zone of the IANA database (e.g. Europe/Berlin)") from None
    return name


# A customer's time zone as clients send it ("Europe/Berlin"); an unknown name is 422 at its field.
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64, examples=["Europe/Berlin", "Asia/Shanghai"]),
                         AfterValidator(_known_zone)]


def zone(name: str | None) -> ZoneInfo | timezone:
    """An IANA zone by name; UTC for none or one the tz database does not know."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def money(amount: Money, locale: str) -> str:
    """"30,00 €" (de), "€30.00" (en), "￥1,234" (ja: JPY has no minor unit). The value is never
    rounded: a currency whose ISO exponent exceeds CLDR's digits shows every digit it has."""
    value = Decimal(amount.amount).scaleb(-minor_unit_exponent(amount.currency))
    return format_currency(value, amount.currency, locale=babel_locale(locale), decimal_quantization=False)


def money_of(data: object, locale: str) -> str:
    """A stored amount ({"amount": minor units, "currency": "EUR"}, as audit entries keep it) or ""."""
    if not isinstance(data, dict) or "amount" not in data or "currency" not in data:
        return ""
    return money(Money(amount=int(data["amount"]), currency=str(data["currency"])), locale)


def moment(at: datetime | str, locale: str, time_zone: str | None = None) -> str:
    """Date and time to the minute in the customer's zone: "03.12.2026, 10:05" (de),
    "Dec 3, 2026, 10:05 AM" (en): CLDR's medium date with its short time, joined the locale's way."""
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    if when.tzinfo is None:
        raise ValueError("a customer-facing time must be time zone-aware")
    where, loc = zone(time_zone), babel_locale(locale)
    joined = str(loc.datetime_formats["medium"])
    return (joined.replace("{1}", format_datetime(when, loc.date_formats["medium"].pattern, tzinfo=where, locale=loc))
            .replace("{0}", format_datetime(when, loc.time_formats["short"].pattern, tzinfo=where, locale=loc)))


def moment_with_zone(at: datetime | str, locale: str, time_zone: str | None = None) -> str:
    """`moment` followed by the zone's short name in that locale ("03.12.2026, 10:05 MEZ", "... UTC")."""
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    where = zone(time_zone)
    name = format_datetime(when, "z", tzinfo=where, locale=babel_locale(locale)) if time_zone else UTC_NAME
    return f"{moment(when, locale, time_zone)} {name}"


def day(at: datetime | date | str, locale: str, time_zone: str | None = None) -> str:
    """The calendar day in the customer's zone: "3. Dezember 2026" (de), "2026年12月3日" (zh)."""
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if isinstance(at, datetime):
        if at.tzinfo is None:
            raise ValueError("a customer-facing time must be time zone-aware")
        at = at.astimezone(zone(time_zone)).date()
    return format_date(at, "long", locale=babel_locale(locale))


def relative(delta: timedelta, locale: str) -> str:
    """A span from now: "in 2 Tagen" / "vor 3 Stunden" (de), "2天后" (zh-Hans)."""
    return format_timedelta(delta, add_direction=True, threshold=1.0, locale=babel_locale(locale))
