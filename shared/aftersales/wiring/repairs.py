"""The repairs context: jobs with service providers, the provider registry, the parts catalogue."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import RepairSettings
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:
    from aftersales.repairs.charges import RepairCharges
    from aftersales.repairs.deadlines import JobDeadlines
    from aftersales.repairs.photos import VisitPhotoUploads
    from aftersales.repairs.service import RepairService


class RepairContexts(ContextGroup):
    @cached_property
    def repairs(self) -> RepairService:
        from aftersales.adapters.dynamo import repairs as tables
        from aftersales.adapters.provider_keys import TenantProviderKeys
        from aftersales.repairs.costs import JobSettlements
        from aftersales.repairs.registry import ProviderRegistry
        from aftersales.repairs.service import RepairService
        from aftersales.wiring.bridges import LazyJobParcels, LazyVisitPhotos

        tables.bind(RepairSettings.from_env(self._env).repairs_table)
        store = tables.DynamoRepairStore()
        registry = ProviderRegistry(store, TenantProviderKeys(lambda: self.tenants), self.clock)
        # a not-repairable paid job bills its diagnosis only where the tenant's refund settings allow it
        settlements = JobSettlements(self.tickets, lambda tenant: self.refunds.settings(tenant).repair_diagnosis_fee)
        return RepairService(store, self.tickets, registry, self.events, self.clock, photos=LazyVisitPhotos(self),
                             parcels=LazyJobParcels(self), settlements=settlements)

    @cached_property
    def repair_charges(self) -> RepairCharges:
        """A settled job's charge waived or paid, set against what the ticket's refund took off."""
        from aftersales.adapters.dynamo import repairs as tables
        from aftersales.repairs.charges import RepairCharges

        tables.bind(RepairSettings.from_env(self._env).repairs_table)
        return RepairCharges(tables.DynamoRepairStore(), self.tickets, self.refunds, self.clock)

    @cached_property
    def visit_photos(self) -> VisitPhotoUploads:
        """Upload grants for a visit's photos (the media context), vouched for by the job."""
        from aftersales.repairs.photos import VisitPhotoUploads
        from aftersales.wiring.bridges import LazyVisitPhotos

        return VisitPhotoUploads(self.repairs, LazyVisitPhotos(self))

    @cached_property
    def repair_deadlines(self) -> JobDeadlines:
        """A provider's deadlines on its jobs, from the SLA engine's repair clocks."""
        from aftersales.repairs.deadlines import JobDeadlines
        from aftersales.wiring.bridges import LazyRepairClocks

        return JobDeadlines(LazyRepairClocks(self))
