"""RecordedPolicies (the evidence pack's AppliedPolicies) on the real tickets and eligibility
services over in-memory stores: the policy text names the intake rules version and rule the
ticket's triage entry recorded (with its window, conditions and checks) and the approval policy
version and rule its approval entry recorded, in the ticket's language; the built-in defaults say
so; a version published after the ticket was checked is not the one shown; nothing recorded ->
a sentence saying so, never the rules of today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales.approvals.defaults import POLICY, default_policy
from aftersales.approvals.policy import ApprovalPolicy
from aftersales.core.clock import FixedClock
from aftersales.core.drafts import Drafts
from aftersales.disputes.applied_policy import RecordedPolicies
from aftersales.eligibility.rules import IntakeRules
from aftersales.eligibility.service import EligibilityService
from aftersales.orders.domain import Order
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.service import TicketService
from tests.support.fakes.drafts import InMemoryDraftStore
from tests.support.fakes.eligibility import InMemoryRulesStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import STOREFRONT, SYSTEM, actor, approval_by
from tests.support.tickets import order_payload

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SUPERVISOR = actor(Role.SUPERVISOR, id="sup-7")


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.store = InMemoryTicketStore()
        self.rules = InMemoryRulesStore()
        self.tickets = TicketService(self.store, self.clock)
        self.service = EligibilityService(self.tickets, self.store, self.rules, self.clock)

    def order(self, order_id: str, delivered_days_ago: int) -> None:
        payload = order_payload(order_id=order_id, quantity=2)
        payload["fulfilment"] = {"status": "delivered",
                                 "delivered_at": (NOW - timedelta(days=delivered_days_ago)).isoformat()}
        self.tickets.upsert_order("acme", Order.model_validate(payload))

    def open(self, order_id: str, ticket_type: str) -> str:
        return self.tickets.open("acme", OpenTicket(type=ticket_type, order_id=order_id, channel="app",
                                                    reason_code="dislike", locale="zh-Hans",
                                                    lines=[LineRequest(line_id="L1", quantity=1)]),
                                 STOREFRONT).id


def _policies(rig: Rig) -> tuple[RecordedPolicies, InMemoryDraftStore[ApprovalPolicy]]:
    approvals = InMemoryDraftStore(POLICY)
    return RecordedPolicies(rig.store, rig.rules, approvals), approvals


def _approve(rig: Rig, ticket_id: str, policy_version: int, rule_id: str | None) -> None:
    requester = rig.tickets.get("acme", ticket_id, SYSTEM).requested_by or ""
    rig.tickets.transition("acme", ticket_id, Status.APPROVED, SUPERVISOR,
                           warrant=approval_by(SUPERVISOR, requester_id=requester),
                           data={"route": "single_review", "rule_id": rule_id, "policy_version": policy_version})


def _publish_rules(rig: Rig, window_days: int) -> IntakeRules:
    drafts = Drafts(rig.rules, rig.rules.kind)
    drafts.put_draft("acme", {"rules": [{"id": "merchant-refunds", "description": "Refunds: two weeks",
                                         "return_window_days": window_days, "previous_refund": "refuse"}]}, None)
    return drafts.publish("acme")


def test_the_defaults_that_applied_are_rendered_in_the_tickets_language_and_say_they_are_defaults():
    rig = Rig()
    rig.order("O-1", delivered_days_ago=3)
    ticket_id = rig.open("O-1", "refund_only")  # locale zh-Hans
    rig.service.triage("acme", ticket_id)
    _approve(rig, ticket_id, 1, None)
    policies, _ = _policies(rig)

    text = policies.applied("acme", rig.tickets.get("acme", ticket_id, SYSTEM))

    assert text is not None and text.language == "zh-Hans" and text.version == "rules-v1-approval-v1"
    assert text.name == "适用的售后政策"
    body = text.text
    assert "售后准入规则，版本 1" in body and "审批策略，版本 1" in body
    assert body.count("这是平台的默认规则：商家未发布自己的规则。") == 2
    assert "适用规则：refunds（Refund only and shipping fee: 30 days from delivery）" in body
    assert "售后期限：签收后 30 天" in body
    assert "- return_window: pass ·" in body and "- evidence: pass ·" in body
    assert f"没有匹配的规则：采用默认路由 {default_policy('acme').default_route}。" in body
    assert "发布时间：平台未记录。" in body


def test_the_version_recorded_at_triage_is_shown_not_one_published_later():
    rig = Rig()
    first = _publish_rules(rig, window_days=14)  # version 2
    rig.order("O-1", delivered_days_ago=3)
    ticket_id = rig.open("O-1", "refund_only")
    rig.service.triage("acme", ticket_id)
    _publish_rules(rig, window_days=90)  # version 3, after the ticket was checked
    policies, approvals = _policies(rig)
    published = Drafts(approvals, POLICY)
    published.put_draft("acme", {"default_route": "single_review", "rules": [
        {"id": "auto-tiny", "route": "auto_approve", "description": "Tiny refunds",
         "when": {"amount": {"max": {"amount": 500, "currency": "CNY"}}}}]}, None)
    published.publish("acme")  # approval policy version 2
    _approve(rig, ticket_id, 2, "auto-tiny")
    ticket = rig.tickets.get("acme", ticket_id, SYSTEM).model_copy(update={"locale": "en"})

    text = policies.applied("acme", ticket)

    assert text is not None and text.version == f"rules-v{first.version}-approval-v2" and text.language == "en"
    body = text.text
    assert "Intake rules (eligibility), version 2" in body and "14 days from delivery" in body
    assert "90 days" not in body and "default rules" not in body
    assert "Rule that applied: merchant-refunds (Refunds: two weeks)" in body
    assert "refunded before -> refuse" in body
    assert "Rule that routed it: auto-tiny (Tiny refunds) -> auto_approve" in body
    assert "amount: max 500 CNY (minor units)" in body


def test_a_ticket_with_nothing_recorded_says_so_and_invents_no_rules():
    rig = Rig()
    rig.order("O-1", delivered_days_ago=3)
    ticket_id = rig.open("O-1", "refund_only")  # never triaged, never approved
    policies, _ = _policies(rig)

    text = policies.applied("acme", rig.tickets.get("acme", ticket_id, SYSTEM).model_copy(update={"locale": "en"}))

    assert text is not None and text.version == "rules-none-approval-none"
    assert "No intake check is recorded for this request" in text.text
    assert "No approval policy decision is recorded for this request." in text.text
    assert "version" not in text.text.lower().replace("no approval", "")
