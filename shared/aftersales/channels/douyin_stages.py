"""Where a Douyin after-sale stage takes the ticket that mirrors it (pure).

Douyin owns the after-sale: when it reports a stage, the ticket follows it from wherever it is, one
audited step at a time (tickets/paths.route, the SYSTEM role, the PlatformDecision warrant) — or,
when it cannot, the ticket stays and a note on its conversation says exactly why (`Hold`).

- A stage the ticket already passed (a late or repeated push) changes nothing: `already_past`.
- Refused (204/205) after an approval or a return was agreed: the ticket is rejected where it is
  (the table's platform-owned moves, transitions.Owner.PLATFORM), not walked through a return it
  never had. Refunded (206) after a refusal here (Douyin's arbitration found for the buyer): refunded.
- Refund agreed (201) once a return was agreed (return and refund): the refund is agreed, so the
  ticket goes on to refund_pending.
- A walk never crosses a cancellation or a rejection, and a rejected ticket is never "past" a stage:
  what Douyin reports then is followed (the platform's own moves) or noted.
- Closed (207): the request was withdrawn or finished; the ticket is cancelled or closed in one step.
  It is never walked through a refund or a reshipment Douyin did not report.
- Arbitration (212, 216) moves nothing by itself: Douyin carries the outcome out with a refund (206)
  or a close (207), which then moves the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.channels.douyin import Stage, TransitionTicket
from aftersales.tickets import transitions
from aftersales.tickets.model import TERMINAL_STATUSES, Status, TicketType
from aftersales.tickets.paths import route

STAGE_TARGETS: dict[Stage, Status] = {
    Stage.APPROVED: Status.APPROVED,
    Stage.RETURN_APPROVED: Status.AWAITING_RETURN,
    Stage.RETURN_IN_TRANSIT: Status.RETURN_IN_TRANSIT,
    Stage.REJECTED: Status.REJECTED,
    Stage.RETURN_REJECTED: Status.REJECTED,
    Stage.REFUNDED: Status.REFUNDED,
    Stage.CLOSED: Status.CLOSED,
    Stage.EXCHANGE_CONFIRMED: Status.RESHIPPED,
}
# A walk may imply decisions and steps the platform's stage needs, never an ending it did not report.
NEVER_CROSSED = frozenset({Status.CANCELLED, Status.REJECTED})
RETURN_AGREED = frozenset({Status.AWAITING_RETURN, Status.RETURN_IN_TRANSIT, Status.RETURN_RECEIVED,
                           Status.INSPECTING})


@dataclass(frozen=True)
class Follow:
    """The statuses to pass through, in order (the last is where Douyin is)."""

    path: tuple[Status, ...]


@dataclass(frozen=True)
class Hold:
    """The ticket stays; `reason` is a stable code, `note` says why, `needs_agent` whether a person must act."""

    reason: str
    note: str
    needs_agent: bool


def _target(ticket_type: TicketType, status: Status, stage: Stage) -> Status:
    if stage is Stage.APPROVED and ticket_type is TicketType.RETURN_REFUND and status in RETURN_AGREED:
        return Status.REFUND_PENDING  # Douyin agreed the refund of the goods coming back
    return STAGE_TARGETS[stage]


def _close(ticket_type: TicketType, status: Status) -> Follow | Hold:
    for end in (Status.CANCELLED, Status.CLOSED):
        if transitions.find(ticket_type, status, end) is not None:
            return Follow((end,))
    return Hold("close_not_possible", f"Douyin closed the after-sale, but the {ticket_type.value} ticket in "
                f"{status.value} can be neither cancelled nor closed without a step Douyin did not report", True)


def follow(ticket_type: TicketType, status: Status, command: TransitionTicket) -> Follow | Hold:
    """Where Douyin's stage takes a `ticket_type` ticket in `status`, or why it stays."""
    stage = command.to_stage
    if stage is Stage.IN_ARBITRATION:
        return Hold("arbitration_open", f"Douyin opened arbitration {command.arbitrate_id or ''}".rstrip()
                    + f"; the ticket stays {status.value} until Douyin carries out the outcome", True)
    if stage is Stage.ARBITRATION_DECIDED:
        return Hold("arbitration_decided", f"Douyin decided arbitration {command.arbitrate_id or ''}".rstrip()
                    + f" (conclusion {command.arbitrate_conclusion}); the ticket stays {status.value} until "
                    "Douyin's refund (206) or close (207) carries it out", False)
    target = _target(ticket_type, status, stage)
    if status == target:
        return Hold("already_there", f"Douyin stage {stage.value}: the ticket is already {status.value}", False)
    if status in TERMINAL_STATUSES and stage is Stage.CLOSED:
        return Hold("already_ended", f"Douyin stage closed: the ticket is already {status.value}", False)
    if status in TERMINAL_STATUSES:
        return Hold("ticket_ended", f"Douyin stage {stage.value} arrived after the ticket was {status.value} "
                    f"here; a {status.value} ticket does not move again", True)
    if stage is Stage.CLOSED:
        return _close(ticket_type, status)
    path = route(ticket_type, status, target, avoid=NEVER_CROSSED)
    if path:
        return Follow(tuple(path))
    if Status.REJECTED not in (status, target) and route(ticket_type, target, status, avoid=NEVER_CROSSED) is not None:
        return Hold("already_past", f"Douyin stage {stage.value} arrived after the ticket moved on: it is "
                    f"{status.value}, past {target.value}", False)
    return Hold("no_route", f"Douyin stage {stage.value}: the {ticket_type.value} ticket has no move from "
                f"{status.value} to {target.value}", True)
