"""Sortable identifiers (ULID) with a readable type prefix."""

from __future__ import annotations

from datetime import datetime

from ulid import ULID


def new_id(prefix: str, at: datetime | None = None) -> str:
    ulid = ULID.from_datetime(at) if at is not None else ULID()
    return f"{prefix}_{ulid!s}"
