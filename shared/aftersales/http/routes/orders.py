"""Orders routes: a storefront pushes its order snapshots (idempotent by id + version), with the
checkout's IP and device as headers; staff and the order's customer read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from aftersales.core.errors import InvalidRequest
from aftersales.http.context import RequestContext, json_response
from aftersales.orders.domain import Order
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
PLACED_AT_SKEW = timedelta(minutes=5)  # storefront clocks may run a little ahead of ours


@router.put("/orders/<order_id>", tags=["orders"], summary="Push an order snapshot (idempotent by id + version)",
            responses={200: {"description": "Replaced by a newer version, or unchanged"},
                       201: {"description": "Created"}})
def put_order(order_id: Annotated[str, Path()], order: Order) -> Response[dict]:
    request.require(Role.STOREFRONT, Role.ADMIN)
    if order.order_id != order_id:
        raise InvalidRequest("error.order_id_mismatch", field="order_id")
    if order.placed_at > services().clock.now() + PLACED_AT_SKEW:
        raise InvalidRequest("error.placed_in_future", field="placed_at")
    # the checkout's IP and device (X-Customer-IP / X-Device-Fingerprint, hashed) count toward the
    # refund-abuse signals; what was parked waiting for a new order is matched now
    outcome = services().orders.push(request.tenant(), order, request.risk_keys(request.actor()))
    return json_response(201 if outcome == "create" else 200, {"order_id": order_id, "version": order.version,
                                                               "outcome": outcome})


@router.get("/orders/<order_id>", tags=["orders"], summary="Read an order snapshot")
def get_order(order_id: Annotated[str, Path()]) -> Order:
    return services().tickets.get_order(request.tenant(), order_id, request.actor())
