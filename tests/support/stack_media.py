"""Media uploaded to a running local stack: the API's upload grant, the presigned S3 POST, and the
media item once the media-check function has looked at it (e2e and browser tests)."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.local_stack import eventually


def upload_photo(stack: Any, headers: dict, content: bytes, content_type: str = "image/jpeg", *,
                 purpose: str = "ticket_evidence", customer_id: str | None = None) -> str:
    """POST /media for `purpose`, then the file to the presigned form: the media id (its check runs
    on the bucket's notification; see `settled_media`). `headers` are the customer's (their own
    media) or the storefront's naming `customer_id`."""
    asked = {"purpose": purpose, "content_type": content_type, "size": len(content)}
    if customer_id:
        asked["customer_id"] = customer_id
    granted = requests.post(f"{stack.api_url}/media", json=asked, headers=headers, timeout=10)
    assert granted.status_code == 201, granted.text
    upload = granted.json()["upload"]
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)}, timeout=10)
    assert posted.status_code == 204, posted.text
    return granted.json()["media"]["id"]


def settled_media(stack: Any, headers: dict, media_id: str, timeout: float = 30.0) -> dict:
    """The media item as GET /media/{id} shows it once its check has run (ready or rejected)."""
    def probe():
        body = requests.get(f"{stack.api_url}/media/{media_id}", headers=headers, timeout=10).json()
        return body if body["status"] != "pending" else None

    return eventually(probe, timeout=timeout, what=f"the media check of {media_id}")


def visit_photo(stack: Any, job_id: str, headers: dict, staff: dict, content: bytes) -> str:
    """A repair visit photo granted through its job (`POST /repairs/jobs/{id}/photos` on `headers`,
    the provider's or the job's technician's key), posted to the presigned form and passed by the
    media check (read back on `staff`'s credentials): the media id the job's check-in names."""
    granted = requests.post(f"{stack.api_url}/repairs/jobs/{job_id}/photos", headers=headers, timeout=10,
                            json={"content_type": "image/jpeg", "size": len(content)})
    assert granted.status_code == 201, granted.text
    upload, media_id = granted.json()["upload"], granted.json()["media_id"]
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)}, timeout=10)
    assert posted.status_code == 204, posted.text
    assert settled_media(stack, staff, media_id)["status"] == "ready"
    return media_id
