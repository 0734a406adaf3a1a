"""The container builds a context on first use from that context's settings, and takes fakes
through its constructor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.adapters.payments import PaymentProviders
from aftersales.core.clock import FixedClock
from aftersales.core.settings import PaymentSettings, SettingsMissing
from aftersales.wiring import Container

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_context_fails_on_first_use_naming_its_missing_variables():
    # GIVEN a function whose environment has no tables (nothing is read at construction)
    container = Container(env={})
    # WHEN the tickets context is first used THEN the failure names the variables
    with pytest.raises(SettingsMissing, match="TICKETS_TABLE is not set"):
        _ = container.tickets
    with pytest.raises(SettingsMissing, match="SLA_TABLE is not set"):
        _ = container.sla_settings


def test_given_ports_are_used_as_given():
    clock, events = FixedClock(NOW), RecordingPublisher()
    container = Container(env={}, clock=clock, events=events)
    assert container.clock is clock and container.events is events


def test_the_event_publisher_needs_the_bus():
    with pytest.raises(SettingsMissing, match="EVENT_BUS_NAME is not set"):
        _ = Container(env={}).events


def test_stripe_without_a_secret_key_never_falls_back_to_the_sandbox():
    providers = PaymentProviders(lambda: PaymentSettings(payment_provider="stripe"), FixedClock(NOW))
    with pytest.raises(SettingsMissing, match="STRIPE_SECRET_KEY"):
        providers.for_tenant("acme")
    assert not providers.built("acme")


def test_the_sandbox_is_built_once_per_tenant_and_can_be_replaced():
    providers = PaymentProviders(lambda: PaymentSettings(payment_provider="sandbox"), FixedClock(NOW))
    first = providers.for_tenant("acme")
    assert providers.for_tenant("acme") is first and providers.built("acme")
    replacement = object()
    providers.use("acme", replacement)  # type: ignore[arg-type]
    assert providers.for_tenant("acme") is replacement
