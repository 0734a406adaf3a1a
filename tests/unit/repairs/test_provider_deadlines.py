"""A provider's deadlines on its job (repairs/deadlines.py): its own cycle of the accept and
first-visit clocks, the ticket's fix-by while it holds the repair, nothing of another provider's."""

from __future__ import annotations

from datetime import timedelta

from aftersales.repairs.deadlines import JobDeadlines, provider_deadlines
from aftersales.repairs.model import JobStatus
from aftersales.repairs.ports import JobClock
from tests.support.repairs import NOW, TENANT, RepairRig, provider_actor

H = timedelta(hours=1)


def _jobs():
    """The ticket offered to a first provider at NOW, declined at +1h, offered to a second at +1h."""
    rig = RepairRig()
    first, second = rig.provider("First", regions=["CN"]), rig.provider("Second", brands=["brewco"])
    ticket_id = rig.ticket()
    declined = rig.repairs.dispatch(TENANT, ticket_id)
    rig.clock.advance(hours=1)
    declined, offered = rig.repairs.decline(TENANT, declined.job_id, provider_actor(first), reason="busy")
    assert (declined.status, offered.provider_id) == (JobStatus.DECLINED, second)
    return rig, declined, offered


def _clocks(start):
    return [JobClock(metric="repair_returned_by_provider", started_at=start, due_at=start + 168 * H),
            JobClock(metric="repair_accept", started_at=start, due_at=start + 4 * H),
            JobClock(metric="repair_accept", started_at=start + H, due_at=start + 5 * H),
            JobClock(metric="repair_first_visit", started_at=start + 2 * H, due_at=start + 50 * H),
            JobClock(metric="first_response", started_at=start, due_at=start + H)]


def test_each_job_shows_its_own_cycle_and_the_declined_one_nothing_of_the_next():
    _rig, declined, offered = _jobs()
    clocks = _clocks(NOW)
    assert provider_deadlines(offered, clocks) == {"accept_by": "2026-12-03T13:00:00.000Z",
                                                   "first_visit_by": "2026-12-05T10:00:00.000Z",
                                                   "fix_by": "2026-12-10T08:00:00.000Z"}
    assert provider_deadlines(declined, clocks) == {"accept_by": "2026-12-03T12:00:00.000Z",
                                                    "first_visit_by": None, "fix_by": None}


def test_a_met_or_paused_clock_and_no_clock_at_all_show_no_time():
    _rig, _declined, offered = _jobs()
    met = [JobClock(metric="repair_accept", started_at=NOW + H, due_at=None)]
    assert provider_deadlines(offered, met) == {"accept_by": None, "first_visit_by": None, "fix_by": None}
    assert provider_deadlines(offered, []) == {"accept_by": None, "first_visit_by": None, "fix_by": None}


class Clocks:
    def __init__(self, by_ticket) -> None:
        self.by_ticket = by_ticket
        self.reads: list[list[str]] = []

    def repair_clocks(self, tenant_id, ticket_ids):
        self.reads.append(ticket_ids)
        return {t: c for t, c in self.by_ticket.items() if t in ticket_ids}


def test_a_page_of_jobs_reads_their_tickets_clocks_once():
    _rig, declined, offered = _jobs()
    clocks = Clocks({offered.ticket_id: _clocks(NOW)})
    found = JobDeadlines(clocks).for_provider(TENANT, [declined, offered])
    assert clocks.reads == [[offered.ticket_id]]
    assert found[offered.job_id]["fix_by"] == "2026-12-10T08:00:00.000Z"
    assert JobDeadlines(clocks).for_provider(TENANT, []) == {} and len(clocks.reads) == 1
