"""The helpdesk sync's resources in template.yaml: ticket events from the bus into the sync queue
(only the rule may send), the sync function on that queue with partial batch failures and a DLQ it
may park jobs in, and the webhook route open to the vendors (no authorizer: the signature is the auth)."""

from __future__ import annotations

import pytest

from tests.support.environment import ROOT

pytestmark = pytest.mark.infra


@pytest.fixture(scope="module")
def resources() -> dict:
    from infra.local.cfn import load_yaml

    return load_yaml((ROOT / "template.yaml").read_text())["Resources"]


def test_ticket_events_reach_the_sync_queue_and_only_the_rule_may_send(resources):
    rule = resources["DomainEventsToHelpdesksRule"]["Properties"]
    assert rule["EventPattern"] == {"source": ["aftersales.tickets"]}
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["HelpdeskSyncQueue", "Arn"]}
    (statement,) = resources["HelpdeskSyncQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": ["DomainEventsToHelpdesksRule",
                                                                                   "Arn"]}
    redrive = resources["HelpdeskSyncQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["HelpdeskSyncDLQ", "Arn"]}


def test_the_sync_function_reports_partial_failures_and_may_park_in_the_dlq(resources):
    sync = resources["HelpdeskSyncFunction"]["Properties"]
    (event,) = sync["Events"].values()
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert sync["Environment"]["Variables"]["HELPDESK_SYNC_DLQ_URL"] == {"Ref": "HelpdeskSyncDLQ"}
    senders = {p["SQSSendMessagePolicy"]["QueueName"]["Fn::GetAtt"][0] for p in sync["Policies"]
               if "SQSSendMessagePolicy" in p}
    assert senders == {"HelpdeskSyncQueue", "HelpdeskSyncDLQ"}
    visibility = resources["HelpdeskSyncQueue"]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * sync["Timeout"]


def test_the_webhook_route_is_a_public_post_per_vendor_and_tenant(resources):
    (event,) = resources["HelpdeskWebhookFunction"]["Properties"]["Events"].values()
    props = event["Properties"]
    assert (props["Path"], props["Method"], props["Auth"]) == ("/webhooks/helpdesks/{vendor}/{tenant_id}", "POST",
                                                               {"Authorizer": "NONE"})
