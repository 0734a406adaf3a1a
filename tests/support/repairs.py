"""A repairs rig for unit tests: the real tickets and repairs services on in-memory fakes, a kettle
order shipped to CN and a repair ticket dispatched (approved by a supervisor)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.adapters.media_inspector import PillowInspector
from aftersales.core.clock import FixedClock
from aftersales.core.money import Money
from aftersales.logistics.service import TrackingService
from aftersales.media.model import Screening, upload_key
from aftersales.media.service import MediaService
from aftersales.repairs.model import JobActor, Party, Window
from aftersales.repairs.photos import VisitPhotoUploads
from aftersales.repairs.registry import ProviderRegistry
from aftersales.repairs.service import RepairService
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from aftersales.tickets.service import TicketService
from aftersales.wiring.bridges import LazyVisitPhotos
from tests.support.channels_fakes import FakeIntegrationSettings
from tests.support.fakes.logistics import InMemoryParcelStore
from tests.support.fakes.media import InMemoryMediaObjects, InMemoryMediaStore, ScriptedModeration
from tests.support.fakes.repairs import InMemoryRepairStore, IssuedKeys
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.media_files import image_bytes
from tests.support.ticket_factories import CUSTOMER, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 3, 8, tzinfo=UTC)
TENANT = "acme"
MERCHANT = JobActor(party=Party.MERCHANT, id="sup-1")
CUSTOMER_SIDE = JobActor(party=Party.CUSTOMER, id="cust-1", customer_id="cust-1")
KETTLE_LINES = [{"line_id": "L1", "sku": "KETTLE-1", "name": "Kettle", "quantity": 2, "category": "brewco",
                 "unit_price_paid": {"amount": 29000, "currency": "CNY"}}]


def provider_actor(provider_id: str, key: str = "k") -> JobActor:
    return JobActor(party=Party.PROVIDER, id=f"apikey:{key}-{provider_id}", provider_id=provider_id)


def window(hours: int = 24) -> Window:
    return Window(start=NOW + timedelta(hours=hours), end=NOW + timedelta(hours=hours + 2))


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


class NoTickets:
    """The logistics context's TicketOpener: a repair parcel never opens a ticket."""

    def open_or_join(self, tenant_id: str, **fields: object) -> tuple[str, bool]:
        raise AssertionError("a repair parcel opened a ticket")


class NoVisitPhotos:
    """The repairs context's VisitPhotoChecks for a rig whose check-ins name no photo."""

    def check_visit_photos(self, tenant_id: str, job_id: str, media_ids: list[str]) -> None:
        raise AssertionError("a check-in named a photo")


class RepairsFollower:
    """The logistics context's RepairParcelFollower: the rig's repairs service (built after it)."""

    def __init__(self, rig: RepairRig) -> None:
        self.rig = rig

    def parcel_progressed(self, tenant_id: str, job_id: str, **parcel: str) -> list[str]:
        return self.rig.repairs.parcel_progressed(tenant_id, job_id, **parcel)


class RepairRig:
    """`tracking` is the real logistics service on in-memory parcels, wired both ways with `repairs`;
    `media` the real media service on in-memory media, the check-in's VisitPhotoChecks and the
    grants' VisitPhotos (`photos`)."""

    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        self.tickets = TicketService(self.ticket_store, self.clock)
        self.store = InMemoryRepairStore()
        self.keys = IssuedKeys()
        self.events = RecordingPublisher()
        self.codes: list[str] = []
        self.registry = ProviderRegistry(self.store, self.keys, self.clock)
        self.parcels = InMemoryParcelStore()
        self.tracking = TrackingService(self.parcels, FakeIntegrationSettings(), self.tickets, NoTickets(),
                                        self.events, self.clock, repairs=RepairsFollower(self))
        self.media_store, self.media_objects = InMemoryMediaStore(), InMemoryMediaObjects()
        self.media = MediaService(self.media_store, self.media_objects, PillowInspector(),
                                  ScriptedModeration(Screening.PASSED, ()), self.clock)
        self.visit_media = LazyVisitPhotos(SimpleNamespace(media=self.media))
        self.repairs = RepairService(self.store, self.tickets, self.registry, self.events, self.clock,
                                     code_factory=self._code, photos=self.visit_media, parcels=self.tracking)
        self.photos = VisitPhotoUploads(self.repairs, self.visit_media)
        self.tickets.upsert_order(TENANT, order(lines=KETTLE_LINES,
                                                payment={"provider": "sandbox", "reference": "ch_1",
                                                         "captured": {"amount": 29000, "currency": "CNY"}}))
        self.registry.put_part(TENANT, part_number="HE-220", name="Heating element", compatible_skus=["KETTLE-1"],
                               unit_cost=cny(4500))

    def _code(self) -> str:
        self.codes.append(f"{len(self.codes) + 1:06d}")
        return self.codes[-1]

    def ticket(self) -> str:
        opened = self.tickets.open(TENANT, OpenTicket(type=TicketType.REPAIR, order_id="O-1", channel=Channel.APP,
                                                      reason_code="defective",
                                                      lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
        walk(self.tickets, TENANT, opened.id, "pending_approval", "approved", "repair_dispatched")
        return opened.id

    def photo(self, job_id: str, actor: JobActor) -> str:
        """A visit photo uploaded through the job's grant and passed by the media check: what its check-in names."""
        content = image_bytes("JPEG", (64, 48))
        grant = self.photos.grant(TENANT, job_id, actor, content_type="image/jpeg", size=len(content))
        self.media_objects.uploads[upload_key(TENANT, grant.media_id)] = content
        assert self.media.check_upload(TENANT, grant.media_id, len(content)) == "ready"
        return grant.media_id

    def provider(self, name: str, **rules) -> str:
        return self.registry.register(TENANT, name=name, **rules).provider_id
