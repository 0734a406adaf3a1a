"""The tenant's refunds by state under moto (GET /refunds?state=): each grant is listed once, under
its latest attempt's state, from the money table's gsi1 (a Query, no scan), with the provider's
reason when it failed, paged by a sealed cursor; finance, supervisors and admins only."""

from __future__ import annotations

from aftersales.adapters.sandbox_payments import SandboxBehaviour, SandboxPaymentProvider
from aftersales.refunds.listing import RefundState
from aftersales.refunds.service import grant_id_for
from bench.support import RequestCounter
from tests.support.money import refund_pending


def _provider(svc, **behaviour) -> None:
    svc.payments.use("acme", SandboxPaymentProvider("acme", svc.clock, SandboxBehaviour(**behaviour)))


def _granted(svc, order_id: str) -> tuple[str, str]:
    ticket = refund_pending(svc, order_id=order_id)
    grant_id = grant_id_for(ticket.id, ticket.version)
    svc.refunds.grant("acme", ticket.id, grant_id)
    return ticket.id, grant_id


def _listed(api, who, state: str, **query) -> list[dict]:
    reply = api.request("GET", "/refunds", headers=who, query={"state": state, **query})
    assert reply.status == 200, reply.body
    return reply.body["items"]


def test_refunds_are_listed_by_the_state_of_their_latest_attempt(money, api, demo):
    """GIVEN four refunds: one settled, one the provider declined (then abandoned by the saga),
    one sent and still pending at the provider, one granted and not yet sent
    WHEN finance lists each state THEN each grant is under its own state only, the failed one with
    the provider's reason, amounts in minor units with their currency."""
    svc = money
    settled, settled_grant = _granted(svc, "O-ok")
    _provider(svc, settle_seconds=0, decline_suffix=None)
    svc.refunds.attempt("acme", settled, settled_grant)
    declined, declined_grant = _granted(svc, "O-declined")
    _provider(svc, settle_seconds=0, decline_suffix=0)  # the order's 95.00 ends in 00: declined
    assert svc.refunds.attempt("acme", declined, declined_grant).status.value == "failed"
    svc.refunds.fail("acme", declined, declined_grant)
    waiting, waiting_grant = _granted(svc, "O-waiting")
    _provider(svc, settle_seconds=3600)
    svc.refunds.attempt("acme", waiting, waiting_grant)
    granted, _ = _granted(svc, "O-granted")
    finance = demo["acme"]["finance"]

    failed = _listed(api, finance, "failed")
    assert [(r["ticket_id"], r["status"], r["failure_reason"]) for r in failed] == [(declined, "failed", "declined")]
    assert failed[0]["amount"] == {"amount": 9500, "currency": "CNY"} and failed[0]["attempt_number"] == 1
    succeeded = _listed(api, finance, "succeeded")
    assert [(r["ticket_id"], r["failure_reason"]) for r in succeeded] == [(settled, None)]
    assert succeeded[0]["provider_refund_id"].startswith("re_sbx")
    pending = _listed(api, finance, "pending")
    assert {r["ticket_id"]: r["status"] for r in pending} == {waiting: "pending", granted: "granted"}
    assert _listed(api, demo["other"]["finance"], "pending") == []


def test_a_page_is_one_query_and_the_cursor_continues_this_listing_only(money, api, demo):
    """GIVEN three granted refunds WHEN a supervisor reads them a page of two at a time
    THEN each page is one DynamoDB Query of the index, the next page holds the third, newest grant
    first overall, and the cursor is refused by another state's listing (422 at query.cursor)."""
    svc = money
    ids = [_granted(svc, f"O-{n}")[0] for n in range(3)]
    supervisor = demo["acme"]["supervisor"]
    counter = RequestCounter()
    with counter.counting():
        page = svc.refunds.listing("acme", RefundState.PENDING, limit=2, cursor=None)
    assert len(page.items) == 2 and page.cursor
    assert {op for (_svc, op, _t) in counter.calls} == {"Query"} and counter.total() == 1, counter.describe()
    first = api.request("GET", "/refunds", headers=supervisor, query={"state": "pending", "limit": "2"})
    assert first.status == 200 and len(first.body["items"]) == 2
    rest = _listed(api, supervisor, "pending", limit="2", cursor=first.body["next_cursor"])
    assert [r["ticket_id"] for r in first.body["items"] + rest] == list(reversed(ids))
    other = api.request("GET", "/refunds", headers=supervisor,
                        query={"state": "failed", "cursor": first.body["next_cursor"]})
    assert other.status == 422 and "query.cursor" in str(other.body)


def test_only_money_roles_list_refunds_and_a_bad_state_is_422(money, api, demo):
    assert api.request("GET", "/refunds", headers=demo["acme"]["agent"]).status == 403
    assert api.request("GET", "/refunds", headers=demo["acme"]["arbitrator"]).status == 403
    assert api.request("GET", "/refunds", headers=demo["acme"]["admin"]).status == 200
    bad = api.request("GET", "/refunds", headers=demo["acme"]["finance"], query={"state": "lost"})
    assert bad.status == 422 and "state" in str(bad.body)
