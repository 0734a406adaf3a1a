"""The evidence pack's own ports over dicts: the media's checked copies (PackMedia), the tenant's
policy texts (AppliedPolicies), a renderer that keeps the documents it was given, and a payment
platform that records what it was sent (PlatformEvidence)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from aftersales.disputes.model import PlatformCase
from aftersales.disputes.pack_model import MediaContent, PolicyText, SummaryDocument
from aftersales.disputes.pack_ports import EvidenceSubmission, SentEvidence
from aftersales.tickets.domain import Ticket


class StoredMedia:
    """Ready images by (tenant, media id); anything else reads as None, as the adapter does."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], MediaContent] = {}
        self.reads: list[str] = []

    def __len__(self) -> int:
        return len(self.objects)

    def __contains__(self, media_id: object) -> bool:
        return any(key[1] == media_id for key in self.objects)

    def put(self, tenant_id: str, media_id: str, content: bytes, content_type: str = "image/jpeg") -> None:
        self.objects[(tenant_id, media_id)] = MediaContent(content_type=content_type, content=content)

    def read(self, tenant_id: str, media_id: str) -> MediaContent | None:
        self.reads.append(media_id)
        return self.objects.get((tenant_id, media_id))


class KeptPolicies:
    def __init__(self) -> None:
        self.policies: dict[str, PolicyText] = {}

    def __len__(self) -> int:
        return len(self.policies)

    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self.policies

    def applied(self, tenant_id: str, ticket: Ticket) -> PolicyText | None:
        return self.policies.get(tenant_id)


class KeptDocuments:
    """A SummaryRenderer that keeps each document and answers with bytes derived from its content
    (so equal documents give equal bytes, and a changed document changes them)."""

    def __init__(self) -> None:
        self.documents: list[SummaryDocument] = []

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, title: object) -> bool:
        return any(d.title == title for d in self.documents)

    def render(self, document: SummaryDocument) -> bytes:
        self.documents.append(document)
        body = json.dumps(asdict(document), default=str, ensure_ascii=False, sort_keys=True).encode()
        return b"%PDF-fake " + hashlib.sha256(body).hexdigest().encode()


class RecordingPlatform:
    """A payment platform that accepts everything and records each send (case, evidence, submit, key)."""

    def __init__(self, status_after: str = "under_review") -> None:
        self.sent: list[tuple[PlatformCase, EvidenceSubmission, bool, str]] = []
        self.status_after = status_after

    def __len__(self) -> int:
        return len(self.sent)

    def __contains__(self, case_id: object) -> bool:
        return any(case.case_id == case_id for case, _, _, _ in self.sent)

    def send(self, case: PlatformCase, evidence: EvidenceSubmission, *, submit: bool,
             idempotency_key: str) -> SentEvidence:
        self.sent.append((case, evidence, submit, idempotency_key))
        return SentEvidence(case_id=case.case_id, fields=tuple(evidence.fields),
                            file_ids={f.field: f"file_{n}" for n, f in enumerate(evidence.files)},
                            submitted=submit, status=self.status_after if submit else "needs_response")
