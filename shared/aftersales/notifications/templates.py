"""Customer notification templates: event x locale x channel (pure).

Only events that matter to the customer have a template; anything else is not sent. Texts carry
ticket numbers and status labels, never amounts typed by staff or personal data.
"""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict

from aftersales.core.formatting import moment_with_zone, money
from aftersales.core.i18n import label, supported, translate
from aftersales.core.model import DomainModel
from aftersales.core.money import Money

# Douyin is absent on purpose: the shop open platform has no API to message buyers, and Douyin
# shows the after-sale's status to the buyer itself (docs/decisions.md).
CHANNELS = ("email", "wecom")


class Visit(DomainModel):
    """A repair visit as a message tells it: the window agreed and, on the way, the expected arrival."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime
    end: AwareDatetime
    eta: AwareDatetime | None = None


class Rendered(DomainModel):
    model_config = ConfigDict(frozen=True)

    event: str
    locale: str
    channel: str
    subject: str
    body: str


# Events with a message; its texts are the catalog's `notify.<event>.subject` / `.body` (tools/messages.py,
# every customer locale), with {ticket}, {status} and {tracking} filled in.
EVENTS = frozenset({
    "ticket.created", "ticket.approved", "ticket.rejected", "ticket.info_requested", "ticket.return_authorized",
    "ticket.return_shipped", "ticket.return_received", "ticket.refunded", "ticket.reshipped", "ticket.resolved",
    "ticket.cancelled", "review.update_invited", "ticket.closed", "parcel.delayed",
    # a repair's visit (the ticket's notes carry the window and ETA) and its end (the customer's code)
    "ticket.repair_booked", "ticket.repair_rescheduled", "ticket.repair_on_the_way",
    "repair.confirmation_code_issued",
})
_SHORT = {"wecom"}  # chat channels: one line, no subject


def has_template(event: str) -> bool:
    return event in EVENTS


def render(event: str, locale: str, channel: str, *, ticket: str = "", status: str = "",
           tracking: str = "", reason: str = "", reason_params: dict[str, object] | None = None,
           link: str = "", amount: Money | None = None, visit: Visit | None = None,
           code: str = "", time_zone: str | None = None) -> Rendered | None:
    """`locale`: any stored tag ("de-AT" reads de); `reason`: a message id that explains the event
    (the intake checks' refusal), added to the body in the customer's language; `amount`: the money
    the event moved (a refund), in the locale's currency format; `link`: the ticket's signed
    tracking page, added last; `visit`: a repair visit's window and ETA (instants, shown in the
    locale and in `time_zone`, the customer's, UTC when none); `code`: the customer's one-time repair
    confirmation code."""
    if event not in EVENTS:
        return None
    loc = supported(locale)
    values = {"ticket": ticket, "status": label("status", status, loc) if status else "", "tracking": tracking,
              "code": code}
    if visit is not None:
        values.update(start=moment_with_zone(visit.start, loc, time_zone),
                      end=moment_with_zone(visit.end, loc, time_zone))
    subject = translate(f"notify.{event}.subject", loc, **values)
    body = translate(f"notify.{event}.body", loc, **values)
    if amount is not None:
        body = f"{body} {translate('notify.refund_amount', loc, amount=money(amount, loc))}"
    if visit is not None and visit.eta is not None:
        body = f"{body} {translate('notify.repair_eta', loc, when=moment_with_zone(visit.eta, loc, time_zone))}"
    if reason:
        body = f"{body} {translate(reason, loc, **(reason_params or {}))}"
    if link:
        body = f"{body} {translate('tracking.link_line', loc, link=link)}"
    if channel in _SHORT:
        subject = ""
    return Rendered(event=event, locale=loc, channel=channel, subject=subject, body=body)


def reply_subject(ticket: str, locale: str) -> str:
    """E-mail subject of a staff reply; the ticket number in it threads the customer's answer."""
    return translate("notify.reply.subject", supported(locale), ticket=ticket)
