"""Composition root: connects ports to adapters on first use (never at import).

Tests and the local stack may replace pieces with `override(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from aftersales.core.clock import Clock, clock_from_env
from aftersales.core.settings import Settings, get_settings
from aftersales.tenants.service import TenantService
from aftersales.tickets.service import TicketService


@dataclass
class Services:
    settings: Settings
    clock: Clock
    tickets: TicketService
    tenants: TenantService


_override: Services | None = None


def override(services: Services | None) -> None:
    global _override
    _override = services


def services() -> Services:
    return _override or _default_services()


@lru_cache(maxsize=1)
def _default_services() -> Services:
    from aftersales.adapters.dynamo.models import bind
    from aftersales.adapters.dynamo.store import DynamoTicketStore
    from aftersales.adapters.dynamo.tenants import DynamoTenantDirectory

    settings = get_settings()
    bind(settings.tickets_table, settings.orders_table, settings.tenants_table)
    clock = clock_from_env()
    return Services(settings=settings, clock=clock,
                    tickets=TicketService(DynamoTicketStore(), clock),
                    tenants=TenantService(DynamoTenantDirectory(), clock))


def reset() -> None:
    """Forget cached wiring (settings changed, e.g. between tests)."""
    override(None)
    _default_services.cache_clear()
    get_settings.cache_clear()
