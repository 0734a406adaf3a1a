"""A tenant's integration settings: carrier webhook secrets, the Shippo URL token, channel
credentials and the delivery-exception rules. Secrets are write-only: reads name what is
configured, never a value. Every credential is validated here, where it is stored (models in
integrations/model.py): a blank, short or malformed one is an InvalidRequest (422) naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aftersales.channels.ports import IntegrationSettings
from aftersales.core.clock import Clock
from aftersales.core.errors import InvalidRequest
from aftersales.integrations.model import CarrierSecret, DouyinSettings, MeiqiaSettings, QiyuSettings, WeComSettings
from aftersales.logistics.events import Provider
from aftersales.logistics.exception_policy import ExceptionRules
from aftersales.logistics.service import carrier_settings_name
from aftersales.logistics.verification import new_shippo_token

WECOM = "channel:wecom"
DOUYIN = "channel:douyin"
QIYU = "channel:qiyu"
MEIQIA = "channel:meiqia"
LOGISTICS_RULES = "logistics:rules"
SHIPPO_TOKENS_KEPT = 2  # the new token and the one before it (senders switch over without a gap)
_Settings = TypeVar("_Settings", bound=BaseModel)


def _field(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def validated(model: type[_Settings], values: Mapping[str, Any]) -> _Settings:
    """`values` read as `model`; InvalidRequest with the first problem's field path otherwise."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidRequest("error.integration_setting_invalid", field=_field(first["loc"]) or "body",
                             problem=first["msg"]) from None


class IntegrationService:
    def __init__(self, settings: IntegrationSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def configured(self, tenant_id: str) -> list[str]:
        return self._settings.names(tenant_id)

    def set_carrier_secret(self, tenant_id: str, provider: Provider, secret: str) -> None:
        if provider is Provider.SHIPPO:
            raise InvalidRequest("error.shippo_uses_token", field="provider")
        config = validated(CarrierSecret, {"secret": secret})
        self._settings.put(tenant_id, carrier_settings_name(provider), config.model_dump())

    def rotate_shippo_token(self, tenant_id: str) -> str:
        """A new URL token; the previous one stays valid until the next rotation."""
        name = carrier_settings_name(Provider.SHIPPO)
        tokens = (self._settings.get(tenant_id, name) or {}).get("tokens", [])
        token = new_shippo_token()
        self._settings.put(tenant_id, name, {"tokens": [token, *tokens][:SHIPPO_TOKENS_KEPT]})
        return token

    def set_wecom(self, tenant_id: str, credentials: Mapping[str, Any]) -> None:
        config = validated(WeComSettings, credentials)
        self._settings.put(tenant_id, WECOM, config.model_dump(exclude_none=True))

    def set_douyin(self, tenant_id: str, credentials: Mapping[str, Any]) -> None:
        config = validated(DouyinSettings, credentials)
        self._settings.put(tenant_id, DOUYIN, config.model_dump(exclude_none=True))

    def set_qiyu(self, tenant_id: str, credentials: Mapping[str, Any]) -> None:
        config = validated(QiyuSettings, credentials)
        self._settings.put(tenant_id, QIYU, config.model_dump())

    def set_meiqia(self, tenant_id: str, credentials: Mapping[str, Any]) -> None:
        config = validated(MeiqiaSettings, credentials)
        self._settings.put(tenant_id, MEIQIA, config.model_dump())

    def set_logistics_rules(self, tenant_id: str, rules: ExceptionRules) -> ExceptionRules:
        self._settings.put(tenant_id, LOGISTICS_RULES, rules.model_dump(mode="json"))
        return rules
