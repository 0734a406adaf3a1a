"""Exchange reshipment: what to ship and where from.

* What: per line, the quantity inspection ACCEPTED (POST /tickets/{id}/inspection); the requested
  quantity only when no inspection was recorded (nothing came back to inspect). A line inspected
  with 0 accepted is never reshipped (`reshipment.line_not_accepted`); when no line is left, the
  whole reshipment is refused (`reshipment.nothing_accepted`).
* Where from: the tenant's overseas warehouse serving the destination country, else its default
  warehouse. Overseas warehouses are tried in the tenant's order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.tickets.domain import TicketLine
from aftersales.tickets.model import Acceptance


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


class ReshipmentLine(_Frozen):
    line_id: str
    sku: str
    quantity: int = Field(ge=1)


class ReshipmentPlan(_Frozen):
    lines: tuple[ReshipmentLine, ...]
    not_reshipped: tuple[str, ...] = ()  # line ids inspection accepted nothing of


def reship_quantity(line: TicketLine) -> int:
    """Accepted quantity once inspected, requested quantity when no inspection was recorded."""
    if line.acceptance is Acceptance.PENDING:
        return line.quantity_requested
    if line.quantity_accepted <= 0:
        raise Conflict("reshipment.line_not_accepted", line_id=line.line_id)
    return line.quantity_accepted


def plan_reshipment(lines: list[TicketLine]) -> ReshipmentPlan:
    """Refused lines are left out (a partial acceptance still reships what passed); nothing left
    to ship refuses the whole reshipment."""
    shipped: list[ReshipmentLine] = []
    refused: list[str] = []
    for line in lines:
        try:
            shipped.append(ReshipmentLine(line_id=line.line_id, sku=line.sku, quantity=reship_quantity(line)))
        except Conflict:
            refused.append(line.line_id)
    if not shipped:
        raise Conflict("reshipment.nothing_accepted", line_ids=", ".join(refused))
    return ReshipmentPlan(lines=tuple(shipped), not_reshipped=tuple(refused))
