"""Stripe's dispute object (the `data.object` of `charge.dispute.*`) as the disputes context's
PlatformCase (pure: no I/O, no clock reads).

Every dispute event carries the whole dispute, so each one maps the same way: status and reason
(Stripe's open enums, kept as given when they look like an enum value), the disputed amount in
minor units with its currency, the evidence due date (aware UTC), whether evidence was submitted,
and the balance transactions: a negative one is the disputed amount (and the dispute fee) withdrawn,
a positive one reinstated. A field we cannot use is left out, never an error: refusing a dispute
would only make Stripe retry one we must not miss. Only an unusable amount leaves no case
(`None`): the record cannot say what is at stake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from aftersales.core.clock import from_unix
from aftersales.core.money import Money
from aftersales.disputes.model import FundsMovement, PlatformCase

PROVIDER = "stripe"
DISPUTE_EVENTS = frozenset({"charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
                            "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"})
UNKNOWN_STATUS = "unknown"
MAX_FUNDS = 20  # balance transactions kept per dispute (Stripe has at most a few: withdrawn, reinstated)

_ID = re.compile(r"[!-~]{1,255}")
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def label(value: object) -> str | None:
    """An id-like value (a charge or payment intent id) we may look up and keep; else None. An
    expanded object gives its id."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def code(value: object) -> str | None:
    """A Stripe enum value (dispute reason, status): an open set, but never free text."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


def minor_units(amount: object, currency: object) -> Money | None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not isinstance(currency, str):
        return None
    try:
        return Money(amount=amount, currency=currency.upper())
    except ValidationError:
        return None


def evidence_due_by(dispute: Mapping[str, Any]) -> datetime | None:
    details = dispute.get("evidence_details")
    return from_unix(details.get("due_by")) if isinstance(details, Mapping) else None


def _submitted(dispute: Mapping[str, Any]) -> bool:
    details = dispute.get("evidence_details")
    count = details.get("submission_count") if isinstance(details, Mapping) else None
    return isinstance(count, int) and not isinstance(count, bool) and count > 0


def _movement(txn: object, received_at: datetime) -> FundsMovement | None:
    """One balance transaction of the dispute; None unless it has an id and a non-zero amount."""
    if not isinstance(txn, Mapping):
        return None  # an unexpanded id says nothing about the money
    txn_id, raw = label(txn.get("id")), txn.get("amount")
    if txn_id is None or isinstance(raw, bool) or not isinstance(raw, int) or raw == 0:
        return None
    amount = minor_units(abs(raw), txn.get("currency"))
    if amount is None:
        return None
    fee = txn.get("fee")
    fee_money = minor_units(fee, txn.get("currency")) if fee else None
    return FundsMovement(kind="withdrawn" if raw < 0 else "reinstated", amount=amount, fee=fee_money,
                         provider_id=txn_id, at=from_unix(txn.get("created")) or received_at)


def funds(dispute: Mapping[str, Any], received_at: datetime) -> list[FundsMovement]:
    listed = dispute.get("balance_transactions")
    if not isinstance(listed, list):
        return []
    moves = (_movement(txn, received_at) for txn in listed[:MAX_FUNDS])
    return [m for m in moves if m is not None]


def dispute_case(dispute: Mapping[str, Any], dispute_id: str, *, received_at: datetime) -> PlatformCase | None:
    """The dispute as a PlatformCase; None only when its amount is unusable. `received_at` dates a
    balance transaction that does not say when it happened."""
    amount = minor_units(dispute.get("amount"), dispute.get("currency"))
    if amount is None:
        return None
    return PlatformCase(provider=PROVIDER, case_id=dispute_id, charge_id=label(dispute.get("charge")),
                        payment_intent_id=label(dispute.get("payment_intent")), amount=amount,
                        reason=code(dispute.get("reason")), status=code(dispute.get("status")) or UNKNOWN_STATUS,
                        evidence_due_by=evidence_due_by(dispute), submitted=_submitted(dispute),
                        funds=funds(dispute, received_at))
