"""MediaService on in-memory ports (store, bucket, scripted moderation) with the real decoder:
an upload is granted pending with its policy, the check marks it ready (checked copy without the
location, upload gone) or rejected with a reason, a redelivery changes nothing, only a ready item
gets a URL, tickets take only the customer's ready evidence, and near-duplicates are found across
customers through the hash buckets."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest, NotFound
from aftersales.eligibility.checks import Outcome, evaluate
from aftersales.eligibility.defaults import default_rules
from aftersales.media.model import LIMITS, MediaStatus, MediaType, Purpose, Rejection, Screening
from aftersales.media.service import MediaService
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.media_files import image_bytes, mp4_bytes, photo_like
from tests.support.ticket_factories import AGENT, CUSTOMER, STOREFRONT, actor, order

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
OTHER = actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2")


class Rig:
    def __init__(self, screening: Screening = Screening.PASSED) -> None:
        ids = count(1)
        self.store, self.objects = InMemoryMediaStore(), InMemoryMediaObjects()
        self.moderation = ScriptedModeration(screening, ("Explicit",) if screening is Screening.FLAGGED else ())
        self.service = MediaService(self.store, self.objects, PillowInspector(), self.moderation, FixedClock(NOW),
                                    id_factory=lambda: f"med_{next(ids)}")

    def upload(self, content: bytes, kind: MediaType = MediaType.JPEG, who=CUSTOMER, **kwargs) -> str:
        grant = self.service.request_upload("acme", who, purpose=kwargs.pop("purpose", Purpose.TICKET_EVIDENCE),
                                            content_type=kind.value, size=len(content), **kwargs)
        self.objects.uploads[grant.item.upload_key] = content
        return grant.item.id

    def checked(self, content: bytes, kind: MediaType = MediaType.JPEG, who=CUSTOMER, **kwargs) -> str:
        media_id = self.upload(content, kind, who, **kwargs)
        self.service.check_upload("acme", media_id, len(content))
        return media_id


def test_a_grant_records_a_pending_item_and_a_policy_for_its_type_and_limit():
    rig = Rig()
    grant = rig.service.request_upload("acme", CUSTOMER, purpose=Purpose.TICKET_EVIDENCE, content_type="image/heic",
                                       size=2048)
    assert grant.item.status is MediaStatus.PENDING and grant.item.id in rig.store
    assert grant.item.upload_key == "uploads/acme/med_1"
    assert rig.objects.policies["uploads/acme/med_1"] == ("image/heic", LIMITS[MediaType.HEIC].max_bytes)


def test_an_unknown_type_is_refused_before_anything_is_recorded():
    rig = Rig()
    with pytest.raises(InvalidRequest):
        rig.service.request_upload("acme", CUSTOMER, purpose=Purpose.REVIEW, content_type="image/gif", size=10)
    assert len(rig.store) == 0 and not rig.objects.policies


def test_a_checked_photo_is_ready_without_its_location_and_the_upload_is_gone():
    rig = Rig()
    media_id = rig.upload(image_bytes("JPEG", gps=True))
    assert rig.service.check_upload("acme", media_id, 10_000) == "ready"
    item = rig.store.get("acme", media_id)
    assert item.status is MediaStatus.READY and item.metadata.gps_removed
    assert (item.metadata.width, item.metadata.height) == (64, 48) and item.metadata.screening is Screening.PASSED
    clean, content_type = rig.objects.checked[item.object_key]
    assert content_type == "image/jpeg" and b"GPS" not in clean
    assert item.upload_key not in rig.objects.uploads


def test_a_heic_photo_is_kept_as_a_jpeg_copy():
    rig = Rig()
    item = rig.store.get("acme", rig.checked(image_bytes("HEIF", gps=True), MediaType.HEIC))
    assert item.status is MediaStatus.READY and item.metadata.stored_type is MediaType.JPEG
    clean, content_type = rig.objects.checked[item.object_key]
    assert content_type == "image/jpeg" and clean[:3] == b"\xff\xd8\xff"


def test_a_video_is_ready_as_uploaded_and_marked_not_screened():
    rig = Rig()
    media_id = rig.checked(mp4_bytes(30), MediaType.MP4)
    item = rig.store.get("acme", media_id)
    assert item.status is MediaStatus.READY and item.metadata.duration_s == 30
    assert item.metadata.screening is Screening.NOT_SCREENED
    assert rig.objects.checked[item.object_key][0] == mp4_bytes(30)


@pytest.mark.parametrize(("content", "declared", "reason"), [
    (image_bytes("JPEG"), MediaType.PNG, Rejection.TYPE_MISMATCH),
    (b"GIF89a" + b"\0" * 100, MediaType.PNG, Rejection.UNKNOWN_TYPE),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, MediaType.PNG, Rejection.UNDECODABLE),
    (mp4_bytes(LIMITS[MediaType.MP4].max_duration_s + 1), MediaType.MP4, Rejection.DURATION_EXCEEDED),
])
def test_a_bad_upload_is_rejected_with_its_reason_and_nothing_is_kept(content, declared, reason):
    rig = Rig()
    media_id = rig.checked(content, declared)
    item = rig.store.get("acme", media_id)
    assert (item.status, item.reason) == (MediaStatus.REJECTED, reason)
    assert len(rig.objects) == 0 and not rig.objects.uploads


def test_a_file_larger_than_its_type_allows_is_rejected_from_the_event_without_reading_it():
    rig = Rig()
    media_id = rig.upload(image_bytes("PNG"), MediaType.PNG)
    rig.objects.uploads["uploads/acme/" + media_id] = b""  # were it read, it would look empty
    assert rig.service.check_upload("acme", media_id, LIMITS[MediaType.PNG].max_bytes + 1) == "rejected:too_large"


def test_a_flagged_image_is_rejected_and_moderation_saw_it():
    rig = Rig(Screening.FLAGGED)
    media_id = rig.checked(image_bytes("WEBP"), MediaType.WEBP)
    item = rig.store.get("acme", media_id)
    assert item.reason is Rejection.MODERATION_FLAGGED and item.metadata.moderation_labels == ("Explicit",)
    assert len(rig.moderation) == 1 and MediaType.WEBP in rig.moderation


def test_a_redelivered_event_changes_nothing_and_an_unknown_upload_is_discarded():
    rig = Rig()
    media_id = rig.checked(image_bytes("PNG"), MediaType.PNG)
    before = rig.store.get("acme", media_id)
    assert rig.service.check_upload("acme", media_id, 500) == "already_checked"
    assert rig.store.get("acme", media_id) == before
    rig.objects.uploads["uploads/acme/med_999"] = b"stray"
    assert rig.service.check_upload("acme", "med_999", 5) == "unknown"
    assert "uploads/acme/med_999" not in rig.objects.uploads


def test_only_a_ready_item_gets_a_url_and_only_its_customer_or_staff_see_it():
    rig = Rig()
    pending = rig.upload(image_bytes("PNG"), MediaType.PNG)
    shown = rig.service.get("acme", pending, CUSTOMER)
    assert shown.item.status is MediaStatus.PENDING and shown.url is None
    rig.service.check_upload("acme", pending, 500)
    ready = rig.service.get("acme", pending, CUSTOMER)
    assert ready.url.endswith("media/acme/med_1?expires=300") and ready.expires_in == 300
    assert rig.service.get("acme", pending, AGENT).url and rig.service.get("acme", pending, STOREFRONT).url
    with pytest.raises(NotFound):
        rig.service.get("acme", pending, OTHER)
    with pytest.raises(NotFound):
        rig.service.get("other-tenant", pending, AGENT)
    rejected = rig.checked(b"not an image at all", MediaType.PNG)
    assert rig.service.get("acme", rejected, CUSTOMER).url is None


def test_near_duplicates_are_found_across_customers_through_the_buckets():
    rig = Rig()
    mine = rig.checked(photo_like(1), MediaType.PNG)
    recompressed = rig.checked(photo_like(1, fmt="JPEG"), MediaType.JPEG, who=OTHER)
    rig.checked(photo_like(1), MediaType.PNG)  # the same customer again: not a signal
    rig.checked(photo_like(2), MediaType.PNG, who=OTHER)  # another picture
    found = rig.service.near_duplicates("acme", mine)
    assert [(d.media_id, d.customer_id) for d in found] == [(recompressed, "cust-2")]
    assert found[0].distance <= 3
    assert len(rig.service.near_duplicates("acme", mine, other_customers_only=False)) == 2


# ---------------------------------------------------------------------- tickets' evidence
class TicketRig(Rig):
    def __init__(self) -> None:
        super().__init__()
        self.ticket_store = InMemoryTicketStore()
        self.tickets = TicketService(self.ticket_store, FixedClock(NOW), evidence=self.service)
        self.tickets.upsert_order("acme", order(fulfilment={"status": "delivered",
                                                            "delivered_at": "2026-11-30T10:00:00Z"}))

    def open(self, media_ids: list[str], who=CUSTOMER):
        return self.tickets.open("acme", OpenTicket(type="return_refund", order_id="O-1", channel="app",
                                                    reason_code="damaged", lines=[LineRequest(line_id="L1",
                                                                                              quantity=1)],
                                                    media_ids=media_ids), who)


def test_a_ticket_opens_with_the_customers_ready_evidence_and_the_evidence_check_counts_it():
    rig = TicketRig()
    photo = rig.checked(image_bytes("JPEG"))
    ticket = rig.open([photo])
    assert ticket.media_ids == [photo]
    assert rig.ticket_store.audit_entries("acme", ticket.id)[0].data["media_ids"] == [photo]
    stored = rig.ticket_store.get_order("acme", "O-1")
    evaluation = evaluate(default_rules("acme"), ticket, stored.order, [], NOW)
    evidence = next(c for c in evaluation.checks if c.check.value == "evidence")
    assert evidence.verdict.value == "pass" and evaluation.outcome is Outcome.ELIGIBLE


def test_a_ticket_refuses_pending_foreign_and_review_media_with_the_field():
    rig = TicketRig()
    pending = rig.upload(image_bytes("JPEG"))
    foreign = rig.checked(image_bytes("JPEG"), who=OTHER)
    review = rig.checked(image_bytes("JPEG"), purpose=Purpose.REVIEW)
    for media_ids, message in (([pending], "media.not_ready"), ([foreign], "media.unknown"),
                               ([review], "media.wrong_purpose"), (["med_nope"], "media.unknown")):
        with pytest.raises(InvalidRequest) as refused:
            rig.open(media_ids)
        assert (refused.value.message_id, refused.value.details["field"]) == (message, "media_ids[0]")
    assert len(rig.ticket_store) == 0


def test_evidence_added_later_is_audited_once_and_shown_on_the_ticket():
    rig = TicketRig()
    ticket = rig.open([])
    photo = rig.checked(image_bytes("PNG"), MediaType.PNG)
    attached = rig.tickets.attach_media("acme", ticket.id, [photo], CUSTOMER)
    assert attached.media_ids == [photo] and attached.version == 2
    again = rig.tickets.attach_media("acme", ticket.id, [photo], AGENT)
    assert again.version == 2
    events = [e.event for e in rig.ticket_store.audit_entries("acme", ticket.id)]
    assert events == ["ticket.created", "ticket.media_attached"]
    with pytest.raises(NotFound):
        rig.tickets.attach_media("acme", ticket.id, [photo], OTHER)


def test_without_a_media_context_a_ticket_takes_no_media():
    store = InMemoryTicketStore()
    tickets = TicketService(store, FixedClock(NOW))
    tickets.upsert_order("acme", order())
    with pytest.raises(InvalidRequest) as refused:
        tickets.open("acme", OpenTicket(type="complaint", order_id="O-1", channel="app", reason_code="x",
                                        media_ids=["med_1"]), CUSTOMER)
    assert refused.value.details["field"] == "media_ids"
