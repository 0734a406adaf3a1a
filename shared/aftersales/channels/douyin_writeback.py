"""Which Douyin `afterSale.operate` call mirrors a decision taken on our ticket (pure).

Douyin is the system of record for its after-sales: the buyer sees and is refunded by Douyin, so a
decision our staff take on a ticket that mirrors a Douyin after-sale must be written back. Type
codes (抖店 afterSale.operate): 101/102 agree/refuse a return application, 111/112 agree (confirm
receipt, Douyin refunds) / refuse a returned parcel, 201/202 agree/refuse a refund-only request
after shipment, 401 agree a refund before shipment (refusing one is done by shipping the order),
301/302 agree/refuse an exchange application, 311/312 agree (with the replacement's tracking) /
refuse a returned exchange parcel.

Steps Douyin itself reported (audit reason `douyin_<stage>`) are never written back.
"""

from __future__ import annotations

from typing import Any

from aftersales.channels.douyin import AfterSaleKind
from aftersales.core.errors import InvalidRequest

K = AfterSaleKind
OPERATIONS: dict[tuple[str, AfterSaleKind], int] = {
    ("ticket.approved", K.REFUND_ONLY_SHIPPED): 201,
    ("ticket.rejected", K.REFUND_ONLY_SHIPPED): 202,
    ("ticket.approved", K.REFUND_ONLY_UNSHIPPED): 401,
    ("ticket.return_authorized", K.RETURN_AND_REFUND): 101,
    ("ticket.rejected", K.RETURN_AND_REFUND): 102,
    ("ticket.inspection_passed", K.RETURN_AND_REFUND): 111,
    ("ticket.inspection_failed", K.RETURN_AND_REFUND): 112,
    ("ticket.return_authorized", K.EXCHANGE): 301,
    ("ticket.rejected", K.EXCHANGE): 302,
    ("ticket.reshipped", K.EXCHANGE): 311,
    ("ticket.inspection_failed", K.EXCHANGE): 312,
}
EVENTS = frozenset(event for event, _ in OPERATIONS)
REFUSALS = frozenset({102, 112, 202, 302, 312})
NEEDS_RETURN_ADDRESS = frozenset({101, 301})


def reported_by_douyin(reason: str | None) -> bool:
    return bool(reason and reason.startswith("douyin_"))


def operate_params(event: str, kind: AfterSaleKind, aftersale_id: str, *, reason: str | None,
                   data: dict[str, Any], config: dict[str, Any]) -> dict[str, Any] | None:
    """The afterSale.operate parameters, or None when this step has no Douyin counterpart. Raises
    InvalidRequest when the tenant's Douyin settings lack what Douyin needs for this step."""
    code = OPERATIONS.get((event, kind))
    if code is None:
        return None
    item: dict[str, Any] = {"aftersale_id": aftersale_id}
    if code in REFUSALS:
        if not config.get("reject_reason_code"):
            raise InvalidRequest("douyin.reject_reason_code_missing", field="reject_reason_code")
        item["reject_reason_code"] = int(config["reject_reason_code"])
        item["reason"] = (reason or "")[:200] or "商家拒绝"
    if code in NEEDS_RETURN_ADDRESS:
        if not config.get("return_address_id"):
            raise InvalidRequest("douyin.return_address_missing", field="return_address_id")
        item["logistics"] = {"receiver_address_id": int(config["return_address_id"])}
    if code == 311:
        carrier, tracking = data.get("carrier_code"), data.get("tracking_number")
        if not (carrier and tracking):
            raise InvalidRequest("douyin.reshipment_tracking_missing", field="tracking_number")
        item["logistics"] = {"company_code": str(carrier), "logistics_code": str(tracking)}
    return {"type": code, "items": [item]}
