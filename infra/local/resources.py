"""Creates the template's tables, queues, buckets, buses, rules, state machines and schedules in moto.

Returns the attributes only known after creation (queue URLs, stream ARNs) so the model can be
re-resolved with them. Rule targets that moto cannot deliver to (Lambda, Step Functions) are
redirected to internal SQS queues that a pump drains into the real target; so are S3 event
notifications to functions (moto delivers a bucket's QueueConfigurations itself, in-process).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from .cfn import physical_name
from .template import RuleEvent, StackModel, Target

log = logging.getLogger("infra.local.resources")

_GSI_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")


@dataclass
class InternalRoute:
    """An internal queue that feeds rule events to a function or state machine."""

    queue_url: str
    target: Target
    input: str | None
    description: str


def create_all(model: StackModel, clients: Any) -> tuple[dict[str, dict[str, Any]], list[InternalRoute]]:
    actual: dict[str, dict[str, Any]] = {}
    for t in model.tables.values():
        actual[t.logical_id] = create_table(clients.dynamodb, t)
    actual.update(_create_queues(model, clients.sqs))
    routes: list[InternalRoute] = []
    for bucket in model.buckets.values():
        routes += create_bucket(model, clients, bucket)
    for bus in model.buses.values():
        if bus.name != "default":
            clients.events.create_event_bus(Name=bus.name)
    for rule in model.rules.values():
        routes += _create_rule(model, clients, rule)
    for sm in model.state_machines.values():
        clients.stepfunctions.create_state_machine(
            name=sm.name, definition=json.dumps(sm.definition), roleArn=sm.role_arn, type=sm.type
        )
    owners: list[tuple[Target, RuleEvent]] = [
        (Target("function", fn.logical_id), ev) for fn in model.functions.values() for ev in fn.rule_events
    ] + [(Target("statemachine", sm.logical_id), ev) for sm in model.state_machines.values() for ev in sm.rule_events]
    for target, ev in owners:
        clients.events.put_rule(Name=ev.rule_name, EventBusName=ev.bus_name, EventPattern=json.dumps(ev.pattern))
        url, arn = _internal_queue(model, clients.sqs, ev.rule_name)
        clients.events.put_targets(Rule=ev.rule_name, EventBusName=ev.bus_name, Targets=[{"Id": "local", "Arn": arn}])
        routes.append(InternalRoute(url, target, ev.input, f"{ev.rule_name} -> {target.ref}"))
    for s in model.schedules:
        _register_schedule(model, clients, s)
    return actual, routes


def create_table(ddb: Any, t: Any) -> dict[str, Any]:
    """Create one template table (keys, GSIs/LSIs, stream, TTL); usable under mock_aws too."""
    p = t.properties
    billing = p.get("BillingMode", "PROVISIONED")
    kwargs: dict[str, Any] = {
        "TableName": t.name,
        "KeySchema": p["KeySchema"],
        "AttributeDefinitions": p["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = p.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if p.get(key):
            kwargs[key] = [{k: v for k, v in ix.items() if k in _GSI_KEYS} for ix in p[key]]
            if billing == "PAY_PER_REQUEST":
                for ix in kwargs[key]:
                    ix.pop("ProvisionedThroughput", None)
    if t.stream_view_type:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": t.stream_view_type}
    desc = ddb.create_table(**kwargs)["TableDescription"]
    if t.ttl_attribute:
        ddb.update_time_to_live(
            TableName=t.name, TimeToLiveSpecification={"Enabled": True, "AttributeName": t.ttl_attribute}
        )
    out = {"Arn": desc["TableArn"]}
    if desc.get("LatestStreamArn"):
        out["StreamArn"] = desc["LatestStreamArn"]
    return out


_create_table = create_table  # kept for tests/conftest.py, which imported the private name


def create_bucket(model: StackModel, clients: Any, bucket: Any) -> list[InternalRoute]:
    """Create the bucket; its notifications to functions go through an internal queue each (moto
    cannot invoke Lambda without Docker): moto puts the S3 event there on PutObject/CopyObject/...,
    a RoutePump invokes the function with it (async-invoke semantics: 3 attempts, then dropped)."""
    s3 = getattr(clients, "s3", None)
    if s3 is None:  # callers that built their own client set before buckets existed (tests)
        import boto3

        s3 = boto3.client("s3")
    kwargs: dict[str, Any] = {"Bucket": bucket.name}
    if model.region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": model.region}
    s3.create_bucket(**kwargs)
    if (bucket.properties.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=bucket.name, VersioningConfiguration={"Status": "Enabled"})
    queue_configs, routes = [], []
    for n in bucket.notifications:
        if n.function_logical_id is not None:
            url, arn = _internal_queue(model, clients.sqs, f"s3-{n.name}")
            routes.append(InternalRoute(url, Target("function", n.function_logical_id), None,
                                        f"s3://{bucket.name} -> {n.function_logical_id}"))
        elif n.queue_arn:
            arn = n.queue_arn
        else:
            log.warning("bucket %s: notification %s has no local target", bucket.logical_id, n.name)
            continue
        config: dict[str, Any] = {"Id": n.name, "QueueArn": arn, "Events": n.events}
        if n.filter_rules:
            config["Filter"] = {"Key": {"FilterRules": n.filter_rules}}
        queue_configs.append(config)
    if queue_configs:
        s3.put_bucket_notification_configuration(
            Bucket=bucket.name, NotificationConfiguration={"QueueConfigurations": queue_configs})
    return routes


def _create_queues(model: StackModel, sqs: Any) -> dict[str, dict[str, Any]]:
    """Queues without a RedrivePolicy first: moto checks that the DLQ exists."""
    actual = {}
    ordered = sorted(model.queues.values(), key=lambda q: "RedrivePolicy" in q.attributes)
    for q in ordered:
        url = sqs.create_queue(QueueName=q.name, Attributes=q.attributes)["QueueUrl"]
        actual[q.logical_id] = {"Ref": url, "QueueUrl": url}
    return actual


def _internal_queue(model: StackModel, sqs: Any, name: str) -> tuple[str, str]:
    qname = physical_name("local-rule", name)
    url = sqs.create_queue(QueueName=qname, Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
    return url, f"arn:aws:sqs:{model.region}:{model.account_id}:{qname}"


def _create_rule(model: StackModel, clients: Any, rule: Any) -> list[InternalRoute]:
    kwargs: dict[str, Any] = {"Name": rule.name, "State": "ENABLED" if rule.enabled else "DISABLED"}
    if rule.bus_name != "default":
        kwargs["EventBusName"] = rule.bus_name
    if rule.event_pattern is not None:
        kwargs["EventPattern"] = json.dumps(rule.event_pattern)
    if rule.schedule_expression:
        kwargs["ScheduleExpression"] = rule.schedule_expression
    clients.events.put_rule(**kwargs)
    if rule.schedule_expression:
        return []  # the schedule pump delivers scheduled rules to their targets
    targets, routes = [], []
    for t in rule.targets:
        target = model.target_for_arn(t["Arn"])
        if target.kind in ("function", "statemachine"):
            url, arn = _internal_queue(model, clients.sqs, f"{rule.name}-{t['Id']}")
            routes.append(InternalRoute(url, target, t.get("Input"), f"{rule.name} -> {target.ref}"))
            t = {"Id": t["Id"], "Arn": arn}
        targets.append({k: v for k, v in t.items() if k in ("Id", "Arn", "Input", "InputPath", "InputTransformer",
                                                            "SqsParameters")})
    if targets:
        put = {"Rule": rule.name, "Targets": targets}
        if rule.bus_name != "default":
            put["EventBusName"] = rule.bus_name
        clients.events.put_targets(**put)
    return routes


def _register_schedule(model: StackModel, clients: Any, s: Any) -> None:
    """Make schedules visible in moto (list_rules / list_schedules); the schedule pump fires them."""
    state = "ENABLED" if s.enabled else "DISABLED"
    name = s.rule_arn.rsplit("/", 1)[-1]
    if s.source == "Schedule":
        clients.events.put_rule(Name=name, ScheduleExpression=s.expression, State=state)
    elif s.source in ("ScheduleV2", "AWS::Scheduler::Schedule"):
        target_arn = s.target.ref if s.target.kind in ("sqs", "unknown") else (
            model.functions[s.target.ref].arn if s.target.kind == "function" else model.state_machines[s.target.ref].arn
        )
        target = {"Arn": target_arn, "RoleArn": f"arn:aws:iam::{model.account_id}:role/{name}-scheduler"}
        if s.input:
            target["Input"] = s.input
        try:
            clients.scheduler.create_schedule(Name=name, ScheduleExpression=s.expression, State=state,
                                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
        except Exception as exc:
            log.warning("could not register schedule %s in moto: %s", name, exc)
