"""The evidence pack on the real tickets and disputes services over in-memory fakes: GIVEN a return
that failed inspection and is disputed, WHEN staff build its pack, THEN one deterministic ZIP holds
the summary, the conversation, the parcel's checkpoints, the refund vouchers, both audit chains,
the policy and every photo, and manifest.json carries the SHA-256 of each file. The summary's text
is checked here on the document the renderer is given (test_summary_pdf reads the real PDF)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import replace

import pytest

from aftersales.core.errors import Conflict, Forbidden, NotFound
from aftersales.core.money import Money
from aftersales.disputes.evidence_pack import ZIP_TIME, build
from aftersales.disputes.model import PlatformCase
from aftersales.tickets.audit import verify_chain
from aftersales.tickets.model import Role
from tests.support.evidence_pack import ARBITRATOR, CLAIM, TENANT, PackRig
from tests.support.fakes.evidence_pack import KeptDocuments
from tests.support.ticket_factories import AGENT, CUSTOMER, actor


@pytest.fixture
def rig() -> PackRig:
    return PackRig(KeptDocuments())


def _zip(pack) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(pack.content))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_the_pack_holds_every_file_and_the_manifest_hashes_each_one(rig):
    dispute_id = rig.disputed_return(messages=6, checkpoints=4, photos=4)

    pack = rig.packs.build(TENANT, dispute_id, ARBITRATOR)

    archive = _zip(pack)
    assert archive.testzip() is None
    assert archive.namelist() == [
        "summary.pdf", "conversation.json", "conversation.txt", "logistics.json", "refunds.json", "audit.json",
        "policy.txt", "photos/customer/med-c0.jpg", "photos/customer/med-c1.jpg",
        "photos/inspection/med-i0.jpg", "photos/inspection/med-i1.jpg", "manifest.json"]
    manifest = _json(archive, "manifest.json")
    assert manifest["dispute_id"] == dispute_id and manifest["format"] == "aftersales.evidence-pack/1"
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json"}
    for name, entry in listed.items():
        content = archive.read(name)
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["size"] == len(content), name
    assert archive.read("photos/customer/med-c0.jpg") == rig.media.objects[(TENANT, "med-c0")].content
    assert manifest["missing_media"] == []
    assert pack.filename == f"evidence-{dispute_id}.zip"


def test_the_same_inputs_give_the_same_bytes_and_a_changed_message_changes_them(rig):
    dispute_id = rig.disputed_return()
    first = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    again = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    assert again.content == first.content
    assert all(info.date_time == ZIP_TIME for info in _zip(first).infolist())
    assert {i.filename: i.compress_type for i in _zip(first).infolist()}["photos/customer/med-c0.jpg"] \
        == zipfile.ZIP_STORED

    ticket_id = rig.store.get(TENANT, dispute_id).ticket_id
    [item, *_] = rig.conversations.items[(TENANT, ticket_id)]
    rig.conversations.items[(TENANT, ticket_id)][0] = item.model_copy(update={"body": item.body + "!"})
    changed = rig.packs.build(TENANT, dispute_id, ARBITRATOR)
    assert changed.content != first.content


def test_conversation_logistics_refunds_and_audit_files_carry_the_records(rig):
    dispute_id = rig.disputed_return(messages=5, checkpoints=3, photos=2)

    archive = _zip(rig.packs.build(TENANT, dispute_id, ARBITRATOR))

    messages = _json(archive, "conversation.json")
    assert [m["at"] for m in messages] == sorted(m["at"] for m in messages) and len(messages) == 5
    assert messages[0]["body"] == "第0条：杯子到货时已经碎了。" and messages[1]["direction"] == "outbound"
    text = archive.read("conversation.txt").decode()
    assert "第4条：杯子到货时已经碎了。" in text and "Reply 3: we are checking the photos." in text
    [parcel] = _json(archive, "logistics.json")
    assert (parcel["tracking_number"], parcel["carrier"], parcel["direction"], parcel["status"]) == (
        "SF1234567890", "sf-express", "return", "delivered")
    assert [c["message"] for c in parcel["checkpoints"]] == [f"快件已到达 Shenzhen hub {n}" for n in range(3)]
    assert parcel["checkpoints"][0]["place"] == "深圳, CN"
    [voucher] = _json(archive, "refunds.json")
    assert voucher["amount"] == {"amount": 1000, "currency": "CNY", "display": "10.00 CNY"}
    assert (voucher["provider_refund_id"], voucher["status"]) == ("re_3MtwBwLkdIwHu7ix28a3tqPa", "succeeded")
    assert voucher["granted_at"].endswith("Z")
    audit = _json(archive, "audit.json")
    dispute = rig.store.get(TENANT, dispute_id)
    assert audit["dispute"]["valid"] and audit["dispute"]["head_hash"] == dispute.head_hash
    assert audit["ticket"]["valid"]
    assert [e["event"] for e in audit["ticket"]["entries"]][-1] == "ticket.inspection_failed"
    assert archive.read("policy.txt").decode().startswith("Acme returns policy 售后政策\nversion 2026-11")


def test_the_summary_is_in_the_tickets_language_with_the_claim_decision_and_amounts():
    renderer = KeptDocuments()
    rig = PackRig(renderer, locale="zh-Hans")
    rig.packs.build(TENANT, rig.disputed_return(), ARBITRATOR)
    [document] = renderer.documents
    sections = {s.title: s for s in document.sections}
    assert document.language == "zh-Hans" and document.title.startswith("申诉 ") and "证据包" in document.title
    assert sections["客户的诉求"].paragraphs == (CLAIM,)
    decision = {r.label: r.value for r in sections["被申诉的决定"].rows}
    assert decision == {"申诉事项": "申请被拒绝", "决定": "质检未通过", "决定人": "wh-1 (supervisor)",
                        "决定时间": "2026-12-02 08:00 UTC", "决定理由": "customer_damage"}
    amounts = {r.label: r.value for r in sections["金额"].rows}
    assert amounts == {"申请金额": "95.00 CNY", "已退款": "10.00 CNY"}
    evidence = "\n".join(sections["本证据包所含证据"].paragraphs)
    assert "6 条消息" in evidence and "客户照片 2 张，质检照片 2 张" in evidence and "哈希链校验通过" in evidence

    english = KeptDocuments()
    rig_en = PackRig(english, locale="en-GB")
    rig_en.packs.build(TENANT, rig_en.disputed_return(), ARBITRATOR)
    titles = [s.title for s in english.documents[0].sections]
    assert english.documents[0].language == "en"
    assert titles[:4] == ["Dispute", "The customer's claim", "The decision under dispute", "Amounts"]


def test_media_that_cannot_be_read_is_listed_as_missing_not_silently_dropped(rig):
    dispute_id = rig.disputed_return(photos=4)
    del rig.media.objects[(TENANT, "med-i1")]

    archive = _zip(rig.packs.build(TENANT, dispute_id, ARBITRATOR))

    assert "photos/inspection/med-i1.jpg" not in archive.namelist()
    assert _json(archive, "manifest.json")["missing_media"] == ["med-i1"]


@pytest.mark.parametrize("locale", ["zh-Hans", "en"])
def test_every_text_of_the_summary_comes_from_the_catalog(locale):
    renderer = KeptDocuments()
    rig = PackRig(renderer, locale=locale)
    rig.packs.build(TENANT, rig.disputed_return(), ARBITRATOR)
    [document] = renderer.documents
    texts = [document.title, document.footer] + [s.title for s in document.sections] + [
        text for s in document.sections for row in s.rows for text in (row.label, row.value)] + [
        p for s in document.sections for p in s.paragraphs]
    assert not [t for t in texts if any(mark in t for mark in ("pack.", "event.", "ticket.", "dispute.", "{"))]


@pytest.mark.parametrize("who", [CUSTOMER, AGENT, actor(Role.FINANCE, id="fin-1")])
def test_only_arbitrators_admins_and_supervisors_build_a_pack(rig, who):
    dispute_id = rig.disputed_return()
    with pytest.raises(Forbidden):
        rig.packs.build(TENANT, dispute_id, who)
    assert rig.media.reads == []


def test_an_unknown_dispute_is_not_found(rig):
    with pytest.raises(NotFound):
        rig.packs.build(TENANT, "dsp_nope", ARBITRATOR)


def _stripe_case(rig) -> str:
    ticket_id = rig.store.get(TENANT, rig.disputed_return()).ticket_id
    case = PlatformCase(provider="stripe", case_id="dp_1Pgc71B7WZ01zgkWMevJiAUx", charge_id="ch_1",
                        amount=Money(amount=9500, currency="CNY"), reason="product_not_received",
                        status="needs_response")
    return rig.disputes.platform_case(TENANT, ticket_id, case, event_id="evt_1").id


def test_sending_to_stripe_uploads_the_summary_conversation_and_policy_and_records_the_fields(rig):
    dispute_id = _stripe_case(rig)

    recorded, sent = rig.packs.send_to_platform(TENANT, dispute_id, ARBITRATOR, submit=True)

    [(case, evidence, submit, key)] = rig.platform.sent
    assert case.case_id == "dp_1Pgc71B7WZ01zgkWMevJiAUx" and submit is True
    assert key.startswith(f"{dispute_id}-evidence-v")
    assert [f.field for f in evidence.files] == ["uncategorized_file", "customer_communication", "refund_policy"]
    assert all(f.content_type == "application/pdf" and f.content.startswith(b"%PDF") for f in evidence.files)
    assert "shipping_tracking_number" not in evidence.texts  # the parcel is the return: no proof of delivery
    assert "SF1234567890" in evidence.texts["uncategorized_text"]
    assert evidence.texts["refund_policy_disclosure"] == "Acme returns policy 售后政策, version 2026-11"
    assert "Evidence pack for dispute" in evidence.texts["uncategorized_text"]
    summaries = [d for d in rig.renderer.documents if d.title.startswith("Evidence pack for dispute")]
    assert summaries and summaries[-1].language == "en"  # the ticket is zh-Hans; the bank reads English
    assert recorded.platform.submitted and recorded.entries[-1].event == "dispute.evidence_sent"
    assert recorded.entries[-1].data["fields"] == list(sent.fields) == sorted(sent.fields)
    assert verify_chain(recorded.entries).valid

    with pytest.raises(Conflict) as error:
        rig.packs.send_to_platform(TENANT, dispute_id, ARBITRATOR, submit=True)
    assert error.value.message_id == "disputes.evidence_already_submitted" and len(rig.platform) == 1


def test_an_outbound_parcel_goes_to_the_shipping_fields(rig):
    dispute_id = _stripe_case(rig)
    gathered = rig.packs.gather(TENANT, dispute_id, ARBITRATOR)
    parcel = gathered.parcels[0]
    outbound = replace(gathered, parcels=[replace(parcel, direction="outbound")])
    evidence = rig.packs.submission(outbound, build(outbound, KeptDocuments()))
    assert (evidence.texts["shipping_tracking_number"], evidence.texts["shipping_carrier"]) == (
        "SF1234567890", "sf-express")


def test_a_customer_dispute_has_no_platform_to_send_to(rig):
    dispute_id = rig.disputed_return()
    with pytest.raises(Conflict) as error:
        rig.packs.send_to_platform(TENANT, dispute_id, ARBITRATOR, submit=False)
    assert error.value.message_id == "disputes.not_a_platform_case" and len(rig.platform) == 0


def test_a_supervisor_builds_packs_but_only_arbiters_send_them(rig):
    dispute_id = _stripe_case(rig)
    supervisor = actor(Role.SUPERVISOR, id="sup-9")
    assert rig.packs.build(TENANT, dispute_id, supervisor).content
    with pytest.raises(Forbidden):
        rig.packs.send_to_platform(TENANT, dispute_id, supervisor, submit=True)
    assert len(rig.platform) == 0
