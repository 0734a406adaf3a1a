"""A ticket's audit entries as the status history the SLA clocks run on (pure).

Each audit entry becomes StatusChange(status=to_status, event=<event without "ticket.">). Metric
clocks also need moments the transition table does not name, so derived markers are added at the
same instant (same status, marker as the event):

- `agent_replied`   an entry by staff (agent, supervisor, admin, finance, arbitrator) other than an
                    assignment or an SLA note; `customer_replied` an entry by the customer after
                    creation;
                    (an automatic answer, `ticket.auto_answered`, counts as a response too);
- `closed`          entering a terminal status (cancelled as well as closed): every clock stops;
- `resolved`        the request is served (refunded, reshipped, returned to the customer, resolved);
- `inspected`       inspection passed or failed; `refund_issued` refunded;
- `sent_to_repair`  repair dispatched; `repair_returned` repaired or unrepairable.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.core.clock import parse_iso
from aftersales.sla.deadlines import StatusChange
from aftersales.tickets.audit import AuditEntry

STAFF = frozenset({"agent", "supervisor", "admin", "finance", "arbitrator"})
NOT_A_REPLY = ("ticket.assigned", "ticket.sla_", "ticket.internal_note")  # a note to colleagues answers nobody
TERMINAL = frozenset({"closed", "cancelled"})
MARKERS: dict[str, tuple[str, ...]] = {
    "ticket.refunded": ("refund_issued", "resolved"),
    "ticket.reshipped": ("resolved",),
    "ticket.returned_to_customer": ("resolved",),
    "ticket.inspection_passed": ("inspected",),
    "ticket.inspection_failed": ("inspected",),
    "ticket.repair_dispatched": ("sent_to_repair",),
    "ticket.repaired": ("repair_returned",),
    "ticket.unrepairable": ("repair_returned",),
    "ticket.auto_answered": ("agent_replied",),  # the bot answered the customer's message: it has its response
}


def is_sla_note(event: str) -> bool:
    return event.startswith("ticket.sla_")


def history_from_audit(entries: Iterable[AuditEntry]) -> list[StatusChange]:
    history: list[StatusChange] = []
    for entry in sorted(entries, key=lambda e: e.seq):
        at = parse_iso(entry.at)
        event = entry.event.removeprefix("ticket.")
        history.append(StatusChange(at=at, status=entry.to_status, event=event))
        markers = list(MARKERS.get(entry.event, ()))
        if not entry.event.startswith(NOT_A_REPLY):
            if entry.actor_role in STAFF:
                markers.append("agent_replied")
            elif entry.actor_role == "customer" and entry.seq > 1:
                markers.append("customer_replied")
        if entry.to_status in TERMINAL and entry.from_status not in TERMINAL:
            markers.append("closed")
        history += [StatusChange(at=at, status=entry.to_status, event=m) for m in markers if m != event]
    return history
