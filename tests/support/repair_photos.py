"""A repair visit's photo in the in-process API tests under moto: granted through its job
(`POST /repairs/jobs/{id}/photos`), posted to the presigned form, and passed by the media check as
the bucket's notification would run it - the media id a check-in names."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import requests

from aftersales import wiring
from aftersales.repairs.model import JobActor
from tests.support.media_files import image_bytes


@cache
def photo() -> bytes:
    return image_bytes("JPEG", (64, 48))


class VisitPhotos:
    """Photos granted through their job, posted to the presigned form and passed by the media check."""

    def api(self, call: Callable[..., Any], job_id: str, who: dict, tenant_id: str = "acme") -> str:
        """Through `POST /repairs/jobs/{id}/photos` on `who`'s credentials."""
        granted = call("POST", f"/repairs/jobs/{job_id}/photos", {"content_type": "image/jpeg", "size": len(photo())},
                       who=who)
        assert granted.status == 201, granted.body
        upload = granted.body["upload"]
        return self.passed(tenant_id, granted.body["media_id"], upload["url"], upload["fields"])

    def service(self, job_id: str, actor: JobActor, tenant_id: str = "acme") -> str:
        """Through the container's VisitPhotoUploads, as the route calls it."""
        granted = wiring.services().visit_photos.grant(tenant_id, job_id, actor, content_type="image/jpeg",
                                                       size=len(photo()))
        return self.passed(tenant_id, granted.media_id, granted.url, granted.fields)

    @staticmethod
    def passed(tenant_id: str, media_id: str, url: str, fields: dict[str, str]) -> str:
        """The file posted to the granted form, then checked: the media id, ready."""
        posted = requests.post(url, data=fields, files={"file": ("photo", photo())}, timeout=10,
                               allow_redirects=False)
        assert posted.status_code in (204, 303), posted.text  # 303: S3 sends a page's browser back
        assert wiring.services().media.check_upload(tenant_id, media_id, len(photo())) == "ready"
        return media_id
