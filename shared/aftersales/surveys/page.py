"""The survey page (pure: survey in, HTML text out): mobile first, no JavaScript (plain form POSTs),
accessible (the page's lang, one fieldset + legend per question, a label for every control, visible
focus, text contrast above WCAG AA 4.5:1, 44-pixel touch targets). Every value is HTML-escaped."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aftersales.core import formatting
from aftersales.core.i18n import translate

from .model import Survey, SurveyRules, SurveyStatus

# (foreground, background) pairs the page draws text with; tests hold them to WCAG AA (4.5:1)
TEXT, HINT, BACKGROUND = "#1a1a1a", "#474747", "#ffffff"
ACCENT, ON_ACCENT, FOCUS, BORDER = "#0b57d0", "#ffffff", "#b3261e", "#6b6b6b"
TEXT_PAIRS = ((TEXT, BACKGROUND), (HINT, BACKGROUND), (ACCENT, BACKGROUND), (ON_ACCENT, ACCENT), (FOCUS, BACKGROUND))
STYLE = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:1rem/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;color:{TEXT};
background:{BACKGROUND}}}
main{{max-width:36rem;margin:0 auto;padding:1rem}}
h1{{font-size:1.4rem}}
fieldset{{border:1px solid {BORDER};border-radius:.5rem;margin:0 0 1rem;padding:.75rem}}
legend{{font-weight:600;padding:0 .25rem}}
.scale{{display:flex;flex-wrap:wrap;gap:.25rem}}
.scale label,.choices label{{display:inline-flex;align-items:center;justify-content:center;min-width:2.75rem;
min-height:2.75rem;border:1px solid {BORDER};border-radius:.375rem;padding:0 .5rem;cursor:pointer}}
.choices{{display:grid;gap:.25rem}}
.choices label{{justify-content:flex-start}}
input[type=radio]{{position:absolute;opacity:0;width:1px;height:1px}}
input[type=radio]:checked+label{{background:{ACCENT};color:{ON_ACCENT};border-color:{ACCENT}}}
input[type=radio]:focus-visible+label,textarea:focus-visible,button:focus-visible,a:focus-visible{{
outline:3px solid {FOCUS};outline-offset:2px}}
textarea{{width:100%;font:inherit;padding:.5rem;border:1px solid {BORDER};border-radius:.375rem}}
button{{min-height:2.75rem;padding:0 1.25rem;font:inherit;font-weight:600;color:{ON_ACCENT};background:{ACCENT};
border:0;border-radius:.375rem;cursor:pointer}}
.hint{{color:{HINT}}}
.problem{{border:2px solid {FOCUS};padding:.5rem;border-radius:.375rem}}
a{{color:{ACCENT}}}
"""


def _doc(locale: str, title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="robots" content="noindex">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def _t(key: str, locale: str, **params: object) -> str:
    return escape(translate(key, locale, **params))


def can_edit(survey: Survey, rules: SurveyRules, now: datetime) -> bool:
    if survey.status is SurveyStatus.SENT:
        return True
    answer = survey.answer
    return (survey.status is SurveyStatus.ANSWERED and answer is not None
            and now <= answer.answered_at + timedelta(hours=rules.edit_window_hours))


def survey_page(survey: Survey, rules: SurveyRules, token: str, now: datetime, *, problem: str | None = None,
                saved: bool = False) -> str:
    loc = survey.locale
    title = translate("survey.page.title", loc)
    intro = (_t("survey.page.intro.service", loc, ticket=survey.ticket_id or "") if survey.kind == "service"
             else _t("survey.page.intro.delivery", loc, order=survey.order_id))
    parts = [f"<h1>{escape(title)}</h1>"]
    answer = survey.answer
    if saved or (answer is not None and problem is None):
        parts.append(f'<p role="status">{_t("survey.page.thanks", loc)}</p>')
    if not can_edit(survey, rules, now):
        if answer is None:
            parts.append(f"<p>{_t('survey.page.closed', loc)}</p>")
        return _doc(loc, title, "\n".join(parts))
    parts.append(f"<p>{intro}</p>")
    if answer is not None:
        until = formatting.moment_with_zone(answer.answered_at + timedelta(hours=rules.edit_window_hours), loc,
                                            rules.time_zone)
        parts.append(f'<p class="hint">{_t("survey.page.edit_hint", loc, until=until)}</p>')
    if problem:
        parts.append(f'<div class="problem" role="alert"><strong>{_t("survey.page.problem", loc)}</strong>: '
                     f"{escape(problem)}</div>")
    nps = answer.nps if answer else None
    radios = "".join(
        f'<input type="radio" id="nps-{i}" name="nps" value="{i}"{" checked" if nps == i else ""}>'
        f'<label for="nps-{i}">{i}</label>' for i in range(11))
    form = ['<form method="post" action="">',
            f'<fieldset aria-describedby="nps-scale"><legend>{_t("survey.page.nps", loc)}</legend>',
            f'<p class="hint" id="nps-scale">{_t("survey.page.nps_scale", loc)}</p>',
            f'<div class="scale">{radios}</div></fieldset>']
    if survey.kind == "service":
        csat = answer.csat if answer else None
        choices = "".join(
            f'<input type="radio" id="csat-{i}" name="csat" value="{i}"{" checked" if csat == i else ""}>'
            f'<label for="csat-{i}">{i} · {_t(f"survey.page.csat.{i}", loc)}</label>' for i in range(1, 6))
        form.append(f'<fieldset><legend>{_t("survey.page.csat", loc)}</legend>'
                    f'<div class="choices">{choices}</div></fieldset>')
    comment = escape(answer.comment or "") if answer else ""
    form += [f'<p><label for="comment">{_t("survey.page.comment", loc)}</label></p>',
             f'<p><textarea id="comment" name="comment" rows="4" maxlength="2000">{comment}</textarea></p>',
             f'<p><button type="submit">{_t("survey.page.submit", loc)}</button></p>', "</form>"]
    parts += form
    parts.append(f'<p><a href="{escape(token)}/unsubscribe">{_t("survey.page.unsubscribe", loc)}</a></p>')
    return _doc(loc, title, "\n".join(parts))


def unsubscribe_page(survey: Survey, *, done: bool) -> str:
    loc = survey.locale
    title = translate("survey.page.unsubscribe", loc)
    if done:
        body = f'<h1>{escape(title)}</h1>\n<p role="status">{_t("survey.page.unsubscribed", loc)}</p>'
    else:
        body = (f"<h1>{escape(title)}</h1>\n<form method=\"post\" action=\"\">"
                f"<p>{_t('survey.page.unsubscribe_confirm', loc)}</p>"
                f'<p><button type="submit">{_t("survey.page.unsubscribe", loc)}</button></p></form>')
    return _doc(loc, title, body)


def refusal_page(locale: str, message_id: str) -> str:
    title = translate(message_id, locale)
    return _doc(locale, title, f"<h1>{escape(title)}</h1>")
