"""A repair visit's photo through the authorizer and the API function under moto: the job's provider
key gets a presigned POST for one photo while the visit is booked (the redirect back to its page in
the policy's fields) and names the media id in the check-in; before the booking it is 409 with the
allowed moves, another provider's key 404, a bad type or redirect 422 at the field."""

from __future__ import annotations

from tests.integration.repairs.test_repairs_api import offered_to_second, rig, window  # noqa: F401

PAGE = "https://shop.example.com/workbench/provider.html?photo=1"


def test_a_booked_visit_gets_a_photo_upload_that_the_check_in_names(rig):  # noqa: F811
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

    checked_in = call("POST", f"/repairs/jobs/{job_id}/check-in", {"media_ids": [media_id]}, who=key)
    assert checked_in.status == 200 and checked_in.body["check_in"]["media_ids"] == [media_id], checked_in.body


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
