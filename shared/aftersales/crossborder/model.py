"""Cross-border return models (pure): Incoterms, customs reason codes, the declared lines of a
return parcel, the tenant's return warehouses and what the customer is told to do.

Validation happens here, where the data enters: an HS code is 6 to 10 digits (dots and spaces
dropped), a country of origin an ISO 3166-1 alpha-2 code, a declared value integer minor units with
an ISO 4217 currency."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, StrictInt, model_validator

from aftersales.core.clock import Instant
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import free_text, label

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
LineId = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
WarehouseId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _digits(value: object) -> object:
    return re.sub(r"[.\s]", "", value) if isinstance(value, str) else value


HsCode = Annotated[str, BeforeValidator(_digits), Field(
    pattern=r"^\d{6,10}$", examples=["6912.00", "851671"],
    description="Harmonized System code: 6 digits, or a national tariff line of up to 10 (dots allowed)")]


class Incoterm(StrEnum):
    """Incoterms 2020: who pays transport, duties and taxes on the return leg."""

    EXW = "EXW"
    FCA = "FCA"
    CPT = "CPT"
    CIP = "CIP"
    DAP = "DAP"
    DPU = "DPU"
    DDP = "DDP"
    FAS = "FAS"
    FOB = "FOB"
    CFR = "CFR"
    CIF = "CIF"


class CustomsReason(StrEnum):
    """Why the goods cross the border (the reason for export a carrier's customs form asks for)."""

    RETURNED_GOODS = "returned_goods"
    REPAIR_AND_RETURN = "repair_and_return"
    WARRANTY_REPLACEMENT = "warranty_replacement"
    REFUSED_DELIVERY = "refused_delivery"


class DeclaredLine(DomainModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line_id: LineId
    quantity: StrictInt = Field(ge=1, le=100_000)
    hs_code: HsCode
    country_of_origin: Country
    declared_value: Money = Field(description="The value of these units, for customs")
    description: free_text(200) | None = None


class DeclarationRequest(DomainModel):
    """What the customer (or an agent for them) declares for the return parcel."""

    model_config = ConfigDict(extra="forbid")

    incoterms: Incoterm = Incoterm.DAP
    reason: CustomsReason = CustomsReason.RETURNED_GOODS
    lines: list[DeclaredLine] = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_entry_per_line(self) -> DeclarationRequest:
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            raise ValueError("each line_id is declared once")
        if len({line.declared_value.currency for line in self.lines}) > 1:
            raise ValueError("every declared value is in the same currency")
        return self


class ReturnDeclaration(DeclarationRequest):
    authorisation_number: str
    recorded_at: Instant
    recorded_by: str
    recorded_by_role: str | None = None


class Warehouse(DomainModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: WarehouseId
    name: label(128, min_length=1)
    country: Country
    address_lines: list[free_text(200)] = Field(min_length=1, max_length=6,
                                                description="As printed on the return label")
    serves: frozenset[Country] = Field(default=frozenset(), max_length=250,
                                       description="Delivery countries whose returns go here")
    default: bool = Field(default=False, description="Where returns go from a country no warehouse serves")


class ReturnDestinations(DomainModel):
    """A tenant's return warehouses (one default at most; a country served by one warehouse only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouses: list[Warehouse] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _unambiguous(self) -> ReturnDestinations:
        ids = [w.id for w in self.warehouses]
        if len(ids) != len(set(ids)):
            raise ValueError("warehouse ids are unique")
        if sum(w.default for w in self.warehouses) > 1:
            raise ValueError("one default warehouse at most")
        seen: dict[str, str] = {}
        for warehouse in self.warehouses:
            for country in sorted(warehouse.serves):
                if country in seen:
                    raise ValueError(f"{country} is served by both {seen[country]!r} and {warehouse.id!r}")
                seen[country] = warehouse.id
        return self

    def for_country(self, country: str) -> Warehouse | None:
        """The warehouse serving `country`, else one in that country, else the default."""
        return (next((w for w in self.warehouses if country in w.serves), None)
                or next((w for w in self.warehouses if w.country == country), None)
                or next((w for w in self.warehouses if w.default), None))


class ReturnInstructions(DomainModel):
    """Where to send the goods, under which authorisation number, and what customs needs."""

    ticket_id: str
    authorisation_number: str
    delivered_to: Country
    destination: Warehouse | None = Field(description="None: the tenant has set no return warehouse")
    cross_border: bool
    declaration_required: bool
    declaration: ReturnDeclaration | None = None
