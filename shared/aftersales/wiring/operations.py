"""The operations contexts: SLA deadlines and dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import (
    SlaSettings,
)
from aftersales.wiring.bridges import (
    LazyRepairRedispatch,
    LazyTimeoutApprovals,
)
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.dynamo.sla import DynamoDispatchStore, DynamoSlaStore
    from aftersales.dispatch.service import DispatchService
    from aftersales.sla.ports import RecomputePages
    from aftersales.sla.service import SlaService


class OperationsContexts(ContextGroup):
    """SLA deadlines, escalation and dispatch over the SLA and dispatch tables."""

    @cached_property
    def sla_tables(self) -> SlaTables:
        from aftersales.adapters.dynamo import sla as tables

        cfg = self.sla_settings
        tables.bind(cfg.sla_table, cfg.dispatch_table)
        return SlaTables(deadlines=tables.DynamoSlaStore(), dispatch=tables.DynamoDispatchStore())

    @cached_property
    def sla_settings(self) -> SlaSettings:
        return SlaSettings.from_env(self._env)

    @cached_property
    def recompute_pages(self) -> RecomputePages:
        from aftersales.adapters.sla_pages import SqsRecomputePages

        return SqsRecomputePages(self.sla_settings.sla_tracker_queue_url)

    @cached_property
    def dispatch(self) -> DispatchService:
        from aftersales.dispatch.service import DispatchService

        store = self.sla_tables.deadlines
        return DispatchService(self.sla_tables.dispatch, self.tickets, self.clock, calendars=store.calendars_for)

    @cached_property
    def sla(self) -> SlaService:
        from aftersales.sla.service import SlaService

        return SlaService(self.sla_tables.deadlines, self.tickets, self.dispatch, self.events, self.clock,
                          LazyTimeoutApprovals(self), pages=self.recompute_pages,
                          page_size=self.sla_settings.sla_recompute_page_size, repairs=LazyRepairRedispatch(self),
                          zones=self.tenant_zones)


@dataclass(frozen=True)
class SlaTables:
    deadlines: DynamoSlaStore
    dispatch: DynamoDispatchStore


