"""The helpdesks context: settings (the API's), outbound sync (the sync function's), inbound (the webhook's)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from aftersales.core.settings import HelpdeskSettings
from aftersales.wiring.groups import ContextGroup

if TYPE_CHECKING:  # the context's modules are imported when it is built, not with the container
    from aftersales.adapters.dynamo.helpdesks import DynamoLinkStore
    from aftersales.adapters.helpdesks import HttpHelpdeskApis
    from aftersales.helpdesks.configuration import HelpdeskConfiguration
    from aftersales.helpdesks.inbound import HelpdeskInbound
    from aftersales.helpdesks.outbound import HelpdeskOutbound


class HelpdeskContexts(ContextGroup):
    @cached_property
    def helpdesk_settings(self) -> HelpdeskSettings:
        return HelpdeskSettings.from_env(self._env)

    @cached_property
    def helpdesk_configuration(self) -> HelpdeskConfiguration:
        from aftersales.helpdesks.configuration import HelpdeskConfiguration

        return HelpdeskConfiguration(self.integration_settings)

    @cached_property
    def helpdesk_links(self) -> DynamoLinkStore:
        from aftersales.adapters.dynamo.helpdesks import DynamoLinkStore

        return DynamoLinkStore(self.helpdesk_settings.helpdesks_table)

    @cached_property
    def helpdesk_apis(self) -> HttpHelpdeskApis:
        from aftersales.adapters.helpdesks import HttpHelpdeskApis

        cfg = self.helpdesk_settings
        return HttpHelpdeskApis(cfg.zendesk_api_base, cfg.freshdesk_api_base, cfg.helpdesk_timeout_seconds)

    @cached_property
    def helpdesk_outbound(self) -> HelpdeskOutbound:
        from aftersales.adapters.sqs_helpdesks import SqsSyncQueue
        from aftersales.helpdesks.outbound import HelpdeskOutbound

        cfg = self.helpdesk_settings
        return HelpdeskOutbound(self.integration_settings, self.helpdesk_links, self.helpdesk_apis,
                                SqsSyncQueue(cfg.helpdesk_sync_queue_url, cfg.helpdesk_sync_dlq_url), self.tickets,
                                self.channel_stores.conversations, self.clock)

    @cached_property
    def helpdesk_inbound(self) -> HelpdeskInbound:
        from aftersales.helpdesks.inbound import HelpdeskInbound

        return HelpdeskInbound(self.integration_settings, self.helpdesk_links, self.helpdesk_apis, self.tickets,
                               self.channel_stores.conversations, self.clock)
