"""Repair tickets: the provider's side of the repair as a transition table.

dispatched -> provider_received -> repaired | unrepairable -> returned_to_customer
"""

from __future__ import annotations

from enum import StrEnum

from aftersales.core.errors import IllegalTransition


class RepairStatus(StrEnum):
    DISPATCHED = "dispatched"
    PROVIDER_RECEIVED = "provider_received"
    REPAIRED = "repaired"
    UNREPAIRABLE = "unrepairable"
    RETURNED_TO_CUSTOMER = "returned_to_customer"


REPAIR_TRANSITIONS: dict[RepairStatus, frozenset[RepairStatus]] = {
    RepairStatus.DISPATCHED: frozenset({RepairStatus.PROVIDER_RECEIVED}),
    RepairStatus.PROVIDER_RECEIVED: frozenset({RepairStatus.REPAIRED, RepairStatus.UNREPAIRABLE}),
    RepairStatus.REPAIRED: frozenset({RepairStatus.RETURNED_TO_CUSTOMER}),
    RepairStatus.UNREPAIRABLE: frozenset({RepairStatus.RETURNED_TO_CUSTOMER}),
    RepairStatus.RETURNED_TO_CUSTOMER: frozenset(),
}


def transition(current: RepairStatus, target: RepairStatus) -> RepairStatus:
    allowed = REPAIR_TRANSITIONS[current]
    if target not in allowed:
        raise IllegalTransition("repair.illegal_transition", current=current.value, target=target.value,
                                allowed=sorted(s.value for s in allowed))
    return target
