"""Reacts to ticket domain events on the money path (one consumer, idempotent per event):

* entered pending_approval  -> start the approval execution  `<ticket>-a<seq>`
* ticket.approved           -> the next node by type: refund types -> refund_pending;
                               return/exchange -> awaiting_return; repair -> dispatch to a provider
* entered refund_pending    -> start the refund saga         `<ticket>-r<seq>` (grant id from seq)
* entered return_received   -> refund on arrival, when the tenant accepts auto-approved returns
                               without inspection (ReturnService.accept_on_arrival)
* entered reshipping        -> reshipment order (warehouse by destination country, the ACCEPTED
                               quantities) as an outbound event; nothing accepted -> one
                               `ticket.reshipment_refused` entry instead
* ticket.refunded to store credit / coupon -> `refund.store_credit_issued` / `refund.coupon_issued`
                               (source aftersales.refunds): the storefront issues the credit / coupon
* every event               -> an order update event (source aftersales.orders) for the storefront

Executions are named from (ticket, seq), so a redelivered event starts nothing twice.
"""

from __future__ import annotations

from typing import Any

from aftersales.approvals.service import ApprovalService
from aftersales.core.errors import Conflict, IllegalTransition
from aftersales.core.settings import WorkflowSettings
from aftersales.events.ports import EventPublisher
from aftersales.fulfilment.ports import RepairProviders, WorkflowStarter
from aftersales.refunds.ports import MoneyConfig
from aftersales.refunds.repair import RepairStatus
from aftersales.refunds.reshipment import Warehouse, WarehouseNetwork, choose_warehouse, plan_reshipment
from aftersales.refunds.returns import ReturnService
from aftersales.refunds.service import grant_id_for
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.tickets.ports import TicketRecords
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import FulfilmentStep

SYSTEM = Actor(id="fulfilment-workflow", roles=frozenset({Role.SYSTEM}))
ORDERS_SOURCE = "aftersales.orders"
FULFILMENT_SOURCE = "aftersales.fulfilment"
REFUNDS_SOURCE = "aftersales.refunds"
RESHIPMENT_REFUSED_EVENT = "ticket.reshipment_refused"
ISSUED_EVENTS = {"store_credit": "refund.store_credit_issued", "coupon": "refund.coupon_issued"}
AFTER_APPROVAL = {
    TicketType.REFUND_ONLY: Status.REFUND_PENDING,
    TicketType.SHIPPING_FEE_REFUND: Status.REFUND_PENDING,
    TicketType.RETURN_REFUND: Status.AWAITING_RETURN,
    TicketType.EXCHANGE: Status.AWAITING_RETURN,
    TicketType.REPAIR: Status.REPAIR_DISPATCHED,
}
REPAIR_STATUS = {Status.REPAIR_DISPATCHED: RepairStatus.DISPATCHED,
                 Status.REPAIR_IN_PROGRESS: RepairStatus.PROVIDER_RECEIVED,
                 Status.REPAIRED: RepairStatus.REPAIRED, Status.UNREPAIRABLE: RepairStatus.UNREPAIRABLE,
                 Status.RETURNED_TO_CUSTOMER: RepairStatus.RETURNED_TO_CUSTOMER}


class MoneyPathReactor:
    def __init__(self, tickets: TicketService, records: TicketRecords, approvals: ApprovalService,
                 workflows: WorkflowStarter, events: EventPublisher, config: MoneyConfig,
                 settings: WorkflowSettings, returns: ReturnService,
                 repair_providers: RepairProviders | None = None) -> None:
        self._tickets = tickets
        self._repair_providers = repair_providers
        self._returns = returns
        self._store = records
        self._approvals = approvals
        self._workflows = workflows
        self._events = events
        self._config = config
        self._arns = {"approval": settings.approval_state_machine_arn, "refund": settings.refund_state_machine_arn}
        self.timeouts = {"review_timeout_seconds": settings.review_timeout_seconds,
                         "escalation_timeout_seconds": settings.escalation_timeout_seconds}
        self.poll = {"poll_seconds": settings.refund_poll_seconds, "max_polls": settings.refund_max_polls}

    def handle(self, detail: dict[str, Any]) -> list[str]:
        done: list[str] = []
        tenant_id, ticket_id, seq = detail["tenant_id"], detail["ticket_id"], int(detail["seq"])
        to_status = detail.get("to_status")
        base = {"tenant_id": tenant_id, "ticket_id": ticket_id}
        changed = to_status != detail.get("from_status")
        if changed and to_status == Status.PENDING_APPROVAL.value:
            started = self._workflows.start(self._arns["approval"],
                                                  f"{ticket_id}-a{seq}", {**base, **self.timeouts_for(tenant_id)})
            done.append("approval_started" if started else "approval_already_started")
        if detail.get("event") == "ticket.approved":
            done.append(self._after_approval(tenant_id, ticket_id, TicketType(detail["ticket_type"])))
        if changed and to_status == Status.REFUND_PENDING.value:
            started = self._workflows.start(
                self._arns["refund"], f"{ticket_id}-r{seq}",
                {**base, "grant_id": grant_id_for(ticket_id, seq), "polls": 0, **self.poll})
            done.append("refund_started" if started else "refund_already_started")
        if changed and to_status == Status.RETURN_RECEIVED.value:
            done.append(self._returns.accept_on_arrival(tenant_id, ticket_id))
        if changed and to_status == Status.RESHIPPING.value:
            done.append(self._reshipment(tenant_id, ticket_id, detail))
        issued = ISSUED_EVENTS.get((detail.get("data") or {}).get("destination") or "")
        if detail.get("event") == "ticket.refunded" and issued:
            done.append(self._issue_credit(detail, issued))
        order_id = self._tickets.get(tenant_id, ticket_id, SYSTEM).order_id
        self._events.publish(ORDERS_SOURCE, "order.after_sales_updated", self._order_update(detail, order_id))
        done.append("order_update")
        return done

    def timeouts_for(self, tenant_id: str) -> dict[str, int]:
        """The stack's review / escalation timeouts, unless the tenant's published approval policy
        sets its own (`review_timeout_seconds`, `escalation_timeout_seconds`)."""
        policy = self._approvals.policy(tenant_id)
        return {name: getattr(policy, name, None) or default for name, default in self.timeouts.items()}

    # ------------------------------------------------------------------ nodes
    def _after_approval(self, tenant_id: str, ticket_id: str, ticket_type: TicketType) -> str:
        target = AFTER_APPROVAL.get(ticket_type)
        if target is None:
            return "no_next_node"
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status != Status.APPROVED:
            return "already_advanced"
        data: dict[str, Any] = {}
        if target == Status.REPAIR_DISPATCHED:
            provider = self.repair_provider(tenant_id, ticket)
            if provider is None:
                return "no_repair_provider"  # stays approved; the workbench shows it for manual dispatch
            data = {"repair_provider_id": provider["provider_id"], "repair_status": RepairStatus.DISPATCHED.value}
        try:
            self._tickets.transition(tenant_id, ticket_id, target, SYSTEM, reason="auto_advance", data=data,
                                     warrant=FulfilmentStep())
        except IllegalTransition:
            return "already_advanced"
        if data:
            self._events.publish(FULFILMENT_SOURCE, "repair.dispatched", {
                "tenant_id": tenant_id, "ticket_id": ticket_id, "order_id": ticket.order_id,
                "provider_id": data["repair_provider_id"], "dedup_key": f"{ticket_id}#repair"})
        return f"advanced_to_{target.value}"

    def repair_provider(self, tenant_id: str, ticket: Ticket) -> dict[str, Any] | None:
        """The first eligible provider registered with the repairs context for the order's country and
        its lines' brands (`brand` is the order line's category); that context then offers the job
        (repairs/service.py dispatch)."""
        stored = self._store.get_order(tenant_id, ticket.order_id)
        if stored is None:
            return None
        country = stored.order.shipping.country
        brands = {(stored.order.line(ln.line_id).category or "") for ln in ticket.lines
                  if stored.order.line(ln.line_id) is not None}
        registered = self._repair_providers.first_eligible_provider(tenant_id, country=country, brands=brands) \
            if self._repair_providers is not None else None
        return {"provider_id": registered} if registered else None

    def _reshipment(self, tenant_id: str, ticket_id: str, detail: dict[str, Any]) -> str:
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        try:
            plan = plan_reshipment(ticket.lines)
        except Conflict as refused:
            return self._refuse_reshipment(ticket, int(detail["seq"]), refused)
        stored = self._store.get_order(tenant_id, ticket.order_id)
        network_doc = self._config.get(tenant_id, "WAREHOUSES") or {"default": {"warehouse_id": "default"}}
        network = WarehouseNetwork(default=Warehouse.model_validate(network_doc["default"]),
                                   overseas=tuple(Warehouse.model_validate(w) for w in network_doc.get("overseas", [])))
        source = choose_warehouse(network, stored.order.shipping.country)
        self._events.publish(FULFILMENT_SOURCE, "reshipment.requested", {
            "tenant_id": tenant_id, "ticket_id": ticket_id, "order_id": ticket.order_id,
            "warehouse_id": source.warehouse_id, "warehouse_reason": source.reason,
            "destination_country": stored.order.shipping.country,
            "lines": [ln.model_dump() for ln in plan.lines], "not_reshipped": list(plan.not_reshipped),
            "dedup_key": f"{ticket_id}#{detail['seq']}"})
        return f"reshipment_from_{source.warehouse_id}"

    def _refuse_reshipment(self, ticket: Ticket, seq: int, refused: Conflict) -> str:
        """Nothing passed inspection: a retry cannot help, so say why on the ticket (once per entry
        into reshipping) and leave it in reshipping for staff."""
        if ticket.status != Status.RESHIPPING:
            return "reshipment_refused"  # staff moved it on meanwhile
        if not any(e.event == RESHIPMENT_REFUSED_EVENT and (e.data or {}).get("seq") == seq
                   for e in self._store.audit_entries(ticket.tenant_id, ticket.id)):
            self._tickets.note(ticket.tenant_id, ticket.id, RESHIPMENT_REFUSED_EVENT, SYSTEM,
                               reason=refused.message_id, data={"seq": seq, **refused.details})
        return "reshipment_refused"

    def _issue_credit(self, detail: dict[str, Any], name: str) -> str:
        """No payment-provider refund: the storefront credits the customer's account / sends the coupon."""
        data = detail.get("data") or {}
        ticket = self._tickets.get(detail["tenant_id"], detail["ticket_id"], SYSTEM)
        self._events.publish(REFUNDS_SOURCE, name, {
            "tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"], "order_id": ticket.order_id,
            "customer_id": ticket.customer_id, "grant_id": data.get("grant_id"), "amount": data.get("amount"),
            "destination": data.get("destination"), "dedup_key": f"{detail['ticket_id']}#{data.get('grant_id')}"})
        return name

    @staticmethod
    def _order_update(detail: dict[str, Any], order_id: str) -> dict[str, Any]:
        """No personal data: ids, statuses and the node only."""
        data = detail.get("data") or {}
        update = {"tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"], "order_id": order_id,
                  "ticket_type": detail.get("ticket_type"), "node": detail.get("event"),
                  "from_status": detail.get("from_status"), "status": detail.get("to_status"),
                  "at": detail.get("at"), "dedup_key": detail.get("dedup_key")}
        if detail.get("event") == "ticket.refund_failed":
            update["refund_failed"] = {"reason": detail.get("reason") or data.get("reason"),
                                       "amount": data.get("amount"), "grant_id": data.get("grant_id")}
        elif "amount" in data:
            update["refunded"] = data["amount"]
        to_status = detail.get("to_status")
        repair = next((r for s, r in REPAIR_STATUS.items() if s.value == to_status), None)
        if repair is not None:
            update["repair_status"] = repair.value
        return update
