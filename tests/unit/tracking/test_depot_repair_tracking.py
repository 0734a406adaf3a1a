"""A depot repair on the customer's tracking page, on the real tickets, repairs, logistics and
tracking services over in-memory fakes: GIVEN a repair whose item the customer ships in, WHEN the
carrier delivers it to the repair centre, the provider repairs it and ships it back and the carrier
delivers it THEN the page shows each step with its time in the customer's language, no visit, and
never the provider, the job, the removed part going back to the merchant or the costs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.core.money import Money
from aftersales.logistics.events import Provider, TrackingEvent, TrackingStatus
from aftersales.repairs.model import Coverage
from aftersales.tracking.depot import depot
from aftersales.tracking.visit import visit
from tests.support.repairs import CUSTOMER_SIDE
from tests.support.tracking import NOW, TENANT
from tests.unit.tracking.test_repair_visit import VisitRig, window

STEPS = ["shipped_in", "at_depot", "diagnosed", "repaired", "shipped_back", "delivered_back"]


def _delivered(rig: VisitRig, number: str, event_id: str, hours: int) -> None:
    rig.logistics.apply(TENANT, TrackingEvent(provider=Provider.AFTERSHIP, provider_event_id=event_id,
                                              tracking_number=number, status=TrackingStatus.DELIVERED,
                                              occurred_at=NOW + timedelta(hours=hours)))


def _walk(rig: VisitRig, *, until: str = "delivered_back") -> None:
    """The depot walk, step by step, an hour apart, up to `until`."""
    rig.repairs.registry.put_part(TENANT, part_number="HE-220", name="Heating element", compatible_skus=["KETTLE-1"],
                                  unit_cost=Money(amount=4500, currency="CNY"), return_removed=True)
    cny = Money(amount=0, currency="CNY")
    steps = {
        "shipped_in": lambda: rig.repairs.ship_in(TENANT, rig.job_id, CUSTOMER_SIDE, carrier="sf",
                                                  tracking_number="SF-IN-1"),
        "at_depot": lambda: _delivered(rig, "SF-IN-1", "e1", 20),
        "diagnosed": lambda: rig.repairs.diagnose(TENANT, rig.job_id, rig.actor, fault_code="E-HEAT",
                                                  coverage=Coverage.WARRANTY, labour=cny, parts_estimate=cny),
        "repaired": lambda: (rig.repairs.record_part(TENANT, rig.job_id, rig.actor, part_number="HE-220",
                                                     serial="SN-1", removed_serial="SN-OLD"),
                             rig.repairs.ship_part_return(TENANT, rig.job_id, rig.actor, carrier="sf",
                                                          tracking_number="SF-PART-1", removed_serial="SN-OLD"),
                             rig.repairs.repaired(TENANT, rig.job_id, rig.actor)),
        "shipped_back": lambda: rig.repairs.ship_back(TENANT, rig.job_id, rig.actor, carrier="sf",
                                                      tracking_number="SF-OUT-1"),
        "delivered_back": lambda: _delivered(rig, "SF-OUT-1", "e2", 50),
    }
    for n, (name, step) in enumerate(steps.items()):
        rig.clock.set(NOW + timedelta(hours=n + 1))
        step()
        if name == until:
            return


def test_each_depot_step_is_on_the_page_in_the_customers_language_and_nothing_of_the_merchants():
    rig = VisitRig("zh-Hans")
    assert depot(rig.entries()) is None and "寄修进度" not in rig.page()  # accepted, nothing sent in yet
    _walk(rig)

    found = depot(rig.entries())
    assert [p.stage for p in found.progress] == STEPS
    assert [p.at for p in found.progress] == [NOW + timedelta(hours=h) for h in (1, 2, 3, 4, 5, 6)]
    assert visit(rig.entries()) is None  # no technician visit on a depot repair
    page = rig.page()
    for text in ("寄修进度", "您已将商品寄往维修中心", "维修中心已收到您的商品", "故障已检测", "已修复", "已寄回给您",
                 "已送回给您", "2026年12月2日 14:00 UTC"):
        assert text in page, text
    assert "上门维修" not in page
    for secret in ("Shanghai Home Fix", rig.provider, rig.job_id, "SF-PART-1", "SN-OLD", "Heating element"):
        assert secret not in page, secret


@pytest.mark.parametrize(("locale", "sent_in", "received"), [
    ("en", "You sent the item to the repair centre", "The repair centre received your item"),
    ("de", "Sie haben den Artikel an die Reparaturwerkstatt geschickt", "Die Reparaturwerkstatt hat Ihren Artikel"),
    ("es", "Ha enviado el artículo al centro de reparación", "El centro de reparación ha recibido su artículo"),
    ("fr", "Vous avez envoyé l'article au centre de réparation", "Le centre de réparation a reçu votre article"),
    ("ja", "商品を修理センターへ発送しました", "修理センターが商品を受け取りました"),
    ("ko", "상품을 수리 센터로 보내셨습니다", "수리 센터가 상품을 받았습니다"),
])
def test_the_steps_so_far_read_in_each_customer_language(locale, sent_in, received):
    rig = VisitRig(locale)
    _walk(rig, until="at_depot")
    assert [p.stage for p in depot(rig.entries()).progress] == ["shipped_in", "at_depot"]
    page = rig.page()
    assert sent_in in page and received in page
    assert "tracking.depot" not in page  # every text found in the catalog


def test_an_on_site_repair_shows_its_visit_and_no_depot_steps():
    rig = VisitRig("en")
    rig.repairs.book(TENANT, rig.job_id, rig.actor, window=window(24), technician_id=None)
    rig.repairs.check_in(TENANT, rig.job_id, rig.actor)  # the same ticket move as the depot's arrival
    assert depot(rig.entries()) is None and visit(rig.entries()).stage == "checked_in"
    assert "Repair at the repair centre" not in rig.page()
