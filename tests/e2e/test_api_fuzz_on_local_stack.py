"""Schemathesis over every operation of the published OpenAPI document, as a storefront, a customer
and an admin: no input may produce a 5xx, every status code must be documented for its operation,
and every response body must match its documented schema.

Schemathesis runs as its CLI in a subprocess against the stack's HTTP front, reading the document
the stack serves (so its `servers` entry, /v1, is what the calls go to). The run is bounded
(FUZZ_SECONDS per principal, FUZZ_EXAMPLES per operation) so `make test` stays within budget; raise
them locally to dig deeper. Generated requests change data (orders, staff, agents, settings), so
this module runs on a stack of its own (see `exclusive_stack` in tests/support/local_stack.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.local_stack import exclusive_stack

pytestmark = [pytest.mark.e2e, pytest.mark.exclusive_stack]

SECONDS = os.environ.get("FUZZ_SECONDS", "24")
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "1")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
PRINCIPALS = {"storefront": "storefront API key", "customer": "customer token", "admin": "admin token"}


@pytest.fixture(scope="module")
def fuzz_stack():
    with exclusive_stack("e2e-fuzz") as stack:
        yield stack


def _credentials(stack, who: str) -> str:
    label, value = next((k, v) for k, v in stack.demo.items() if k.startswith(PRINCIPALS[who]))
    return f"X-Api-Key: {value}" if "API key" in label else f"Authorization: Bearer {value}"


def test_the_published_document_points_clients_at_the_stage(fuzz_stack):
    document = requests.get(f"{fuzz_stack.api_url}/openapi.json", timeout=10).json()
    assert [s["url"] for s in document["servers"]] == ["/v1"]
    assert any("webhooks" in op.get("tags", []) for item in document["paths"].values() for op in item.values())


@pytest.mark.parametrize("who", sorted(PRINCIPALS))
def test_every_operation_answers_only_what_it_documents(fuzz_stack, who, tmp_path: Path):
    """GIVEN any request the schema allows (and, in negative mode, many it does not)
    WHEN a storefront, a customer or an admin sends it
    THEN no answer is a 5xx, every status code is documented for its operation, every body matches."""
    report = tmp_path / "report.json"
    run = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", f"{fuzz_stack.api_url}/openapi.json",
         "--header", _credentials(fuzz_stack, who), "--checks", CHECKS, "--max-examples", EXAMPLES,
         "--max-time", SECONDS, "--seed", "1", "--no-shrink", "--workers", "2",
         "--phases", "examples,fuzzing", "--report", "json", "--report-json-path", str(report)],
        capture_output=True, text=True, timeout=int(SECONDS) * 4 + 60)
    summary = json.loads(report.read_text())
    assert summary["operations"]["tested"] == summary["operations"]["total"] > 60, run.stdout[-3000:]
    assert summary["test_cases"]["generated"] > 0
    assert summary["failures"] == [], run.stdout[-6000:]
