"""Photos of a repair visit: an upload grant for the check-in, asked for by whoever may check in.

A provider's key has no ticket role, so it cannot upload through the media context's own route; the
job vouches for it instead. The photo is an ordinary media item (purpose `repair_visit`), checked
like every upload before anyone sees it; the item keeps its job, and only that job's check-in may
name its id, once the check has passed it (VisitPhotoChecks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aftersales.core.errors import IllegalTransition
from aftersales.repairs import domain
from aftersales.repairs.model import Job, JobActor, JobStatus

CHECK_IN = "repair.checked_in"  # the move whose photos these are

@dataclass(frozen=True)
class VisitPhotoGrant:
    """A browser form post for one photo: POST `fields` (then the file) to `url`; `media_id` is
    what the check-in names."""

    media_id: str
    url: str
    fields: dict[str, str]
    expires_in: int


class VisitPhotos(Protocol):
    """The media context (aftersales.media.service.MediaService.request_visit_photo)."""

    def grant(self, tenant_id: str, *, job_id: str, uploaded_by: str, content_type: str, size: int,
              redirect: str | None) -> VisitPhotoGrant:
        """A pending `repair_visit` item kept for `job_id`: only that job's check-in may name it."""


class Jobs(Protocol):
    """The repairs service's read of a job as `actor` sees it (NotFound for a job not theirs)."""

    def job(self, tenant_id: str, job_id: str, actor: JobActor) -> Job: ...


class VisitPhotoUploads:
    def __init__(self, jobs: Jobs, photos: VisitPhotos) -> None:
        self._jobs = jobs
        self._photos = photos

    def grant(self, tenant_id: str, job_id: str, actor: JobActor, *, content_type: str, size: int,
              redirect: str | None = None) -> VisitPhotoGrant:
        """Only while the job's next move is the check-in and this actor may take it (the job's
        transition table decides); another provider's job is a 404 as everywhere."""
        job = self._jobs.job(tenant_id, job_id, actor)
        moves = domain.allowed(job, actor)
        if not any(m["event"] == CHECK_IN and m["permitted"] for m in moves):
            raise IllegalTransition("repairs.illegal_transition", status=job.status.value,
                                    to=JobStatus.CHECKED_IN.value, allowed=moves)
        return self._photos.grant(tenant_id, job_id=job.job_id, uploaded_by=actor.id, content_type=content_type,
                                  size=size, redirect=redirect)
