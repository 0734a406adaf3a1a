"""The demo tenant seeded by `make run`: a working shop.

Bootstrapped with the tenant services, as an operator provisions a tenant on AWS: the tenant, one
API key per scope, one staff user per role and their tokens. Everything else goes through the
public HTTP API, as a merchant would set it up: two shift calendars that together cover the whole
day, a care team whose skills cover every ticket type, channel and language, a day-shift and a
night-shift agent (so a new ticket finds someone on shift at any hour) and an on-call supervisor
for escalations, the customers' e-mail contacts (notifications go to the embedded SES), orders, and
a few tickets in different states, one of them from a refund-abuse cluster (the queue's high risk).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aftersales.auth.credentials import REPAIR_SCOPES, ApiKeyScope
from aftersales.tickets.model import Channel, Role, TicketType
from aftersales.wiring import services
from infra.local.fake_zendesk import connect_demo

TENANT = "demo"
STAFF = [("agent-li", "Li Na", Role.AGENT), ("agent-zhou", "Zhou Qing", Role.AGENT),
         ("sup-wang", "Wang Wei", Role.SUPERVISOR), ("fin-zhao", "Zhao Min", Role.FINANCE),
         ("arb-chen", "Chen Jie", Role.ARBITRATOR), ("admin-sun", "Sun Yu", Role.ADMIN)]
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHIFTS = {  # Asia/Shanghai, every day: 08:00-20:00 and 20:00-08:00
    "shift-day": [{"start": "08:00", "end": "20:00"}],
    "shift-night": [{"start": "00:00", "end": "08:00"}, {"start": "20:00", "end": "24:00"}],
}
CATEGORIES = ["appliances", "kitchen", "electronics"]
CARE_TEAM = {"ticket_types": [t.value for t in TicketType], "languages": ["zh-Hans", "en", "de"],
             "channels": [c.value for c in Channel]}
AGENTS = {
    "agent-li": {"team_id": "care", "max_open": 50, "availability": "online", "shift_calendar_id": "shift-day",
                 "skills": {"product_categories": CATEGORIES}},
    "agent-zhou": {"team_id": "care", "max_open": 50, "availability": "online", "shift_calendar_id": "shift-night",
                   "skills": {"product_categories": CATEGORIES}},
    "sup-wang": {"team_id": "care", "max_open": 20, "availability": "online", "supervisor": True,
                 "skills": {"product_categories": CATEGORIES}},
}
# cust-3001 buys from Germany and reads German: its stored language makes its notifications German.
CONTACTS = {"cust-1001": ("cust-1001@example.com", "zh-Hans"), "cust-2001": ("cust-2001@example.com", "en"),
            "cust-3001": ("cust-3001@example.com", "de"), "cust-4001": ("cust-4001@example.com", "zh-Hans")}
# A refund-abuse cluster: four two-day-old accounts that bought from one phone on one network (the
# storefront forwards its checkout's device and IP, hashed by the API), the first of them asking for a
# refund without a return from there. Approval routing scores it high (a device of 4 accounts 40, an
# IP of 4 accounts 20, a new account 15: 75) and keeps that on the ticket for the queue's risk filter.
CLUSTER = ("cust-4001", "cust-4002", "cust-4003", "cust-4004")
CLUSTER_CHECKOUT = {"X-Device-Fingerprint": "demo-phone-7731", "X-Customer-IP": "203.0.113.45"}
# What the README's walk-through exports, by the label `seed` prints it under.
SHELL_VARIABLES = {"STOREFRONT_KEY": "storefront API key", "CUSTOMER_TOKEN": "customer token cust-1001",
                   "AGENT_TOKEN": "agent token agent-li", "NIGHT_AGENT_TOKEN": "agent token agent-zhou",
                   "SUPERVISOR_TOKEN": "supervisor token", "FINANCE_TOKEN": "finance token"}


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _order(order_id: str, channel: str, customer: tuple[str, str], payment: tuple[str, str], country: str,
           currency: str, shipping_fee: int, lines: list[tuple[str, str, str, int, int]], placed_at: str) -> dict:
    """A demo order: customer (id, tier), payment (provider, reference) capturing its lines and shipping,
    lines (sku, name, category, quantity, unit price) numbered from 1."""
    paid = sum(quantity * price for *_, quantity, price in lines) + shipping_fee
    return {"order_id": order_id, "version": 1, "channel": channel, "currency": currency,
            "customer": {"id": customer[0], "tier": customer[1]},
            "payment": {"provider": payment[0], "reference": payment[1], "captured": _money(paid, currency)},
            "shipping": {"country": country, "fee": _money(shipping_fee, currency)},
            "lines": [{"line_id": str(n), "sku": sku, "name": name, "category": category, "product_type": "physical",
                       "quantity": quantity, "unit_price_paid": _money(price, currency)}
                      for n, (sku, name, category, quantity, price) in enumerate(lines, start=1)],
            "placed_at": placed_at}


def _cluster_order(customer: str, placed_at: str, account_created_at: str) -> dict:
    order = _order(f"SO-{customer[-4:]}", "mini_program", (customer, "standard"),
                   ("sandbox", f"ch_demo_{customer[-4:]}"), "CN", "CNY", 0,
                   [("POWERBANK-07", "移动电源", "electronics", 1, 19900)], placed_at)
    order["customer"]["account_created_at"] = account_created_at
    return order


def _orders(now_iso: str, account_created_at: str) -> list[dict[str, Any]]:
    return [
        _order("SO-1001", "mini_program", ("cust-1001", "vip"), ("sandbox", "ch_demo_1001"), "CN", "CNY", 1200,
               [("KETTLE-01", "电热水壶", "appliances", 1, 29900), ("MUG-02", "陶瓷杯", "kitchen", 2, 14350)], now_iso),
        _order("SO-1002", "mini_program", ("cust-1001", "vip"), ("sandbox", "ch_demo_1002"), "CN", "CNY", 1000,
               [("COOKER-03", "电饭煲", "appliances", 1, 39900)], now_iso),
        _order("WEB-2001", "web", ("cust-2001", "standard"), ("stripe", "pi_demo_2001"), "US", "USD", 900,
               [("HEADSET-9", "Wireless headset", "electronics", 1, 12000)], now_iso),
        _order("DE-3001", "web", ("cust-3001", "standard"), ("sandbox", "ch_demo_3001"), "DE", "EUR", 490,
               [("TEAPOT-DE", "Teekanne", "kitchen", 1, 3000)], now_iso),
        *(_cluster_order(customer, now_iso, account_created_at) for customer in CLUSTER),
    ]


def _verify_sender() -> None:
    """On AWS the notifications sender is an SES identity verified once by an operator (template
    parameter NotificationsSender); the embedded SES rejects unverified senders, so do it here."""
    import boto3

    sender = os.environ.get("NOTIFICATIONS_SENDER")
    if sender:
        boto3.client("ses").verify_email_identity(EmailAddress=sender)


class _Api:
    """The demo's merchant, talking to the stack's API like any client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def call(self, method: str, path: str, body: Any, headers: Mapping[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(f"{self.base_url}{path}", data=json.dumps(body).encode(), method=method,
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"demo seed: {method} {path} answered {exc.code}: {exc.read().decode()}") from None


RETURN_WAREHOUSES = {"warehouses": [
    {"id": "shanghai", "name": "Demo Store returns, Shanghai", "country": "CN", "default": True,
     "address_lines": ["Demo Store Returns", "88 Jiangchang Road", "Shanghai 200436"]},
    {"id": "frankfurt", "name": "Demo Store EU returns hub", "country": "DE", "serves": ["DE", "FR", "AT"],
     "address_lines": ["Demo Store EU Returns", "Hafenstraße 5", "60327 Frankfurt am Main"]}]}


def seed(stack: Any) -> dict[str, str]:
    """Seed the demo tenant into a started stack; returns the credentials to print, by label."""
    from aftersales.core.clock import iso

    svc = services()
    _verify_sender()
    svc.tenants.create_tenant(TENANT, "Demo Store", default_locale="zh-Hans")
    # A repair provider's (or technician's) key is issued for one only (issue_provider_key,
    # issue_technician_key), never by scope.
    keys = {scope: svc.tenants.issue_api_key(TENANT, f"demo {scope.value}", [scope]).api_key
            for scope in ApiKeyScope if scope not in REPAIR_SCOPES}
    for user_id, name, role in STAFF:
        svc.tenants.put_staff(TENANT, user_id, name, frozenset({role}))

    api = _Api(stack.api_url)
    storefront = {"X-Api-Key": keys[ApiKeyScope.STOREFRONT]}

    def supervisor() -> dict[str, str]:  # fresh each time: at --speed 3600 a 12 h token lasts 12 s
        return {"Authorization": f"Bearer {svc.tenants.mint_staff_token(TENANT, 'sup-wang', timedelta(hours=12))}"}

    for calendar_id, hours in SHIFTS.items():
        api.call("PUT", f"/sla/calendars/{calendar_id}", {"timezone": "Asia/Shanghai", "region": "CN",
                                                          "weekly_hours": dict.fromkeys(WEEK, hours)}, supervisor())
    api.call("PUT", "/dispatch/teams/care", {"skills": CARE_TEAM}, supervisor())
    for agent_id, agent in AGENTS.items():
        api.call("PUT", f"/dispatch/agents/{agent_id}", agent, supervisor())
    for customer_id, (address, locale) in CONTACTS.items():
        api.call("PUT", f"/customers/{customer_id}/contacts/email", {"address": address, "locale": locale},
                 storefront)
    now = svc.clock.now()
    for order in _orders(iso(now), iso(now - timedelta(days=2))):
        checkout = CLUSTER_CHECKOUT if order["customer"]["id"] in CLUSTER else {}
        api.call("PUT", f"/orders/{order['order_id']}", order, {**storefront, **checkout})
    # where returns go: the Shanghai warehouse, and an EU hub for German, French and Austrian orders
    api.call("PUT", "/return-destinations", RETURN_WAREHOUSES, storefront)
    # the demo shop's Zendesk (a local fake): every ticket from here on shows up there
    admin = {"Authorization": f"Bearer {svc.tenants.mint_staff_token(TENANT, 'admin-sun', timedelta(hours=12))}"}
    _zendesk, zendesk_lines = connect_demo(stack.api_url, TENANT, api.call, admin, "agent-li")
    ret = api.call("POST", "/tickets", {"type": "return_refund", "order_id": "SO-1001", "channel": "mini_program",
                                        "reason_code": "quality", "description": "壶底漏水",
                                        "lines": [{"line_id": "1", "quantity": 1}]},
                   {**storefront, "Accept-Language": "zh-CN"})
    api.call("POST", f"/tickets/{ret['id']}/transitions", {"to": "pending_approval", "reason": "auto-submitted"},
             storefront)
    exchange = api.call("POST", "/tickets", {"type": "exchange", "order_id": "WEB-2001", "channel": "web",
                                             "reason_code": "wrong_size", "lines": [{"line_id": "1", "quantity": 1}]},
                        storefront)
    complaint = api.call("POST", "/tickets", {"type": "complaint", "order_id": "SO-1001", "channel": "phone",
                                              "reason_code": "late_delivery",
                                              "description": "Courier was three days late"}, storefront)
    german = api.call("POST", "/tickets", {"type": "refund_only", "order_id": "DE-3001", "channel": "web",
                                           "reason_code": "quality", "description": "Der Deckel ist gesprungen",
                                           "lines": [{"line_id": "1", "quantity": 1}]},
                      {**storefront, "Accept-Language": "de-DE"})
    # the cluster's refund, submitted for approval (its delivery is not known yet, so the intake checks
    # leave it for an agent): approval routing scores it high and sends it to a person
    risky = api.call("POST", "/tickets", {"type": "refund_only", "order_id": f"SO-{CLUSTER[0][-4:]}",
                                          "channel": "mini_program", "reason_code": "not_as_described",
                                          "description": "充不进电", "lines": [{"line_id": "1", "quantity": 1}]},
                     {**storefront, **CLUSTER_CHECKOUT, "Accept-Language": "zh-CN"})
    api.call("POST", f"/tickets/{risky['id']}/transitions", {"to": "pending_approval", "reason": "auto-submitted"},
             storefront)

    # The storefront key comes first: it is the one to try the API with (and the one tests pick).
    lines = {"tenant": TENANT, "demo tickets (return, exchange, complaint)":
             " ".join(t["id"] for t in (ret, exchange, complaint)),
             "storefront API key (X-Api-Key)": keys[ApiKeyScope.STOREFRONT],
             "German customer's ticket (cust-3001, de; refund of 30,00 EUR)": german["id"],
             "high-risk ticket (cust-4001: four new accounts on one phone; refund without return)": risky["id"],
             "customer token cust-1001 (Authorization: Bearer; 1 h)":
                 svc.tenants.mint_customer_token(TENANT, "cust-1001", timedelta(hours=1))}
    for user_id, _name, role in STAFF:
        lines[f"{role.value} token {user_id}"] = svc.tenants.mint_staff_token(TENANT, user_id, timedelta(hours=12))
    lines["staff_token_issuer API key (X-Api-Key; POST /auth/staff-tokens only)"] = keys[ApiKeyScope.STAFF_TOKEN_ISSUER]
    lines["admin API key (X-Api-Key; staff users and API keys only)"] = keys[ApiKeyScope.ADMIN]
    lines.update(_repair_providers(api, supervisor()))
    lines.update(zendesk_lines)
    return lines


REPAIR_PROVIDERS = ("Shanghai Home Fix", "Hangzhou Appliance Care")  # both serve CN appliances: a decline moves on
DEMO_TECHNICIAN = ("tech-wang", "王师傅")  # Shanghai Home Fix's technician, with a key of their own


def _repair_providers(api: _Api, supervisor: Mapping[str, str]) -> dict[str, str]:
    """Two repair providers for the demo's appliances in CN, each with its own key (its offered jobs
    only), the first one's technician with a key the provider issued (the jobs booked for them only:
    the technician's mobile page), and the kettle's heating element in the parts catalogue;
    docs/repairs.md walks a repair."""
    admin = {"Authorization": f"Bearer {services().tenants.mint_staff_token(TENANT, 'admin-sun', timedelta(hours=12))}"}
    api.call("PUT", "/repairs/parts/HE-KETTLE-01", {"name": "加热元件", "compatible_skus": ["KETTLE-01"],
                                                     "unit_cost": _money(4500, "CNY")}, supervisor)
    printed = {}
    for name in REPAIR_PROVIDERS:
        provider = api.call("POST", "/repairs/providers", {"name": name, "regions": ["CN"], "brands": ["appliances"],
                                                           "capacity": 20}, supervisor)
        issued = api.call("POST", f"/repairs/providers/{provider['provider_id']}/api-keys", {"name": name}, admin)
        printed[f"repair provider key {name} (X-Api-Key; its offered jobs only)"] = issued["api_key"]
        if name == REPAIR_PROVIDERS[0]:
            printed.update(_demo_technician(api, provider["provider_id"], name, supervisor,
                                            {"X-Api-Key": issued["api_key"]}))
    return printed


def _demo_technician(api: _Api, provider_id: str, provider_name: str, supervisor: Mapping[str, str],
                     provider_key: Mapping[str, str]) -> dict[str, str]:
    technician_id, name = DEMO_TECHNICIAN
    path = f"/repairs/providers/{provider_id}/technicians/{technician_id}"
    api.call("PUT", path, {"name": name, "regions": ["CN"]}, supervisor)
    issued = api.call("POST", f"{path}/api-keys", {"name": f"{name}'s phone"}, provider_key)
    return {f"repair technician key {name} ({technician_id}) of {provider_name} "
            f"(X-Api-Key; the jobs booked for them only)": issued["api_key"]}


def shell_variables(demo: Mapping[str, str]) -> dict[str, str]:
    """The walk-through's variables (STOREFRONT_KEY, CUSTOMER_TOKEN, ...) from `seed`'s labels."""
    return {name: next(value for label, value in demo.items() if label.startswith(prefix))
            for name, prefix in SHELL_VARIABLES.items()}


def sign_in_links(workbench_url: str, demo: Mapping[str, str]) -> dict[str, str]:
    """One workbench sign-in link per demo staff member, by "<role> <user>": the staff token rides
    in the URL's fragment, which the browser never sends; the app keeps it in sessionStorage."""
    return {f"{role.value} {user_id}": f"{workbench_url}#token={demo[f'{role.value} token {user_id}']}"
            for user_id, _name, role in STAFF if f"{role.value} token {user_id}" in demo}


PROVIDER_PAGE = "provider.html"  # the repair provider's page, a file of the workbench's build
REPAIR_KEYS = ("repair provider key ", "repair technician key ")


def provider_page_hints(workbench_url: str, demo: Mapping[str, str]) -> tuple[str, list[str]]:
    """The provider page's address and which printed keys sign in there (each by the label it is
    printed under, never the key itself: the page takes it typed in, never from the URL)."""
    return f"{workbench_url}{PROVIDER_PAGE}", [label for label in demo if label.startswith(REPAIR_KEYS)]
