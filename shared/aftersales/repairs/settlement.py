"""Settling a repair job's costs into the ticket's money (pure).

A job's costs (parts + labour, `Job.costs()`) split into what the customer owes and what the
merchant bears:
* a warranty job never bills the customer: everything is the merchant's cost;
* a paid job that was repaired bills the customer parts + labour;
* a paid job that was not repairable bills the customer only the diagnosis (labour), and only
  when the tenant's policy allows a diagnosis fee; the parts and, without that policy, the labour
  are the merchant's cost.

What the customer owes is taken off the refund the ticket pays, when it pays one, never more than
that refund; the rest is a charge due on the ticket (due -> waived | paid). Integer minor units,
one currency: a refund in another currency is refused (422 at `refund.currency`).

A charge due moves once, to waived or to paid, by a role that may act on money (finance,
supervisor, admin: `move_charge`); a payment is exactly the charge, in its currency. Each move is on
the ticket's chain with the settlement it leaves (`CHARGE_EVENTS`), so the refund quote reads the
charge as it stands (`recorded`).
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.core.money import Money
from aftersales.repairs.model import Billable, ChargeState, Costs, JobStatus, Settlement
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.model import Role

SETTLED_EVENT = "ticket.repair_settled"
OUTCOMES = frozenset({JobStatus.REPAIRED, JobStatus.NOT_REPAIRABLE})
CHARGE_ROLES = frozenset({Role.FINANCE, Role.SUPERVISOR, Role.ADMIN})  # who may waive or take a charge
CHARGE_EVENTS = {ChargeState.WAIVED: "ticket.repair_charge_waived", ChargeState.PAID: "ticket.repair_charge_paid"}
__all__ = ["CHARGE_EVENTS", "CHARGE_ROLES", "SETTLED_EVENT", "ChargeState", "Settlement", "against_refund",
           "customer_owes", "move_charge", "recorded", "settle"]


def customer_owes(costs: Costs, outcome: JobStatus, *, diagnosis_fee_allowed: bool) -> Money:
    """What the customer pays for the job, before any refund is considered."""
    if outcome not in OUTCOMES:
        raise InvalidRequest("repairs.settlement_not_decided", field="outcome", outcome=outcome.value)
    if costs.billable_to is Billable.MERCHANT:
        return Money.zero(costs.parts.currency)
    if outcome is JobStatus.REPAIRED:
        return costs.total
    return costs.labour if diagnosis_fee_allowed else Money.zero(costs.parts.currency)


def settle(job_id: str, costs: Costs, outcome: JobStatus, *, refund: Money | None = None,
           diagnosis_fee_allowed: bool = False) -> Settlement:
    """Split the job's costs; with `refund` (what the ticket's refund would pay) the customer's
    share is deducted from it, never beyond it, and the rest is a charge due."""
    currency = costs.parts.currency
    if refund is not None and refund.currency != currency:
        raise InvalidRequest("repairs.settlement_currency_mismatch", field="refund.currency",
                             job_currency=currency, refund_currency=refund.currency)
    owes = customer_owes(costs, outcome, diagnosis_fee_allowed=diagnosis_fee_allowed)
    deduction = Money(amount=min(owes.amount, refund.amount), currency=currency) if refund else Money.zero(currency)
    charge = owes - deduction
    return Settlement(job_id=job_id, outcome=outcome, billable_to=costs.billable_to, parts=costs.parts,
                      labour=costs.labour, customer_owes=owes, merchant_cost=costs.total - owes,
                      deduction=deduction, charge=charge,
                      charge_state=ChargeState.DUE if charge.amount else None)


def against_refund(settlement: Settlement, refund: Money) -> Settlement:
    """The same settlement once the ticket's refund is known (the refund quote): the customer's
    share moves from the charge to a deduction, up to the refund; a charge already waived or paid
    stays as it is."""
    if refund.currency != settlement.customer_owes.currency:
        raise InvalidRequest("repairs.settlement_currency_mismatch", field="refund.currency",
                             job_currency=settlement.customer_owes.currency, refund_currency=refund.currency)
    if settlement.charge_state in (ChargeState.WAIVED, ChargeState.PAID):
        return settlement
    currency = refund.currency
    deduction = Money(amount=min(settlement.customer_owes.amount, refund.amount), currency=currency)
    charge = settlement.customer_owes - deduction
    return settlement.model_copy(update={"deduction": deduction, "charge": charge,
                                         "charge_state": ChargeState.DUE if charge.amount else None})


def move_charge(settlement: Settlement | None, target: ChargeState, roles: frozenset[Role], *,
                paid: Money | None = None) -> Settlement:
    """The settlement with its charge moved to `target` (waived or paid): only by a money role (403),
    only a charge still due (409: none, or already waived or paid), a payment of exactly the charge,
    in its currency (422)."""
    if not roles & CHARGE_ROLES:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in CHARGE_ROLES))
    if settlement is None or settlement.charge_state is None:  # not settled yet, or nothing charged
        raise Conflict("repairs.no_charge_due")
    if settlement.charge_state is not ChargeState.DUE:
        raise Conflict("repairs.charge_already_settled", job_id=settlement.job_id,
                       charge_state=settlement.charge_state.value)
    if target is ChargeState.PAID:
        if paid is None:
            raise InvalidRequest("error.field_required", field="amount")
        if paid.currency != settlement.charge.currency:
            raise InvalidRequest("repairs.payment_currency_mismatch", field="amount.currency",
                                 charge_currency=settlement.charge.currency, currency=paid.currency)
        if paid.amount != settlement.charge.amount:
            raise InvalidRequest("repairs.payment_not_the_charge", field="amount.amount",
                                 charge=settlement.charge.amount, amount=paid.amount)
    return settlement.model_copy(update={"charge_state": target})


def recorded(entries: Sequence[AuditEntry]) -> Settlement | None:
    """The ticket's settlement as its audit chain has it: the latest settled job's, with its charge
    waived or paid when a later entry moved it."""
    settled = [e for e in entries if e.event == SETTLED_EVENT]
    if not settled:
        return None
    settlement = Settlement.model_validate(settled[-1].data["settlement"])
    moves = set(CHARGE_EVENTS.values())
    moved = [e for e in entries if e.event in moves and (e.data or {}).get("job_id") == settlement.job_id]
    return Settlement.model_validate(moved[-1].data["settlement"]) if moved else settlement
