"""The analytics context: the projection of ticket events into buckets, the dashboard reads, exports."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import AnalyticsSettings, ExportSettings, TenantZoneSettings, TicketSettings
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:
    from aftersales.adapters.analytics_ports import CalendarZones
    from aftersales.adapters.dynamo.analytics import DynamoAnalyticsStore
    from aftersales.analytics.exports import ExportService
    from aftersales.analytics.projector import AnalyticsProjector
    from aftersales.analytics.reading import AnalyticsReader


class AnalyticsContexts(ContextGroup):
    @cached_property
    def analytics_store(self) -> DynamoAnalyticsStore:
        from aftersales.adapters.dynamo.analytics import DynamoAnalyticsStore

        return DynamoAnalyticsStore(AnalyticsSettings.from_env(self._env).analytics_table)

    @cached_property
    def tenant_zones(self) -> CalendarZones:
        from aftersales.adapters.analytics_ports import CalendarZones

        return CalendarZones(lambda: self.sla, TenantZoneSettings.from_env(self._env).analytics_default_time_zone)

    @cached_property
    def analytics_projector(self) -> AnalyticsProjector:
        from aftersales.adapters.analytics_ports import DispatchTeams
        from aftersales.adapters.dynamo.analytics import TicketHeaderReads
        from aftersales.analytics.projector import AnalyticsProjector

        return AnalyticsProjector(self.analytics_store, TicketHeaderReads(self.ticket_store), self.tenant_zones,
                                  DispatchTeams(lambda: self.dispatch))

    @cached_property
    def analytics(self) -> AnalyticsReader:
        from aftersales.analytics.reading import AnalyticsReader

        return AnalyticsReader(self.analytics_store)

    @cached_property
    def exports(self) -> ExportService:
        from aftersales.adapters.analytics_ports import SqsExportQueue
        from aftersales.adapters.dynamo.analytics import DynamoExportStore, MonthTicketReads
        from aftersales.adapters.export_files import S3ExportFiles
        from aftersales.analytics.exports import ExportService

        analytics = AnalyticsSettings.from_env(self._env)
        cfg = ExportSettings.from_env(self._env)
        return ExportService(DynamoExportStore(analytics.analytics_table), SqsExportQueue(cfg.export_queue_url),
                             S3ExportFiles(cfg.exports_bucket),
                             MonthTicketReads(self.ticket_store, TicketSettings.from_env(self._env).tickets_table),
                             self.sla_tables.deadlines, self.analytics_store, self.tenant_zones, self.clock,
                             url_seconds=cfg.export_url_seconds)
