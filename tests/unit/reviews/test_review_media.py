"""A review takes only its author's own ready media of purpose review (the media context's check)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

import pytest

from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.clock import FixedClock
from aftersales.core.errors import InvalidRequest
from aftersales.media.model import Purpose, Screening
from aftersales.media.service import MediaService
from aftersales.tickets.model import Role
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.media_files import image_bytes
from tests.support.ticket_factories import CUSTOMER, actor

OTHER = actor(Role.CUSTOMER, id="cust-2", customer_id="cust-2")


def test_only_the_authors_ready_review_media_pass():
    store_objects = InMemoryMediaObjects()
    ids = count(1)
    service = MediaService(InMemoryMediaStore(), store_objects, PillowInspector(),
                           ScriptedModeration(Screening.PASSED, ()), FixedClock(datetime(2026, 12, 2, tzinfo=UTC)),
                           id_factory=lambda: f"med_{next(ids)}")

    def upload(purpose: Purpose, who=CUSTOMER, check: bool = True) -> str:
        content = image_bytes("JPEG")
        grant = service.request_upload("acme", who, purpose=purpose, content_type="image/jpeg", size=len(content))
        store_objects.uploads[grant.item.upload_key] = content
        if check:
            service.check_upload("acme", grant.item.id, len(content))
        return grant.item.id

    ready = upload(Purpose.REVIEW)
    service.check_review_media("acme", "cust-1", [ready])  # passes
    refused = {"media.wrong_purpose": upload(Purpose.TICKET_EVIDENCE),
               "media.not_ready": upload(Purpose.REVIEW, check=False),
               "media.unknown": upload(Purpose.REVIEW, who=OTHER)}
    for message, media_id in refused.items():
        with pytest.raises(InvalidRequest) as caught:
            service.check_review_media("acme", "cust-1", [ready, media_id])
        assert (caught.value.message_id, caught.value.details["field"]) == (message, "media_ids[1]")
