"""The customer's tracking page. Public: the signed token in the path is the credential
(template.yaml exempts these paths from the authorizer). GET renders the ticket's progress in the
ticket's language; POST /messages takes the customer's message as a plain form (the page works
without JavaScript) and answers 303 back to the page. A refused link is a 4xx page, never a 5xx."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.i18n import translate
from aftersales.http.context import RequestContext
from aftersales.tracking.links import MAX_TOKEN_LENGTH, TrackingLinkRefused
from aftersales.tracking.page import photo_page, refusal_page, tracking_page
from aftersales.wiring import services

router = Router()
request = RequestContext(router)

HTML = "text/html; charset=utf-8"
PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                           "frame-ancestors 'none'; base-uri 'none'"}
Token = Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH)]
FIELDS = frozenset({"message"})


def _page(status: int, html: str) -> Response[str]:
    return Response(status_code=status, content_type=HTML, headers=PAGE_HEADERS, body=html)


def _refused(exc: TrackingLinkRefused) -> Response[str]:
    status = 410 if exc.details.get("reason") == "expired" else 404
    return _page(status, refusal_page(request.locale(), exc.message_id))


def _message() -> str:
    fields = parse_qs(request.event.decoded_body or "", keep_blank_values=True)
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise InvalidRequest("tracking.message_empty", field=f"body.{unknown[0]}")
    return (fields.get("message") or [""])[0]


@router.get("/track/<token>", include_in_schema=False)
def track(token: Token) -> Response[str]:
    try:
        view = services().tracking_page.page(token)
    except TrackingLinkRefused as exc:
        return _refused(exc)
    sent = (request.event.get_query_string_value("sent") or "") == "1"
    photo = (request.event.get_query_string_value("photo") or "") == "1"  # S3's redirect after the upload
    return _page(200, tracking_page(view, token, sent=sent, photo_sent=photo))


@router.post("/track/<token>/photos", include_in_schema=False)
def photo_form(token: Token) -> Response[str]:
    """The upload form for one photo: a presigned POST to the media bucket, which the page's CSP
    lets this one form post to."""
    svc = services().tracking_page
    context = request.event.request_context
    stage_url = f"https://{context.domain_name}/{context.stage}" if context.domain_name and context.stage else ""
    try:
        upload = svc.photo_upload(token, stage_url)
        view = svc.page(token)
    except TrackingLinkRefused as exc:
        return _refused(exc)
    except Conflict as exc:
        view = svc.page(token)
        return _page(409, tracking_page(view, token, problem=translate(exc.message_id, view.locale)))
    bucket = urlsplit(upload.url)
    headers = {**PAGE_HEADERS, "Content-Security-Policy": PAGE_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {bucket.scheme}://{bucket.netloc}")}
    return Response(status_code=200, content_type=HTML, headers=headers,
                    body=photo_page(view.locale, view.ticket_id, upload, token))


@router.post("/track/<token>/messages", include_in_schema=False)
def add_message(token: Token) -> Response[str]:
    svc = services().tracking_page
    text = ""
    try:
        text = _message()
        svc.add_message(token, text)
    except TrackingLinkRefused as exc:
        return _refused(exc)
    except (InvalidRequest, Conflict) as exc:  # empty, too long, or the ticket is closed meanwhile
        try:
            view = svc.page(token)
        except TrackingLinkRefused as refused:
            return _refused(refused)
        problem = (translate("tracking.message_closed", view.locale) if isinstance(exc, Conflict)
                   else translate(exc.message_id, view.locale, **exc.details))
        status = 409 if isinstance(exc, Conflict) else 422
        return _page(status, tracking_page(view, token, problem=problem, draft=text[:2000]))
    # back to the page (POST-redirect-GET: a reload sends nothing twice); relative to .../track/<token>/messages
    return Response(status_code=303, headers={**PAGE_HEADERS, "Location": f"../{quote(token, safe='')}?sent=1"},
                    content_type=HTML, body="")
