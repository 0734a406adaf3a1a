"""The money contexts: approvals, risk, eligibility, payments, refunds, returns, fulfilment, Stripe events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import (
    EligibilitySettings,
    MoneySettings,
    PaymentSettings,
    StripeWebhookSettings,
    WorkflowSettings,
)
from aftersales.wiring.bridges import LazyPlatformDisputes, LazyRepairProviders
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.dynamo.drafts import DynamoDraftStore
    from aftersales.adapters.dynamo.money import (
        DynamoCounterStore,
        DynamoPaymentLedgerStore,
        DynamoRefundStore,
        DynamoReviewRepository,
        DynamoTenantMoneyConfig,
        DynamoWebhookLedger,
    )
    from aftersales.adapters.payments import PaymentProviders
    from aftersales.approvals.policy import ApprovalPolicy
    from aftersales.approvals.service import ApprovalService
    from aftersales.crossborder.service import CrossBorderReturns
    from aftersales.eligibility.service import EligibilityService
    from aftersales.fulfilment.service import MoneyPathReactor
    from aftersales.refunds.returns import ReturnService
    from aftersales.refunds.service import RefundService
    from aftersales.refunds.webhooks import StripeEventApplier
    from aftersales.risk.service import RiskService


class MoneyContexts(ContextGroup):
    """Everything on the money path, over the money table."""

    @cached_property
    def money_tables(self) -> MoneyTables:
        from aftersales.adapters.dynamo import money as m
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.approvals.defaults import POLICY

        table = MoneySettings.from_env(self._env).money_table
        m.bind(table)
        ledger = m.DynamoPaymentLedgerStore()
        return MoneyTables(ledger=ledger, refunds=m.DynamoRefundStore(ledger), config=m.DynamoTenantMoneyConfig(),
                           counters=m.DynamoCounterStore(), policies=DynamoDraftStore(POLICY, table),
                           reviews=m.DynamoReviewRepository(), webhooks=m.DynamoWebhookLedger())

    @cached_property
    def risk(self) -> RiskService:
        from aftersales.risk.service import RiskService

        return RiskService(self.money_tables.counters, self.clock)

    @cached_property
    def approvals(self) -> ApprovalService:
        from aftersales.approvals.service import ApprovalService

        t = self.money_tables
        return ApprovalService(self.tickets, self.ticket_store, self.risk, t.policies, t.reviews, self.workflows,
                               self.clock)

    @cached_property
    def eligibility(self) -> EligibilityService:
        from aftersales.adapters.dynamo.drafts import DynamoDraftStore
        from aftersales.eligibility.defaults import RULES
        from aftersales.eligibility.service import EligibilityService

        rules = DynamoDraftStore(RULES, EligibilitySettings.from_env(self._env).money_table)
        return EligibilityService(self.tickets, self.ticket_store, rules, self.clock)

    @cached_property
    def payments(self) -> PaymentProviders:
        from aftersales.adapters.payments import PaymentProviders

        env = self._env

        def settings() -> PaymentSettings:  # read when the first refund is sent, not before
            return PaymentSettings.from_env(env)

        return PaymentProviders(settings, self.clock)

    @cached_property
    def refunds(self) -> RefundService:
        from aftersales.refunds.service import RefundService

        t = self.money_tables
        return RefundService(self.tickets, self.ticket_store, t.ledger, t.refunds, self.payments.for_tenant,
                             self.clock, config=t.config)

    @cached_property
    def returns(self) -> ReturnService:
        from aftersales.refunds.returns import ReturnService

        return ReturnService(self.tickets, self.money_tables.config, customs=self.cross_border)

    @cached_property
    def cross_border(self) -> CrossBorderReturns:
        from aftersales.crossborder.service import CrossBorderReturns

        return CrossBorderReturns(self.tickets, self.integration_settings, self.clock)

    @cached_property
    def fulfilment(self) -> MoneyPathReactor:
        from aftersales.fulfilment.service import MoneyPathReactor

        return MoneyPathReactor(self.tickets, self.ticket_store, self.approvals, self.workflows, self.events,
                                self.money_tables.config, WorkflowSettings.from_env(self._env), self.returns,
                                repair_providers=LazyRepairProviders(self))

    @cached_property
    def stripe_events(self) -> StripeEventApplier:
        from aftersales.adapters.dynamo.money import find_order_by_payment
        from aftersales.refunds.webhooks import StripeEventApplier

        t = self.money_tables
        return StripeEventApplier(t.webhooks, t.config, self.refunds, self.tickets, find_order_by_payment,
                                  LazyPlatformDisputes(self), self.clock,
                                  platform_secret=StripeWebhookSettings.from_env(self._env).stripe_webhook_secret)


@dataclass(frozen=True)
class MoneyTables:
    ledger: DynamoPaymentLedgerStore
    refunds: DynamoRefundStore
    config: DynamoTenantMoneyConfig
    counters: DynamoCounterStore
    policies: DynamoDraftStore[ApprovalPolicy]
    reviews: DynamoReviewRepository
    webhooks: DynamoWebhookLedger


