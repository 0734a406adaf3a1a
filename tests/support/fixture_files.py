"""Access to the real third-party payloads copied into tests/fixtures (see each SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def raw(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def load(relative: str) -> Any:
    return json.loads(raw(relative))
