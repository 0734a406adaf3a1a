"""What a tenant configures for an integration: carrier webhook secrets and channel credentials.
The API reads its request bodies with these models and IntegrationService validates with them
again where the settings are stored, so no caller stores a blank or malformed secret."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictInt, model_validator

from aftersales.core.model import DomainModel
from aftersales.core.text import credential

SigningSecret = credential(512, min_length=8)
# WeCom's console: the callback Token is 3-32 letters or digits; the EncodingAESKey is exactly 43
# characters from a-z, A-Z and 0-9, the base64 of the 32-byte AES key without its "=".
WeComToken = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{3,32}$")]
EncodingAESKey = Annotated[str, Field(pattern=r"^[A-Za-z0-9]{43}$")]


class CarrierSecret(DomainModel):
    model_config = ConfigDict(extra="forbid")
    secret: SigningSecret


class WeComSettings(DomainModel):
    """Callback credentials (inbound), plus the application's id and secret to send customer
    notifications (outbound); without the latter two WeCom is an inbound-only channel.
    `kf_secret` turns on 微信客服 (WeChat customers): messages are read with kf/sync_msg when the
    callback announces them, and replies go out with kf/send_msg."""

    model_config = ConfigDict(extra="forbid")
    token: WeComToken
    encoding_aes_key: EncodingAESKey
    corp_id: credential(64, min_length=1)
    agent_id: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    secret: SigningSecret | None = None
    kf_secret: SigningSecret | None = Field(None, description=(
        "Secret whose access token may call the 微信客服 API: a self-built application listed under "
        "微信客服 → API → 可调用接口的应用 (may be the same application as `secret`), or the legacy 微信客服 "
        "secret of enterprises that still have one. Write-only."))

    @model_validator(mode="after")
    def _outbound_pair(self) -> WeComSettings:
        if (self.agent_id is None) != (self.secret is None):
            raise ValueError("agent_id and secret go together (both to send messages, neither for inbound only)")
        return self


class QiyuSettings(DomainModel):
    """NetEase Qiyu (网易七鱼) message interface: the appKey and appSecret of the enterprise's settings
    page. The secret checks the pushes (checksum) and signs the replies sent into the visitor's session."""

    model_config = ConfigDict(extra="forbid")
    app_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{8,64}$")]
    app_secret: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{8,64}$")]


class MeiqiaSettings(DomainModel):
    """Meiqia (美洽) SDK push: the app's Secret-Key (workbench → SDK), which signs every push."""

    model_config = ConfigDict(extra="forbid")
    secret_key: credential(256, min_length=16)


class DouyinSettings(DomainModel):
    """Push credentials (inbound); with `shop_id`, decisions are also written back to Douyin through
    the open API (a self-use app: token.create with authorization_self). Refusals need one of the
    shop's reject reason codes, return/exchange approvals the shop's return address id."""

    model_config = ConfigDict(extra="forbid")
    app_key: credential(128, min_length=1)
    app_secret: SigningSecret
    shop_id: Annotated[str, Field(pattern=r"^[0-9]{1,20}$")] | None = None
    return_address_id: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)] | None = None
    reject_reason_code: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
