"""GIVEN the real template.yaml, the model is read from it (nothing hand-listed) and resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local.cfn import Resolver, load_yaml
from infra.local.template import load_model, merge_globals

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def model():
    return load_model(ROOT / "template.yaml", stack_name="unit")


def test_tables_queues_and_bus_come_from_the_template(model):
    assert {"TicketsTable", "OrdersTable", "TenantsTable", "IdempotencyTable"} <= set(model.tables)
    assert model.tables["TicketsTable"].name == "unit-TicketsTable"
    assert model.tables["TicketsTable"].stream_view_type == "NEW_AND_OLD_IMAGES"
    assert model.tables["IdempotencyTable"].ttl_attribute == "expiration"
    assert {"TimelineQueue", "TimelineDLQ", "EventsPublisherDLQ"} <= set(model.queues)
    assert model.buses["DomainEventBus"].name == "unit-domain"


def test_globals_environment_resolves_to_physical_names(model):
    env = model.functions["ApiFunction"].environment
    assert env["TICKETS_TABLE"] == "unit-TicketsTable"
    assert env["EVENT_BUS_NAME"] == "unit-domain"
    assert env["MAX_BODY_BYTES"] == "262144"  # parameter default, as a string like Lambda's environment
    assert model.functions["ApiFunction"].memory_mb == 512
    assert model.functions["AuthorizerFunction"].memory_mb == 256  # resource overrides Globals


def test_layer_content_is_on_the_function_path(model):
    assert model.functions["ApiFunction"].layer_dirs == [str(ROOT / "shared")]


def test_events_publisher_stream_settings_are_read(model):
    (ev,) = model.functions["EventsPublisherFunction"].stream_events
    assert ev.table_logical_id == "TicketsTable"
    assert ev.batch_size == 100 and ev.maximum_retry_attempts == 5
    assert ev.report_batch_item_failures is True
    assert ev.on_failure_arn == "arn:aws:sqs:us-east-1:123456789012:unit-EventsPublisherDLQ"
    assert ev.filters == [{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["audit"]}}}}]


def test_timeline_queue_redrive_and_sqs_event(model):
    q = model.queues["TimelineQueue"]
    assert q.attributes["VisibilityTimeout"] == "90"
    assert '"maxReceiveCount": 5' in q.attributes["RedrivePolicy"]
    (ev,) = model.functions["TimelineProjectorFunction"].sqs_events
    assert ev.queue_arn == q.arn and ev.batch_size == 10 and ev.report_batch_item_failures


def test_rule_targets_and_api_auth(model):
    rule = model.rules["TicketEventsToTimelineRule"]
    assert rule.bus_name == "unit-domain"
    assert rule.event_pattern == {"source": ["aftersales.tickets"]}
    assert rule.targets[0]["Arn"] == model.queues["TimelineQueue"].arn
    api = model.apis["AftersalesApi"]
    assert api.stage == "v1" and api.default_authorizer == "TenantAuthorizer"
    assert api.authorizers["TenantAuthorizer"].function_logical_id == "AuthorizerFunction"
    routes = {(r.path, r.method): r.authorizer for r in api.routes}
    assert routes[("/{proxy+}", "ANY")] == "TenantAuthorizer"
    assert routes[("/openapi.json", "GET")] is None


def test_second_phase_overrides_queue_urls_and_stream_arns():
    actual = {"TicketsTable": {"StreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2020"}}
    m = load_model(ROOT / "template.yaml", stack_name="unit", actual=actual)
    assert m.functions["EventsPublisherFunction"].stream_events[0].stream_arn.endswith("/stream/2020")
    assert m.functions["EventsPublisherFunction"].stream_events[0].table_logical_id == "TicketsTable"


def test_short_tags_and_intrinsics():
    doc = load_yaml("""
A: !Sub "${AWS::StackName}-${Name}-${Q.Arn}"
B: !Sub ["${x}/${AWS::Region}", {x: !Ref Name}]
C: !Join ["-", [a, !Ref Name]]
D: !Select [1, !Split [",", "p,q,r"]]
E: !If [IsProd, big, small]
F: !GetAtt Q.QueueName
""")
    r = Resolver("s", parameters={"Name": "n", "Stage": "dev"},
                 attrs={"Q": {"Arn": "arn:q", "QueueName": "qn"}},
                 conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}})
    assert r.resolve(doc) == {"A": "s-n-arn:q", "B": "n/us-east-1", "C": "a-n", "D": "q", "E": "small", "F": "qn"}


def test_merge_globals_semantics():
    merged = merge_globals(
        {"Timeout": 3, "Layers": ["g"], "Environment": {"Variables": {"A": "1", "B": "1"}}},
        {"Timeout": 9, "Layers": ["r"], "Environment": {"Variables": {"B": "2"}}},
    )
    assert merged == {"Timeout": 9, "Layers": ["g", "r"], "Environment": {"Variables": {"A": "1", "B": "2"}}}
