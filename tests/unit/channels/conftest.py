import pytest

from aftersales.orders.domain import Order
from tests.support.channels_fakes import ORDER, ChannelRig
from tests.support.tickets import order_payload


@pytest.fixture
def rig() -> ChannelRig:
    """The channel use cases on in-memory fakes of their ports, with two orders of cust-1 (line L1,
    2 mugs): O-1, and SO-20261118-01 (a number free text can name)."""
    rig = ChannelRig()
    for order_id in ("O-1", ORDER):
        rig.tickets.upsert_order("acme", Order.model_validate(order_payload(order_id, "cust-1")))
    return rig
