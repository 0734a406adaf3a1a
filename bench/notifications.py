"""Customer notifications: requests per notification through the outbox consumer, on
moto for AWS and a local HTTP server answering like WeCom with its recorded payloads."""

from __future__ import annotations

import json
import os
import statistics
import time

from bench.report import Section
from bench.support import RequestCounter, local_aws

SENDS = 50


def _wecom_api(invalid_user: list[str]):
    """gettoken and message/send with WeCom's recorded replies; `invalid_user` are listed as invalid."""
    from tests.support.fake_http import FakeJsonApi
    from tests.support.fixture_files import load

    token, sent = load("wecom/skit/CgibinGetTokenResponse.json"), load("wecom/skit/CgibinMessageSendResponse.json")

    def answer(method: str, path: str, query: dict, body: str | None) -> tuple[int, dict]:
        if path == "/cgi-bin/gettoken":
            return 200, token
        return 200, sent if json.loads(body)["touser"] in invalid_user else {"errcode": 0, "errmsg": "ok", "msgid": "m"}

    return FakeJsonApi(answer)


def run() -> list[Section]:
    from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
    from aftersales.tickets.model import Channel, Role, Status, TicketType
    from aftersales.wiring import services
    from tests.support.channels import extra_resources, seed_order

    section = Section("Requests per customer notification (outbox consumer, one event)",
                      ["case", "DynamoDB", "SES", "WeCom HTTP", "calls", "median ms"])
    wecom = _wecom_api(invalid_user=["userid1"])
    calls = wecom.received
    with local_aws("NotificationsFunction") as model:
        os.environ["WECOM_API_BASE"] = wecom.url
        extra_resources(model)
        svc = services()
        contacts = svc.channels.contacts
        svc.integrations.set_wecom("bench", {"token": "tok", "encoding_aes_key": "k" * 43, "corp_id": "ww",
                                             "agent_id": 1000002, "secret": "s" * 16})
        agent = Actor(id="a", roles=frozenset({Role.AGENT}))

        def ticket_for(customer: str, channel: Channel, address: str | None, email: str | None) -> str:
            order = f"O-{customer}"
            seed_order("bench", order, customer)
            if address:
                contacts.put("bench", customer, "wecom", address, "zh-Hans")
            if email:
                contacts.put("bench", customer, "email", email, "zh-Hans")
            request = OpenTicket(type=TicketType.RETURN_REFUND, order_id=order, channel=channel, reason_code="x",
                                 lines=[LineRequest(line_id="L1", quantity=1)], locale="zh-Hans")
            ticket = svc.tickets.open("bench", request, agent)
            svc.tickets.transition("bench", ticket.id, Status.PENDING_APPROVAL, agent)
            return ticket.id

        def measure(label: str, customer: str, ticket_id: str, runs: int = 1) -> None:
            samples, counter = [], RequestCounter()
            before = len(calls)
            for i in range(runs):
                event = {"detail-type": "ticket.created", "source": "aftersales.tickets",
                         "detail": {"tenant_id": "bench", "ticket_id": ticket_id, "customer_id": customer,
                                    "to_status": "submitted", "dedup_key": f"{ticket_id}#{label}#{i}"}}
                with counter.counting():
                    started = time.perf_counter()
                    outcome = svc.notifications.handle(event)
                    samples.append((time.perf_counter() - started) * 1000)
                assert outcome == "sent", outcome
            ddb, ses = counter.total("dynamodb") / runs, counter.total("ses") / runs
            section.rows.append([label, f"{ddb:g}", f"{ses:g}", f"{(len(calls) - before) / runs:g}",
                                 counter.describe() + (f" (per event, {runs} events)" if runs > 1 else ""),
                                 f"{statistics.median(samples):.2f}"])

        measure("e-mail", "c-mail", ticket_for("c-mail", Channel.EMAIL, None, "m@example.com"))
        wecom_ticket = ticket_for("c-wecom", Channel.WECOM, "wm-user-1", None)
        measure("WeCom, cold container (token fetched)", "c-wecom", wecom_ticket)
        measure(f"WeCom, warm token ({SENDS} events)", "c-wecom", wecom_ticket, runs=SENDS)
        measure("WeCom user unreachable → e-mail", "c-gone",
                ticket_for("c-gone", Channel.WECOM, "userid1", "g@example.com"))
    wecom.close()
    sections = [section, _douyin_writeback()]
    section.notes.append("DynamoDB: the ticket and the customer's contacts (2 Query), the dedupe marker and the "
                         "outbound conversation item (2 PutItem); WeCom HTTP counts gettoken and message/send. "
                         "The e-mail row's time includes creating the SES client (first call in the process).")
    return sections


def _douyin_writeback() -> Section:
    """Requests per decision written back to Douyin (afterSale.operate through the write-back
    function), with the open API answered locally in the SDK's envelope."""
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role, Status
    from aftersales.wiring import services
    from tests.support.channels import extra_resources, seed_order
    from tests.support.fake_http import FakeJsonApi

    section = Section("Requests per decision written back to Douyin (afterSale.operate)",
                      ["case", "DynamoDB", "Douyin HTTP", "calls", "median ms"])
    ok = {"code": 10000, "msg": "success", "data": {"items": [{"aftersale_id": 1, "status_code": 0}]}}
    token = {"code": 10000, "data": {"access_token": "t", "expires_in": 604800}}
    api = FakeJsonApi(lambda method, path, query, body: (200, token if path == "/token/create" else ok))
    with local_aws("DouyinWritebackFunction") as model:
        os.environ["DOUYIN_API_BASE"] = api.url
        extra_resources(model)
        svc = services()
        svc.integrations.set_douyin("bench", {
            "app_key": "k", "app_secret": "s" * 16, "shop_id": "95250", "reject_reason_code": 7})
        agent = Actor(id="a", roles=frozenset({Role.AGENT, Role.SUPERVISOR}))
        store = svc.channel_stores.intake
        writeback = svc.douyin_writeback

        def approved_event(n: int) -> dict:
            from aftersales.tickets.domain import LineRequest, OpenTicket
            from aftersales.tickets.model import Channel, TicketType
            from tests.support.tickets import approve_as_reviewer

            seed_order("bench", f"O-{n}", f"c-{n}")
            ticket = svc.tickets.open("bench", OpenTicket(
                type=TicketType.REFUND_ONLY, order_id=f"O-{n}", channel=Channel.DOUYIN, reason_code="x",
                lines=[LineRequest(line_id="L1", quantity=1)]), agent)
            store.put_external_ref("bench", ticket.id, "douyin", {"aftersale_id": f"AS-{n}",
                                                                   "kind": "refund_only_shipped"})
            svc.tickets.transition("bench", ticket.id, Status.PENDING_APPROVAL, agent)
            done = approve_as_reviewer(svc.tickets, "bench", ticket.id)
            return {"detail-type": "ticket.approved", "detail": {
                "tenant_id": "bench", "ticket_id": ticket.id, "reason": None, "data": {},
                "dedup_key": f"{ticket.id}#{done.version}"}}

        def measure(label: str, events: list[dict]) -> None:
            counter, samples, before = RequestCounter(), [], len(api.received)
            for event in events:
                with counter.counting():
                    started = time.perf_counter()
                    assert writeback.handle(event) == "written"
                    samples.append((time.perf_counter() - started) * 1000)
            n = len(events)
            section.rows.append([label, f"{counter.total('dynamodb') / n:g}", f"{(len(api.received) - before) / n:g}",
                                 counter.describe() + (f" ({n} events)" if n > 1 else ""),
                                 f"{statistics.median(samples):.2f}"])

        measure("approval, cold container (shop token fetched)", [approved_event(0)])
        measure(f"approval, warm token ({SENDS} events)", [approved_event(i) for i in range(1, SENDS + 1)])
    api.close()
    section.notes.append("DynamoDB: the ticket's Douyin reference (GetItem), the dedupe marker (PutItem), and the "
                         "audit note `ticket.platform_synced` (Query + TransactWriteItems); the tenant's settings "
                         "come from the per-container cache. The milliseconds are moto's: its TransactWriteItems "
                         "copies the table, so they grow with the tickets written (profiled), not a Lambda figure.")
    return section
