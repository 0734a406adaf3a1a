"""A fake Zendesk for `make run` and the tests: an in-process HTTP server that answers like the
Support API v2 for what the helpdesk sync uses, and posts signed webhooks like a Zendesk webhook
subscribed to ticket events.

- `POST /api/v2/tickets.json`, `PUT /api/v2/tickets/{id}.json` (status, comment, assignee_id),
  `GET /api/v2/tickets/{id}.json`, `GET /api/v2/tickets/{id}/comments.json`, `GET /api/v2/tickets.json`
  (`?external_id=` filters), with API-token basic auth (`{email}/token:{token}`) or a bearer token.
- Every change (whoever made it: our sync's user too, as a Zendesk trigger would) is posted to the
  subscribed URL as `zen:event-type:ticket.comment_added` / `status_changed` /
  `agent_assignment_changed`, signed with the webhook's secret (base64 HMAC-SHA256 of timestamp +
  body), a little after the API answered, as Zendesk does.
- `fail_next(status, retry_after)` answers the next API call with that status (429 + Retry-After).

An agent "replies in Zendesk" by calling the same API with an agent's credentials: `agents` holds
their e-mail -> (user id, name, token).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TICKET = re.compile(r"^/api/v2/tickets/(\d+)\.json$")
COMMENTS = re.compile(r"^/api/v2/tickets/(\d+)/comments\.json$")
WEBHOOK_DELAY_SECONDS = 0.3


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeZendesk:
    def __init__(self, *, account_id: int = 12514403, webhook_delay: float = WEBHOOK_DELAY_SECONDS) -> None:
        self.account_id = account_id
        self.webhook_delay = webhook_delay
        self.users: dict[str, tuple[int, str, str]] = {}  # email -> (id, name, api token)
        self.oauth: dict[str, tuple[int, str]] = {}  # bearer token -> (id, name)
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[tuple[str, str, dict[str, str], dict[str, Any] | None]] = []
        self.webhooks_sent: list[tuple[int, dict[str, Any]]] = []  # (our answer's status, body)
        self._subscription: tuple[str, str] | None = None
        self._failures: list[tuple[int, int | None]] = []
        self._ids = iter(range(10_001, 10_000_000))
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # ------------------------------------------------------------------ set-up
    def add_user(self, email: str, name: str, token: str, user_id: int | None = None) -> int:
        uid = user_id or next(self._ids)
        self.users[email] = (uid, name, token)
        return uid

    def subscribe(self, url: str, secret: str) -> None:
        self._subscription = (url, secret)

    def fail_next(self, status: int, retry_after: int | None = None) -> None:
        self._failures.append((status, retry_after))

    def start(self) -> FakeZendesk:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.serve(self, None)

            def do_POST(self) -> None:
                fake.serve(self, self._body())

            def do_PUT(self) -> None:
                fake.serve(self, self._body())

            def _body(self) -> dict[str, Any] | None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                return json.loads(raw) if raw else None

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-zendesk").start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # ------------------------------------------------------------------ the API
    def _who(self, authorization: str) -> tuple[int, str] | None:
        if authorization.startswith("Bearer "):
            return self.oauth.get(authorization[7:])
        if not authorization.startswith("Basic "):
            return None
        try:
            user, _, token = base64.b64decode(authorization[6:]).decode().partition(":")
        except ValueError:
            return None
        email, _, kind = user.partition("/")
        found = self.users.get(email)
        if kind != "token" or found is None or not hmac.compare_digest(found[2], token):
            return None
        return found[0], found[1]

    # ------------------------------------------------------------------ one request (the handler calls this)
    def serve(self, handler: BaseHTTPRequestHandler, body: dict[str, Any] | None) -> None:
        parts = urlsplit(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        self.requests.append((handler.command, parts.path, headers, body))
        if self._failures:
            status, retry_after = self._failures.pop(0)
            extra = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            return self._answer(handler, status, {"error": "APIRateLimitExceeded" if status == 429 else "Fault"},
                                extra)
        who = self._who(headers.get("authorization", ""))
        if who is None:
            return self._answer(handler, 401, {"error": "Couldn't authenticate you"})
        with self._lock:
            status, payload, events = self._route(handler.command, parts.path, parse_qs(parts.query), body, who)
        self._answer(handler, status, payload)
        if events:
            threading.Thread(target=self._post_webhooks, args=(events,), daemon=True).start()

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: dict[str, Any] | None,
               who: tuple[int, str]) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
        if method == "POST" and path == "/api/v2/tickets.json":
            return self._create((body or {}).get("ticket") or {}, who)
        if method == "GET" and path == "/api/v2/tickets.json":
            wanted = (query.get("external_id") or [None])[0]
            found = [t for t in self.tickets.values() if wanted is None or t.get("external_id") == wanted]
            return 200, {"tickets": found, "count": len(found)}, []
        if (match := TICKET.match(path)) and int(match.group(1)) in self.tickets:
            ticket_id = int(match.group(1))
            if method == "GET":
                return 200, {"ticket": self.tickets[ticket_id]}, []
            if method == "PUT":
                return self._update(ticket_id, (body or {}).get("ticket") or {}, who)
        if method == "GET" and (match := COMMENTS.match(path)) and int(match.group(1)) in self.tickets:
            return 200, {"comments": self.comments[int(match.group(1))], "meta": {"has_more": False}}, []
        return 404, {"error": "RecordNotFound", "description": "Not found"}, []

    def _create(self, fields: dict[str, Any], who: tuple[int, str]) -> tuple[int, dict[str, Any], list]:
        ticket_id = next(self._ids)
        now = _now()
        ticket = {"id": ticket_id, "url": f"{self.url}/api/v2/tickets/{ticket_id}.json", "created_at": now,
                  "updated_at": now, "subject": fields.get("subject"), "status": fields.get("status") or "new",
                  "external_id": fields.get("external_id"), "tags": list(fields.get("tags") or []),
                  "requester_id": who[0], "submitter_id": who[0], "assignee_id": None, "via": {"channel": "api"}}
        self.tickets[ticket_id] = ticket
        self.comments[ticket_id] = []
        comment = fields.get("comment") or {}
        if comment.get("body"):
            self._comment(ticket_id, comment, who)
        return 201, {"ticket": ticket}, []

    def _update(self, ticket_id: int, fields: dict[str, Any], who: tuple[int, str]
                ) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
        ticket, events, audit = self.tickets[ticket_id], [], []
        if "status" in fields and fields["status"] != ticket["status"]:
            events.append(("status_changed", {"current": fields["status"], "previous": ticket["status"]}))
            audit.append({"id": next(self._ids), "type": "Change", "field_name": "status", "value": fields["status"]})
            ticket["status"] = fields["status"]
        if "assignee_id" in fields and fields["assignee_id"] != ticket["assignee_id"]:
            events.append(("agent_assignment_changed", {"current": {"id": str(fields["assignee_id"])},
                                                        "previous": {"id": str(ticket["assignee_id"])}}))
            ticket["assignee_id"] = fields["assignee_id"]
        comment = fields.get("comment") or {}
        if comment.get("body"):
            created = self._comment(ticket_id, comment, who)
            audit.append({"id": created["id"], "type": "Comment", "body": created["body"], "public": created["public"]})
            events.append(("comment_added", {"comment": {
                "id": str(created["id"]), "body": created["body"], "is_public": created["public"],
                "author": {"id": str(who[0]), "is_staff": True, "name": who[1]}}}))
        ticket["updated_at"] = _now()
        bodies = [self._event(kind, ticket, event, who) for kind, event in events]
        answer = {"ticket": ticket, "audit": {"id": next(self._ids), "ticket_id": ticket_id, "events": audit}}
        return 200, answer, bodies

    def _comment(self, ticket_id: int, comment: dict[str, Any], who: tuple[int, str]) -> dict[str, Any]:
        created = {"id": next(self._ids), "type": "Comment", "author_id": who[0], "body": str(comment["body"]),
                   "public": bool(comment.get("public", True)), "created_at": _now()}
        self.comments[ticket_id].append(created)
        return created

    def _event(self, kind: str, ticket: dict[str, Any], event: dict[str, Any], who: tuple[int, str]
               ) -> dict[str, Any]:
        return {"type": f"zen:event-type:ticket.{kind}", "account_id": self.account_id, "id": str(uuid.uuid4()),
                "time": ticket["updated_at"], "zendesk_event_version": "2022-06-20",
                "subject": f"zen:ticket:{ticket['id']}",
                "detail": {"id": str(ticket["id"]), "external_id": ticket.get("external_id") or "",
                           "status": str(ticket["status"]).upper(), "actor_id": str(who[0]),
                           "assignee_id": str(ticket["assignee_id"]) if ticket["assignee_id"] else None,
                           "created_at": ticket["created_at"], "updated_at": ticket["updated_at"],
                           "subject": ticket["subject"], "tags": ticket["tags"], "via": {"channel": "api"}},
                "event": event}

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any],
                headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    # ------------------------------------------------------------------ webhooks
    def _post_webhooks(self, bodies: list[dict[str, Any]]) -> None:
        time.sleep(self.webhook_delay)
        if self._subscription is None:
            return
        url, secret = self._subscription
        for body in bodies:
            raw = json.dumps(body, ensure_ascii=False, indent="\t").encode() + b"\n"
            stamp = _now()
            signature = base64.b64encode(hmac.new(secret.encode(), stamp.encode() + raw, hashlib.sha256).digest())
            request = urllib.request.Request(url, data=raw, method="POST", headers={
                "Content-Type": "application/json", "User-Agent": "Zendesk Webhook",
                "X-Zendesk-Webhook-Id": "01FAKEWEBHOOK", "X-Zendesk-Webhook-Invocation-Id": str(uuid.uuid4()),
                "X-Zendesk-Webhook-Signature": signature.decode(), "X-Zendesk-Webhook-Signature-Timestamp": stamp})
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    self.webhooks_sent.append((answer.status, body))
            except urllib.error.HTTPError as exc:
                self.webhooks_sent.append((exc.code, body))
            except OSError:
                self.webhooks_sent.append((0, body))


# ---------------------------------------------------------------------- the demo tenant's Zendesk
DEMO_SUBDOMAIN = "demo-shop"
DEMO_SYNC_USER = ("aftersales-sync@demo-shop.example", "Aftersales sync", "demo-zendesk-api-token-0001")
DEMO_AGENT = ("agent.li@demo-shop.example", "Li Na (Zendesk)", "demo-zendesk-agent-token-01", 3001)
DEMO_SECRET = "demo-zendesk-webhook-signing-secret-local-only"


def connect_demo(api_url: str, tenant: str, call: Callable[[str, str, Any, Mapping[str, str]], Any],
                 admin: Mapping[str, str], staff_for_agent: str) -> tuple[FakeZendesk, dict[str, str]]:
    """Start the demo's fake Zendesk, point the helpdesk sync at it (ZENDESK_API_BASE: the local
    stack runs every function in this process) and configure the tenant through the public API,
    as a merchant would; its agent maps to one of our staff. Returns the lines `make run` prints."""
    import os

    fake = FakeZendesk().start()
    fake.add_user(*DEMO_SYNC_USER)
    fake.add_user(*DEMO_AGENT)
    os.environ["ZENDESK_API_BASE"] = fake.url
    call("PUT", "/integrations/helpdesks/zendesk", {
        "subdomain": DEMO_SUBDOMAIN, "email": DEMO_SYNC_USER[0], "api_token": DEMO_SYNC_USER[2],
        "webhook_signing_secret": DEMO_SECRET, "agent_map": {str(DEMO_AGENT[3]): staff_for_agent}}, admin)
    fake.subscribe(f"{api_url}/webhooks/helpdesks/zendesk/{tenant}", DEMO_SECRET)
    agent_auth = base64.b64encode(f"{DEMO_AGENT[0]}/token:{DEMO_AGENT[2]}".encode()).decode()
    return fake, {"fake Zendesk (Support API v2)": fake.url,
                  "fake Zendesk agent (Authorization: Basic)": agent_auth}
