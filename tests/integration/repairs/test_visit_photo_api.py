"""A repair visit's photo through the authorizer and the API function under moto: the job's provider
key gets a presigned POST for one photo while the visit is booked (the redirect back to its page in
the policy's fields) and names the media id in the check-in once the media check has passed it;
before the booking it is 409 with the allowed moves, another provider's key 404, a bad type or
redirect 422 at the field. A check-in naming a photo still being checked, an unknown id, another
job's photo, another tenant's media or media of another purpose is 422 at `media_ids[i]` and the job
keeps its version."""

from __future__ import annotations

import requests

from tests.integration.repairs.test_repairs_api import offered_to_second, rig, window  # noqa: F401
from tests.support.media_files import image_bytes

PAGE = "https://shop.example.com/workbench/provider.html?photo=1"


def test_a_booked_visit_gets_a_photo_upload_that_the_check_in_names(rig, visit_photos):  # noqa: F811
    call, key = rig["call"], rig["providers"]["second"]["key"]
    _, job_id = offered_to_second(rig)
    assert call("POST", f"/repairs/jobs/{job_id}/accept", who=key).status == 200
    early = call("POST", f"/repairs/jobs/{job_id}/photos", {"content_type": "image/jpeg", "size": 2048}, who=key)
    assert early.status == 409 and early.body["error"]["details"]["to"] == "checked_in", early.body
    assert call("POST", f"/repairs/jobs/{job_id}/appointment", {"window": window(rig, 24)}, who=key).status == 200

    granted = call("POST", f"/repairs/jobs/{job_id}/photos",
                   {"content_type": "image/jpeg", "size": 2048, "redirect": PAGE}, who=key)
    assert granted.status == 201, granted.body
    media_id, upload = granted.body["media_id"], granted.body["upload"]
    assert upload["method"] == "POST" and upload["fields"]["success_action_redirect"] == PAGE
    assert upload["fields"]["key"].endswith(f"/{media_id}") and upload["fields"]["Content-Type"] == "image/jpeg"
    staff = rig["creds"]["agent"]
    item = call("GET", f"/media/{media_id}", who=staff)
    assert (item.status, item.body["purpose"], item.body["status"]) == (200, "repair_visit", "pending")

    early = call("POST", f"/repairs/jobs/{job_id}/check-in", {"media_ids": [media_id]}, who=key)
    assert early.status == 422 and early.body["error"]["fields"][0]["path"] == "media_ids[0]", early.body
    passed = visit_photos.passed("acme", media_id, upload["url"], upload["fields"])  # the media check's turn

    checked_in = call("POST", f"/repairs/jobs/{job_id}/check-in", {"media_ids": [passed]}, who=key)
    assert checked_in.status == 200 and checked_in.body["check_in"]["media_ids"] == [media_id], checked_in.body


def test_a_check_in_names_no_photo_but_the_jobs_own(rig, visit_photos):  # noqa: F811
    call, key, creds = rig["call"], rig["providers"]["second"]["key"], rig["creds"]
    _, job_id = offered_to_second(rig)
    call("POST", f"/repairs/jobs/{job_id}/accept", who=key)
    call("POST", f"/repairs/jobs/{job_id}/appointment", {"window": window(rig, 24)}, who=key)
    own = visit_photos.api(call, job_id, key)
    content = image_bytes("JPEG", (64, 48))
    inspection = call("POST", "/media", {"purpose": "inspection", "content_type": "image/jpeg",
                                         "size": len(content)}, who=creds["agent"]).body
    assert requests.post(inspection["upload"]["url"], data=inspection["upload"]["fields"],
                         files={"file": ("photo", content)}, timeout=10).status_code == 204
    rig["svc"].media.check_upload("acme", inspection["media"]["id"], len(content))
    elsewhere = call("POST", "/media", {"purpose": "review", "content_type": "image/jpeg", "size": len(content)},
                     who=rig["other"]["cust-1"]).body["media"]["id"]
    before = call("GET", f"/repairs/jobs/{job_id}", who=key).body["version"]

    for named in ("med-made-up", inspection["media"]["id"], elsewhere):
        refused = call("POST", f"/repairs/jobs/{job_id}/check-in", {"media_ids": [own, named]}, who=key)
        assert refused.status == 422, (named, refused.body)
        assert [f["path"] for f in refused.body["error"]["fields"]] == ["media_ids[1]"], refused.body
    assert call("GET", f"/repairs/jobs/{job_id}", who=key).body["version"] == before
    assert call("POST", f"/repairs/jobs/{job_id}/check-in", {"media_ids": [own]}, who=key).status == 200


def test_another_providers_key_a_bad_type_or_redirect_are_refused(rig):  # noqa: F811
    call, key, first = rig["call"], rig["providers"]["second"]["key"], rig["providers"]["first"]["key"]
    _, job_id = offered_to_second(rig)
    call("POST", f"/repairs/jobs/{job_id}/accept", who=key)
    call("POST", f"/repairs/jobs/{job_id}/appointment", {"window": window(rig, 24)}, who=key)
    photo = {"content_type": "image/jpeg", "size": 2048}
    assert call("POST", f"/repairs/jobs/{job_id}/photos", photo, who=first).status == 404
    gif = call("POST", f"/repairs/jobs/{job_id}/photos", {**photo, "content_type": "image/gif"}, who=key)
    assert gif.status == 422 and [f["path"] for f in gif.body["error"]["fields"]] == ["content_type"], gif.body
    script = call("POST", f"/repairs/jobs/{job_id}/photos", {**photo, "redirect": "javascript:alert(1)"}, who=key)
    assert script.status == 422 and [f["path"] for f in script.body["error"]["fields"]] == ["redirect"], script.body
    media = call("POST", "/media", {"purpose": "repair_visit", "content_type": "image/jpeg", "size": 2048},
                 who=rig["creds"]["agent"])
    assert media.status == 403, media.body  # only through the job
