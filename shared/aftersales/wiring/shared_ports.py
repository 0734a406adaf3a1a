"""The ports every context shares: clock, HTTP settings, events, workflows, outbound HTTP."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.clock import Clock, clock_from_env
from aftersales.core.settings import (
    EventSettings,
    HttpSettings,
    IdempotencySettings,
)
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the contexts' modules are imported when a context is built, not with the container
    from aftersales.channels.ports import JsonHttp
    from aftersales.events.ports import EventPublisher
    from aftersales.fulfilment.ports import Workflows


class SharedPorts(ContextGroup):
    """Clock, HTTP and idempotency settings, the event bus, Step Functions and outbound JSON HTTP."""

    @cached_property
    def clock(self) -> Clock:
        return clock_from_env()

    @cached_property
    def http_settings(self) -> HttpSettings:
        return HttpSettings.from_env(self._env)

    @cached_property
    def idempotency_settings(self) -> IdempotencySettings:
        return IdempotencySettings.from_env(self._env)

    @cached_property
    def events(self) -> EventPublisher:
        from aftersales.adapters.eventbridge import EventBridgePublisher

        return EventBridgePublisher(EventSettings.from_env(self._env).event_bus_name)

    @cached_property
    def workflows(self) -> Workflows:
        from aftersales.adapters.aws_workflows import StepFunctionsGateway

        return StepFunctionsGateway()

    @cached_property
    def http_client(self) -> JsonHttp:
        from aftersales.adapters.http_json import UrllibJsonHttp

        return UrllibJsonHttp()

