"""Douyin shop (抖店) arbitration pushes (tags 212-218) as the disputes context's PlatformCase (pure).

The tags, from the message documents (op.jinritemai.com/docs/message-docs/31/<page>) as the SDKs
name them: 212 买家发起客服仲裁 (doudian_refund_ArbitrateApplied, 256), 213 客服要求商家上传凭证
(ArbitrateSubmiting, 257), 214 商家上传仲裁凭证 (ArbitrateSubmited, 258), 215 买家取消仲裁
(ArbitrateCancelled, 260), 216 客服仲裁结果 (ArbitrateAudited, 259), 217 仲裁客服介入
(ArbitrateServiceIntervene, 627), 218 协商期上传凭证 (ArbitrateDiscussUpload, 628).

One after-sale is one case (case id = the after-sale id, the arbitration id kept as its reference):
every message of the family carries the after-sale id, not every one is sure to carry the
arbitration id. The pushes carry no amount and no evidence deadline: the amount at stake is the
mirrored ticket's requested amount (the after-sale's refund), given by the caller. 215 (the buyer
withdrew) is decided for the merchant by the disputes domain. 216 records Douyin's conclusion code
as the status (`arbitrated_<code>`) and decides nothing: what the codes mean is not in the message
documents we could read, and Douyin carries the outcome out with a refund (206) or a close (207).
"""

from __future__ import annotations

from aftersales.channels.douyin import CommentTicket, IntakeCommand, TransitionTicket
from aftersales.core.money import Money
from aftersales.disputes.model import PlatformCase

PROVIDER = "douyin"
STATUSES: dict[str, str] = {
    "212": "arbitration_applied",
    "213": "evidence_requested",
    "214": "evidence_submitted",
    "215": "arbitration_cancelled",
    "216": "arbitrated",
    "217": "platform_intervened",
    "218": "negotiation_evidence_uploaded",
}
TAGS = frozenset(STATUSES)


def arbitration_case(command: IntakeCommand, amount: Money) -> PlatformCase | None:
    """The case an arbitration message reports; None for any other message, or one without an
    after-sale id (nothing to join it to)."""
    status = STATUSES.get(command.tag)
    if status is None or not command.aftersale_id:
        return None
    reference = command.arbitrate_id if isinstance(command, TransitionTicket | CommentTicket) else None
    if isinstance(command, TransitionTicket) and command.tag == "216" and command.arbitrate_conclusion is not None:
        status = f"arbitrated_{command.arbitrate_conclusion}"
    return PlatformCase(provider=PROVIDER, case_id=command.aftersale_id, reference=reference, amount=amount,
                        status=status, submitted=command.tag == "214")
