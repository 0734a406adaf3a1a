"""DynamoDB applies a conditional write or a transaction atomically; moto does not under threads
(it checks the condition, then writes, with no lock in between). The local stack's threaded server
and tests that race writers on purpose would then see lost updates DynamoDB never allows — e.g.
two refund grants both passing "does not exist". One lock around moto's DynamoDB write paths
restores the guarantee; throughput is not what the emulation is for."""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def serialise_dynamodb_writes() -> None:
    """Idempotent: wraps each write method of moto's DynamoDB backend once."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        method = getattr(DynamoDBBackend, name)
        if getattr(method, "serialises_writes", False):
            continue

        @functools.wraps(method)
        def locked(self: Any, *args: Any, _method: Any = method, **kwargs: Any) -> Any:
            with _LOCK:
                return _method(self, *args, **kwargs)

        locked.serialises_writes = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)
