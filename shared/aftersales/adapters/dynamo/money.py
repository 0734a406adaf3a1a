"""DynamoDB stores for approvals, risk and refunds: one table (MoneyTable), keys start with the tenant.

  <tenant>#POLICY              DRAFT | PUBLISHED | V#<version:06d>      approval policies (adapters/dynamo/drafts.py)
  <tenant>#INTAKE_RULES        DRAFT | PUBLISHED | V#<version:06d>      intake rules (adapters/dynamo/drafts.py)
  <tenant>#REVIEW#<ticket>     REVIEW                                   review state + task token
  <tenant>#PAYMENT#<ref>       LEDGER                                   captured / refunded per payment
  <tenant>#REFUND#<ticket>     GRANT#<grant> | ATTEMPT#<grant>#<n:03d>  grants and provider attempts
                               (a grant also keeps its listing summary, on gsi1)
                               | DESTINATION                            the refund destination asked for
  <tenant>#PREFUND#<id>        REF                                      provider refund id -> attempt
  <tenant>#RISK#<dim>#<key>    COUNTER                                  sliding-window counters
  <tenant>#WEBHOOK#<event id>  EVENT                                    webhook dedup (TTL)
  <tenant>#CONFIG              WAREHOUSES                               fulfilment settings
                               | REFUND_SETTINGS                        restocking fee, destinations, campaign
  <tenant>#SANDBOX#<payment>   REFUND#<idempotency key>                 the sandbox provider's own record

gsi1 (`<tenant>#RSTATE#<pending|failed|succeeded>`, `<granted_at>#<ticket>#<grant>`) lists the
tenant's refunds by state, newest grant first: a grant is on it from its creation, and each saved
attempt moves it (unless a later attempt or the saga's abandonment already placed it).

Every write that guards money or a decision is conditional; nothing here scans.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from aftersales.adapters.dynamo.conditions import condition_failed
from aftersales.adapters.dynamo.connection import transactions
from aftersales.adapters.dynamo.cursors import decode_cursor, encode_cursor
from aftersales.adapters.dynamo.models import UNBOUND
from aftersales.approvals.review import ReviewState
from aftersales.core.clock import iso
from aftersales.core.errors import ConcurrentModification, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.refunds.grants import RefundAttempt, RefundGrant
from aftersales.refunds.ledger import PaymentLedger
from aftersales.refunds.listing import RefundPage, RefundState, RefundSummary, summarize
from aftersales.refunds.refundable import RefundDestination
from aftersales.repairs.model import ChargeClaim
from aftersales.risk.counters import CounterState


class ByRefundState(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class MoneyItem(Model):
    class Meta:
        table_name = UNBOUND

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    doc = JSONAttribute(null=True)
    version = NumberAttribute(null=True)
    # ledger
    currency = UnicodeAttribute(null=True)
    captured = NumberAttribute(null=True)
    refunded = NumberAttribute(null=True)
    # reviews
    decisions = NumberAttribute(null=True)
    generation = NumberAttribute(null=True)
    task_token = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
    note = JSONAttribute(null=True)  # e.g. why a grant was abandoned
    # a grant's entry in the refunds listing (gsi1) and the attempt that placed it there
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    listing = JSONAttribute(null=True)
    listed_attempt = NumberAttribute(null=True)
    by_refund_state = ByRefundState()


def bind(table_name: str) -> None:
    if MoneyItem.Meta.table_name != table_name:
        MoneyItem.Meta.table_name = table_name  # PynamoDB reconnects when the name changes



def _save_if(item: MoneyItem, condition, conflict: ConcurrentModification) -> None:
    """A conditional put whose lost race becomes the given domain conflict."""
    try:
        item.save(condition=condition)
    except PutError as exc:
        if condition_failed(exc):
            raise conflict from exc
        raise


def _get(pk: str, sk: str) -> MoneyItem | None:
    try:
        return MoneyItem.get(pk, sk, consistent_read=True)
    except MoneyItem.DoesNotExist:
        return None


def _conn() -> Connection:
    return transactions()


# ---------------------------------------------------------------------------- approvals
class DynamoReviewRepository:
    """Optimistic on the number of decisions (the port) plus a generation bumped by escalation."""

    @staticmethod
    def _pk(tenant_id: str, ticket_id: str) -> str:
        return f"{tenant_id}#REVIEW#{ticket_id}"

    def get(self, tenant_id: str, ticket_id: str) -> ReviewState | None:
        found = self.get_with_token(tenant_id, ticket_id)
        return found[0] if found else None

    def get_with_token(self, tenant_id: str, ticket_id: str) -> tuple[ReviewState, str | None, int] | None:
        item = _get(self._pk(tenant_id, ticket_id), "REVIEW")
        if item is None:
            return None
        return ReviewState.model_validate(item.doc), item.task_token, int(item.generation or 0)

    def save(self, state: ReviewState, expected_decisions: int, expected_generation: int | None = None) -> None:
        item = MoneyItem(self._pk(state.tenant_id, state.ticket_id), "REVIEW")
        actions = [MoneyItem.doc.set(state.model_dump(mode="json")),
                   MoneyItem.decisions.set(len(state.decisions))]
        condition = MoneyItem.decisions == expected_decisions
        if expected_generation is not None:
            condition &= MoneyItem.generation == expected_generation
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                raise ConcurrentModification("approvals.review_changed_concurrently",
                                             ticket_id=state.ticket_id) from exc
            raise

    def open(self, state: ReviewState, task_token: str | None, generation: int) -> None:
        """A new review (generation 1) or an escalated one (generation + 1), replacing the token."""
        item = MoneyItem(self._pk(state.tenant_id, state.ticket_id), "REVIEW",
                         doc=state.model_dump(mode="json"), decisions=len(state.decisions),
                         generation=generation, task_token=task_token)
        condition = (MoneyItem.pk.does_not_exist() | (MoneyItem.generation < generation))
        _save_if(item, condition, ConcurrentModification("approvals.review_changed_concurrently",
                                                          ticket_id=state.ticket_id))


# ---------------------------------------------------------------------------- refunds
class DynamoPaymentLedgerStore:
    """refunded + amount <= captured, enforced by the UpdateItem condition (no read-then-write)."""

    @staticmethod
    def _pk(tenant_id: str, payment_ref: str) -> str:
        return f"{tenant_id}#PAYMENT#{payment_ref}"

    def open(self, tenant_id: str, payment_ref: str, captured: Money) -> None:
        """Create the ledger once (from the order's captured amount); a second open is a no-op."""
        item = MoneyItem(self._pk(tenant_id, payment_ref), "LEDGER", currency=captured.currency,
                         captured=captured.amount, refunded=0)
        try:
            item.save(condition=MoneyItem.pk.does_not_exist())
        except PutError as exc:
            if not condition_failed(exc):
                raise

    def get(self, tenant_id: str, payment_ref: str) -> PaymentLedger:
        item = _get(self._pk(tenant_id, payment_ref), "LEDGER")
        if item is None:
            raise NotFound("refunds.ledger_not_found", payment_ref=payment_ref)
        return _ledger(tenant_id, payment_ref, item)

    def reserve_actions(self, tenant_id: str, payment_ref: str, amount: Money, captured: Money
                        ) -> tuple[MoneyItem, list[Any], Any]:
        """The UpdateItem (actions, condition) adding `amount`: usable alone or in a transaction.

        DynamoDB conditions cannot add, so `refunded + :amount <= :captured` is written as
        `refunded <= :captured - :amount` with `captured = :captured` pinning the stored value.
        """
        if amount.amount <= 0:
            raise InvalidRequest("refunds.zero_amount", field="amount.amount")
        if amount.currency != captured.currency:
            raise InvalidRequest("refunds.currency_mismatch", field="amount.currency",
                                 captured=captured.currency, refunded=captured.currency,
                                 amount=amount.currency)
        ceiling = captured.amount - amount.amount
        condition = ((MoneyItem.currency == amount.currency) & (MoneyItem.captured == captured.amount)
                     & (MoneyItem.refunded <= ceiling))
        item = MoneyItem(self._pk(tenant_id, payment_ref), "LEDGER")
        return item, [MoneyItem.refunded.add(amount.amount)], condition

    def reserve(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        current = self.get(tenant_id, payment_ref)
        item, actions, condition = self.reserve_actions(tenant_id, payment_ref, amount, current.captured)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if condition_failed(exc):
                raise self.get(tenant_id, payment_ref).refusal(amount) from exc
            raise
        return _ledger(tenant_id, payment_ref, item)

    def release(self, tenant_id: str, payment_ref: str, amount: Money) -> PaymentLedger:
        item = MoneyItem(self._pk(tenant_id, payment_ref), "LEDGER")
        try:
            item.update(actions=[MoneyItem.refunded.add(-amount.amount)],
                        condition=(MoneyItem.currency == amount.currency) & (MoneyItem.refunded >= amount.amount))
        except UpdateError as exc:
            if condition_failed(exc):
                raise InvalidRequest("refunds.release_exceeds_reserved", amount=amount.amount) from exc
            raise
        return _ledger(tenant_id, payment_ref, item)


def _ledger(tenant_id: str, payment_ref: str, item: MoneyItem) -> PaymentLedger:
    return PaymentLedger(tenant_id=tenant_id, payment_ref=payment_ref,
                         captured=Money(amount=int(item.captured), currency=item.currency),
                         refunded=Money(amount=int(item.refunded), currency=item.currency))


class DynamoRefundStore:
    """Grants (written together with the ledger reservation) and provider attempts."""

    def __init__(self, ledger: DynamoPaymentLedgerStore) -> None:
        self._ledger = ledger

    @staticmethod
    def _pk(tenant_id: str, ticket_id: str) -> str:
        return f"{tenant_id}#REFUND#{ticket_id}"

    def get_grant(self, tenant_id: str, ticket_id: str, grant_id: str) -> RefundGrant | None:
        item = _get(self._pk(tenant_id, ticket_id), f"GRANT#{grant_id}")
        return RefundGrant.model_validate(item.doc) if item else None

    def grants(self, tenant_id: str, ticket_id: str) -> list[RefundGrant]:
        return [RefundGrant.model_validate(i.doc) for i in MoneyItem.query(
            self._pk(tenant_id, ticket_id), MoneyItem.sk.startswith("GRANT#"), consistent_read=True)]

    def create_grant(self, grant: RefundGrant, captured: Money, claim: ChargeClaim | None = None) -> bool:
        """Grant + ledger reservation (+ the ticket's repair charge claim, for a grant deducting a
        repair charge) in ONE transaction. False when the grant already exists (a retried step):
        the ledger is then untouched, so a grant reserves exactly once; ConcurrentModification when
        the claim moved on since it was read (a charge move claimed first)."""
        if self.get_grant(grant.tenant_id, grant.ticket_id, grant.grant_id) is not None:
            return False
        ledger_item, actions, condition = self._ledger.reserve_actions(
            grant.tenant_id, grant.payment_ref, grant.amount, captured)
        try:
            with TransactWrite(connection=_conn()) as tx:
                tx.save(MoneyItem(self._pk(grant.tenant_id, grant.ticket_id), f"GRANT#{grant.grant_id}",
                                  doc=grant.model_dump(mode="json"),
                                  **_listed(grant.tenant_id, summarize(grant, None), 0)),
                        condition=MoneyItem.pk.does_not_exist())
                tx.update(ledger_item, actions=actions, condition=condition)
                if claim is not None:
                    tx.save(*self._claim_item(grant.tenant_id, grant.ticket_id, claim))
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            if self.get_grant(grant.tenant_id, grant.ticket_id, grant.grant_id) is not None:
                return False  # a concurrent twin won
            if claim is not None and self.repair_charge(grant.tenant_id, grant.ticket_id).version != claim.version:
                raise ConcurrentModification("error.concurrent_modification") from exc
            raise self._ledger.get(grant.tenant_id, grant.payment_ref).refusal(grant.amount) from exc
        return True

    def repair_charge(self, tenant_id: str, ticket_id: str) -> ChargeClaim:
        item = _get(self._pk(tenant_id, ticket_id), "REPAIR_CHARGE")
        return ChargeClaim.model_validate({**item.doc, "version": int(item.version)}) if item else ChargeClaim()

    def save_repair_charge(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> bool:
        item, condition = self._claim_item(tenant_id, ticket_id, claim)
        try:
            item.save(condition=condition)
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def _claim_item(self, tenant_id: str, ticket_id: str, claim: ChargeClaim) -> tuple[MoneyItem, Any]:
        """The claim's next version, written only over the version it was read at."""
        item = MoneyItem(self._pk(tenant_id, ticket_id), "REPAIR_CHARGE",
                         doc=claim.model_dump(mode="json", exclude={"version"}), version=claim.version + 1)
        return item, (MoneyItem.version == claim.version if claim.version else MoneyItem.pk.does_not_exist())

    def destination(self, tenant_id: str, ticket_id: str) -> RefundDestination | None:
        item = _get(self._pk(tenant_id, ticket_id), "DESTINATION")
        return RefundDestination(item.doc["destination"]) if item else None

    def put_destination(self, tenant_id: str, ticket_id: str, destination: RefundDestination, actor_id: str,
                        at: str) -> None:
        MoneyItem(self._pk(tenant_id, ticket_id), "DESTINATION",
                  doc={"destination": destination.value, "by": actor_id, "at": at}).save()

    def abandon_grant(self, grant: RefundGrant, reason: str, at: str) -> bool:
        """Mark the grant abandoned and release its reservation in one transaction, once."""
        grant_item = MoneyItem(self._pk(grant.tenant_id, grant.ticket_id), f"GRANT#{grant.grant_id}")
        ledger_item = MoneyItem(self._ledger._pk(grant.tenant_id, grant.payment_ref), "LEDGER")
        latest = max(self.attempts(grant.tenant_id, grant.ticket_id, grant.grant_id),
                     key=lambda a: a.attempt_number, default=None)
        listed = _listed(grant.tenant_id, summarize(grant, latest, failure_reason=reason, abandoned=True),
                         latest.attempt_number if latest else 0)
        try:
            with TransactWrite(connection=_conn()) as tx:
                tx.update(grant_item, actions=[MoneyItem.note.set({"abandoned_at": at, "reason": reason}),
                                               MoneyItem.version.set(1),
                                               *(getattr(MoneyItem, k).set(v) for k, v in listed.items())],
                          condition=MoneyItem.pk.exists() & MoneyItem.version.does_not_exist())
                tx.update(ledger_item, actions=[MoneyItem.refunded.add(-grant.amount.amount)],
                          condition=MoneyItem.refunded >= grant.amount.amount)
        except TransactWriteError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def attempts(self, tenant_id: str, ticket_id: str, grant_id: str) -> list[RefundAttempt]:
        return [RefundAttempt.model_validate(i.doc) for i in MoneyItem.query(
            self._pk(tenant_id, ticket_id), MoneyItem.sk.startswith(f"ATTEMPT#{grant_id}#"),
            consistent_read=True)]

    def add_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt) -> bool:
        item = MoneyItem(self._pk(tenant_id, ticket_id), f"ATTEMPT#{attempt.grant_id}#{attempt.attempt_number:03d}",
                         doc=attempt.model_dump(mode="json"), version=1)
        try:
            item.save(condition=MoneyItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def save_attempt(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt,
                     failure_reason: str | None = None) -> None:
        item = MoneyItem(self._pk(tenant_id, ticket_id), f"ATTEMPT#{attempt.grant_id}#{attempt.attempt_number:03d}")
        actions = [MoneyItem.doc.set(attempt.model_dump(mode="json")), MoneyItem.version.add(1)]
        if failure_reason:
            actions.append(MoneyItem.note.set({"failure_reason": failure_reason}))
        item.update(actions=actions, condition=MoneyItem.pk.exists())
        self._relist(tenant_id, ticket_id, attempt, failure_reason)
        if attempt.provider_refund_id:
            MoneyItem(f"{tenant_id}#PREFUND#{attempt.provider_refund_id}", "REF",
                      doc={"ticket_id": ticket_id, "grant_id": attempt.grant_id,
                           "attempt_number": attempt.attempt_number}).save()

    def _relist(self, tenant_id: str, ticket_id: str, attempt: RefundAttempt, failure_reason: str | None) -> None:
        """Move the grant's listing entry to this attempt's state, unless a later attempt placed it or
        the saga abandoned the grant (its entry then stays failed)."""
        grant = self.get_grant(tenant_id, ticket_id, attempt.grant_id)
        if grant is None:
            return
        reason = failure_reason or self.failure_reason(tenant_id, ticket_id, attempt.grant_id, attempt.attempt_number)
        listed = _listed(tenant_id, summarize(grant, attempt, failure_reason=reason), attempt.attempt_number)
        item = MoneyItem(self._pk(tenant_id, ticket_id), f"GRANT#{attempt.grant_id}")
        try:
            item.update(actions=[getattr(MoneyItem, k).set(v) for k, v in listed.items()],
                        condition=MoneyItem.pk.exists() & MoneyItem.version.does_not_exist()
                        & (MoneyItem.listed_attempt.does_not_exist()
                           | (MoneyItem.listed_attempt <= attempt.attempt_number)))
        except UpdateError as exc:
            if not condition_failed(exc):
                raise

    def by_state(self, tenant_id: str, state: RefundState, *, limit: int, cursor: str | None) -> RefundPage:
        """The tenant's grants in `state`, the newest grant first: one Query of gsi1 per page."""
        key = _state_pk(tenant_id, state)
        results = MoneyItem.by_refund_state.query(key, scan_index_forward=False, limit=limit,
                                                  last_evaluated_key=decode_cursor(cursor, index_key="gsi1pk",
                                                                                   value=key))
        items = [RefundSummary.model_validate(row.listing) for row in results]
        return RefundPage(items=items, cursor=encode_cursor(results.last_evaluated_key))

    def failure_reason(self, tenant_id: str, ticket_id: str, grant_id: str, number: int) -> str | None:
        item = _get(self._pk(tenant_id, ticket_id), f"ATTEMPT#{grant_id}#{number:03d}")
        return (item.note or {}).get("failure_reason") if item else None

    def by_provider_refund(self, tenant_id: str, provider_refund_id: str) -> dict[str, Any] | None:
        item = _get(f"{tenant_id}#PREFUND#{provider_refund_id}", "REF")
        return item.doc if item else None


def _state_pk(tenant_id: str, state: RefundState) -> str:
    return f"{tenant_id}#RSTATE#{state.value}"


def _listed(tenant_id: str, summary: RefundSummary, attempt_number: int) -> dict[str, Any]:
    """The grant item's listing attributes: its gsi1 keys, the summary, the attempt it follows."""
    return {"gsi1pk": _state_pk(tenant_id, summary.state),
            "gsi1sk": f"{iso(summary.granted_at)}#{summary.ticket_id}#{summary.grant_id}",
            "listing": summary.model_dump(mode="json"), "listed_attempt": attempt_number}


# ---------------------------------------------------------------------------- risk
class DynamoCounterStore:
    @staticmethod
    def _pk(tenant_id: str, key: str) -> str:
        return f"{tenant_id}#RISK#{key}"

    def load(self, tenant_id: str, key: str) -> tuple[CounterState, int]:
        item = _get(self._pk(tenant_id, key), "COUNTER")
        if item is None:
            return CounterState(key=key), 0
        return CounterState.model_validate(item.doc), int(item.version)

    def save(self, tenant_id: str, state: CounterState, expected_version: int) -> None:
        item = MoneyItem(self._pk(tenant_id, state.key), "COUNTER", doc=state.model_dump(mode="json"),
                         version=expected_version + 1)
        condition = (MoneyItem.pk.does_not_exist() if expected_version == 0
                     else MoneyItem.version == expected_version)
        _save_if(item, condition, ConcurrentModification("error.concurrent_modification"))


# ---------------------------------------------------------------------------- webhooks, config
class DynamoWebhookLedger:
    def first_time(self, tenant_id: str, provider: str, event_id: str, expires_at: int,
                   summary: dict[str, Any]) -> bool:
        item = MoneyItem(f"{tenant_id}#WEBHOOK#{provider}#{event_id}", "EVENT", doc=summary,
                         expires_at=expires_at)
        try:
            item.save(condition=MoneyItem.pk.does_not_exist())
        except PutError as exc:
            if condition_failed(exc):
                return False
            raise
        return True

    def forget(self, tenant_id: str, provider: str, event_id: str) -> None:
        """Processing failed: let the provider's redelivery try again."""
        MoneyItem(f"{tenant_id}#WEBHOOK#{provider}#{event_id}", "EVENT").delete()


class DynamoTenantMoneyConfig:
    @staticmethod
    def _pk(tenant_id: str) -> str:
        return f"{tenant_id}#CONFIG"

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        item = _get(self._pk(tenant_id), name)
        return item.doc if item else None

    def put(self, tenant_id: str, name: str, doc: dict[str, Any]) -> None:
        MoneyItem(self._pk(tenant_id), name, doc=doc).save()


def find_order_by_payment(tenant_id: str, payment_ref: str) -> str | None:
    """The order paid by `payment_ref` (orders table gsi1, a Query; never a scan)."""
    from aftersales.adapters.dynamo.models import OrderItem

    for item in OrderItem.by_payment.query(f"{tenant_id}#PAY#{payment_ref}", limit=1):
        return item.order_id
    return None
