"""Exchange reshipment: ship from the tenant's overseas warehouse serving the destination country,
else from its default warehouse. Overseas warehouses are tried in the tenant's order."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Warehouse(_Frozen):
    warehouse_id: str
    countries: frozenset[str] = frozenset()  # ISO 3166-1 alpha-2 it ships to as an overseas warehouse


class WarehouseNetwork(_Frozen):
    default: Warehouse
    overseas: tuple[Warehouse, ...] = ()


class ReshipmentSource(_Frozen):
    warehouse_id: str
    reason: Literal["overseas_for_country", "default_warehouse"]


def choose_warehouse(network: WarehouseNetwork, destination_country: str) -> ReshipmentSource:
    country = destination_country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise InvalidRequest("reshipment.country_code_invalid", country=destination_country)
    for warehouse in network.overseas:
        if country in warehouse.countries:
            return ReshipmentSource(warehouse_id=warehouse.warehouse_id, reason="overseas_for_country")
    return ReshipmentSource(warehouse_id=network.default.warehouse_id, reason="default_warehouse")
