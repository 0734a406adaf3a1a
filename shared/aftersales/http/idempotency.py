"""Idempotency-Key for every POST, on Powertools Idempotency with DynamoDB persistence.

The key is scoped to the tenant and principal; the request body (canonical JSON) and the route
form the payload hash, so the same key with a different body is rejected (422) while a retry
with the same body gets the first response back, status code included. A request still in
progress under the same key gets 409. Failed requests (4xx/5xx raised as errors) are not
stored, so a corrected retry can reuse the key.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from aftersales.wiring import services

MAX_KEY_LENGTH = 255


def _persistence() -> DynamoDBPersistenceLayer:
    return _persistence_for(services().idempotency_settings.idempotency_table)


@lru_cache(maxsize=4)  # per table: tests and the local stack switch tables within one process
def _persistence_for(table_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=table_name)


@lru_cache(maxsize=1)
def _config() -> IdempotencyConfig:
    return IdempotencyConfig(event_key_jmespath="[scope, key]", payload_validation_jmespath="[route, body]",
                             raise_on_no_idempotency_key=True,
                             expires_after_seconds=services().idempotency_settings.idempotency_ttl_seconds)


def run_once(*, context: Any, scope: str, key: str, route: str, body: Any,
             compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `compute` at most once per (scope, key); it returns {"status", "body", "headers"}."""

    config = _config()
    if context is not None:
        config.register_lambda_context(context)  # in-progress records expire with the invocation

    def execute(request: dict[str, Any]) -> dict[str, Any]:
        return compute()

    guarded = idempotent_function(execute, data_keyword_argument="request", persistence_store=_persistence(),
                                  config=config, key_prefix="api-post")
    return guarded(request={"scope": scope, "key": key, "route": route, "body": body})
