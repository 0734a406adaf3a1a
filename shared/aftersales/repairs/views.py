"""Who acts on a repair job from a request's principal, and what each party sees of a job (the
repairs routers' shared answers)."""

from __future__ import annotations

from aftersales.auth.credentials import ApiKeyScope, Principal
from aftersales.core.errors import Forbidden
from aftersales.repairs import domain
from aftersales.repairs.model import Job, JobActor, ParcelDirection, Party
from aftersales.tickets.model import Role

MERCHANT_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.STOREFRONT})


def job_actor(p: Principal, request_id: str | None) -> JobActor:
    """A provider's key, a technician's key, the ticket's customer, or the merchant (staff, its
    storefront); else 403."""
    if ApiKeyScope.REPAIR_PROVIDER in p.scopes and p.provider_id:
        return JobActor(party=Party.PROVIDER, id=p.subject_id, provider_id=p.provider_id, request_id=request_id)
    if ApiKeyScope.REPAIR_TECHNICIAN in p.scopes and p.provider_id and p.technician_id:
        return JobActor(party=Party.TECHNICIAN, id=p.subject_id, provider_id=p.provider_id,
                        technician_id=p.technician_id, request_id=request_id)
    if p.kind == "customer" and p.customer_id:
        return JobActor(party=Party.CUSTOMER, id=p.subject_id, customer_id=p.customer_id, request_id=request_id)
    if p.roles & MERCHANT_ROLES:
        return JobActor(party=Party.MERCHANT, id=p.subject_id, request_id=request_id)
    raise Forbidden("error.role_not_permitted")


def job_reader(p: Principal, request_id: str | None) -> JobActor:
    """Who reads a ticket's jobs: whoever acts on them (job_actor), and finance, which settles their
    charges (repairs/charges.py) and reads them as the merchant does; no move of a job's table is finance's."""
    if Role.FINANCE in p.roles:
        return JobActor(party=Party.MERCHANT, id=p.subject_id, request_id=request_id)
    return job_actor(p, request_id)


def job_view(job: Job, who: JobActor) -> dict:
    """What a party sees of a job: a provider (and its technician) not the customer's id, the customer
    not the part returns; the merchant also its audit entries. Everyone sees whose job it is (technician_id)."""
    body = job.model_dump(mode="json", exclude={"entries", "head_hash", "confirmation", "tenant_id"})
    held = job.confirmation
    body["confirmation"] = None if held is None else {
        "issued_at": held.issued_at.isoformat(), "attempts": held.attempts,
        "confirmed_at": held.confirmed_at.isoformat() if held.confirmed_at else None}
    costs = job.costs()
    body["costs"] = {"parts": costs.parts.model_dump(), "labour": costs.labour.model_dump(),
                     "total": costs.total.model_dump(), "billable_to": costs.billable_to.value}
    body["part_returns_due"] = job.part_returns_due()
    body["technician_id"] = job.technician_id
    body["next"] = domain.allowed(job, who)
    if who.party in (Party.PROVIDER, Party.TECHNICIAN):
        body.pop("customer_id")
    if who.party == Party.CUSTOMER:  # a removed part going back to the merchant is not the customer's parcel
        body["parcels"] = [p for p in body["parcels"] if p["direction"] != ParcelDirection.PART_RETURN.value]
        body.pop("part_returns_due")
    if who.party == Party.MERCHANT:
        body["entries"] = [e.model_dump(mode="json") for e in job.entries]
    return body
