"""What a failed DynamoDB write means: a condition that did not hold (someone else changed the item
first, or it already exists) as opposed to a fault. One reading for every adapter."""

from __future__ import annotations

CONDITIONAL_CAUSES = ("ConditionalCheckFailedException", "TransactionCanceledException")


def cancellation_reasons(exc: Exception) -> list[str | None]:
    """The per-item codes of a cancelled transaction, in the order of its actions (None: that
    action was fine)."""
    return [r.code if r is not None else None for r in (getattr(exc, "cancellation_reasons", None) or [])]


def condition_failed(exc: Exception) -> bool:
    """True when a put, update, delete or transaction failed on its condition."""
    return (getattr(exc, "cause_response_code", None) in CONDITIONAL_CAUSES
            or "ConditionalCheckFailed" in cancellation_reasons(exc))


def client_condition_failed(exc: Exception) -> bool:
    """The same reading for a boto3 client's error (adapters whose items PynamoDB's fixed models do
    not express): a condition that did not hold, or a transaction cancelled by one or by a conflict."""
    return getattr(exc, "response", {}).get("Error", {}).get("Code") in CONDITIONAL_CAUSES
