"""The shape of a ticket domain event (pure): built from an audit item of the tickets stream."""

from __future__ import annotations

import json
from typing import Any

SOURCE = "aftersales.tickets"


def from_audit_image(image: dict[str, Any]) -> dict[str, Any]:
    """A PutEvents entry (without the bus) for one audit item (already deserialised from DynamoDB JSON)."""
    entry = json.loads(image["entry"]) if isinstance(image["entry"], str) else image["entry"]
    detail = {
        "tenant_id": image["tenant_id"],
        "ticket_id": image["ticket_id"],
        "ticket_type": image["ticket_type"],
        "customer_id": image["customer_id"],
        "seq": entry["seq"],
        "event": entry["event"],
        "from_status": entry["from_status"],
        "to_status": entry["to_status"],
        "actor_role": entry["actor_role"],
        "at": entry["at"],
        "reason": entry.get("reason"),
        "data": entry.get("data", {}),
        # Consumers deduplicate on (ticket_id, seq): EventBridge delivers at least once.
        "dedup_key": f"{image['ticket_id']}#{entry['seq']}",
    }
    return {"Source": SOURCE, "DetailType": entry["event"], "Detail": json.dumps(detail, ensure_ascii=False)}
