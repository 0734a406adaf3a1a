"""A repair's technician visit as the customer sees it (pure): the appointment window agreed, the
expected arrival, and how far the technician has got - read from the notes and moves the repairs
context writes on the ticket's chain. Never the provider, the technician's id, the location or the
job's costs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aftersales.core.clock import parse_iso
from aftersales.tickets.audit import AuditEntry

# the ticket entries that tell of the visit -> the stage the customer sees
STAGES = {
    "ticket.repair_booked": "booked",
    "ticket.repair_rescheduled": "booked",
    "ticket.repair_on_the_way": "on_the_way",
    "ticket.repair_received_by_provider": "checked_in",  # the check-in moves the ticket to repair_in_progress
    "ticket.repair_diagnosed": "diagnosed",
    "ticket.repaired": "repaired",
    "ticket.unrepairable": "not_repairable",
}
RESTART = "ticket.repair_withdrawn"  # the job went to another provider: a new visit is to be booked


@dataclass(frozen=True)
class Progress:
    stage: str  # booked | on_the_way | checked_in | diagnosed | repaired | not_repairable
    at: datetime


@dataclass(frozen=True)
class Visit:
    start: datetime
    end: datetime
    eta: datetime | None
    progress: tuple[Progress, ...]  # in order, the latest last

    @property
    def stage(self) -> str:
        return self.progress[-1].stage


def visit(entries: Iterable[AuditEntry]) -> Visit | None:
    """The latest booked visit of the ticket and its progress; None before a booking (or after the
    job was withdrawn from its provider, until the next one books)."""
    window: dict | None = None
    eta: datetime | None = None
    progress: list[Progress] = []
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.event == RESTART:
            window, eta, progress = None, None, []
            continue
        stage = STAGES.get(entry.event)
        if stage is None:
            continue
        if stage == "booked":
            window, eta = entry.data.get("window") or window, None
            progress = [p for p in progress if p.stage != "on_the_way"]  # a new window: not on the way yet
        if stage == "on_the_way" and entry.data.get("eta"):
            eta = parse_iso(entry.data["eta"])
        progress = [p for p in progress if p.stage != stage] + [Progress(stage, parse_iso(entry.at))]
    if not isinstance(window, dict) or not window.get("start") or not window.get("end"):
        return None
    return Visit(start=parse_iso(window["start"]), end=parse_iso(window["end"]), eta=eta, progress=tuple(progress))
