"""The outbound webhooks context: tenants' endpoints and the delivery (fan-out, attempts, sweep)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import WebhookSettings
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the context's modules are imported when it is built, not with the container
    from aftersales.adapters.dynamo.webhooks import DynamoEndpointStore, DynamoMessageStore
    from aftersales.adapters.sqs_webhooks import SqsDeliveryQueue
    from aftersales.webhooks.delivery import WebhookDelivery
    from aftersales.webhooks.ports import Resolver
    from aftersales.webhooks.service import WebhookEndpoints


class WebhookContexts(ContextGroup):
    """Endpoints (the API's), delivery (the fan-out, delivery and sweeper functions')."""

    @cached_property
    def webhook_settings(self) -> WebhookSettings:
        return WebhookSettings.from_env(self._env)

    @cached_property
    def webhook_stores(self) -> tuple[DynamoEndpointStore, DynamoMessageStore]:
        from aftersales.adapters.dynamo import webhooks as tables

        tables.bind(self.webhook_settings.webhooks_table)
        return tables.DynamoEndpointStore(), tables.DynamoMessageStore()

    @cached_property
    def webhook_queue(self) -> SqsDeliveryQueue:
        from aftersales.adapters.sqs_webhooks import SqsDeliveryQueue

        return SqsDeliveryQueue(self.webhook_settings.webhook_delivery_queue_url)

    @cached_property
    def webhook_resolver(self) -> Resolver:
        from aftersales.adapters.webhook_http import SocketResolver

        return SocketResolver()

    @cached_property
    def webhook_endpoints(self) -> WebhookEndpoints:
        from aftersales.webhooks.service import WebhookEndpoints

        endpoints, messages = self.webhook_stores
        return WebhookEndpoints(endpoints, messages, self.webhook_queue, self.webhook_resolver, self.clock,
                                allow_loopback=self.webhook_settings.webhooks_allow_loopback)

    @cached_property
    def webhook_delivery(self) -> WebhookDelivery:
        from aftersales.adapters.webhook_http import PinnedHttpSender
        from aftersales.webhooks.delivery import WebhookDelivery

        cfg = self.webhook_settings
        endpoints, messages = self.webhook_stores
        sender = PinnedHttpSender(timeout_seconds=cfg.webhook_timeout_seconds,
                                  max_response_bytes=cfg.webhook_max_response_bytes)
        return WebhookDelivery(endpoints, messages, self.webhook_queue, self.webhook_resolver, sender, self.events,
                               self.clock, allow_loopback=cfg.webhooks_allow_loopback)
