"""Inspection photos under moto: the warehouse uploads through POST /media (purpose inspection),
the check marks them ready, and POST /tickets/{id}/inspection takes their ids onto the inspection's
audit entry; a customer's evidence photo or a pending upload is refused at media_ids[0] and the
ticket does not move."""

from __future__ import annotations

import pytest
import requests

from tests.support.lambdas import FakeContext, load_handler
from tests.support.media_files import image_bytes
from tests.support.money import money, move, open_ticket  # noqa: F401
from tests.support.pipeline import Pipeline


@pytest.fixture
def rig(aws, money, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MEDIA_MODERATION", "none")  # moto has no DetectModerationLabels
    return {"pipeline": Pipeline(aws), "check": load_handler("media_check")}  # creates the template's buckets


def _uploaded(api, rig, creds, purpose: str, check: bool = True, **extra) -> str:
    photo = image_bytes("JPEG")
    granted = api.request("POST", "/media", {"purpose": purpose, "content_type": "image/jpeg", "size": len(photo),
                                             **extra}, creds)
    assert granted.status == 201, granted.body
    upload = granted.body["upload"]
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("p", photo)}, timeout=10).ok
    if check:
        bucket = upload["fields"].get("bucket") or upload["url"].rstrip("/").rsplit("/", 1)[-1]
        event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Post",
                              "s3": {"bucket": {"name": bucket}, "object": {"key": upload["fields"]["key"],
                                                                            "size": len(photo)}}}]}
        rig["check"].lambda_handler(event, FakeContext("MediaCheckFunction"))
    return granted.body["media"]["id"]


def _inspecting(svc, rig, api, demo):
    ticket = open_ticket(svc, ticket_type="return_refund", quantity=1, order_quantity=1)
    move(svc, "acme", ticket.id, "pending_approval", "approved")
    rig["pipeline"].pump()  # approved -> awaiting_return
    shipped = api.request("POST", f"/tickets/{ticket.id}/return-shipment",
                          {"carrier": "sf-express", "tracking_number": "SFXMEDIA1"}, demo["acme"]["cust-1"])
    assert shipped.status == 200, shipped.body
    return move(svc, "acme", ticket.id, "return_received", "inspecting")


def test_an_inspection_keeps_the_warehouse_photos_and_refuses_anything_else(money, rig, api, demo):  # noqa: F811
    agent = demo["acme"]["agent"]
    ticket = _inspecting(money, rig, api, demo)
    evidence = _uploaded(api, rig, demo["acme"]["cust-1"], "ticket_evidence")
    pending = _uploaded(api, rig, agent, "inspection", check=False)
    photo = _uploaded(api, rig, agent, "inspection")
    inspection = {"lines": [{"line_id": "L1", "accepted": 1}]}
    for media_ids in ([evidence], [pending], ["med_unknown"]):
        refused = api.request("POST", f"/tickets/{ticket.id}/inspection", {**inspection, "media_ids": media_ids},
                              agent)
        assert refused.status == 422 and refused.body["error"]["fields"][0]["path"] == "media_ids[0]", refused.body
    assert api.request("GET", f"/tickets/{ticket.id}", headers=agent).body["status"] == "inspecting"

    done = api.request("POST", f"/tickets/{ticket.id}/inspection", {**inspection, "media_ids": [photo]}, agent)
    assert done.status == 200 and done.body["status"] == "refund_pending", done.body
    audit = api.request("GET", f"/tickets/{ticket.id}/audit", headers=agent).body["entries"]
    assert audit[-1]["data"]["media_ids"] == [photo] and audit[-1]["data"]["inspection"]
