"""The connection PynamoDB transactions (TransactWrite) run on.

A model's own connection is bound to its table; a transaction spans tables, so it takes a plain
`Connection`. One per region and endpoint (AWS_ENDPOINT_URL points the local stack at its embedded
endpoint), created on the first transaction, never at import.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pynamodb.connection import Connection


def transactions() -> Connection:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return _connection(region, os.environ.get("AWS_ENDPOINT_URL"))


@lru_cache(maxsize=4)
def _connection(region: str | None, endpoint: str | None) -> Connection:
    return Connection(region=region, host=endpoint)
