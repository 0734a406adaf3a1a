"""A depot repair as the customer sees it (pure): the item sent in to the repair centre, received
there, diagnosed, repaired (or not), sent back and delivered back - read from the notes and moves
the repairs context writes on the ticket's chain. Never the provider, its depot's address, the
job's costs or the removed parts going back to the merchant."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aftersales.core.clock import parse_iso
from aftersales.tickets.audit import AuditEntry
from aftersales.tracking.visit import RESTART, Progress

SHIPPED_IN = "ticket.repair_shipped_in"  # the customer's ship-in parcel: the repair goes by post from here
# the ticket entries that tell of a depot repair -> the step the customer sees
STAGES = {
    SHIPPED_IN: "shipped_in",
    "ticket.repair_received_by_provider": "at_depot",  # the carrier's delivered scan moves the ticket on
    "ticket.repair_diagnosed": "diagnosed",
    "ticket.repaired": "repaired",
    "ticket.unrepairable": "not_repairable",
    "ticket.repair_shipped_back": "shipped_back",
    "ticket.repair_delivered_back": "delivered_back",
}


@dataclass(frozen=True)
class Depot:
    progress: tuple[Progress, ...]  # shipped_in first, the latest last

    @property
    def stage(self) -> str:
        return self.progress[-1].stage


def depot(entries: Iterable[AuditEntry]) -> Depot | None:
    """The ticket's depot repair and its steps; None unless the item was sent in (an on-site visit
    is `visit.visit`), and again after the job was withdrawn from its provider."""
    progress: list[Progress] = []
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.event == RESTART:
            progress = []
            continue
        stage = STAGES.get(entry.event)
        if stage is None or (not progress and entry.event != SHIPPED_IN):
            continue
        progress = [p for p in progress if p.stage != stage] + [Progress(stage, parse_iso(entry.at))]
    return Depot(progress=tuple(progress)) if progress else None
