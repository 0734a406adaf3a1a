"""Repair routes. The provider's side (its API key: only the jobs offered to its provider; another
provider's job is a 404): its jobs, accept / decline, book and reschedule the visit, on the way,
check in, diagnose and quote, parts, repaired / not repairable, the customer's code, close; its
technicians' keys. A technician's key (the same routes): only its provider's jobs assigned to that
technician (another's is a 404), and only the field steps (repairs/domain.py, FIELD). The merchant's
side (staff): providers (their hours), technicians and keys, the parts catalogue, serial and batch
lookups, a ticket's jobs, dispatch. The customer's: answer the quote, confirm with the code."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import AwareDatetime, ConfigDict, Field, StrictBool, StrictInt

from aftersales.auth.credentials import ApiKeyScope
from aftersales.core.errors import Forbidden, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import free_text, label
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, json_response
from aftersales.orders.domain import Identifier
from aftersales.repairs.model import MAX_MEDIA, Coverage, Job, JobActor, Location, Part, Party, Provider, Technician
from aftersales.repairs.model import Window as JobWindow
from aftersales.repairs.ports import PartTrace
from aftersales.repairs.views import job_actor, job_reader, job_view
from aftersales.sla.calendar import Weekday, WorkInterval
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
JobId = Annotated[str, Path(min_length=1, max_length=128)]
ProviderId = Annotated[str, Path(min_length=1, max_length=128)]
TechnicianId = Annotated[str, Path(min_length=1, max_length=128)]
NO_STORE = {"Cache-Control": "no-store"}  # a response that carries a key's secret
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Name = label(200, min_length=1)
Reason = free_text(1000, min_length=1)


def actor() -> JobActor:
    """Who acts on a job: a provider's key, the ticket's customer, or the merchant (staff, its systems)."""
    return job_actor(request.principal(), request.event.request_context.request_id)


# ---------------------------------------------------------------------- bodies
class Strict(DomainModel):
    model_config = ConfigDict(extra="forbid")


class ProviderRequest(Strict):
    name: Name
    regions: list[Country] = Field(default_factory=list, max_length=250, description="ISO countries; empty: all")
    brands: list[label(128, min_length=1)] = Field(default_factory=list, max_length=200,
                                                    description="Brands (order line categories); empty: all")
    skills: list[label(64, min_length=1)] = Field(default_factory=list, max_length=50)
    capacity: StrictInt = Field(default=10, ge=0, le=10_000, description="Open jobs it takes at once")


class Availability(Strict):  # visiting hours: local intervals per weekday in an IANA zone, days off
    timezone: label(64, min_length=1)
    weekly_hours: dict[Weekday, list[WorkInterval]] = Field(max_length=7)
    holidays: list[date] = Field(default_factory=list, max_length=366)


class ProviderUpdate(Strict):
    name: Name | None = None
    regions: list[Country] | None = Field(default=None, max_length=250)
    brands: list[label(128, min_length=1)] | None = Field(default=None, max_length=200)
    skills: list[label(64, min_length=1)] | None = Field(default=None, max_length=50)
    capacity: StrictInt | None = Field(default=None, ge=0, le=10_000)
    active: StrictBool | None = None
    availability: Availability | None = Field(default=None, description="When its technicians visit")


class KeyRequest(Strict):
    name: Name


class TechnicianRequest(Strict):
    name: Name
    skills: list[label(64, min_length=1)] = Field(default_factory=list, max_length=50)
    regions: list[Country] = Field(default_factory=list, max_length=250)
    active: StrictBool = True
    availability: Availability | None = Field(default=None, description="Own hours (else the provider's)")


class PartRequest(Strict):
    name: Name
    compatible_skus: list[Identifier] = Field(default_factory=list, max_length=500)
    unit_cost: Money
    return_removed: StrictBool = Field(default=False, description="The removed part is to be sent back")


class DispatchRequest(Strict):
    ticket_id: Identifier
    skill: label(64, min_length=1) | None = None


class DeclineRequest(Strict):
    reason: Reason


class Window(Strict):
    start: AwareDatetime
    end: AwareDatetime

    def domain(self) -> JobWindow:
        if self.end <= self.start:
            raise InvalidRequest("repairs.window_in_past", field="window.end")
        return JobWindow(start=self.start, end=self.end)


class BookingRequest(Strict):
    window: Window
    technician_id: Identifier | None = None


class RescheduleRequest(BookingRequest):
    reason: Reason


class OnTheWayRequest(Strict):
    eta: AwareDatetime | None = Field(default=None, description="When the technician expects to arrive")
    technician_id: Identifier | None = None


class CheckInRequest(Strict):
    location: Location | None = None
    media_ids: list[Identifier] = Field(default_factory=list, max_length=MAX_MEDIA,
                                        description="Photos of the visit (media ids)")
    technician_id: Identifier | None = None


class VisitPhotoRequest(Strict):
    content_type: str = Field(min_length=1, max_length=100, examples=["image/jpeg"],
                              description="image/jpeg, image/png, image/webp or image/heic")
    size: StrictInt = Field(ge=1, le=2**40, description="The photo's size in bytes (checked against its type's limit)")
    redirect: Annotated[str, Field(max_length=2048, pattern=r"^https?://[^\s]+$")] | None = Field(
        default=None, description="Where S3 sends the browser after a plain HTML form's upload (the page's own URL)")


class DiagnosisRequest(Strict):
    fault_code: Identifier
    coverage: Coverage
    labour: Money
    parts_estimate: Money
    note: free_text(1000) | None = None


class PartUseRequest(Strict):
    part_number: Identifier
    quantity: StrictInt = Field(default=1, ge=1, le=100)
    serial: Identifier | None = None
    batch: Identifier | None = None
    removed_serial: Identifier | None = Field(default=None, description="The serial of the part taken out")


class OutcomeRequest(Strict):
    note: free_text(1000) | None = None


class NotRepairableRequest(Strict):
    reason: Reason


class QuoteDecision(Strict):
    decision: Literal["approve", "reject"]


class ConfirmationRequest(Strict):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="The customer's one-time code")]


# ---------------------------------------------------------------------- views
def _etag(job: Job) -> dict[str, str]:
    return {"ETag": f'"{job.version}"'}


def _job(job: Job, who: JobActor, status: int = 200) -> Response:
    return json_response(status, {**job_view(job, who), **_deadlines([job], who).get(job.job_id, {})}, _etag(job))


def _deadlines(jobs: list[Job], who: JobActor) -> dict[str, dict]:
    """A provider's own deadlines on its jobs (accept, first visit, fix by), shown to the provider and
    to the technician of the job (a technician's key lists only its own jobs), nobody else."""
    if who.party not in (Party.PROVIDER, Party.TECHNICIAN) or not jobs:
        return {}
    found = services().repair_deadlines.for_provider(request.tenant(), jobs)
    return {job_id: {"deadlines": times} for job_id, times in found.items()}


def _provider(provider: Provider) -> dict:
    return provider.model_dump(mode="json", exclude={"tenant_id"})


def _technician(technician: Technician) -> dict:
    return technician.model_dump(mode="json", exclude={"tenant_id"})


def _part(part: Part) -> dict:
    return part.model_dump(mode="json", exclude={"tenant_id"})


def _trace(trace: PartTrace) -> dict:
    return {k: v for k, v in vars(trace).items() if k != "tenant_id"}


def _merchant() -> JobActor:
    request.require(*STAFF)
    return actor()


# ---------------------------------------------------------------------- the merchant's side
@router.post("/repairs/providers", tags=["repairs"], status_code=201,
             summary="Register a repair provider: regions, brands, skills, capacity (supervisor, admin)")
def register_provider(body: ProviderRequest) -> Response[dict]:
    request.require(*MANAGERS)
    return request.idempotent_post(201, lambda: _provider(services().repairs.registry.register(
        request.tenant(), name=body.name, regions=body.regions, brands=body.brands, skills=body.skills,
        capacity=body.capacity)))


@router.get("/repairs/providers", tags=["repairs"], summary="The tenant's repair providers (staff)")
def list_providers() -> dict:
    _merchant()
    return {"items": [_provider(p) for p in services().repairs.registry.providers(request.tenant())]}


@router.get("/repairs/providers/<provider_id>", tags=["repairs"], summary="A repair provider (staff)")
def get_provider(provider_id: ProviderId) -> dict:
    _merchant()
    return _provider(services().repairs.registry.provider(request.tenant(), provider_id))


@router.patch("/repairs/providers/<provider_id>", tags=["repairs"],
              summary="Change a provider's rules, capacity or activity (supervisor, admin)")
def update_provider(provider_id: ProviderId, body: ProviderUpdate) -> dict:
    request.require(*MANAGERS)
    return _provider(services().repairs.registry.update(request.tenant(), provider_id, **body.model_dump()))


@router.post("/repairs/providers/<provider_id>/api-keys", tags=["repairs"], status_code=201,
             summary="Issue the provider's API key: only the jobs offered to this provider (admin; shown once)")
def issue_provider_key(provider_id: ProviderId, body: KeyRequest) -> Response[dict]:
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    by = request.principal().subject_id
    issued = services().repairs.registry.issue_key(request.tenant(), provider_id, body.name, by=by)
    return json_response(201, {"api_key": issued.api_key, "key_id": issued.key_id, "provider_id": provider_id})


def _key_manager() -> JobActor:
    """Who issues and revokes a technician's key: the provider's own key (its technicians only, the
    registry checks), or the merchant's admins (staff, or an admin key) as for provider keys."""
    p = request.principal()
    if ApiKeyScope.REPAIR_PROVIDER in p.scopes:
        return actor()
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))
    return JobActor(party=Party.MERCHANT, id=p.subject_id, request_id=request.event.request_context.request_id)


@router.post("/repairs/providers/<provider_id>/technicians/<technician_id>/api-keys", tags=["repairs"],
             status_code=201,
             summary="Issue a technician's own API key: the field steps of the provider's jobs assigned to that "
                     "technician only (admin, or the provider's key for its technicians; shown once)")
def issue_technician_key(provider_id: ProviderId, technician_id: TechnicianId, body: KeyRequest) -> Response[dict]:
    by = _key_manager()
    issued = services().repairs.registry.issue_technician_key(request.tenant(), provider_id, technician_id,
                                                              body.name, by=by)
    return json_response(201, {"api_key": issued.api_key, "key_id": issued.key_id, "provider_id": provider_id,
                               "technician_id": technician_id}, NO_STORE)


@router.post("/repairs/providers/<provider_id>/technicians/<technician_id>/api-keys/<key_id>/revocation",
             tags=["repairs"],
             summary="Revoke a technician's key: it stops working at once (admin, or the provider's key)")
def revoke_technician_key(provider_id: ProviderId, technician_id: TechnicianId,
                          key_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9]+$")]) -> dict:
    by = _key_manager()
    services().repairs.registry.revoke_technician_key(request.tenant(), provider_id, technician_id, key_id, by=by)
    return {"key_id": key_id, "provider_id": provider_id, "technician_id": technician_id, "status": "revoked"}


@router.put("/repairs/providers/<provider_id>/technicians/<technician_id>", tags=["repairs"],
            summary="Add or change a provider's technician (supervisor, admin)")
def put_technician(provider_id: ProviderId, technician_id: TechnicianId, body: TechnicianRequest) -> dict:
    request.require(*MANAGERS)
    return _technician(services().repairs.registry.put_technician(
        request.tenant(), provider_id, technician_id=technician_id, name=body.name, skills=body.skills,
        regions=body.regions, active=body.active,
        availability=body.availability.model_dump(mode="json") if body.availability else None))


@router.get("/repairs/providers/<provider_id>/technicians", tags=["repairs"],
            summary="A provider's technicians (staff)")
def list_technicians(provider_id: ProviderId) -> dict:
    _merchant()
    return {"items": [_technician(t) for t in services().repairs.registry.technicians(request.tenant(), provider_id)]}


@router.put("/repairs/parts/<part_number>", tags=["repairs"],
            summary="Add or change a catalogue part: the SKUs it fits, its unit cost (supervisor, admin)")
def put_part(part_number: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")],
             body: PartRequest) -> dict:
    request.require(*MANAGERS)
    return _part(services().repairs.registry.put_part(request.tenant(), part_number=part_number, **dict(body)))


@router.get("/repairs/parts", tags=["repairs"],
            summary="The parts catalogue (staff, and providers' and technicians' keys)")
def list_parts() -> dict:
    if actor().party not in (Party.MERCHANT, Party.PROVIDER, Party.TECHNICIAN):
        raise Forbidden("error.role_not_permitted")
    return {"items": [_part(p) for p in services().repairs.registry.parts(request.tenant())]}


@router.get("/repairs/serials/<serial>", tags=["repairs"],
            summary="Which job, ticket and customer a serial number went into or came out of (staff)")
def serial_lookup(serial: Annotated[str, Path(min_length=1, max_length=128)]) -> dict:
    _merchant()
    return {"serial": serial, "items": [_trace(t) for t in services().repairs.by_serial(request.tenant(), serial)]}


@router.get("/repairs/batches/<batch>", tags=["repairs"], summary="The customers who got parts of a batch (staff)")
def batch_lookup(batch: Annotated[str, Path(min_length=1, max_length=128)],
                 limit: Annotated[int, Query(ge=1, le=100)] = 50,
                 cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    _merchant()
    listing = request.listing("repair-batch", batch)
    page = services().repairs.by_batch(request.tenant(), batch, limit=limit, cursor=listing.position(cursor))
    return {"batch": batch, "items": [_trace(t) for t in page.items], "next_cursor": listing.cursor(page.cursor)}


@router.post("/repairs/dispatches", tags=["repairs"],
             summary="Offer a dispatched repair ticket to the first eligible provider, or answer its open job; "
                     "job null when nobody is left (supervisor, admin)")
def dispatch(body: DispatchRequest) -> Response[dict]:
    request.require(*MANAGERS)
    job = services().repairs.dispatch(request.tenant(), body.ticket_id, skill=body.skill)
    return json_response(200, {"ticket_id": body.ticket_id, "job": job_view(job, actor()) if job else None})


@router.get("/tickets/<ticket_id>/repair-jobs", tags=["repairs"],
            summary="A repair ticket's jobs, one per provider offered (staff, finance included; the customer "
                    "their own)")
def ticket_jobs(ticket_id: Annotated[str, Path(min_length=1, max_length=128)]) -> dict:
    who = job_reader(request.principal(), request.event.request_context.request_id)
    if who.party in (Party.PROVIDER, Party.TECHNICIAN):
        raise Forbidden("error.role_not_permitted")
    return {"items": [job_view(j, who) for j in services().repairs.for_ticket(request.tenant(), ticket_id, who)]}


# ---------------------------------------------------------------------- jobs (every party, as the job allows)
@router.get("/repairs/jobs", tags=["repairs"],
            summary="A provider's jobs, open ones first (its key: its own; a technician's key: those assigned "
                    "to it; staff name the provider)")
def list_jobs(provider_id: Annotated[str | None, Query(max_length=128)] = None,
              state: Annotated[Literal["open", "all"], Query()] = "open",
              limit: Annotated[int, Query(ge=1, le=100)] = 50,
              cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    who = actor()
    if who.party not in (Party.PROVIDER, Party.TECHNICIAN, Party.MERCHANT):
        raise Forbidden("error.role_not_permitted")
    if who.party == Party.MERCHANT and not provider_id:
        raise InvalidRequest("error.field_required", field="query.provider_id")
    listing = request.listing("repair-jobs", who.provider_id or provider_id, state)
    page = services().repairs.provider_jobs(request.tenant(), who, provider_id=provider_id, open_only=state == "open",
                                            limit=limit, cursor=listing.position(cursor))
    deadlines = _deadlines(page.items, who)
    return {"items": [{**job_view(j, who), **deadlines.get(j.job_id, {})} for j in page.items],
            "next_cursor": listing.cursor(page.cursor)}


@router.get("/repairs/jobs/<job_id>", tags=["repairs"],
            summary="A repair job as its provider, customer or merchant sees it")
def get_job(job_id: JobId) -> Response[dict]:
    who = actor()
    return _job(services().repairs.job(request.tenant(), job_id, who), who)


def _act(job_id: str, step: str, **kwargs: object) -> Response[dict]:
    who, expected = actor(), request.if_match()
    use_case = getattr(services().repairs, step)
    return request.idempotent_post(200, lambda: job_view(use_case(request.tenant(), job_id, who,
                                                                  expected_version=expected, **kwargs), who))


@router.post("/repairs/jobs/<job_id>/accept", tags=["repairs"],
             summary="The provider takes the job (its provider key; not a technician's)")
def accept(job_id: JobId) -> Response[dict]:
    return _act(job_id, "accept")


@router.post("/repairs/jobs/<job_id>/decline", tags=["repairs"],
             summary="The provider declines; the next eligible provider is offered the ticket (its provider key)")
def decline(job_id: JobId, body: DeclineRequest) -> Response[dict]:
    who, expected = actor(), request.if_match()

    def compute() -> dict:
        declined, nxt = services().repairs.decline(request.tenant(), job_id, who, reason=body.reason,
                                                   expected_version=expected)
        return {**job_view(declined, who), "offered_to_next": nxt is not None}

    return request.idempotent_post(200, compute)


@router.post("/repairs/jobs/<job_id>/appointment", tags=["repairs"],
             summary="Book the visit: the window agreed with the customer, optionally the technician (the provider's "
                     "key: who the technician is is the provider's decision)")
def book(job_id: JobId, body: BookingRequest) -> Response[dict]:
    return _act(job_id, "book", window=body.window.domain(), technician_id=body.technician_id)


@router.post("/repairs/jobs/<job_id>/appointment/reschedule", tags=["repairs"],
             summary="Move the visit to another window, with the reason (the provider's key)")
def reschedule(job_id: JobId, body: RescheduleRequest) -> Response[dict]:
    return _act(job_id, "reschedule", window=body.window.domain(), reason=body.reason,
                technician_id=body.technician_id)


@router.post("/repairs/jobs/<job_id>/on-the-way", tags=["repairs"],
             summary="The technician set off for the booked visit (the customer is told), optionally an ETA "
                     "(the provider's key, or the job's technician's naming only itself)")
def on_the_way(job_id: JobId, body: OnTheWayRequest) -> Response[dict]:
    return _act(job_id, "on_the_way", eta=body.eta, technician_id=body.technician_id)


@router.post("/repairs/jobs/<job_id>/check-in", tags=["repairs"],
             summary="The technician is there: the time, optionally where, and photos (ids of this job's visit "
                     "photos, once checked); the provider's key or the job's technician's")
def check_in(job_id: JobId, body: CheckInRequest) -> Response[dict]:
    return _act(job_id, "check_in", location=body.location, media_ids=body.media_ids,
                technician_id=body.technician_id)


@router.post("/repairs/jobs/<job_id>/photos", tags=["repairs"], status_code=201,
             summary="A photo of the visit for the check-in: a presigned S3 POST (policy pins type and size); "
                     "the check-in names its media id")
def visit_photo(job_id: JobId, body: VisitPhotoRequest) -> Response[dict]:
    who = actor()

    def compute() -> dict:
        grant = services().visit_photos.grant(request.tenant(), job_id, who, content_type=body.content_type,
                                              size=body.size, redirect=body.redirect)
        return {"media_id": grant.media_id,
                "upload": {"url": grant.url, "fields": grant.fields, "expires_in": grant.expires_in, "method": "POST"}}

    return request.idempotent_post(201, compute)


@router.post("/repairs/jobs/<job_id>/diagnosis", tags=["repairs"],
             summary="The fault, warranty or paid, and the quote (a paid quote waits for the customer); the "
                     "provider's key or the job's technician's")
def diagnose(job_id: JobId, body: DiagnosisRequest) -> Response[dict]:
    return _act(job_id, "diagnose", fault_code=body.fault_code, coverage=body.coverage, labour=body.labour,
                parts_estimate=body.parts_estimate, note=body.note)


@router.post("/repairs/jobs/<job_id>/parts", tags=["repairs"],
             summary="A part fitted: part number, serial and batch, the serial of the part removed (the provider's "
                     "key or the job's technician's)")
def record_part(job_id: JobId, body: PartUseRequest) -> Response[dict]:
    return _act(job_id, "record_part", **body.model_dump())


@router.post("/repairs/jobs/<job_id>/repaired", tags=["repairs"],
             summary="Repaired: the customer is sent a one-time code to confirm with (the provider's key or the "
                     "job's technician's)")
def repaired(job_id: JobId, body: OutcomeRequest) -> Response[dict]:
    return _act(job_id, "repaired", note=body.note)


@router.post("/repairs/jobs/<job_id>/not-repairable", tags=["repairs"],
             summary="Cannot be repaired, with the reason (the ticket goes to the merchant's replacement or refund; "
                     "the provider's key or the job's technician's)")
def not_repairable(job_id: JobId, body: NotRepairableRequest) -> Response[dict]:
    return _act(job_id, "not_repairable", reason=body.reason)


@router.post("/repairs/jobs/<job_id>/quote", tags=["repairs"], summary="The customer approves or rejects the quote")
def decide_quote(job_id: JobId, body: QuoteDecision) -> Response[dict]:
    return _act(job_id, "decide_quote", approve=body.decision == "approve")


@router.post("/repairs/jobs/<job_id>/confirmation", tags=["repairs"],
             summary="The customer's one-time code (the customer, or the provider's or the job's technician's key "
                     "it was read out to)")
def confirm(job_id: JobId, body: ConfirmationRequest) -> Response[dict]:
    who = actor()
    job = services().repairs.confirm(request.tenant(), job_id, who, code=body.code)
    return _job(job, who)


@router.post("/repairs/jobs/<job_id>/close", tags=["repairs"],
             summary="Close a confirmed job (the provider's key or the merchant; not a technician's)")
def close(job_id: JobId) -> Response[dict]:
    return _act(job_id, "close")

