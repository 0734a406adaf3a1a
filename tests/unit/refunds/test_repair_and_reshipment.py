from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.errors import IllegalTransition, InvalidRequest
from aftersales.refunds.repair import REPAIR_TRANSITIONS, RepairStatus, transition
from aftersales.refunds.reshipment import Warehouse, WarehouseNetwork, choose_warehouse

S = RepairStatus


@pytest.mark.parametrize("path", [
    [S.DISPATCHED, S.PROVIDER_RECEIVED, S.REPAIRED, S.RETURNED_TO_CUSTOMER],
    [S.DISPATCHED, S.PROVIDER_RECEIVED, S.UNREPAIRABLE, S.RETURNED_TO_CUSTOMER]])
def test_repair_happy_paths(path):
    """GIVEN a dispatched repair WHEN it follows a documented path THEN every step is allowed."""
    status = path[0]
    for target in path[1:]:
        status = transition(status, target)
    assert status is S.RETURNED_TO_CUSTOMER


def test_illegal_repair_step_lists_the_allowed_ones():
    """GIVEN a dispatched repair WHEN marked repaired directly THEN IllegalTransition naming the allowed
    step."""
    with pytest.raises(IllegalTransition) as raised:
        transition(S.DISPATCHED, S.REPAIRED)
    assert raised.value.details["allowed"] == ["provider_received"]


@given(steps=st.lists(st.sampled_from(list(RepairStatus)), max_size=10))
def test_any_walk_only_takes_table_edges_and_ends_at_return(steps):
    """GIVEN random target statuses WHEN applied (illegal ones refused) THEN only table edges are taken."""
    status = S.DISPATCHED
    for target in steps:
        try:
            new = transition(status, target)
        except IllegalTransition:
            continue
        assert new in REPAIR_TRANSITIONS[status]
        status = new
    assert REPAIR_TRANSITIONS[S.RETURNED_TO_CUSTOMER] == frozenset()


NETWORK = WarehouseNetwork(
    default=Warehouse(warehouse_id="wh-shenzhen"),
    overseas=(Warehouse(warehouse_id="wh-la", countries=frozenset({"US", "CA"})),
              Warehouse(warehouse_id="wh-frankfurt", countries=frozenset({"DE", "FR", "US"}))))


def test_overseas_warehouse_serves_its_countries_in_tenant_order():
    """GIVEN LA (US, CA) before Frankfurt (DE, FR, US) WHEN reshipping to us/DE/CN THEN LA, Frankfurt,
    default."""
    assert choose_warehouse(NETWORK, "us").warehouse_id == "wh-la"
    assert choose_warehouse(NETWORK, "DE").reason == "overseas_for_country"
    source = choose_warehouse(NETWORK, "CN")
    assert (source.warehouse_id, source.reason) == ("wh-shenzhen", "default_warehouse")


def test_tenant_without_overseas_warehouses_uses_default():
    """GIVEN only a default warehouse WHEN reshipping anywhere THEN the default."""
    home_only = WarehouseNetwork(default=Warehouse(warehouse_id="wh-1"))
    assert choose_warehouse(home_only, "JP").warehouse_id == "wh-1"


def test_country_code_must_be_two_letters():
    """GIVEN 'USA' WHEN choosing THEN InvalidRequest."""
    with pytest.raises(InvalidRequest):
        choose_warehouse(NETWORK, "USA")
