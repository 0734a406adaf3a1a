"""Photos of a repair visit on in-memory fakes: the job's provider gets an upload grant for a photo
while the visit is booked (a pending `repair_visit` media item, its policy pinned to the type, S3's
redirect back to the page), names it in the check-in; before the booking, after the check-in, for
another provider's job or through the media context's own upload route it is refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.errors import Forbidden, IllegalTransition, InvalidRequest, NotFound
from aftersales.media.model import LIMITS, MediaStatus, MediaType, Purpose, Screening
from aftersales.media.service import MediaService
from aftersales.repairs.model import JobStatus
from aftersales.repairs.photos import VisitPhotoUploads
from aftersales.wiring.bridges import LazyVisitPhotos
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.media_files import image_bytes
from tests.support.repairs import TENANT, RepairRig, provider_actor, window
from tests.support.ticket_factories import AGENT

PAGE = "https://workbench.example.com/workbench/provider.html?photo=1"


class PhotoRig(RepairRig):
    def __init__(self) -> None:
        super().__init__()
        self.media_store, self.objects = InMemoryMediaStore(), InMemoryMediaObjects()
        self.media = MediaService(self.media_store, self.objects, PillowInspector(),
                                  ScriptedModeration(Screening.PASSED, ()), self.clock)
        self.photos = VisitPhotoUploads(self.repairs, LazyVisitPhotos(SimpleNamespace(media=self.media)))

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
    assert (item.purpose, item.status, item.customer_id, item.uploaded_by) == (
        Purpose.REPAIR_VISIT, MediaStatus.PENDING, None, actor.id)
    assert grant.fields["success_action_redirect"] == PAGE
    assert rig.objects.policies[item.upload_key] == ("image/jpeg", LIMITS[MediaType.JPEG].max_bytes)
    rig.objects.uploads[item.upload_key] = photo
    assert rig.media.check_upload(TENANT, grant.media_id, len(photo)) == "ready"  # checked like every upload
    job = rig.repairs.check_in(TENANT, job_id, actor, media_ids=[grant.media_id])
    assert job.status is JobStatus.CHECKED_IN and job.check_in.media_ids == [grant.media_id]


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
