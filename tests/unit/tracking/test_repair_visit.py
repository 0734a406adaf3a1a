"""A repair's technician visit on the customer's tracking page, on the real tickets, repairs and
tracking services over in-memory fakes: GIVEN a repair ticket whose provider books a window and sets
off with an ETA, WHEN the customer opens the page THEN it shows the window, the expected arrival and
each step in their language, and never the provider, the technician or the job's costs; a
reschedule shows the new window, the check-in and diagnosis follow, and a job withdrawn from its
provider clears the visit until the next one books."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.core.money import Money
from aftersales.logistics.service import TrackingService
from aftersales.repairs.model import Coverage, Window
from aftersales.repairs.registry import ProviderRegistry
from aftersales.repairs.service import RepairService
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Channel, TicketType
from aftersales.tracking.page import tracking_page
from aftersales.tracking.visit import visit
from tests.support.channels_fakes import FakeIntegrationSettings
from tests.support.fakes.repairs import InMemoryRepairStore, IssuedKeys
from tests.support.repairs import KETTLE_LINES, NoTickets, NoVisitPhotos, RepairsFollower, provider_actor
from tests.support.ticket_factories import CUSTOMER, order
from tests.support.tickets import walk
from tests.support.tracking import NOW, TENANT, TrackingRig, text_of


class VisitRig(TrackingRig):
    def __init__(self, locale: str = "zh-Hans") -> None:
        super().__init__(locale=locale)
        store, events = InMemoryRepairStore(), RecordingPublisher()
        # the logistics context over the page's parcels, wired both ways with the repairs (depot parcels)
        self.logistics = TrackingService(self.parcels, FakeIntegrationSettings(), self.tickets, NoTickets(), events,
                                         self.clock, repairs=RepairsFollower(self))
        self.repairs = RepairService(store, self.tickets, ProviderRegistry(store, IssuedKeys(), self.clock),
                                     events, self.clock, photos=NoVisitPhotos(), parcels=self.logistics)
        self.tickets.upsert_order(TENANT, order(order_id="O-K", lines=KETTLE_LINES))
        self.provider = self.repairs.registry.register(TENANT, name="Shanghai Home Fix").provider_id
        self.repairs.registry.put_technician(TENANT, self.provider, name="Wang Wei", technician_id="tech-9")
        ticket = self.tickets.open(TENANT, OpenTicket(type=TicketType.REPAIR, order_id="O-K", channel=Channel.APP,
                                                      reason_code="defective", locale=locale,
                                                      lines=[{"line_id": "L1", "quantity": 1}]), CUSTOMER)
        walk(self.tickets, TENANT, ticket.id, "pending_approval", "approved", "repair_dispatched")
        self.ticket_id = ticket.id
        self.job_id = self.repairs.dispatch(TENANT, ticket.id).job_id
        self.actor = provider_actor(self.provider)
        self.repairs.accept(TENANT, self.job_id, self.actor)

    def page(self) -> str:
        self.project(self.ticket_id)
        return text_of(tracking_page(self.service.page(self.token(self.ticket_id)), self.token(self.ticket_id)))

    def entries(self):
        return self.ticket_store.audit_entries(TENANT, self.ticket_id)


def window(hours: int) -> Window:
    return Window(start=NOW + timedelta(hours=hours), end=NOW + timedelta(hours=hours + 2))


def test_the_page_shows_the_window_the_eta_and_the_technicians_steps_in_the_customers_language():
    rig = VisitRig("zh-Hans")
    assert "上门" not in rig.page()  # accepted, nothing booked yet: no visit shown
    rig.repairs.book(TENANT, rig.job_id, rig.actor, window=window(24), technician_id="tech-9")
    rig.clock.set(NOW + timedelta(hours=23))
    rig.repairs.on_the_way(TENANT, rig.job_id, rig.actor, eta=NOW + timedelta(hours=24, minutes=30))

    page = rig.page()

    assert "上门维修" in page and "预约时间" in page and "技师已出发" in page and "预计到达" in page
    assert "2026年12月3日 08:00 UTC 至 2026年12月3日 10:00 UTC" in page  # the window, in the ticket's locale
    assert "预计到达：2026年12月3日 08:30 UTC" in page  # the ETA (UTC: the customer's zone is not known)
    for secret in ("Shanghai Home Fix", "Wang Wei", "tech-9", rig.provider, rig.job_id):
        assert secret not in page


def test_a_reschedule_shows_the_new_window_and_the_visit_goes_on_to_diagnosis_and_repair():
    rig = VisitRig("en")
    rig.repairs.book(TENANT, rig.job_id, rig.actor, window=window(24), technician_id=None)
    rig.repairs.on_the_way(TENANT, rig.job_id, rig.actor)
    rig.repairs.reschedule(TENANT, rig.job_id, rig.actor, window=window(48), reason="part on order")
    moved = visit(rig.entries())
    assert (moved.start, moved.stage, moved.eta) == (NOW + timedelta(hours=48), "booked", None)
    assert [p.stage for p in moved.progress] == ["booked"]  # set off for the old window: not any more

    rig.repairs.check_in(TENANT, rig.job_id, rig.actor)
    cny = Money(amount=0, currency="CNY")
    rig.repairs.diagnose(TENANT, rig.job_id, rig.actor, fault_code="E-HEAT", coverage=Coverage.WARRANTY,
                         labour=cny, parts_estimate=cny)
    rig.repairs.repaired(TENANT, rig.job_id, rig.actor)

    done = visit(rig.entries())
    assert [p.stage for p in done.progress] == ["booked", "checked_in", "diagnosed", "repaired"]
    page = rig.page()
    assert "Technician visit" in page and "Repaired" in page and "Dec 4, 2026" in page


@pytest.mark.parametrize("locale", ["en", "zh-Hans"])
def test_a_job_withdrawn_from_its_provider_clears_the_visit(locale):
    rig = VisitRig(locale)
    rig.repairs.book(TENANT, rig.job_id, rig.actor, window=window(24), technician_id=None)
    assert visit(rig.entries()) is not None

    rig.repairs.redispatch_overdue(TENANT, rig.ticket_id, metric="repair_first_visit", since=NOW)

    assert visit(rig.entries()) is None
