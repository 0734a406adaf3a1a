"""The disputes context's ports over dicts, with the DynamoDB adapter's rules: one customer dispute
per ticket and one record per platform case (created once, nothing written on a clash), saves
conditional on the stored version, the queue by status soonest due first, paged by position."""

from __future__ import annotations

from datetime import datetime

from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest
from aftersales.disputes.model import Dispute, DisputeStatus, Source
from aftersales.disputes.ports import Page
from aftersales.sla.due_index import index_bucket


class InMemoryDisputeStore:
    def __init__(self) -> None:
        self.disputes: dict[tuple[str, str], Dispute] = {}

    def __len__(self) -> int:
        return len(self.disputes)

    def __contains__(self, dispute_id: object) -> bool:
        return any(key[1] == dispute_id for key in self.disputes)

    def create(self, dispute: Dispute) -> None:
        if (dispute.tenant_id, dispute.id) in self.disputes:
            raise ConcurrentModification("error.concurrent_modification")
        for other in self.disputes.values():
            if other.tenant_id != dispute.tenant_id:
                continue
            if dispute.source == Source.CUSTOMER and other.source == Source.CUSTOMER \
                    and other.ticket_id == dispute.ticket_id:
                raise Conflict("disputes.already_raised", ticket_id=dispute.ticket_id, dispute_id=other.id)
            if dispute.platform and other.platform and (other.platform.provider, other.platform.case_id) == (
                    dispute.platform.provider, dispute.platform.case_id):
                raise ConcurrentModification("error.concurrent_modification")
        self.disputes[(dispute.tenant_id, dispute.id)] = dispute

    def save(self, dispute: Dispute, expected_version: int) -> None:
        current = self.disputes.get((dispute.tenant_id, dispute.id))
        if current is None or current.version != expected_version:
            raise ConcurrentModification("error.concurrent_modification")
        self.disputes[(dispute.tenant_id, dispute.id)] = dispute

    def get(self, tenant_id: str, dispute_id: str) -> Dispute | None:
        return self.disputes.get((tenant_id, dispute_id))

    def for_ticket(self, tenant_id: str, ticket_id: str) -> list[Dispute]:
        return sorted((d for (t, _), d in self.disputes.items() if t == tenant_id and d.ticket_id == ticket_id),
                      key=lambda d: d.id)

    def for_platform_case(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None:
        return next((d for (t, _), d in self.disputes.items() if t == tenant_id and d.platform is not None
                     and (d.platform.provider, d.platform.case_id) == (provider, case_id)), None)

    def queue(self, tenant_id: str, status: DisputeStatus, *, limit: int, cursor: str | None) -> Page:
        found = sorted((d for (t, _), d in self.disputes.items() if t == tenant_id and d.status == status),
                       key=lambda d: (d.due_at.isoformat() if d.due_at else "~", d.id))
        try:
            start = int(cursor) if cursor else 0
        except ValueError:
            raise InvalidRequest("error.bad_cursor", field="query.cursor") from None
        page = found[start:start + limit]
        return Page(page, str(start + limit) if start + limit < len(found) else None)


class CheckedEvidence:
    """The media context's evidence check: `ready` holds (customer, media id) of ready evidence."""

    def __init__(self) -> None:
        self.ready: set[tuple[str, str]] = set()
        self.asked: list[list[str]] = []

    def __len__(self) -> int:
        return len(self.ready)

    def __contains__(self, media_id: object) -> bool:
        return any(m == media_id for _, m in self.ready)

    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        self.asked.append(list(media_ids))
        for index, media_id in enumerate(media_ids):
            if (customer_id, media_id) not in self.ready:
                raise InvalidRequest("media.not_evidence", field=f"media_ids[{index}]", media_id=media_id)


class InMemoryDueDisputes:
    """The due index over an InMemoryDisputeStore, as the adapter keeps it: every dispute with a
    due time under the 5-minute bucket of that time (or of its last change, when already past it),
    until settled at its version; a later change indexes it again. Plus the sweep's cursor."""

    def __init__(self, store: InMemoryDisputeStore) -> None:
        self.store = store
        self.settled: set[tuple[str, str, int]] = set()
        self.swept_at: datetime | None = None
        self.buckets_read: list[str] = []

    def __len__(self) -> int:
        return len(self._indexed())

    def __contains__(self, dispute_id: object) -> bool:
        return any(key[1] == dispute_id for key, _ in self._indexed())

    def _indexed(self) -> list[tuple[tuple[str, str], str]]:
        return [((d.tenant_id, d.id), index_bucket(d.due_at, d.updated_at)) for d in self.store.disputes.values()
                if d.due_at is not None and (d.tenant_id, d.id, d.version) not in self.settled]

    def due_in_bucket(self, bucket: str) -> list[tuple[str, str]]:
        self.buckets_read.append(bucket)
        return sorted(key for key, at in self._indexed() if at == bucket)

    def settle(self, tenant_id: str, dispute_id: str, version: int) -> None:
        current = self.store.get(tenant_id, dispute_id)
        if current is not None and current.version == version:
            self.settled.add((tenant_id, dispute_id, version))

    def last_swept(self) -> datetime | None:
        return self.swept_at

    def set_last_swept(self, at: datetime) -> None:
        self.swept_at = at
