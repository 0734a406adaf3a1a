"""Shortest legal route through a ticket type's transition table (pure).

Automation (carrier webhooks, platform pushes) learns where a ticket *is* at the provider, not
which single step comes next: e.g. a Douyin "return agreed" for a ticket still `submitted`. The
route walks the table with one role, so every step is still an ordinary audited transition.
"""

from __future__ import annotations

from collections import deque

from aftersales.tickets import transitions
from aftersales.tickets.model import Role, Status, TicketType


def route(ticket_type: TicketType, source: Status, target: Status, role: Role = Role.SYSTEM,
          avoid: frozenset[Status] = frozenset({Status.CANCELLED})) -> list[Status] | None:
    """Statuses to pass through (excluding `source`), or None when `role` cannot get there.
    `[]` when already there. Statuses in `avoid` are never crossed unless they are the target."""
    if source == target:
        return []
    previous: dict[Status, Status] = {}
    queue = deque([source])
    seen = {source}
    while queue:
        current = queue.popleft()
        for step in transitions.transitions_from(ticket_type, current):
            if role not in step.roles or step.target in seen or step.owner is transitions.Owner.ELIGIBILITY:
                continue  # the intake checks' refusal is theirs alone, never a step on someone's route
            if step.target in avoid and step.target != target:
                continue
            previous[step.target] = current
            if step.target == target:
                path = [target]
                while path[-1] in previous and previous[path[-1]] != source:
                    path.append(previous[path[-1]])
                return list(reversed(path))
            seen.add(step.target)
            queue.append(step.target)
    return None
