"""The evidence pack: one ZIP, built in memory from what was gathered about a disputed ticket.

    summary.pdf          the summary in the ticket's language (pack_summary, laid out by a SummaryRenderer)
    conversation.json    every message on the ticket, oldest first; conversation.txt the same as text
    logistics.json       the ticket's parcels and their checkpoints
    refunds.json         refund vouchers: provider ids, amounts in minor units with currency, times
    audit.json           the ticket's and the dispute's audit chains, each with its verification
    policy.txt           the policy text and version that applied (when the tenant keeps one)
    photos/customer/…    the customer's photos; photos/inspection/… the warehouse's inspection photos
    manifest.json        the SHA-256 and size of every other file, and the media that could not be read

Deterministic: files in a fixed order, fixed ZIP timestamps and attributes, JSON with sorted keys,
and the PDF's dates from the pack's `generated_at`, so the same inputs give the same bytes.
Pure apart from the renderer it is given.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import asdict
from datetime import datetime
from typing import Any

from aftersales.core.clock import iso
from aftersales.disputes.pack_model import EvidencePack, Gathered, PackFile, Photo
from aftersales.disputes.pack_ports import SummaryRenderer
from aftersales.disputes.pack_summary import language_of, summary
from aftersales.tickets.audit import verify_chain

FORMAT = "aftersales.evidence-pack/1"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the ZIP format's earliest time: no build clock in the bytes
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
               "image/gif": "gif"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def build(pack: Gathered, renderer: SummaryRenderer) -> EvidencePack:
    summary_pdf = renderer.render(summary(pack))
    conversation_text = _conversation_text(pack)
    files: list[tuple[str, bytes, str]] = [
        ("summary.pdf", summary_pdf, "application/pdf"),
        ("conversation.json", _json([asdict(m) for m in pack.messages]), "application/json"),
        ("conversation.txt", conversation_text.encode(), "text/plain; charset=utf-8"),
        ("logistics.json", _json([asdict(p) for p in pack.parcels]), "application/json"),
        ("refunds.json", _json([_voucher(v) for v in pack.refunds]), "application/json"),
        ("audit.json", _json(_audit(pack)), "application/json"),
    ]
    if pack.policy is not None:
        policy = pack.policy
        files.append(("policy.txt", f"{policy.name}\nversion {policy.version} ({policy.language})\n\n"
                                    f"{policy.text}\n".encode(), "text/plain; charset=utf-8"))
    files += [(photo_name(p), p.content, p.content_type) for p in pack.photos]
    listed = tuple(PackFile(name=name, sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                            content_type=content_type) for name, content, content_type in files)
    manifest = {
        "format": FORMAT, "dispute_id": pack.dispute.id, "ticket_id": pack.ticket.id,
        "tenant_id": pack.dispute.tenant_id, "language": language_of(pack.ticket.locale),
        "generated_at": iso(pack.generated_at), "files": [asdict(f) for f in listed],
        "missing_media": list(pack.missing_media),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content, content_type in files:
            _write(archive, name, content, stored=content_type.startswith("image/"))
        _write(archive, "manifest.json", _json(manifest), stored=False)
    return EvidencePack(filename=f"evidence-{_safe(pack.dispute.id)}.zip", content=buffer.getvalue(),
                        files=listed, summary_pdf=summary_pdf, conversation_text=conversation_text)


def photo_name(photo: Photo) -> str:
    extension = _EXTENSIONS.get(photo.content_type, "bin")
    return f"photos/{photo.kind}/{_safe(photo.media_id)}.{extension}"


def _write(archive: zipfile.ZipFile, name: str, content: bytes, *, stored: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.create_system = 3  # unix, whatever machine builds it
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED  # photos are compressed already
    archive.writestr(info, content, compresslevel=None if stored else 6)


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=_plain) + "\n").encode()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not JSON: {type(value).__name__}")


def _voucher(voucher: Any) -> dict[str, Any]:
    data = asdict(voucher)
    data["amount"] = {"amount": voucher.amount.amount, "currency": voucher.amount.currency,
                      "display": voucher.amount.display()}
    return data


def _audit(pack: Gathered) -> dict[str, Any]:
    return {"ticket": _chain(pack.ticket.id, pack.ticket_entries),
            "dispute": _chain(pack.dispute.id, pack.dispute.entries)}


def _chain(record_id: str, entries: list) -> dict[str, Any]:
    check = verify_chain(entries)
    return {"id": record_id, "valid": check.valid, "reason": check.reason,
            "head_hash": entries[-1].hash if entries else None,
            "entries": [e.model_dump(mode="json") for e in entries]}


def _conversation_text(pack: Gathered) -> str:
    header = f"{pack.dispute.id} · {pack.ticket.id} · {len(pack.messages)}\n\n"
    blocks = []
    for m in pack.messages:
        subject = f" — {m.subject}" if m.subject else ""
        blocks.append(f"[{m.at}] {m.direction} · {m.channel} · {m.author}{subject}\n{m.body}\n")
    return header + "\n".join(blocks)


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name)[:120] or "_"

