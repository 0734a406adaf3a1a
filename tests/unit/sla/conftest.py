import pytest

from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.policy import TicketFacts


@pytest.fixture(scope="session")
def calendars() -> dict[str, BusinessCalendar]:
    """Immutable, so shared by the session. cn: Shanghai 09-12, 13-18 on weekdays (8h a day)."""
    cn = BusinessCalendar.model_validate(
        {
            "calendar_id": "cn",
            "tenant_id": "t1",
            "timezone": "Asia/Shanghai",
            "weekly_hours": {
                d: [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]
                for d in ("mon", "tue", "wed", "thu", "fri")
            },
        }
    )
    return {"cn": cn}


@pytest.fixture(scope="session")
def facts() -> TicketFacts:
    return TicketFacts(
        tenant_id="t1", ticket_id="tkt_1", ticket_type="return", customer_tier="vip", channel="web"
    )
