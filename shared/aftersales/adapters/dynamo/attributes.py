"""Attribute types the Dynamo adapters share."""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import STRING


class Utf8JsonAttribute(Attribute[Any]):
    """JSON kept as UTF-8 text: a Chinese character costs 3 bytes of the 400 KB item, not the 6 of
    PynamoDB's JSONAttribute (ASCII escapes)."""

    attr_type = STRING

    def serialize(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def deserialize(self, value: str) -> Any:
        return json.loads(value)
