"""Composition root: one container, one typed accessor per bounded context.

Each accessor is a `cached_property` — the one lazy mechanism: a context is built (its settings
read, its tables bound, its adapters connected) the first time something asks for it, never at
import, so a function pays only for the contexts it uses. The accessors live in one module per
group of contexts (shared ports, core, money, operations, channels, reputation); `Container` joins
them. Tests, benches and the local stack build a `Container` with fakes through its constructor
and install it with `override(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aftersales.wiring.analytics import AnalyticsContexts
from aftersales.wiring.channels import ChannelContexts
from aftersales.wiring.core import CoreContexts
from aftersales.wiring.helpdesks import HelpdeskContexts
from aftersales.wiring.money import MoneyContexts
from aftersales.wiring.operations import OperationsContexts
from aftersales.wiring.repairs import RepairContexts
from aftersales.wiring.reputation import ReputationContexts
from aftersales.wiring.shared_ports import SharedPorts
from aftersales.wiring.webhooks import WebhookContexts

if TYPE_CHECKING:
    from aftersales.adapters.payments import PaymentProviders
    from aftersales.channels.ports import JsonHttp
    from aftersales.core.clock import Clock
    from aftersales.events.ports import EventPublisher
    from aftersales.fulfilment.ports import Workflows
    from aftersales.sla.ports import RecomputePages


class Container(SharedPorts, CoreContexts, MoneyContexts, OperationsContexts, ChannelContexts, ReputationContexts,
                RepairContexts, WebhookContexts, AnalyticsContexts, HelpdeskContexts):
    """Every argument is optional: what is not given is built from the environment on first use."""

    def __init__(self, env: Mapping[str, str] | None = None, *, clock: Clock | None = None,
                 events: EventPublisher | None = None, workflows: Workflows | None = None,
                 payments: PaymentProviders | None = None, recompute_pages: RecomputePages | None = None,
                 http_client: JsonHttp | None = None) -> None:
        self._env = env
        given = {"clock": clock, "events": events, "workflows": workflows, "payments": payments,
                 "recompute_pages": recompute_pages, "http_client": http_client}
        self.__dict__.update({name: value for name, value in given.items() if value is not None})


# ---------------------------------------------------------------------- the process's container
_override: Container | None = None
_default: Container | None = None


def services() -> Container:
    global _default
    if _override is not None:
        return _override
    if _default is None:
        _default = Container()
    return _default


def override(container: Container | None) -> None:
    """Install a container built with fakes (tests, benches); None goes back to the default."""
    global _override
    _override = container


def reset() -> None:
    """Forget the built contexts and any override (the environment changed, e.g. between tests)."""
    global _default, _override
    _override = _default = None
