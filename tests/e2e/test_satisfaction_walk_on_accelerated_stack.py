"""The satisfaction loop on the local stack with accelerated time (speed 3600: an application hour
per wall second), as `make run --speed 3600` runs it: a closed ticket's customer gets the survey
e-mail in their language from the bus-triggered schedule and the minute sweeper (moto's SES), opens
the link, answers 3 with a comment on the HTML form, and a follow-up complaint appears for the team
lead of the closed ticket's agent with deadlines from the SLA engine; a second closed ticket within
the 30-day throttle window sends nothing more.

Runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py)."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from functools import partial

import pytest
import requests

from tests.support.local_stack import accelerated_stack, eventually, fresh_customer_auth, fresh_staff_auth
from tests.support.sent_mail import sent_mails
from tests.support.tickets import order_payload

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]
SPEED = 3600
SKILLS = {"ticket_types": ["complaint"], "languages": ["zh-Hans", "en"], "channels": ["app"]}
POLICY = {"rules": [{"rule_id": "complaints", "match": {"ticket_type": "complaint"},
                     "targets": {"resolution": {"duration": "PT48H", "clock": "calendar", "reminders": [0.5]}}}]}

_supervisor = partial(fresh_staff_auth, "sup-wang")  # a fresh token per request: 12 h last seconds here
_staff = fresh_staff_auth
_customer = partial(fresh_customer_auth, locale="zh-Hans")


@pytest.fixture(scope="module")
def fast_stack():
    with accelerated_stack("e2e-satisfaction", SPEED) as stack:
        yield stack


def _closed_complaint(api: str, key: dict[str, str], order_id: str) -> str:
    created = requests.post(f"{api}/tickets", json={"type": "complaint", "order_id": order_id, "channel": "app",
                                                    "reason_code": "late_delivery"},
                            headers={**key, "Accept-Language": "zh-Hans"}, timeout=10)  # the customer's language
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]

    def assigned():
        reply = requests.get(f"{api}/tickets/{ticket_id}", headers=_supervisor(), timeout=10)
        return reply.json() if reply.json().get("assignee_id") else None

    eventually(assigned, 30, 0.25, "the dispatcher assigns the complaint")
    for target in ("investigating", "resolved", "closed"):
        moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": target, "reason": "handled"},
                              headers=_supervisor(), timeout=10)
        assert moved.status_code == 200, moved.text
    return ticket_id


def _survey_mails(address: str) -> list:
    return [m for m in sent_mails() if m.to == [address] and "/surveys/" in m.body]


def test_a_closed_ticket_is_surveyed_once_and_a_detractor_goes_back_to_the_team_lead(fast_stack):
    api, key = fast_stack.api_url, fast_stack.storefront
    assert requests.put(f"{api}/sla/policy", json=POLICY, headers=_supervisor(), timeout=10).status_code == 200
    # a team of its own: an agent who takes the complaint and the team lead (the demo's care team
    # offline: its supervisor takes tickets too, and a lead's own ticket has no lead to go back to)
    for demo_agent in ("agent-li", "agent-zhou", "sup-wang"):
        off = {"team_id": "care", "max_open": 50, "availability": "offline"}
        assert requests.put(f"{api}/dispatch/agents/{demo_agent}", json=off, headers=_supervisor(),
                            timeout=10).status_code == 200
    assert requests.put(f"{api}/dispatch/teams/sat-care", json={"skills": SKILLS}, headers=_supervisor(),
                        timeout=10).status_code == 200
    for agent_id, lead in (("agent-sat", False), ("lead-sat", True)):
        body = {"team_id": "sat-care", "max_open": 10, "availability": "offline" if lead else "online",
                "supervisor": lead}
        assert requests.put(f"{api}/dispatch/agents/{agent_id}", json=body, headers=_supervisor(),
                            timeout=10).status_code == 200
    suffix = uuid.uuid4().hex[:8]
    customer, address = f"cust-sat-{suffix}", f"sat-{suffix}@example.com"
    contact = requests.put(f"{api}/customers/{customer}/contacts/email", json={"address": address,
                                                                               "locale": "zh-Hans"},
                           headers=key, timeout=10)
    assert contact.status_code == 200, contact.text
    for n in (1, 2):
        order = order_payload(f"SAT-{suffix}-{n}", customer)
        assert requests.put(f"{api}/orders/{order['order_id']}", json=order, headers=key,
                            timeout=10).status_code in (200, 201)

    closed = _closed_complaint(api, key, f"SAT-{suffix}-1")
    # one hour's delay (one wall second), postponed past the customer's quiet hours (at most 12 s)
    (mail,) = eventually(lambda: _survey_mails(address), 60, 0.25, "the survey e-mail reaches moto's SES")
    assert "服务" in mail.subject + mail.body  # the customer's language
    link = re.search(r"https?://\S+/surveys/[A-Za-z0-9._~-]+", mail.body).group(0)
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.text and 'name="nps"' in page.text
    answered = requests.post(link, data={"nps": "3", "comment": "客服回复太慢，问题拖了三天"}, timeout=10)
    assert answered.status_code == 200, answered.text

    def follow_up():
        reply = requests.get(f"{api}/tickets", params={"customer_id": customer}, headers=_supervisor(), timeout=10)
        found = [t for t in reply.json()["items"] if t.get("parent_id") == closed]
        return found[0] if found else None

    ticket = eventually(follow_up, 20, 0.25, "the detractor's follow-up ticket")
    assert ticket["type"] == "complaint" and ticket["reason_code"] == "survey_detractor"
    assert ticket["assignee_id"] == "lead-sat"  # the team lead of the closed ticket's agent, not dispatch

    def deadlines():
        reply = requests.get(f"{api}/tickets/{ticket['id']}/deadlines", headers=_supervisor(), timeout=10)
        return [d for d in reply.json().get("deadlines", []) if d["metric"] == "resolution"]

    (resolution,) = eventually(deadlines, 30, 0.25, "the follow-up's SLA deadline")
    assert resolution["due_at"]

    # A second ticket of the same customer closes within the 30-day window: no second survey.
    _closed_complaint(api, key, f"SAT-{suffix}-2")
    time.sleep(15)  # 15 application hours: past the delay and any quiet hours
    assert len(_survey_mails(address)) == 1


# ---------------------------------------------------------------------- a disputed partial refund
def _staff(user_id: str) -> dict[str, str]:
    from aftersales.wiring import services

    return {"Authorization": f"Bearer {services().tenants.mint_staff_token('demo', user_id, timedelta(hours=12))}"}


def _photo(api: str, customer_id: str) -> str:
    """POST /media -> the presigned S3 POST -> the bucket's notification -> the media check marks it ready."""
    from tests.support.media_files import image_bytes

    content = image_bytes("JPEG", (320, 240), gps=True)
    granted = requests.post(f"{api}/media", json={"purpose": "ticket_evidence", "content_type": "image/jpeg",
                                                  "size": len(content)}, headers=_customer(customer_id), timeout=10)
    assert granted.status_code == 201, granted.text
    upload = granted.json()["upload"]
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)}, timeout=10)
    assert posted.status_code == 204, posted.text
    media_id = granted.json()["media"]["id"]

    def ready():
        body = requests.get(f"{api}/media/{media_id}", headers=_customer(customer_id), timeout=10).json()
        return body if body["status"] != "pending" else None

    assert eventually(ready, 30, 0.25, "the media check")["status"] == "ready"
    return media_id


def test_a_disputed_partial_refund_is_decided_and_its_evidence_pack_downloads_whole(fast_stack):
    """GIVEN a return of two cups of which inspection accepts one (refunded: one cup, less than asked)
    WHEN the customer disputes it with a photo and the demo's arbitrator takes it up and decides THEN
    the evidence pack downloads as a ZIP with every part (summary.pdf in Chinese and Latin text, the
    conversation, the parcel, the refund voucher, the photos, the policy that applied, both audit
    chains verified) and its manifest's hashes match."""
    import hashlib
    import io
    import json
    import shutil
    import subprocess
    import zipfile

    from aftersales.wiring import services

    api, key = fast_stack.api_url, fast_stack.storefront
    suffix = uuid.uuid4().hex[:8]
    customer, order_id, tracking = f"cust-dsp-{suffix}", f"DSP-{suffix}", f"SF{suffix.upper()}"
    delivered = services().clock.now() - timedelta(days=2)  # the stack's accelerated clock
    order = {"order_id": order_id, "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": customer, "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": 7000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 2,
                        "unit_price_paid": {"amount": 3000, "currency": "CNY"}}],
             "placed_at": (delivered - timedelta(days=4)).isoformat(),
             "fulfilment": {"status": "delivered", "shipped_at": (delivered - timedelta(days=2)).isoformat(),
                            "delivered_at": delivered.isoformat()}}
    assert requests.put(f"{api}/orders/{order_id}", json=order, headers=key, timeout=10).status_code == 201
    claim_photo = _photo(api, customer)
    opened = requests.post(f"{api}/tickets", json={
        "type": "return_refund", "order_id": order_id, "channel": "app", "reason_code": "damaged",
        "description": "两个杯子都裂了 both cups arrived cracked", "lines": [{"line_id": "1", "quantity": 2}],
        "media_ids": [claim_photo]}, headers=_customer(customer), timeout=10)
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]

    def status() -> str:
        return requests.get(f"{api}/tickets/{ticket_id}", headers=_supervisor(), timeout=10).json()["status"]

    # intake checks route it, the default policy auto-approves 60.00 CNY, the money path awaits the return
    eventually(lambda: status() == "awaiting_return", 60, 0.25, "the return is approved and awaited")
    shipped = requests.post(f"{api}/tickets/{ticket_id}/return-shipment",
                            json={"carrier": "sf-express", "tracking_number": tracking},
                            headers=_customer(customer), timeout=10)
    assert shipped.status_code == 200, shipped.text
    for target in ("return_received", "inspecting"):
        moved = requests.post(f"{api}/tickets/{ticket_id}/transitions", json={"to": target},
                              headers=_supervisor(), timeout=10)
        assert moved.status_code == 200, moved.text
    inspected = requests.post(f"{api}/tickets/{ticket_id}/inspection", json={
        "lines": [{"line_id": "1", "received": 2, "accepted": 1, "damaged": 1}], "reason": "one_cup_customer_damage"},
        headers=_supervisor(), timeout=10)
    assert inspected.status_code == 200, inspected.text
    eventually(lambda: status() == "refunded", 60, 0.25, "the refund saga pays the accepted cup")
    refund = requests.get(f"{api}/tickets/{ticket_id}/refund", headers=_supervisor(), timeout=10).json()
    assert [g["amount"] for g in refund["grants"]] == [{"amount": 3000, "currency": "CNY"}]  # one cup of two

    said = requests.post(f"{api}/tickets/{ticket_id}/replies", json={"body": "为什么只退了一个杯子？Why one cup only?"},
                         headers=_customer(customer), timeout=10)
    assert said.status_code in (200, 201), said.text
    dispute_photo = _photo(api, customer)
    raised = requests.post(f"{api}/tickets/{ticket_id}/disputes", json={
        "text": "另一个杯子也是运输损坏。The second cup was broken in transit too.", "media_ids": [dispute_photo]},
        headers=_customer(customer), timeout=10)
    assert raised.status_code == 201, raised.text
    dispute = raised.json()
    assert dispute["subject"] == "partial_refund"
    taken = requests.post(f"{api}/disputes/{dispute['id']}/take-up", headers=_staff("arb-chen"), timeout=10)
    assert taken.status_code == 200, taken.text
    decided = requests.post(f"{api}/disputes/{dispute['id']}/decision", json={
        "outcome": "dismissed", "reason": "inspection photos show impact damage after delivery"},
        headers=_staff("arb-chen"), timeout=10)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided"

    pack = requests.get(f"{api}/disputes/{dispute['id']}/evidence-pack", headers=_staff("arb-chen"), timeout=30)
    assert pack.status_code == 200, pack.text[:300]
    assert pack.headers["Content-Type"] == "application/zip"
    assert pack.headers["Content-Disposition"] == f'attachment; filename="evidence-{dispute["id"]}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    assert archive.testzip() is None
    names = archive.namelist()
    for part in ("summary.pdf", "conversation.json", "conversation.txt", "logistics.json", "refunds.json",
                 "audit.json", "policy.txt", "manifest.json"):
        assert part in names, (part, names)
    assert {f"photos/customer/{claim_photo}.jpg", f"photos/customer/{dispute_photo}.jpg"} <= set(names)
    manifest = json.loads(archive.read("manifest.json"))
    assert {f["name"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    for entry in manifest["files"]:
        assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"], entry["name"]
    assert "为什么只退了一个杯子？Why one cup only?" in archive.read("conversation.txt").decode()
    (voucher,) = json.loads(archive.read("refunds.json"))
    assert (voucher["amount"]["amount"], voucher["amount"]["currency"]) == (3000, "CNY")
    assert voucher["status"] == "succeeded"
    assert voucher["provider_refund_id"]
    assert [p["tracking_number"] for p in json.loads(archive.read("logistics.json"))] == [tracking]
    audit = json.loads(archive.read("audit.json"))
    assert audit["ticket"]["valid"] is True and audit["dispute"]["valid"] is True
    assert [e["event"] for e in audit["dispute"]["entries"]][-1] == "dispute.decided"
    policy = archive.read("policy.txt").decode()
    assert "售后准入规则，版本 1" in policy and "审批策略，版本 1" in policy and "auto-small-cny" in policy
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: make pdf-tools")
    text = subprocess.run(["pdftotext", "-", "-"], input=archive.read("summary.pdf"), capture_output=True,
                          check=True).stdout.decode()
    assert "另一个杯子也是运输损坏" in text and "The second cup was broken in transit too." in text
    assert "部分退款" in text  # the subject, in the ticket's language
