"""Shared bench plumbing: moto with the template's tables, and an AWS request counter."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

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
    """Counts every AWS API call made through botocore (boto3 and PynamoDB alike)."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str, str]] = Counter()

    @contextlib.contextmanager
    def counting(self) -> Iterator[RequestCounter]:
        import botocore.client

        original = botocore.client.BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):
            target = api_params.get("TableName") or _transact_tables(api_params) or api_params.get("QueueUrl", "")
            counter.calls[(client.meta.service_model.service_name, operation_name, str(target))] += 1
            return original(client, operation_name, api_params)

        botocore.client.BaseClient._make_api_call = counted
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original

    def total(self, service: str | None = None, exclude_table_substring: str | None = None) -> int:
        return sum(n for (svc, _op, target), n in self.calls.items()
                   if (service is None or svc == service)
                   and not (exclude_table_substring and exclude_table_substring in target))

    def describe(self) -> str:
        return ", ".join(f"{op}×{n}" if n > 1 else op for (_svc, op, _t), n in sorted(self.calls.items()))


def _transact_tables(params: dict) -> str:
    items = params.get("TransactItems") or []
    names = {next(iter(i.values())).get("TableName", "") for i in items}
    return ",".join(sorted(names))
