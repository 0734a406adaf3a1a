"""Each context's settings are read from the function's environment, and a variable with no safe
default is required: a function deployed without it fails naming it, never talks to a default table."""

from __future__ import annotations

import pytest

from aftersales.core.settings import (
    ChannelSettings,
    HttpSettings,
    IdempotencySettings,
    PaymentSettings,
    SettingsMissing,
    SlaSettings,
    TicketSettings,
    WorkflowSettings,
)


def test_a_missing_table_is_named():
    # GIVEN an environment with the tickets table only
    # WHEN the tickets context reads its settings
    with pytest.raises(SettingsMissing) as raised:
        TicketSettings.from_env({"TICKETS_TABLE": "t"})
    # THEN the failure names every missing variable, in the template's spelling
    assert raised.value.context == "ticket"
    assert sorted(raised.value.problems) == ["ORDERS_TABLE is not set", "TENANTS_TABLE is not set"]
    assert "ORDERS_TABLE" in str(raised.value)


def test_an_empty_required_value_is_refused():
    with pytest.raises(SettingsMissing) as raised:
        SlaSettings.from_env({"SLA_TABLE": "", "DISPATCH_TABLE": "d"})
    assert raised.value.problems[0].startswith("SLA_TABLE:")


def test_values_are_parsed_and_defaults_hold_where_they_are_safe():
    http = HttpSettings.from_env({"MAX_BODY_BYTES": "1024"})
    assert (http.max_body_bytes, http.cursor_secret) == (1024, "")
    assert IdempotencySettings.from_env({"IDEMPOTENCY_TABLE": "idem"}).idempotency_ttl_seconds == 86_400
    with pytest.raises(SettingsMissing, match="IDEMPOTENCY_TABLE is not set"):
        IdempotencySettings.from_env({})
    channels = ChannelSettings.from_env({"CHANNELS_TABLE": "c"})
    assert channels.integration_settings_ttl_seconds == 60.0 and channels.attachments_bucket == ""


def test_a_bad_number_names_the_variable():
    with pytest.raises(SettingsMissing) as raised:
        WorkflowSettings.from_env({"APPROVAL_STATE_MACHINE_ARN": "a", "REFUND_STATE_MACHINE_ARN": "r",
                                   "REFUND_POLL_SECONDS": "soon"})
    assert raised.value.problems[0].startswith("REFUND_POLL_SECONDS:")


def test_the_payment_provider_must_be_chosen_explicitly():
    # a refund function without PAYMENT_PROVIDER must not silently pick the sandbox
    with pytest.raises(SettingsMissing):
        PaymentSettings.from_env({})
    with pytest.raises(SettingsMissing):
        PaymentSettings.from_env({"PAYMENT_PROVIDER": "paypal"})
    assert PaymentSettings.from_env({"PAYMENT_PROVIDER": "sandbox"}).payment_provider == "sandbox"
