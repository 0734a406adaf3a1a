"""The local emulation serialises moto's DynamoDB writes, as DynamoDB makes each conditional write
and transaction atomic (infra/local/atomic.py)."""

from __future__ import annotations

import threading
import time

import boto3
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra.local.atomic import serialise_dynamodb_writes


def test_two_conditional_puts_never_interleave(monkeypatch):
    """GIVEN moto's table write slowed down between its condition check and its write WHEN two
    threads put the same new key "if absent" THEN their writes never overlap, so exactly one wins."""
    serialise_dynamodb_writes()
    inside: list[tuple[str, float, float]] = []
    original = Table.put_item

    def slow_put(self, *args, **kwargs):
        started = time.monotonic()
        time.sleep(0.05)  # widen the window a lock-free emulation would race in
        try:
            return original(self, *args, **kwargs)
        finally:
            inside.append((threading.current_thread().name, started, time.monotonic()))

    monkeypatch.setattr(Table, "put_item", slow_put)
    for key, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        ddb = boto3.client("dynamodb")
        ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        outcomes: list[str] = []

        def put(name: str) -> None:
            try:
                ddb.put_item(TableName="t", Item={"pk": {"S": "grant-1"}, "by": {"S": name}},
                             ConditionExpression="attribute_not_exists(pk)")
                outcomes.append("won")
            except ddb.exceptions.ConditionalCheckFailedException:
                outcomes.append("lost")

        threads = [threading.Thread(target=put, args=(f"w{i}",), name=f"w{i}") for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["lost", "won"]
    first, second = sorted(inside, key=lambda x: x[1])
    assert first[2] <= second[1], "moto's writes overlapped"
