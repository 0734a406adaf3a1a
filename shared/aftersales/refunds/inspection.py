"""Inspection results of returned goods -> the lines' acceptance axis and the ticket's next status.

Per line: `received` (what arrived; defaults to the carrier-recorded quantity_received, else the
requested quantity), `accepted` (refundable / re-shippable), `damaged` (arrived damaged; counted
within received) and `written_off` (kept by the merchant but not accepted). Rules:
accepted + written_off <= received <= requested and damaged <= received. Every ticket line must be
reported exactly once. A line with accepted > 0 becomes ACCEPTED (partial acceptance allowed), else
REJECTED; nothing accepted on any line -> the ticket is rejected (inspection failed).
"""

from __future__ import annotations

from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.orders.domain import MAX_QUANTITY, Identifier
from aftersales.tickets.domain import TicketLine
from aftersales.tickets.model import Acceptance, Reception, Status, TicketType

AFTER_INSPECTION = {TicketType.RETURN_REFUND: Status.REFUND_PENDING, TicketType.EXCHANGE: Status.RESHIPPING}


class InspectedLine(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line_id: Identifier
    accepted: StrictInt = Field(ge=0, le=MAX_QUANTITY)
    damaged: StrictInt = Field(default=0, ge=0, le=MAX_QUANTITY)
    written_off: StrictInt = Field(default=0, ge=0, le=MAX_QUANTITY)
    received: StrictInt | None = Field(default=None, ge=0, le=MAX_QUANTITY,
                                       description="Defaults to the recorded received quantity "
                                                   "(carrier scan), else the requested one")


def target_status(ticket_type: TicketType, results: list[InspectedLine]) -> Status:
    if ticket_type not in AFTER_INSPECTION:
        raise InvalidRequest("refunds.inspection_not_applicable", field="lines", type=ticket_type.value)
    return AFTER_INSPECTION[ticket_type] if any(r.accepted > 0 for r in results) else Status.REJECTED


def apply_inspection(lines: list[TicketLine], results: list[InspectedLine]) -> list[TicketLine]:
    """The ticket's lines with the inspection applied; InvalidRequest with a field path otherwise."""
    by_id = {line.line_id: line for line in lines}
    seen: dict[str, InspectedLine] = {}
    for index, result in enumerate(results):
        field = f"lines[{index}]"
        if result.line_id not in by_id:
            raise InvalidRequest("refunds.inspection_unknown_line", field=f"{field}.line_id", line_id=result.line_id)
        if result.line_id in seen:
            raise InvalidRequest("refunds.inspection_duplicate_line", field=f"{field}.line_id",
                                 line_id=result.line_id)
        seen[result.line_id] = result
        line = by_id[result.line_id]
        received = result.received if result.received is not None else _recorded_received(line)
        if received > line.quantity_requested:
            raise InvalidRequest("refunds.inspection_received_exceeds_requested", field=f"{field}.received",
                                 line_id=line.line_id, received=received, requested=line.quantity_requested)
        if result.accepted + result.written_off > received:
            raise InvalidRequest("refunds.inspection_exceeds_received", field=f"{field}.accepted",
                                 line_id=line.line_id, accepted=result.accepted, written_off=result.written_off,
                                 received=received)
        if result.damaged > received:
            raise InvalidRequest("refunds.inspection_damaged_exceeds_received", field=f"{field}.damaged",
                                 line_id=line.line_id, damaged=result.damaged, received=received)
    missing = [line.line_id for line in lines if line.line_id not in seen]
    if missing:
        raise InvalidRequest("refunds.inspection_lines_missing", field="lines", line_ids=", ".join(missing))
    out = []
    for line in lines:
        result = seen[line.line_id]
        received = result.received if result.received is not None else _recorded_received(line)
        out.append(line.model_copy(update={
            "quantity_received": received, "quantity_accepted": result.accepted,
            "quantity_damaged": result.damaged, "quantity_written_off": result.written_off,
            "reception": (Reception.RECEIVED if received == line.quantity_requested
                          else Reception.SHORT_SHIPPED if received else line.reception),
            "acceptance": Acceptance.ACCEPTED if result.accepted > 0 else Acceptance.REJECTED}))
    return out


def _recorded_received(line: TicketLine) -> int:
    if line.reception is Reception.RECEIVED and line.quantity_received:
        return line.quantity_received
    return line.quantity_requested
