"""Money as integer minor units plus an ISO 4217 currency. Never float."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictInt, field_validator

from aftersales.core.model import DomainModel

# ISO 4217 minor-unit exponents that differ from 2. Everything else uses 2.
_ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                 "VND", "VUV", "XAF", "XOF", "XPF"}
_THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["CNY", "USD"])]


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

    amount: StrictInt = Field(ge=0, description="Integer minor units (e.g. fen, cents)")
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
