"""In-memory fakes of the helpdesks context's ports (helpdesks/ports.py), with the adapters'
conditions: the link's versioned write and the dedupe marker's first-time-only put."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aftersales.helpdesks.model import InboundChange, Link, SyncJob, Vendor
from aftersales.helpdesks.ports import HelpdeskFault, NewTicket


class FakeLinkStore:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str, Vendor], Link] = {}
        self.markers: set[tuple[str, str, str]] = set()

    def __len__(self) -> int:
        return len(self.links)

    def __contains__(self, ticket_id: object) -> bool:
        return any(key[1] == ticket_id for key in self.links)

    def get(self, tenant_id: str, ticket_id: str, vendor: Vendor) -> Link | None:
        return self.links.get((tenant_id, ticket_id, vendor))

    def by_external(self, tenant_id: str, vendor: Vendor, external_id: str) -> Link | None:
        return next((link for (t, _, v), link in self.links.items()
                     if t == tenant_id and v is vendor and link.external_id == external_id), None)

    def save(self, link: Link, expected_version: int) -> bool:
        key = (link.tenant_id, link.ticket_id, link.vendor)
        stored = self.links.get(key)
        if (stored.version if stored else 0) != expected_version:
            return False
        self.links[key] = link.model_copy(update={"version": expected_version + 1})
        return True

    def first_seen(self, tenant_id: str, scope: str, key: str) -> bool:
        if (tenant_id, scope, key) in self.markers:
            return False
        self.markers.add((tenant_id, scope, key))
        return True

    def forget(self, tenant_id: str, scope: str, key: str) -> None:
        self.markers.discard((tenant_id, scope, key))


class FakeSyncQueue:
    def __init__(self) -> None:
        self.queued: list[tuple[SyncJob, int]] = []
        self.parked: list[tuple[SyncJob, str]] = []

    def __len__(self) -> int:
        return len(self.queued)

    def __contains__(self, job: object) -> bool:
        return any(j == job for j, _ in self.queued)

    def enqueue(self, jobs: Sequence[SyncJob], delay_seconds: int = 0) -> None:
        self.queued.extend((job, delay_seconds) for job in jobs)

    def park(self, job: SyncJob, reason: str) -> None:
        self.parked.append((job, reason))


class FakeHelpdeskApi:
    """Records calls; `faults` are raised, one per call, before the call is taken."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.faults: list[HelpdeskFault] = []
        self.changes: dict[str, InboundChange] = {}
        self._next = 100

    def __len__(self) -> int:
        return len(self.calls)

    def __contains__(self, kind: object) -> bool:
        return any(k == kind for k, _ in self.calls)

    def _take(self, kind: str, args: Any) -> str:
        if self.faults:
            raise self.faults.pop(0)
        self.calls.append((kind, args))
        self._next += 1
        return str(self._next)

    def create_ticket(self, ticket: NewTicket) -> str:
        return self._take("create", ticket)

    def set_status(self, external_id: str, status: str | int) -> None:
        self._take("status", (external_id, status))

    def add_comment(self, external_id: str, body: str, *, public: bool) -> str:
        return self._take("comment", (external_id, body, public))

    def read_changes(self, external_id: str) -> InboundChange:
        self._take("read", external_id)
        return self.changes[external_id]


class FakeHelpdeskApis:
    def __init__(self) -> None:
        self.apis = {vendor: FakeHelpdeskApi() for vendor in Vendor}
        self.settings_seen: list[Mapping[str, Any]] = []

    def __len__(self) -> int:
        return sum(len(api) for api in self.apis.values())

    def __contains__(self, vendor: object) -> bool:
        return vendor in self.apis and len(self.apis[vendor]) > 0

    def for_tenant(self, vendor: Vendor, settings: Mapping[str, Any]) -> FakeHelpdeskApi:
        self.settings_seen.append(settings)
        return self.apis[vendor]
