"""Tenants' webhook endpoints: create (the secret shown once), change, delete, rotate the secret,
the delivery log, replay and the test event. Delivery itself is `delivery.WebhookDelivery`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aftersales.core.clock import Clock
from aftersales.core.errors import ConcurrentModification, Conflict, InvalidRequest, NotFound, PreconditionFailed
from aftersales.core.ids import new_id
from aftersales.webhooks import catalogue, destinations, signing
from aftersales.webhooks.model import Attempt, Endpoint, Message, MessageStatus, SigningSecret, Trigger
from aftersales.webhooks.ports import DeliveryJob, DeliveryQueue, EndpointStore, MessageStore, Page, Resolver

DEFAULT_GRACE = timedelta(hours=24)  # Svix keeps a rotated-out secret valid for 24 hours
MAX_GRACE = timedelta(days=7)
MAX_SECRETS = 3  # the current one and at most two still in their grace period
MAX_REPLAY = 1000  # messages one replay-since call queues; the answer says when there were more
MAX_ATTEMPTS = 3  # optimistic retries of a read-modify-write


@dataclass(frozen=True)
class Issued:
    """An endpoint with the secret just made: the only time the secret is shown."""

    endpoint: Endpoint
    secret: str


@dataclass(frozen=True)
class Changes:
    url: str | None = None
    event_types: Sequence[str] | None = None
    description: str | None = None
    enabled: bool | None = None


@dataclass(frozen=True)
class Replayed:
    queued: int
    truncated: bool


class WebhookEndpoints:
    def __init__(self, endpoints: EndpointStore, messages: MessageStore, queue: DeliveryQueue, resolver: Resolver,
                 clock: Clock, *, allow_loopback: bool = False) -> None:
        self._endpoints = endpoints
        self._messages = messages
        self._queue = queue
        self._resolver = resolver
        self._clock = clock
        self._allow_loopback = allow_loopback

    # ------------------------------------------------------------------ endpoints
    def create(self, tenant_id: str, url: str, event_types: Sequence[str], description: str = "",
               enabled: bool = True) -> Issued:
        self._check_url(url)
        now, secret = self._clock.now(), signing.new_secret()
        endpoint = Endpoint(tenant_id=tenant_id, endpoint_id=new_id("ep", now), url=url,
                            event_types=self._filters(event_types), description=description, enabled=enabled,
                            disabled_reason=None if enabled else "by_tenant", disabled_at=None if enabled else now,
                            secrets=[SigningSecret(key=secret, created_at=now)], created_at=now, updated_at=now)
        self._endpoints.create(endpoint)
        return Issued(endpoint, secret)

    def get(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        endpoint = self._endpoints.get(tenant_id, endpoint_id)
        if endpoint is None:
            raise NotFound("webhooks.endpoint_not_found", endpoint_id=endpoint_id)
        return endpoint

    def list(self, tenant_id: str) -> list[Endpoint]:
        return sorted(self._endpoints.for_tenant(tenant_id), key=lambda e: e.endpoint_id)

    def change(self, tenant_id: str, endpoint_id: str, changes: Changes, expected_version: int | None) -> Endpoint:
        if changes.url is not None:
            self._check_url(changes.url)
        filters = self._filters(changes.event_types) if changes.event_types is not None else None
        for _ in range(MAX_ATTEMPTS):
            current = self.get(tenant_id, endpoint_id)
            if expected_version is not None and current.version != expected_version:
                raise PreconditionFailed("error.version_mismatch", expected=expected_version, current=current.version)
            now = self._clock.now()
            update: dict[str, object] = {"updated_at": now}
            if changes.url is not None:
                update["url"] = changes.url
            if filters is not None:
                update["event_types"] = filters
            if changes.description is not None:
                update["description"] = changes.description
            if changes.enabled is True and not current.enabled:
                update |= {"enabled": True, "disabled_reason": None, "disabled_at": None, "failing_since": None}
            elif changes.enabled is False and current.enabled:
                update |= {"enabled": False, "disabled_reason": "by_tenant", "disabled_at": now}
            try:
                saved = self._endpoints.save(current.model_copy(update=update), current.version)
            except ConcurrentModification:
                if expected_version is not None:
                    raise
                continue
            if saved.enabled and not current.enabled:  # a fresh start: the five days count from now on
                self._endpoints.record_success(tenant_id, endpoint_id)
                saved = saved.model_copy(update={"failing_since": None})
            return saved
        raise ConcurrentModification("error.concurrent_modification")

    def delete(self, tenant_id: str, endpoint_id: str) -> None:
        if not self._endpoints.delete(tenant_id, endpoint_id):
            raise NotFound("webhooks.endpoint_not_found", endpoint_id=endpoint_id)

    def rotate_secret(self, tenant_id: str, endpoint_id: str, grace: timedelta = DEFAULT_GRACE) -> Issued:
        """A new signing secret; the current ones keep signing (both signatures are sent) until
        `grace` has passed, then only the new one signs."""
        if not timedelta(0) <= grace <= MAX_GRACE:
            raise InvalidRequest("webhooks.grace_out_of_range", field="grace_seconds")
        for _ in range(MAX_ATTEMPTS):
            current = self.get(tenant_id, endpoint_id)
            now, secret = self._clock.now(), signing.new_secret()
            ending = now + grace
            kept = [s if s.expires_at is not None and s.expires_at <= ending
                    else s.model_copy(update={"expires_at": ending})
                    for s in current.secrets if s.valid_at(now) and grace > timedelta(0)]
            secrets = [SigningSecret(key=secret, created_at=now), *kept][:MAX_SECRETS]
            try:
                saved = self._endpoints.save(current.model_copy(update={"secrets": secrets, "updated_at": now}),
                                             current.version)
            except ConcurrentModification:
                continue
            return Issued(saved, secret)
        raise ConcurrentModification("error.concurrent_modification")

    # ------------------------------------------------------------------ the delivery log
    def deliveries(self, tenant_id: str, endpoint_id: str, *, limit: int, cursor: str | None) -> Page[Message]:
        self.get(tenant_id, endpoint_id)
        return self._messages.for_endpoint(tenant_id, endpoint_id, limit=limit, cursor=cursor)

    def delivery(self, tenant_id: str, endpoint_id: str, message_id: str) -> tuple[Message, list[Attempt]]:
        message = self._messages.get(tenant_id, endpoint_id, message_id)
        if message is None:
            raise NotFound("webhooks.delivery_not_found", message_id=message_id)
        return message, self._messages.attempts(tenant_id, endpoint_id, message_id)

    # ------------------------------------------------------------------ replay and the test event
    def replay(self, tenant_id: str, endpoint_id: str, message_id: str) -> Message:
        """One more attempt of a message, with its `webhook-id` (receivers deduplicate on it)."""
        self._enabled(tenant_id, endpoint_id)
        message, _ = self.delivery(tenant_id, endpoint_id, message_id)
        self._queue.enqueue([DeliveryJob(tenant_id, endpoint_id, message_id, message.attempts + 1, Trigger.REPLAY)])
        return message

    def replay_since(self, tenant_id: str, endpoint_id: str, since: datetime) -> Replayed:
        """One more attempt of every message created since `since` that did not succeed."""
        self._enabled(tenant_id, endpoint_id)
        if since > self._clock.now():
            raise InvalidRequest("webhooks.since_in_future", field="since")
        jobs: list[DeliveryJob] = []
        cursor: str | None = None
        while True:
            page = self._messages.for_endpoint(tenant_id, endpoint_id, limit=100, cursor=cursor, since=since)
            for m in page.items:
                if m.status is not MessageStatus.SUCCEEDED:
                    jobs.append(DeliveryJob(tenant_id, endpoint_id, m.message_id, m.attempts + 1, Trigger.REPLAY))
            cursor = page.cursor
            if cursor is None or len(jobs) >= MAX_REPLAY:
                break
        self._queue.enqueue(jobs[:MAX_REPLAY])
        return Replayed(min(len(jobs), MAX_REPLAY), truncated=cursor is not None or len(jobs) > MAX_REPLAY)

    def send_test(self, tenant_id: str, endpoint_id: str) -> Message:
        endpoint = self._enabled(tenant_id, endpoint_id)
        now = self._clock.now()
        built = catalogue.envelope(catalogue.TEST_EVENT, catalogue.TestEvent(endpoint_id=endpoint.endpoint_id, at=now),
                                   now)
        message = Message(tenant_id=tenant_id, endpoint_id=endpoint_id, message_id=new_id("msg", now),
                          event_type=built.event_type, body=built.body, created_at=now, next_attempt_at=now)
        self._messages.add(message)
        self._queue.enqueue([DeliveryJob(tenant_id, endpoint_id, message.message_id, 1)])
        return message

    # ------------------------------------------------------------------ checks
    def _enabled(self, tenant_id: str, endpoint_id: str) -> Endpoint:
        endpoint = self.get(tenant_id, endpoint_id)
        if not endpoint.enabled:
            raise Conflict("webhooks.endpoint_disabled", endpoint_id=endpoint_id)
        return endpoint

    def _check_url(self, url: str) -> None:
        """At save: the URL's rules and every address its host resolves to now."""
        destination = destinations.parse(url, allow_loopback=self._allow_loopback)
        literal = destination.literal
        addresses = ([str(literal)] if literal is not None
                     else self._resolver.resolve(destination.host, destination.port))
        destinations.checked(addresses, allow_loopback=self._allow_loopback)

    @staticmethod
    def _filters(event_types: Sequence[str]) -> list[str]:
        for i, name in enumerate(event_types):
            if not catalogue.known(name):
                raise InvalidRequest("webhooks.unknown_event_type", field=f"event_types[{i}]", event_type=name)
        return sorted(set(event_types))
