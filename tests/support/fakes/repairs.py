"""In-memory fakes of the repairs context's ports, with the DynamoDB adapter's conditions: a job
is created once per (ticket, attempt), saved only over the version read; consumed parts are
indexed by serial (fitted and removed) and by batch."""

from __future__ import annotations

from aftersales.core.clock import iso
from aftersales.core.errors import ConcurrentModification, Conflict, NotFound
from aftersales.repairs.model import Job, Part, Provider, Technician
from aftersales.repairs.ports import IssuedProviderKey, JobPage, PartTrace, TracePage


def traces(job: Job) -> list[PartTrace]:
    return [PartTrace(tenant_id=job.tenant_id, job_id=job.job_id, ticket_id=job.ticket_id,
                      customer_id=job.customer_id, provider_id=job.provider_id, part_number=u.part_number,
                      serial=u.serial, batch=u.batch, removed_serial=u.removed_serial, recorded_at=iso(u.recorded_at))
            for u in job.parts]


class InMemoryRepairStore:
    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], Job] = {}
        self.provider_docs: dict[tuple[str, str], Provider] = {}
        self.technician_docs: dict[tuple[str, str, str], Technician] = {}
        self.part_docs: dict[tuple[str, str], Part] = {}
        self.reads = 0

    def __len__(self) -> int:
        return len(self.jobs)

    def __contains__(self, job_id: object) -> bool:
        return any(key[1] == job_id for key in self.jobs)

    # ------------------------------------------------------------------ jobs
    def create_job(self, job: Job) -> None:
        if any(j.tenant_id == job.tenant_id and j.ticket_id == job.ticket_id and j.attempt == job.attempt
               for j in self.jobs.values()) or (job.tenant_id, job.job_id) in self.jobs:
            raise Conflict("repairs.already_offered", ticket_id=job.ticket_id)
        self.jobs[(job.tenant_id, job.job_id)] = job.model_copy(deep=True)

    def save_job(self, job: Job, expected_version: int) -> None:
        stored = self.jobs.get((job.tenant_id, job.job_id))
        if stored is None or stored.version != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        self.jobs[(job.tenant_id, job.job_id)] = job.model_copy(deep=True)

    def get_job(self, tenant_id: str, job_id: str) -> Job | None:
        self.reads += 1
        job = self.jobs.get((tenant_id, job_id))
        return job.model_copy(deep=True) if job else None

    def jobs_for_ticket(self, tenant_id: str, ticket_id: str) -> list[Job]:
        return sorted((j for (t, _), j in self.jobs.items() if t == tenant_id and j.ticket_id == ticket_id),
                      key=lambda j: j.attempt)

    def jobs_for_provider(self, tenant_id: str, provider_id: str, *, open_only: bool, limit: int,
                          cursor: str | None) -> JobPage:
        jobs = sorted((j for (t, _), j in self.jobs.items() if t == tenant_id and j.provider_id == provider_id
                       and (j.is_open or not open_only)), key=lambda j: j.job_id, reverse=True)
        if cursor:
            jobs = [j for j in jobs if j.job_id < cursor]
        page = jobs[:limit]
        return JobPage(page, page[-1].job_id if len(jobs) > limit else None)

    def jobs_for_technician(self, tenant_id: str, provider_id: str, technician_id: str, *, open_only: bool,
                            limit: int, cursor: str | None) -> JobPage:
        page = self.jobs_for_provider(tenant_id, provider_id, open_only=open_only, limit=len(self.jobs) + 1,
                                      cursor=cursor)
        mine = [j for j in page.items if j.technician_id == technician_id]
        return JobPage(mine[:limit], mine[limit - 1].job_id if len(mine) > limit else None)

    def open_jobs(self, tenant_id: str, provider_id: str) -> int:
        return sum(1 for (t, _), j in self.jobs.items()
                   if t == tenant_id and j.provider_id == provider_id and j.is_open)

    def by_serial(self, tenant_id: str, serial: str) -> list[PartTrace]:
        return [tr for (t, _), j in self.jobs.items() if t == tenant_id for tr in traces(j)
                if serial in (tr.serial, tr.removed_serial)]

    def by_batch(self, tenant_id: str, batch: str, *, limit: int, cursor: str | None) -> TracePage:
        found = sorted((tr for (t, _), j in self.jobs.items() if t == tenant_id
                        for tr in traces(j) if tr.batch == batch), key=lambda tr: (tr.job_id, tr.recorded_at))
        start = int(cursor or 0)
        page = found[start:start + limit]
        return TracePage(page, str(start + limit) if start + limit < len(found) else None)

    # ------------------------------------------------------------------ registry
    def put_provider(self, provider: Provider) -> None:
        self.provider_docs[(provider.tenant_id, provider.provider_id)] = provider

    def get_provider(self, tenant_id: str, provider_id: str) -> Provider | None:
        return self.provider_docs.get((tenant_id, provider_id))

    def providers(self, tenant_id: str) -> list[Provider]:
        return sorted((p for (t, _), p in self.provider_docs.items() if t == tenant_id), key=lambda p: p.provider_id)

    def put_technician(self, technician: Technician) -> None:
        key = (technician.tenant_id, technician.provider_id, technician.technician_id)
        self.technician_docs[key] = technician

    def get_technician(self, tenant_id: str, provider_id: str, technician_id: str) -> Technician | None:
        return self.technician_docs.get((tenant_id, provider_id, technician_id))

    def technicians(self, tenant_id: str, provider_id: str) -> list[Technician]:
        return [t for (tid, pid, _), t in sorted(self.technician_docs.items())
                if tid == tenant_id and pid == provider_id]

    def put_part(self, part: Part) -> None:
        self.part_docs[(part.tenant_id, part.part_number)] = part

    def get_part(self, tenant_id: str, part_number: str) -> Part | None:
        return self.part_docs.get((tenant_id, part_number))

    def parts(self, tenant_id: str) -> list[Part]:
        return [p for (t, _), p in sorted(self.part_docs.items()) if t == tenant_id]


class IssuedKeys:
    """Records the provider and technician keys asked for and revoked (the tenants context issues real ones)."""

    def __init__(self) -> None:
        self.issued: list[IssuedProviderKey] = []
        self.revoked: list[str] = []

    def __len__(self) -> int:
        return len(self.issued)

    def __contains__(self, provider_id: object) -> bool:
        return any(k.provider_id == provider_id for k in self.issued)

    def issue_provider_key(self, tenant_id: str, provider_id: str, name: str, *, by: str) -> IssuedProviderKey:
        key = IssuedProviderKey(api_key=f"ak_k{len(self.issued)}_secret", key_id=f"k{len(self.issued)}",
                                provider_id=provider_id)
        self.issued.append(key)
        return key

    def issue_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, name: str, *,
                             by: str) -> IssuedProviderKey:
        key = IssuedProviderKey(api_key=f"ak_k{len(self.issued)}_secret", key_id=f"k{len(self.issued)}",
                                provider_id=provider_id, technician_id=technician_id)
        self.issued.append(key)
        return key

    def revoke_technician_key(self, tenant_id: str, provider_id: str, technician_id: str, key_id: str, *,
                              by: str) -> None:
        if not any((k.key_id, k.provider_id, k.technician_id) == (key_id, provider_id, technician_id)
                   for k in self.issued):
            raise NotFound("error.api_key_not_found", key_id=key_id)
        self.revoked.append(key_id)
