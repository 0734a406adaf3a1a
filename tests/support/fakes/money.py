"""The money table's stores over dicts (approvals, risk, refunds), with the DynamoDB adapters'
conditions (adapters/dynamo/money.py; the policy store is fakes/drafts.py): a review is optimistic on its
decisions and generation, counters on their version, and the payment ledger never lets
refunded + amount exceed captured (the same InvalidRequest as the adapter's conditional write)."""

from __future__ import annotations

from typing import Any

from aftersales.approvals.defaults import POLICY
from aftersales.approvals.policy import ApprovalPolicy
from aftersales.approvals.review import ReviewState
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.refunds.grants import RefundAttempt, RefundGrant
from aftersales.refunds.ledger import PaymentLedger
from aftersales.refunds.listing import RefundPage, RefundState, summarize
from aftersales.refunds.provider_errors import ProviderRefundStatus
from aftersales.refunds.refundable import RefundDestination
from aftersales.repairs.model import ChargeClaim
from aftersales.risk.counters import CounterState
from tests.support.fakes.drafts import InMemoryDraftStore


# ---------------------------------------------------------------------------- approvals
class InMemoryPolicyStore(InMemoryDraftStore[ApprovalPolicy]):
    """The approval policy store: the generic in-memory draft store (fakes/drafts.py)."""

    def __init__(self) -> None:
        super().__init__(POLICY)


class InMemoryReviewStore:
    def __init__(self) -> None:
        self.reviews: dict[tuple[str, str], tuple[ReviewState, str | None, int]] = {}

    def __len__(self) -> int:
        return len(self.reviews)

    def __contains__(self, ticket_id: object) -> bool:
        return any(key[1] == ticket_id for key in self.reviews)

    def get_with_token(self, tenant_id: str, ticket_id: str) -> tuple[ReviewState, str | None, int] | None:
        return self.reviews.get((tenant_id, ticket_id))

    def save(self, state: ReviewState, expected_decisions: int, expected_generation: int | None = None) -> None:
        key = (state.tenant_id, state.ticket_id)
        current = self.reviews.get(key)
        if (current is None or len(current[0].decisions) != expected_decisions
                or (expected_generation is not None and current[2] != expected_generation)):
            raise ConcurrentModification("approvals.review_changed_concurrently", ticket_id=state.ticket_id)
        self.reviews[key] = (state, current[1], current[2])

    def open(self, state: ReviewState, task_token: str | None, generation: int) -> None:
        key = (state.tenant_id, state.ticket_id)
        current = self.reviews.get(key)
        if current is not None and current[2] >= generation:
            raise ConcurrentModification("approvals.review_changed_concurrently", ticket_id=state.ticket_id)
        self.reviews[key] = (state, task_token, generation)


class RecordingResumer:
    """The TaskResumer: every resumed task token with its output; a token resumes once."""

    def __init__(self) -> None:
        self.resumed: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.resumed)

    def __contains__(self, task_token: object) -> bool:
        return task_token in self.resumed

    def succeed(self, task_token: str, output: dict[str, Any]) -> None:
        if task_token in self.resumed:
            raise Conflict("approvals.task_already_resumed")
        self.resumed[task_token] = output


# ---------------------------------------------------------------------------- risk
class InMemoryCounterStore:
    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], tuple[CounterState, int]] = {}

    def __len__(self) -> int:
        return len(self.counters)

    def __contains__(self, key: object) -> bool:  # (tenant, counter key)
        return key in self.counters

    def load(self, tenant_id: str, key: str) -> tuple[CounterState, int]:
        return self.counters.get((tenant_id, key), (CounterState(key=key), 0))

    def save(self, tenant_id: str, state: CounterState, expected_version: int) -> None:
        current = self.counters.get((tenant_id, state.key))
        if (current[1] if current else 0) != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        self.counters[(tenant_id, state.key)] = (state, expected_version + 1)


# ---------------------------------------------------------------------------- refunds
class InMemoryPaymentLedgerStore:
    def __init__(self) -> None:
        self.ledgers: dict[tuple[str, str], PaymentLedger] = {}

    def __len__(self) -> int:
        return len(self.ledgers)

    def __contains__(self, key: object) -> bool:  # (tenant, payment ref)
        return key in self.ledgers

    def open(self, tenant_id: str, payment_ref: str, captured: Money) -> None:
        self.ledgers.setdefault((tenant_id, payment_ref), PaymentLedger.open(tenant_id, payment_ref, captured))

    def get(self, tenant_id: str, payment_ref: str) -> PaymentLedger:
        ledger = self.ledgers.get((tenant_id, payment_ref))
        if ledger is None:
            raise NotFound("refunds.ledger_not_found", payment_ref=payment_ref)
        return ledger

    def check_reserve(self, tenant_id: str, payment_ref: str, amount: Money, captured: Money) -> PaymentLedger:
        """The adapter's reserve condition, evaluated without writing: the ledger after the reservation."""
        if amount.amount <= 0:
            raise InvalidRequest("refunds.zero_amount", field="amount.amount")
        if amount.currency != captured.currency:
            raise InvalidRequest("refunds.currency_mismatch", field="amount.currency",
                                 captured=captured.currency, refunded=captured.currency, amount=amount.currency)
        current = self.get(tenant_id, payment_ref)
        if (current.captured.currency != amount.currency or current.captured.amount != captured.amount
                or current.refunded.amount > captured.amount - amount.amount):
            raise current.refusal(amount)
        return current.model_copy(update={"refunded": current.refunded + amount})

    def reserve(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        current = self.get(tenant_id, payment_ref)
        after = self.check_reserve(tenant_id, payment_ref, amount, current.captured)
        self.ledgers[(tenant_id, payment_ref)] = after
        return after

    def release(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        current = self.get(tenant_id, payment_ref)
        if amount.currency != current.refunded.currency or current.refunded.amount < amount.amount:
            raise InvalidRequest("refunds.release_exceeds_reserved", amount=amount.amount)
        after = current.model_copy(update={"refunded": current.refunded - amount})
        self.ledgers[(tenant_id, payment_ref)] = after
        return after


class InMemoryRefundStore:
    """Grants (made together with the ledger reservation), attempts, destinations, provider refund ids."""

    def __init__(self, ledger: InMemoryPaymentLedgerStore) -> None:
        self.ledger = ledger
        self.grants_by_key: dict[tuple[str, str, str], RefundGrant] = {}
        self.abandoned: dict[tuple[str, str, str], dict[str, str]] = {}
        self.attempts_by_key: dict[tuple[str, str, str, int], RefundAttempt] = {}
        self.failure_reasons: dict[tuple[str, str, str, int], str] = {}
        self.destinations: dict[tuple[str, str], dict[str, str]] = {}
        self.provider_refunds: dict[tuple[str, str], dict[str, Any]] = {}
        self.charge_claims: dict[tuple[str, str], ChargeClaim] = {}

    def __len__(self) -> int:
        return len(self.grants_by_key)

    def __contains__(self, grant_id: object) -> bool:
        return any(key[2] == grant_id for key in self.grants_by_key)

    def get_grant(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundGrant | None:
        return self.grants_by_key.get((tenant_id, ticket_id, grant_id))

    def grants(self, tenant_id: str, ticket_id: str) -> list[RefundGrant]:
        return [g for (t, tid, _), g in sorted(self.grants_by_key.items()) if (t, tid) == (tenant_id, ticket_id)]

    def create_grant(self, grant: RefundGrant, captured: Money, claim: ChargeClaim | None = None) -> bool:
        key = (grant.tenant_id, grant.ticket_id, grant.grant_id)
        if key in self.grants_by_key:
            return False
        after = self.ledger.check_reserve(grant.tenant_id, grant.payment_ref, grant.amount, captured)
        if claim is not None and self.repair_charge(grant.tenant_id, grant.ticket_id).version != claim.version:
            raise ConcurrentModification("error.concurrent_modification")
        self.grants_by_key[key] = grant
        self.ledger.ledgers[(grant.tenant_id, grant.payment_ref)] = after
        if claim is not None:
            self.save_repair_charge(grant.tenant_id, grant.ticket_id, claim)
        return True

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim:
        return self.charge_claims.get((tenant_id, ticket_id), ChargeClaim())

    def save_repair_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        if self.repair_charge(tenant_id, ticket_id).version != claim.version:
            return False
        self.charge_claims[(tenant_id, ticket_id)] = claim.model_copy(update={"version": claim.version + 1})
        return True

    def destination(self, tenant_id: str, ticket_id: str) -> RefundDestination | None:
        doc = self.destinations.get((tenant_id, ticket_id))
        return RefundDestination(doc["destination"]) if doc else None

    def put_destination(self, tenant_id: str, ticket_id: str, destination: RefundDestination, actor_id: str,
                        at: str) -> None:
        self.destinations[(tenant_id, ticket_id)] = {"destination": destination.value, "by": actor_id, "at": at}

    def abandon_grant(self, grant: RefundGrant, reason: str, at: str) -> bool:
        key = (grant.tenant_id, grant.ticket_id, grant.grant_id)
        if key not in self.grants_by_key or key in self.abandoned:
            return False
        ledger = self.ledger.get(grant.tenant_id, grant.payment_ref)
        if ledger.refunded.amount < grant.amount.amount:
            return False
        self.ledger.ledgers[(grant.tenant_id, grant.payment_ref)] = ledger.model_copy(
            update={"refunded": ledger.refunded - grant.amount})
        self.abandoned[key] = {"abandoned_at": at, "reason": reason}
        return True

    def attempts(self, tenant_id: str, ticket_id: str, grant_id: str) -> list[RefundAttempt]:
        return [a for (t, tid, gid, _), a in sorted(self.attempts_by_key.items())
                if (t, tid, gid) == (tenant_id, ticket_id, grant_id)]

    def add_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt) -> bool:
        key = (tenant_id, ticket_id, attempt.grant_id, attempt.attempt_number)
        if key in self.attempts_by_key:
            return False
        self.attempts_by_key[key] = attempt
        return True

    def save_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt,
                     failure_reason: str | None = None) -> None:
        key = (tenant_id, ticket_id, attempt.grant_id, attempt.attempt_number)
        if key not in self.attempts_by_key:
            raise ConcurrentModification("error.concurrent_modification")  # the adapter's `pk exists` condition
        self.attempts_by_key[key] = attempt
        if failure_reason:
            self.failure_reasons[key] = failure_reason
        if attempt.provider_refund_id:
            self.provider_refunds[(tenant_id, attempt.provider_refund_id)] = {
                "ticket_id": ticket_id, "grant_id": attempt.grant_id, "attempt_number": attempt.attempt_number}

    def failure_reason(self, tenant_id: str, ticket_id: str, grant_id: str, number: int) -> str | None:
        return self.failure_reasons.get((tenant_id, ticket_id, grant_id, number))

    def by_provider_refund(self, tenant_id: str, provider_refund_id: str) -> dict[str, Any] | None:
        return self.provider_refunds.get((tenant_id, provider_refund_id))

    def by_state(self, tenant_id: str, state: RefundState, *, limit: int, cursor: str | None) -> RefundPage:
        """The grants whose latest attempt is in `state`, newest grant first; the cursor is an offset."""
        found = []
        for key, grant in self.grants_by_key.items():
            if key[0] != tenant_id:
                continue
            latest = max(self.attempts(*key), key=lambda a: a.attempt_number, default=None)
            abandoned = self.abandoned.get(key)
            reason = (abandoned or {}).get("reason") or (
                self.failure_reason(*key, latest.attempt_number) if latest else None)
            summary = summarize(grant, latest, failure_reason=reason, abandoned=abandoned is not None)
            if summary.state is state:
                found.append(summary)
        found.sort(key=lambda s: (s.granted_at, s.ticket_id, s.grant_id), reverse=True)
        start = int(cursor or 0)
        end = start + limit
        return RefundPage(items=found[start:end], cursor=str(end) if end < len(found) else None)


class InMemoryMoneyConfig:
    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, key: object) -> bool:  # (tenant, document name)
        return key in self.documents

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        return self.documents.get((tenant_id, name))

    def put(self, tenant_id: str, name: str, doc: dict[str, Any]) -> None:
        self.documents[(tenant_id, name)] = doc


class FakeRefundProvider:
    """A payment provider's refunds: one refund per idempotency key (a repeated call returns the
    same refund, as Stripe does); `retrieve` reports the next of `statuses` for it, then stays there."""

    def __init__(self, *statuses: str, first: str = "pending") -> None:
        self.first = first
        self.statuses = list(statuses)
        self.refunds: dict[str, dict[str, Any]] = {}  # idempotency key -> refund
        self.calls = 0

    def __len__(self) -> int:
        return len(self.refunds)

    def __contains__(self, idempotency_key: object) -> bool:
        return idempotency_key in self.refunds

    def refund(self, payment_ref: str, amount: Money, idempotency_key: str) -> ProviderRefundStatus:
        self.calls += 1
        refund = self.refunds.setdefault(idempotency_key, {
            "id": f"re_{len(self.refunds) + 1}", "payment_ref": payment_ref, "amount": amount, "status": self.first})
        return ProviderRefundStatus(provider_refund_id=refund["id"], raw_status=refund["status"])

    def retrieve(self, payment_ref: str, provider_refund_id: str) -> ProviderRefundStatus:
        refund = next(r for r in self.refunds.values() if r["id"] == provider_refund_id)
        if self.statuses:
            refund["status"] = self.statuses.pop(0)
        reason = "insufficient_funds" if refund["status"] == "failed" else None
        return ProviderRefundStatus(provider_refund_id=provider_refund_id, raw_status=refund["status"],
                                    failure_reason=reason)
