"""Shared bench plumbing: moto with the template's tables, an AWS request counter, and an in-process API
request with its AWS calls counted."""

from __future__ import annotations

import contextlib
import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1"}


@contextlib.contextmanager
def local_aws(function: str = "ApiFunction") -> Iterator[object]:
    """moto with every table (and queue/bus) of template.yaml; env of `function` applied."""
    from moto import mock_aws

    from aftersales import wiring
    from infra.local.atomic import serialise_dynamodb_writes
    from infra.local.resources import create_table
    from infra.local.template import load_model

    serialise_dynamodb_writes()
    install_request_hook()  # before the first botocore session of the bench exists
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            import boto3

            model = load_model(ROOT / "template.yaml", stack_name="bench")
            ddb = boto3.client("dynamodb")
            for table in model.tables.values():
                create_table(ddb, table)
            os.environ.update({k: str(v) for k, v in model.functions[function].environment.items()})
            os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"  # figures, not logs
            wiring.reset()
            yield model
    finally:
        os.environ.clear()
        os.environ.update(saved)
        from aftersales import wiring as w
        w.reset()


class RequestCounter:
    """Counts every AWS API call made through botocore (boto3 and PynamoDB alike), through botocore's
    public event system: a `before-parameter-build` handler every botocore session installs."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str]] = Counter()

    @contextlib.contextmanager
    def counting(self) -> Iterator[RequestCounter]:
        install_request_hook()
        _COUNTING.append(self)
        try:
            yield self
        finally:
            _COUNTING.remove(self)

    def record(self, service: str, operation: str, params: dict) -> None:
        target = params.get("TableName") or _transact_tables(params) or params.get("QueueUrl", "")
        self.calls[(service, operation, str(target))] += 1

    def record_response(self, service: str, operation: str, params: dict, parsed: dict) -> None:
        """The parsed answer of a call `record` saw (its params alongside); counters that size
        what was read (DynamoDB read units) override it."""

    def total(self, service: str | None = None, exclude_table_substring: str | None = None) -> int:
        return sum(n for (svc, _op, target), n in self.calls.items()
                   if (service is None or svc == service)
                   and not (exclude_table_substring and exclude_table_substring in target))

    def describe(self) -> str:
        return ", ".join(f"{op}×{n}" if n > 1 else op for (_svc, op, _t), n in sorted(self.calls.items()))


def counted_request(client, method: str, path: str, body=None, headers: dict | None = None,
                    query: dict | None = None) -> tuple[Any, RequestCounter, float]:
    """One request through `client` (tests.support.api_client.ApiClient) with the AWS calls the API
    function makes counted (the authorizer's are not): its reply, the counter and the milliseconds it
    took (authorizer and API function)."""
    counter = RequestCounter()
    original = client.api.lambda_handler

    def counted(event, context):
        with counter.counting():
            return original(event, context)

    client.api.lambda_handler = counted
    try:
        started = time.perf_counter()
        reply = client.request(method, path, body, headers, query)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        client.api.lambda_handler = original
    return reply, counter, elapsed


def _transact_tables(params: dict) -> str:
    items = params.get("TransactItems") or []
    names = {next(iter(i.values())).get("TableName", "") for i in items}
    return ",".join(sorted(names))


_COUNTING: list[RequestCounter] = []


def _on_api_call(params: dict, model, context: dict | None = None, **_kwargs) -> None:
    if context is not None:
        context["bench_params"] = params
    for counter in _COUNTING:
        counter.record(model.service_model.service_name, model.name, params)


def _on_response(parsed: dict, model, context: dict | None = None, **_kwargs) -> None:
    params = (context or {}).get("bench_params", {})
    for counter in _COUNTING:
        counter.record_response(model.service_model.service_name, model.name, params, parsed)


def install_request_hook() -> None:
    """Every botocore session created from now on (boto3's, each PynamoDB thread's) and boto3's
    default session, if it exists already, report each API call and its parsed answer to the
    active counters."""
    import boto3
    import botocore.handlers

    for entry in (("before-parameter-build", _on_api_call), ("after-call", _on_response)):
        if entry not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(entry)
            if boto3.DEFAULT_SESSION is not None:
                boto3.DEFAULT_SESSION.events.register(*entry)
