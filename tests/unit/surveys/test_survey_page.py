"""The survey page (pure rendering): the survey's language on the html element, both questions for
a service survey and NPS alone for a delivery one, every control labelled, the customer's own
comment escaped, a previous answer pre-selected while it may be edited, a closed survey without a
form; links are relative to the page (its token), the unsubscribe link included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from aftersales.surveys.model import Answer, Survey, SurveyRules, SurveyStatus
from aftersales.surveys.page import refusal_page, survey_page, unsubscribe_page

NOW = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)
RULES = SurveyRules(tenant_id="acme")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _survey(kind: str = "service", locale: str = "en", **kw) -> Survey:
    return Survey(survey_id="s1", tenant_id="acme", kind=kind, customer_id="c1", order_id="O-1", ticket_id="T-9",
                  locale=locale, status=SurveyStatus.SENT, triggered_at=NOW, due_at=NOW, sent_at=NOW, **kw)


def test_a_service_survey_asks_both_questions_with_every_control_labelled():
    tags = _tags(survey_page(_survey(), RULES, "tok", NOW))
    assert ("html", {"lang": "en"}) in tags
    inputs = [a for t, a in tags if t in ("input", "textarea")]
    labels = {a["for"] for t, a in tags if t == "label"}
    assert {a["name"] for a in inputs} == {"nps", "csat", "comment"} and all(a["id"] in labels for a in inputs)
    assert ("a", {"href": "tok/unsubscribe"}) in tags and ("form", {"method": "post", "action": ""}) in tags


def test_a_delivery_survey_asks_nps_only_in_chinese():
    html = survey_page(_survey(kind="delivery", locale="zh-Hans"), RULES, "tok", NOW)
    assert 'lang="zh-Hans"' in html and "O-1" in html and 'name="csat"' not in html


def test_the_previous_answer_is_preselected_and_escaped_while_editable_then_the_form_is_gone():
    answer = Answer(nps=7, csat=3, comment="<script>alert(1)</script>", answered_at=NOW)
    answered = _survey(answer=answer).model_copy(update={"status": SurveyStatus.ANSWERED})
    html = survey_page(answered, RULES, "tok", NOW + timedelta(hours=1))
    assert "<script>" not in html and "&lt;script&gt;" in html
    checked = {(a["name"], a["value"]) for t, a in _tags(html) if t == "input" and "checked" in a}
    assert checked == {("nps", "7"), ("csat", "3")}
    late = survey_page(answered, RULES, "tok", NOW + timedelta(hours=25))
    assert "<form" not in late and "Thank you" in late


def test_a_cancelled_survey_and_a_refused_link_show_no_form():
    cancelled = _survey().model_copy(update={"status": SurveyStatus.CANCELLED})
    assert "<form" not in survey_page(cancelled, RULES, "tok", NOW)
    assert 'lang="zh-Hans"' in refusal_page("zh-Hans", "error.survey_link_expired")
    assert "<form" in unsubscribe_page(_survey(), done=False)
    assert "<form" not in unsubscribe_page(_survey(), done=True)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_text_colour_pair_meets_wcag_aa_contrast():
    from aftersales.surveys.page import STYLE, TEXT_PAIRS

    for foreground, background in TEXT_PAIRS:
        light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (foreground, background)
        assert foreground in STYLE and background in STYLE
