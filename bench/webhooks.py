"""Carrier webhook handling time per event, in-process against moto (median, p99, per provider),
and AWS requests per tracking event. The per-tenant settings (carrier secret, exception
rules) come from a per-container TTL cache: warm rows read none, the cold row shows a first event."""

from __future__ import annotations

import json
import statistics
import time

from aftersales import wiring
from bench.report import Section
from bench.support import RequestCounter, local_aws

EVENTS = 200


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run() -> list[Section]:
    from aftersales.logistics.ports import Registration
    from aftersales.logistics.verification import aftership_signature, easypost_signature, seventeen_track_signature
    from aftersales.wiring import services
    from tests.support.channels import SECRET, Webhooks, configure, extra_resources, seed_order
    from tests.support.fixture_files import load

    timing = Section(f"Carrier webhook handling per event, in-process on moto ({EVENTS} events each)",
                     ["provider", "median ms", "p99 ms"])
    requests = Section("AWS requests per tracking event (carrier webhook function)",
                       ["case", "DynamoDB", "other AWS", "calls"])
    with local_aws("CarrierWebhookFunction") as model:
        extra_resources(model)
        configure("bench")
        seed_order("bench", "O-1")
        hooks = Webhooks()
        svc = services()

        def aftership(i: int, number: str, tag: str = "InTransit", subtag: str = "InTransit_001"):
            body = load("aftership/aftership_tracking_webhook_sample.json")
            body["event_id"] = f"evt-{number}-{i}"
            body["msg"].update(tracking_number=number, tag=tag, subtag=subtag)
            body["msg"]["checkpoints"][0]["checkpoint_time"] = f"2026-11-20T{i % 24:02d}:00:00+08:00"
            raw = json.dumps(body).encode()
            return raw, {"aftership-hmac-sha256": aftership_signature(SECRET, raw)}, None

        def easypost(i: int, number: str):
            body = load("easypost/fixtures__event-body.json")
            body["id"] = f"evt_{number}_{i}"
            body["result"]["tracking_code"] = number
            raw = json.dumps(body).encode()
            return raw, {"X-Hmac-Signature": easypost_signature(SECRET, raw)}, None

        def seventeen(i: int, number: str):
            raw = json.dumps({"event": "TRACKING_UPDATED", "data": {"number": number, "carrier": 3011, "track_info": {
                "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
                "latest_event": {"time_iso": f"2026-11-20T{i % 24:02d}:{i % 60:02d}:00+08:00",
                                 "description": "scan"}}}}).encode()
            return raw, {"sign": seventeen_track_signature(SECRET, raw)}, None

        def shippo(i: int, number: str):
            raw = json.dumps({"event": "track_updated", "test": False, "data": {
                "tracking_number": number, "carrier": "usps", "tracking_status": {
                    "status": "TRANSIT", "substatus": {"code": "package_accepted"}, "object_id": f"ts_{i}",
                    "status_date": f"2026-11-20T{i % 24:02d}:00:00Z"}, "tracking_history": []}}).encode()
            return raw, {}, {"token": "shippo-token-" + "x" * 32}

        for provider, make in (("aftership", aftership), ("easypost", easypost), ("17track", seventeen),
                               ("shippo", shippo)):
            samples = []
            for i in range(EVENTS):
                raw, headers, query = make(i, f"{provider.upper()}-{i % 20}")
                started = time.perf_counter()
                reply = hooks.post_carrier(provider, "bench", raw, headers, query)
                samples.append((time.perf_counter() - started) * 1000)
                assert reply.status == 200, reply
            timing.rows.append([provider, f"{statistics.median(samples):.2f}", f"{_p99(samples):.2f}"])

        svc.logistics.register("bench", "REG-1", Registration(direction="outbound", order_id="O-1",
                                                                     registered_at=svc.clock.now()))

        def count(label: str, raw: bytes, headers: dict) -> None:
            counter = RequestCounter()
            with counter.counting():
                reply = hooks.post_carrier("aftership", "bench", raw, headers)
            ddb = counter.total("dynamodb")
            requests.rows.append([f"{label} → {reply.body.get('result')}", ddb, counter.total() - ddb,
                                  counter.describe()])

        count("unregistered parcel (parked)", *aftership(900, "NEW-1")[:2])
        wiring.reset()  # a fresh container: the settings cache is empty
        count("registered parcel, cold container (settings cache empty)", *aftership(899, "REG-1")[:2])
        count("registered parcel, in transit", *aftership(901, "REG-1")[:2])
        count("duplicate delivery", *aftership(901, "REG-1")[:2])
        count("refused → return ticket opened", *aftership(902, "REG-1", "Exception", "Exception_003")[:2])
    return [timing, requests]
