"""Helpdesk integration routes: a tenant's Zendesk and Freshdesk settings. Credentials are
write-only: the answers say what is configured (account, auth kind, webhook path), never a secret.
The bodies are helpdesks/model.py's models: a malformed value is a 422 with the field's path."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from aftersales.helpdesks.model import FreshdeskSettings, Vendor, ZendeskSettings
from aftersales.http.context import RequestContext
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
ADMINS = (Role.ADMIN, Role.STOREFRONT)
TAGS = ["integrations"]


@router.get("/integrations/helpdesks", tags=TAGS, summary="Configured helpdesks (never their credentials)")
def list_helpdesks() -> dict:
    request.require(*ADMINS)
    config = services().helpdesk_configuration
    return {"items": [config.view(request.tenant(), vendor) for vendor in Vendor]}


@router.put("/integrations/helpdesks/zendesk", tags=TAGS,
            summary="Zendesk: API token (email + api_token) or OAuth token, webhook signing secret, agent map")
def put_zendesk(body: ZendeskSettings) -> dict:
    request.require(*ADMINS)
    return services().helpdesk_configuration.set_zendesk(request.tenant(), body.model_dump(exclude_none=True))


@router.put("/integrations/helpdesks/freshdesk", tags=TAGS,
            summary="Freshdesk: API key, the automation webhook's secret, agent map")
def put_freshdesk(body: FreshdeskSettings) -> dict:
    request.require(*ADMINS)
    return services().helpdesk_configuration.set_freshdesk(request.tenant(), body.model_dump(exclude_none=True))
