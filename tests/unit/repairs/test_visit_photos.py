"""Photos of a repair visit on in-memory fakes: the job's provider gets an upload grant for a photo
while the visit is booked (a pending `repair_visit` media item, its policy pinned to the type, S3's
redirect back to the page, kept for the job), names it in the check-in; before the booking, after the
check-in, for another provider's job or through the media context's own upload route it is refused.
The check-in names only the job's own photos once checked: another job's, another tenant's, an
unknown id, media of another purpose, a photo still being checked or rejected are 422 at
`media_ids[i]` and the job and its ticket stay as they were."""

from __future__ import annotations

import pytest

from aftersales.core.errors import Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.media.model import LIMITS, MediaStatus, MediaType, Purpose, upload_key
from aftersales.repairs.model import JobStatus
from tests.support.media_files import image_bytes
from tests.support.repairs import TENANT, RepairRig, provider_actor, window
from tests.support.ticket_factories import AGENT

PAGE = "https://workbench.example.com/workbench/provider.html?photo=1"


class PhotoRig(RepairRig):
    def accepted(self):
        provider_id = self.provider("Fixers CN", regions=["CN"], brands=["brewco"])
        job = self.repairs.dispatch(TENANT, self.ticket())
        actor = provider_actor(provider_id)
        self.repairs.accept(TENANT, job.job_id, actor)
        return job.job_id, actor


@pytest.fixture
def rig() -> PhotoRig:
    return PhotoRig()


def test_a_booked_visit_gets_a_photo_grant_whose_media_id_the_check_in_names(rig):
    job_id, actor = rig.accepted()
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    photo = image_bytes("JPEG", (320, 240))
    grant = rig.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=len(photo), redirect=PAGE)
    item = rig.media_store.get(TENANT, grant.media_id)
    assert (item.purpose, item.status, item.customer_id, item.uploaded_by, item.job_id) == (
        Purpose.REPAIR_VISIT, MediaStatus.PENDING, None, actor.id, job_id)
    assert grant.fields["success_action_redirect"] == PAGE
    assert rig.media_objects.policies[item.upload_key] == ("image/jpeg", LIMITS[MediaType.JPEG].max_bytes)
    rig.media_objects.uploads[item.upload_key] = photo
    assert rig.media.check_upload(TENANT, grant.media_id, len(photo)) == "ready"  # checked like every upload
    job = rig.repairs.check_in(TENANT, job_id, actor, media_ids=[grant.media_id])
    assert job.status is JobStatus.CHECKED_IN and job.check_in.media_ids == [grant.media_id]


def _checked(rig: PhotoRig, media_id: str, content: bytes) -> str:
    rig.media_objects.uploads[upload_key(TENANT, media_id)] = content
    return rig.media.check_upload(TENANT, media_id, len(content))


def test_the_check_in_names_only_the_checked_photos_granted_through_its_own_job(rig):
    job_id, actor = rig.accepted()
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    other_job = rig.repairs.dispatch(TENANT, rig.ticket()).job_id  # the same provider's next job
    rig.repairs.accept(TENANT, other_job, actor)
    rig.repairs.book(TENANT, other_job, actor, window=window(), technician_id=None)
    own = rig.photo(job_id, actor)
    photo = image_bytes("JPEG", (320, 240))
    elsewhere = rig.media.request_visit_photo("globex", job_id=job_id, uploaded_by=actor.id,
                                              content_type="image/jpeg", size=len(photo)).item.id
    inspection = rig.media.request_upload(TENANT, AGENT, purpose=Purpose.INSPECTION, content_type="image/jpeg",
                                          size=len(photo)).item.id
    assert _checked(rig, inspection, photo) == "ready"
    pending = rig.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=len(photo)).media_id
    rejected = rig.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=len(photo)).media_id
    assert _checked(rig, rejected, b"not a photo at all") == "rejected:unknown_type"
    refusals = {rig.photo(other_job, actor): ("media.unknown", {}),
                elsewhere: ("media.unknown", {}),  # another tenant's, granted for a job of the same id
                "med-made-up": ("media.unknown", {}),
                inspection: ("media.unknown", {}),  # the tenant's media of another purpose: as if absent
                pending: ("media.not_ready", {"status": "pending"}),  # still being checked
                rejected: ("media.not_ready", {"status": "rejected"})}
    job_before = rig.store.get_job(TENANT, job_id)
    chain_before = [e.hash for e in rig.tickets.audit(TENANT, job_before.ticket_id, AGENT)]
    events_before = list(rig.events.events)

    for named, (message_id, details) in refusals.items():
        with pytest.raises(InvalidRequest) as refused:
            rig.repairs.check_in(TENANT, job_id, actor, media_ids=[own, named])
        assert (refused.value.message_id, refused.value.details["field"]) == (message_id, "media_ids[1]"), named
        assert details.items() <= refused.value.details.items(), named

    assert rig.store.get_job(TENANT, job_id) == job_before
    assert [e.hash for e in rig.tickets.audit(TENANT, job_before.ticket_id, AGENT)] == chain_before
    assert rig.events.events == events_before
    job = rig.repairs.check_in(TENANT, job_id, actor, media_ids=[own, own])  # named twice: the same photo
    assert job.status is JobStatus.CHECKED_IN and job.check_in.media_ids == [own]


def test_no_grant_before_the_booking_after_the_check_in_or_for_another_providers_job(rig):
    job_id, actor = rig.accepted()
    with pytest.raises(IllegalTransition) as early:
        rig.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=1000)
    assert early.value.details["to"] == "checked_in" and early.value.details["status"] == "accepted"
    rig.repairs.book(TENANT, job_id, actor, window=window(), technician_id=None)
    stranger = provider_actor(rig.provider("Stranger"))
    with pytest.raises(NotFound):
        rig.photos.grant(TENANT, job_id, stranger, content_type="image/jpeg", size=1000)
    with pytest.raises(InvalidRequest) as wrong_type:
        rig.photos.grant(TENANT, job_id, actor, content_type="image/gif", size=1000)
    assert wrong_type.value.details["field"] == "content_type"
    rig.repairs.check_in(TENANT, job_id, actor)
    with pytest.raises(IllegalTransition):
        rig.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=1000)
    assert len(rig.media_store) == 0


def test_the_media_route_grants_no_visit_photo_without_its_job(rig):
    with pytest.raises(Forbidden):
        rig.media.request_upload(TENANT, AGENT, purpose=Purpose.REPAIR_VISIT, content_type="image/jpeg", size=1000)
