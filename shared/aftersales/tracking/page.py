"""The tracking page (pure: the customer's view in, HTML text out). Mobile first (one column,
nothing wider than a 360-pixel screen: long tracking numbers and messages wrap), no JavaScript (the
message is a plain form POST), accessible (the page's lang, headings per section, an ordered list
for the steps with the current one marked aria-current, a label for every control, visible focus,
text contrast above WCAG AA 4.5:1, 44-pixel touch targets). Every value is HTML-escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aftersales.core import formatting
from aftersales.core.i18n import label, translate
from aftersales.media.ports import PresignedPost

from .depot import Depot
from .view import TrackingView
from .visit import Progress, Visit

TEXT, HINT, BACKGROUND = "#1a1a1a", "#474747", "#ffffff"
ACCENT, ON_ACCENT, FOCUS, BORDER, DONE = "#0b57d0", "#ffffff", "#b3261e", "#6b6b6b", "#146c2e"
TEXT_PAIRS = ((TEXT, BACKGROUND), (HINT, BACKGROUND), (ACCENT, BACKGROUND), (ON_ACCENT, ACCENT),
              (FOCUS, BACKGROUND), (DONE, BACKGROUND))
STYLE = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:1rem/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;color:{TEXT};
background:{BACKGROUND};overflow-wrap:anywhere}}
main{{max-width:36rem;margin:0 auto;padding:1rem}}
h1{{font-size:1.4rem}}
h2{{font-size:1.15rem;margin:1.5rem 0 .5rem}}
ol.steps{{list-style:none;margin:0;padding:0}}
ol.steps li{{border-left:3px solid {BORDER};padding:.25rem 0 .5rem .75rem;margin-left:.25rem}}
ol.steps li.done{{border-color:{DONE};color:{DONE}}}
ol.steps li.current{{border-color:{ACCENT};font-weight:700;color:{ACCENT}}}
ol.steps li.ahead{{color:{HINT}}}
ul.plain{{list-style:none;margin:0;padding:0}}
ul.plain li{{border-bottom:1px solid {BORDER};padding:.5rem 0}}
.hint{{color:{HINT}}}
.next{{border:2px solid {ACCENT};border-radius:.375rem;padding:.5rem .75rem}}
.problem{{border:2px solid {FOCUS};padding:.5rem;border-radius:.375rem}}
.mine{{font-weight:600}}
textarea{{width:100%;font:inherit;padding:.5rem;border:1px solid {BORDER};border-radius:.375rem}}
button{{min-height:2.75rem;padding:0 1.25rem;font:inherit;font-weight:600;color:{ON_ACCENT};background:{ACCENT};
border:0;border-radius:.375rem;cursor:pointer}}
textarea:focus-visible,button:focus-visible,a:focus-visible{{outline:3px solid {FOCUS};outline-offset:2px}}
a{{color:{ACCENT}}}
"""


CURRENT, MINE = ' aria-current="step"', ' class="mine"'


def _doc(locale: str, title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _t(key: str, locale: str, **params: object) -> str:
    return escape(translate(key, locale, **params))


def _when(at: datetime | str, locale: str, time_zone: str | None) -> str:
    """An instant in the reader's locale and the customer's zone, the zone named (UTC when unknown)."""
    return escape(formatting.moment_with_zone(at, locale, time_zone))


def _promise(v: TrackingView, due_at: datetime) -> str:
    """The promised time, and how far away it is when the page knows its own time ("in 2 Tagen")."""
    when = _when(due_at, v.locale, v.time_zone)
    if v.shown_at is None:
        return when
    return f"{when} ({escape(formatting.relative(due_at - v.shown_at, v.locale))})"


def _due_key(metric: str) -> str:
    return {"first_response": "tracking.due.reply", "next_response": "tracking.due.reply",
            "resolution": "tracking.due.resolution"}.get(metric, "tracking.due.update")


def tracking_page(v: TrackingView, token: str, *, problem: str | None = None, sent: bool = False,
                  draft: str = "", photo_sent: bool = False) -> str:
    loc = v.locale
    title = translate("tracking.page.title", loc, ticket=v.ticket_id)
    parts = [f"<h1>{escape(title)}</h1>",
             f'<p>{_t("tracking.page.intro", loc, type=label("type", v.ticket_type, loc))}</p>']
    if sent:
        parts.append(f'<p role="status">{_t("tracking.page.message_sent", loc)}</p>')
    if photo_sent:
        parts.append(f'<p role="status">{_t("tracking.page.photo_sent", loc)}</p>')
    steps = "".join(
        f'<li class="{s.state}"{CURRENT if s.state == "current" else ""}>'
        f'<span class="hint">{_t(f"tracking.step.{s.state}", loc)}</span> {escape(label("status", s.status, loc))}</li>'
        for s in v.steps)
    parts += [f'<h2 id="progress">{_t("tracking.page.progress", loc)}</h2>',
              f'<ol class="steps" aria-labelledby="progress">{steps}</ol>']
    if v.visit:
        parts += _visit(v.visit, loc, v.time_zone)
    if v.depot:
        parts += _depot(v.depot, loc, v.time_zone)
    nxt = []
    if v.next_status:
        nxt.append(f'<p>{_t("tracking.page.next", loc, step=label("status", v.next_status, loc))}</p>')
    if v.due:
        nxt.append(f"<p>{_t(_due_key(v.due.metric), loc, when=_promise(v, v.due.due_at))}</p>")
    if v.terminal:
        nxt.append(f'<p>{_t("tracking.page.finished", loc)}</p>')
    if nxt:
        parts += [f'<h2>{_t("tracking.page.next_title", loc)}</h2>', f'<div class="next">{"".join(nxt)}</div>']
    if v.parcels:
        parts.append(f'<h2>{_t("tracking.page.parcels", loc)}</h2>')
        for p in v.parcels:
            kind = _t(f"tracking.parcel.{p.direction or 'other'}", loc)
            carrier = f" · {escape(p.carrier)}" if p.carrier else ""
            points = "".join(f'<li><span class="hint">{_when(c.at, loc, v.time_zone)}</span>'
                             f'<br>{escape(c.message)}'
                             f'{f" · {escape(c.place)}" if c.place else ""}</li>' for c in p.checkpoints)
            status = translate(f"tracking.parcel_status.{p.status}", loc)
            parts += [f"<h3>{kind}: {escape(p.tracking_number)}{carrier}</h3>",
                      f'<p>{_t("tracking.parcel.status", loc, status=status)}</p>',
                      f'<ul class="plain">{points}</ul>' if points else
                      f'<p class="hint">{_t("tracking.parcel.no_checkpoints", loc)}</p>']
    if v.refunds:
        rows = "".join(f'<li>{escape(formatting.money(r.amount, loc))} · {_t(f"tracking.refund.{r.status}", loc)}'
                       f'<br><span class="hint">{_t(f"tracking.refund_to.{r.destination}", loc)}</span></li>'
                       for r in v.refunds)
        parts += [f'<h2>{_t("tracking.page.refunds", loc)}</h2>', f'<ul class="plain">{rows}</ul>']
    parts.append(f'<h2 id="messages">{_t("tracking.page.messages", loc)}</h2>')
    if v.messages:
        rows = "".join(
            f'<li{MINE if m.from_customer else ""}><span class="hint">'
            f'{_t("tracking.message.you" if m.from_customer else "tracking.message.us", loc)} · '
            f'{_when(m.at, loc, v.time_zone)}</span>'
            f"<br>{escape(m.body)}</li>" for m in v.messages)
        parts.append(f'<ul class="plain" aria-labelledby="messages">{rows}</ul>')
    else:
        parts.append(f'<p class="hint">{_t("tracking.page.no_messages", loc)}</p>')
    if problem:
        parts.append(f'<div class="problem" role="alert">{escape(problem)}</div>')
    if not v.terminal:
        parts += [f'<form method="post" action="{escape(token)}/messages">',
                  f'<p><label for="message">{_t("tracking.page.write", loc)}</label></p>',
                  f'<p><textarea id="message" name="message" rows="4" maxlength="2000" required>{escape(draft)}'
                  "</textarea></p>",
                  f'<p><button type="submit">{_t("tracking.page.send", loc)}</button></p>', "</form>"]
    if v.photos:
        parts.append(f'<p class="hint">{_t("tracking.page.photos", loc, count=v.photos)}</p>')
    if v.takes_photos:
        parts += [f'<form method="post" action="{escape(token)}/photos">',
                  f'<p><button type="submit">{_t("tracking.page.add_photo", loc)}</button></p>', "</form>"]
    return _doc(loc, title, "\n".join(parts))


def _visit(visit: Visit, loc: str, time_zone: str | None) -> list[str]:
    """The technician's visit: the window agreed, the expected arrival, each step with its time."""
    start, end = _when(visit.start, loc, time_zone), _when(visit.end, loc, time_zone)
    lines = [f'<h2 id="visit">{_t("tracking.visit.title", loc)}</h2>',
             f'<p>{_t("tracking.visit.window", loc, start=start, end=end)}</p>']
    if visit.eta and visit.stage == "on_the_way":
        lines.append(f'<p>{_t("tracking.visit.eta", loc, when=_when(visit.eta, loc, time_zone))}</p>')
    return [*lines, _progress("visit", visit.progress, loc, time_zone)]


def _depot(depot: Depot, loc: str, time_zone: str | None) -> list[str]:
    """A depot repair: each step of the item's way to the repair centre and back, with its time."""
    return [f'<h2 id="depot">{_t("tracking.depot.title", loc)}</h2>',
            _progress("depot", depot.progress, loc, time_zone)]


def _progress(kind: str, progress: tuple[Progress, ...], loc: str, time_zone: str | None) -> str:
    rows = "".join(f'<li><span class="hint">{_when(p.at, loc, time_zone)}</span> '
                   f'{_t(f"tracking.{kind}.stage.{p.stage}", loc)}</li>' for p in progress)
    return f'<ol class="plain" aria-labelledby="{kind}">{rows}</ol>'


def photo_page(locale: str, ticket_id: str, upload: PresignedPost, token: str) -> str:
    """The plain form that posts one photo straight to the media bucket (S3 then sends the browser
    back to the tracking page). The file field comes last, as S3 requires."""
    title = translate("tracking.photo.title", locale, ticket=ticket_id)
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in upload.fields.items())
    body = "\n".join([
        f"<h1>{escape(title)}</h1>",
        f'<p class="hint">{_t("tracking.photo.hint", locale)}</p>',
        f'<form method="post" action="{escape(upload.url)}" enctype="multipart/form-data">{hidden}',
        f'<p><label for="file">{_t("tracking.photo.file", locale)}</label></p>',
        '<p><input type="file" id="file" name="file" accept="image/jpeg" required></p>',
        f'<p><button type="submit">{_t("tracking.photo.upload", locale)}</button></p>', "</form>",
        f'<p><a href="../{escape(token)}">{_t("tracking.photo.back", locale)}</a></p>'])
    return _doc(locale, title, body)


def refusal_page(locale: str, message_id: str) -> str:
    title = translate(message_id, locale)
    return _doc(locale, title, f"<h1>{escape(title)}</h1>")
