"""The ticket core's contexts: tickets, orders, tenants, and the media they attach."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import (
    MediaSettings,
    TicketSettings,
)
from aftersales.wiring.bridges import (
    LazyEvidenceMedia,
    LazyEvidenceTickets,
    LazyParkedArrivals,
)
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.adapters.dynamo.store import DynamoTicketStore
    from aftersales.media.service import MediaService
    from aftersales.orders.service import OrderIntake
    from aftersales.tenants.service import TenantService
    from aftersales.tickets.service import TicketService


class CoreContexts(ContextGroup):
    """Tickets (with the orders and tenants tables), order intake, tenants, media."""

    @cached_property
    def ticket_store(self) -> DynamoTicketStore:
        """Tickets, orders and tenants tables (read by the money contexts as their TicketRecords)."""
        from aftersales.adapters.dynamo.models import bind
        from aftersales.adapters.dynamo.store import DynamoTicketStore

        cfg = TicketSettings.from_env(self._env)
        bind(cfg.tickets_table, cfg.orders_table, cfg.tenants_table)
        return DynamoTicketStore()

    @cached_property
    def tickets(self) -> TicketService:
        from aftersales.tickets.service import TicketService

        return TicketService(self.ticket_store, self.clock, evidence=LazyEvidenceMedia(self))

    @cached_property
    def orders(self) -> OrderIntake:
        from aftersales.orders.service import OrderIntake

        return OrderIntake(self.tickets, self.risk, LazyParkedArrivals(self))

    @cached_property
    def tenants(self) -> TenantService:
        from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory
        from aftersales.tenants.service import TenantService

        self.ticket_store  # noqa: B018  binds the tenants table with the tickets context's tables
        return TenantService(DynamoTenantDirectory(), self.clock)

    # ------------------------------------------------------------------ media (uploads: evidence, inspections, reviews)
    @cached_property
    def media(self) -> MediaService:
        from aftersales.adapters.dynamo import media as tables
        from aftersales.adapters.media_inspector import PillowInspector
        from aftersales.adapters.rekognition import NotScreened, RekognitionModeration
        from aftersales.adapters.s3_media import S3MediaObjects
        from aftersales.media.service import MediaService

        cfg = MediaSettings.from_env(self._env)
        tables.bind(cfg.media_table)
        moderation = RekognitionModeration() if cfg.media_moderation == "rekognition" else NotScreened()
        return MediaService(tables.DynamoMediaStore(), S3MediaObjects(cfg.media_bucket), PillowInspector(),
                            moderation, self.clock, tickets=LazyEvidenceTickets(self))

