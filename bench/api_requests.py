"""AWS requests per API operation (in-process against moto, counted at botocore), and
in-process throughput of ticket creation."""

from __future__ import annotations

import time

from bench.report import Section
from bench.support import counted_request, local_aws


def run() -> list[Section]:
    from aftersales.wiring import services
    from tests.support.api_client import ApiClient
    from tests.support.tickets import order_payload

    section = Section("AWS requests per API operation (besides the authorizer)",
                      ["operation", "DynamoDB", "idempotency table", "other AWS", "calls"])
    throughput = Section("In-process throughput (moto; shows our overhead, not AWS latency)",
                         ["operation", "count", "seconds", "per second"])
    with local_aws() as model:
        svc = services()
        svc.tenants.create_tenant("bench", "Bench")
        key = {"X-Api-Key": svc.tenants.issue_api_key("bench", "bench").api_key}
        client = ApiClient()
        idem_table = model.tables["IdempotencyTable"].name

        def measure(label: str, method: str, path: str, body=None, headers=None, query=None):
            # The authorizer runs first; count only what the API function does.
            reply, counter, _ms = counted_request(client, method, path, body, {**key, **(headers or {})}, query)
            ddb = counter.total("dynamodb", exclude_table_substring=idem_table)
            idem = sum(n for (svc_, _op, target), n in counter.calls.items() if idem_table in target)
            other = counter.total() - counter.total("dynamodb")
            section.rows.append([f"{label} → {reply.status}", ddb, idem, other, counter.describe()])
            return reply

        measure("PUT /orders/{id} (create)", "PUT", "/orders/O-1", order_payload(quantity=500))
        measure("PUT /orders/{id} (unchanged)", "PUT", "/orders/O-1", order_payload(quantity=500))
        body = {"type": "return_refund", "order_id": "O-1", "channel": "app", "reason_code": "damaged",
                "lines": [{"line_id": "L1", "quantity": 1}]}
        created = measure("POST /tickets", "POST", "/tickets", body)
        measure("POST /tickets + Idempotency-Key", "POST", "/tickets", body, {"Idempotency-Key": "b-1"})
        measure("POST /tickets replay (same key)", "POST", "/tickets", body, {"Idempotency-Key": "b-1"})
        tid = created.body["id"]
        measure("GET /tickets/{id}", "GET", f"/tickets/{tid}")
        measure("POST /tickets/{id}/transitions", "POST", f"/tickets/{tid}/transitions", {"to": "pending_approval"})
        measure("POST /tickets/{id}/replies (customer message)", "POST", f"/tickets/{tid}/replies",
                {"body": "Any news on my return?"})
        measure("GET /tickets (page of 50)", "GET", "/tickets")
        measure("GET /tickets/{id}/audit/verify", "GET", f"/tickets/{tid}/audit/verify")

        count = 200
        started = time.perf_counter()
        for _ in range(count):
            client.request("POST", "/tickets", body, key)
        elapsed = time.perf_counter() - started
        throughput.rows.append(["POST /tickets (authorizer + API + moto)", count, round(elapsed, 2),
                                round(count / elapsed, 1)])
    section.notes.append("Targets: create ≤ 3 DynamoDB requests besides the idempotency record; read = 1.")
    return [section, throughput]
