"""Customer notification templates: event x locale x channel (pure).

Only events that matter to the customer have a template; anything else is not sent. Texts carry
ticket numbers and status labels, never amounts typed by staff or personal data.
"""

from __future__ import annotations

from pydantic import ConfigDict

from aftersales.core.i18n import label, translate
from aftersales.core.model import DomainModel

LOCALES = ("en", "zh-Hans")
# Douyin is absent on purpose: the shop open platform has no API to message buyers, and Douyin
# shows the after-sale's status to the buyer itself (docs/decisions.md).
CHANNELS = ("email", "wecom")


class Rendered(DomainModel):
    model_config = ConfigDict(frozen=True)

    event: str
    locale: str
    channel: str
    subject: str
    body: str


# (event) -> {locale: (subject, body)}; {ticket}, {status}, {tracking} are filled in.
_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "ticket.created": {
        "en": ("[{ticket}] We received your request", "We opened request {ticket}. Status: {status}."),
        "zh-Hans": ("[{ticket}] 我们已收到您的申请", "我们已为您创建售后单 {ticket}。当前状态：{status}。"),
    },
    "ticket.approved": {
        "en": ("[{ticket}] Your request was approved", "Good news: request {ticket} was approved. Status: {status}."),
        "zh-Hans": ("[{ticket}] 您的申请已通过", "您的售后单 {ticket} 已审核通过。当前状态：{status}。"),
    },
    "ticket.rejected": {
        "en": ("[{ticket}] Update on your request", "Request {ticket} was not approved. Status: {status}."),
        "zh-Hans": ("[{ticket}] 您的申请有更新", "很抱歉，您的售后单 {ticket} 未通过审核。当前状态：{status}。"),
    },
    "ticket.info_requested": {
        "en": ("[{ticket}] We need more information", "Please reply with more details about request {ticket}."),
        "zh-Hans": ("[{ticket}] 需要您补充信息", "请回复补充售后单 {ticket} 的相关信息。"),
    },
    "ticket.return_authorized": {
        "en": ("[{ticket}] Please send the item back", "Your return for {ticket} is authorised. Status: {status}."),
        "zh-Hans": ("[{ticket}] 请寄回商品", "售后单 {ticket} 已同意退货，请尽快寄回商品。当前状态：{status}。"),
    },
    "ticket.return_shipped": {
        "en": ("[{ticket}] Your return is on its way", "The carrier has your return for {ticket}. Status: {status}."),
        "zh-Hans": ("[{ticket}] 退货运输中", "您为售后单 {ticket} 寄回的商品已在运输途中。当前状态：{status}。"),
    },
    "ticket.return_received": {
        "en": ("[{ticket}] We received your return",
               "Your return for {ticket} arrived at our warehouse. Status: {status}."),
        "zh-Hans": ("[{ticket}] 退货已签收", "售后单 {ticket} 的退货已到达仓库。当前状态：{status}。"),
    },
    "ticket.refunded": {
        "en": ("[{ticket}] Your refund was issued", "The refund for {ticket} was issued. Status: {status}."),
        "zh-Hans": ("[{ticket}] 退款已发放", "售后单 {ticket} 的退款已发放。当前状态：{status}。"),
    },
    "ticket.reshipped": {
        "en": ("[{ticket}] Your replacement shipped", "The replacement for {ticket} has shipped. Status: {status}."),
        "zh-Hans": ("[{ticket}] 换货已发出", "售后单 {ticket} 的换货商品已发出。当前状态：{status}。"),
    },
    "ticket.resolved": {
        "en": ("[{ticket}] Your request was resolved", "Request {ticket} is resolved. Status: {status}."),
        "zh-Hans": ("[{ticket}] 您的问题已解决", "售后单 {ticket} 已处理完毕。当前状态：{status}。"),
    },
    "ticket.cancelled": {
        "en": ("[{ticket}] Request cancelled", "Request {ticket} was cancelled. Status: {status}."),
        "zh-Hans": ("[{ticket}] 申请已取消", "售后单 {ticket} 已取消。当前状态：{status}。"),
    },
    "review.update_invited": {
        "en": ("[{ticket}] Would you update your review?",
               "Request {ticket} is closed. If it changed how you see the product, you can update your review "
               "from your order page. Thank you."),
        "zh-Hans": ("[{ticket}] 邀请您更新评价",
                    "售后单 {ticket} 已处理完毕。如果您的看法有所改变，欢迎在订单页面更新您的评价。"),
    },
    "ticket.closed": {
        "en": ("[{ticket}] Request closed", "Request {ticket} is closed. Thank you. Status: {status}."),
        "zh-Hans": ("[{ticket}] 售后单已关闭", "售后单 {ticket} 已关闭，感谢您的耐心。当前状态：{status}。"),
    },
    "parcel.delayed": {
        "en": ("Your parcel {tracking} is delayed", "Your parcel {tracking} has had no carrier update for a while. "
               "We are on it and will keep you posted."),
        "zh-Hans": ("您的包裹 {tracking} 出现延误",
                    "您的包裹 {tracking} 已有一段时间没有物流更新，我们正在跟进，会及时告知您。"),
    },
}
_SHORT = {"wecom"}  # chat channels: one line, no subject


def has_template(event: str) -> bool:
    return event in _TEXT


def render(event: str, locale: str, channel: str, *, ticket: str = "", status: str = "",
           tracking: str = "", reason: str = "", reason_params: dict[str, object] | None = None,
           link: str = "") -> Rendered | None:
    """`reason`: a message id that explains the event (the intake checks' refusal), added to the body
    in the customer's language; `link`: the ticket's signed tracking page, added last."""
    texts = _TEXT.get(event)
    if texts is None:
        return None
    loc = locale if locale in texts else "en"
    subject, body = texts[loc]
    values = {"ticket": ticket, "status": label("status", status, loc) if status else "", "tracking": tracking}
    subject, body = subject.format(**values), body.format(**values)
    if reason:
        body = f"{body} {translate(reason, loc, **(reason_params or {}))}"
    if link:
        body = f"{body} {translate('tracking.link_line', loc, link=link)}"
    if channel in _SHORT:
        subject = ""
    return Rendered(event=event, locale=loc, channel=channel, subject=subject, body=body)


_REPLY_SUBJECT = {"en": "[{ticket}] Reply to your request", "zh-Hans": "[{ticket}] 关于您的售后申请的回复"}


def reply_subject(ticket: str, locale: str) -> str:
    """E-mail subject of a staff reply; the ticket number in it threads the customer's answer."""
    return _REPLY_SUBJECT.get(locale, _REPLY_SUBJECT["en"]).format(ticket=ticket)
