"""Money as integer minor units plus an ISO 4217 currency. Never float.

One rule for every amount the platform accepts or computes: a real, circulating ISO 4217 currency
(no XXX "no currency", XTS "testing", precious metals or fund codes) and at most MAX_AMOUNT minor
units, the most one payment provider charge or refund can carry (docs/decisions.md, 2026-12-01).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, field_validator

from aftersales.core.model import DomainModel

# Stripe takes up to 12 digits of minor units in its largest-nominal currency (IDR) and 8 in most;
# one bound for all currencies keeps VND/IDR/KRW orders possible and every sum far inside int64.
MAX_AMOUNT = 999_999_999_999

# ISO 4217 list one, circulating currencies only (tests cross-check CLDR's legal tenders).
CURRENCIES = frozenset([
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD",
    "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP",
    "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
    "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB",
    "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
    "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
])

# ISO 4217 minor-unit exponents that differ from 2. Everything else uses 2.
_ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                 "VND", "VUV", "XAF", "XOF", "XPF"}
_THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}



def _circulating(code: str) -> str:
    if code not in CURRENCIES:
        raise ValueError(f"{code} is not a circulating ISO 4217 currency")
    return code


CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["CNY", "USD"],
                                    json_schema_extra={"enum": sorted(CURRENCIES)}),
                         AfterValidator(_circulating)]


def minor_unit_exponent(currency: str) -> int:
    if currency in _ZERO_DECIMAL:
        return 0
    if currency in _THREE_DECIMAL:
        return 3
    return 2


class CurrencyMismatch(ValueError):
    pass


class Money(DomainModel):
    """An amount in minor units (cents, fen) of one currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: StrictInt = Field(ge=0, le=MAX_AMOUNT, description="Integer minor units (e.g. fen, cents)")
    currency: CurrencyCode

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, v: object) -> object:
        return v.upper() if isinstance(v, str) else v

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount=self.amount * quantity, currency=self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    def display(self) -> str:
        exp = minor_unit_exponent(self.currency)
        if exp == 0:
            return f"{self.amount} {self.currency}"
        whole, frac = divmod(self.amount, 10**exp)
        return f"{whole}.{frac:0{exp}d} {self.currency}"
