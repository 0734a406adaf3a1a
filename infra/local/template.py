"""Typed model of a SAM template, so the local stack creates exactly what template.yaml declares.

`load_model(path, stack_name, actual=...)` is called twice by the stack: first with predicted
physical names/ARNs (to know what to create), then with `actual` attributes read back from the
created resources (queue URLs, stream ARNs), so function environments see the real values.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cfn import ACCOUNT_ID, REGION, Resolver, api_id_for, load_yaml, physical_name

log = logging.getLogger("infra.local.template")

IMPLICIT_API = "ServerlessRestApi"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
STATE_MACHINE_TYPES = ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine")


# ---------------------------------------------------------------- model


@dataclass
class Table:
    logical_id: str
    name: str
    properties: dict[str, Any]

    @property
    def stream_view_type(self) -> str | None:
        spec = self.properties.get("StreamSpecification") or {}
        return spec.get("StreamViewType")

    @property
    def ttl_attribute(self) -> str | None:
        ttl = self.properties.get("TimeToLiveSpecification") or {}
        return ttl.get("AttributeName") if ttl.get("Enabled", True) else None


@dataclass
class Queue:
    logical_id: str
    name: str
    arn: str
    attributes: dict[str, str]


@dataclass
class S3Notification:
    """Deliver a bucket's object events to a function (SAM `Events: Type: S3`, or the bucket's
    NotificationConfiguration.LambdaConfigurations) or to a queue (QueueConfigurations)."""

    name: str
    bucket_logical_id: str
    events: list[str]
    filter_rules: list[dict[str, str]] = field(default_factory=list)  # [{"Name": "prefix", "Value": ...}]
    function_logical_id: str | None = None
    queue_arn: str | None = None


@dataclass
class Bucket:
    logical_id: str
    name: str
    properties: dict[str, Any]
    notifications: list[S3Notification] = field(default_factory=list)


@dataclass
class EventBus:
    logical_id: str
    name: str


@dataclass
class Rule:
    logical_id: str
    name: str
    bus_name: str
    event_pattern: dict[str, Any] | None
    schedule_expression: str | None
    targets: list[dict[str, Any]]
    enabled: bool = True


@dataclass
class Target:
    """Where a schedule or internal rule delivers: a function, a state machine or a queue."""

    kind: str  # "function" | "statemachine" | "sqs" | "unknown"
    ref: str  # logical id (function/statemachine) or ARN (sqs/unknown)


@dataclass
class Schedule:
    name: str
    expression: str
    target: Target
    input: str | None = None
    source: str = "Schedule"  # Schedule | ScheduleV2 | AWS::Scheduler::Schedule | AWS::Events::Rule
    enabled: bool = True
    rule_arn: str = ""


@dataclass
class SqsEvent:
    name: str
    queue_arn: str
    batch_size: int = 10
    report_batch_item_failures: bool = False
    filters: list[dict[str, Any]] = field(default_factory=list)
    enabled: bool = True


@dataclass
class StreamEvent:
    name: str
    stream_arn: str
    table_logical_id: str | None
    starting_position: str = "TRIM_HORIZON"
    batch_size: int = 100
    report_batch_item_failures: bool = False
    maximum_retry_attempts: int = -1
    bisect_on_error: bool = False
    on_failure_arn: str | None = None
    filters: list[dict[str, Any]] = field(default_factory=list)
    enabled: bool = True


@dataclass
class RuleEvent:
    """An EventBridgeRule/CloudWatchEvent event of a function or state machine."""

    name: str
    rule_name: str
    bus_name: str
    pattern: dict[str, Any]
    input: str | None = None


@dataclass
class ApiEvent:
    name: str
    api_logical_id: str
    path: str
    method: str
    authorizer: str | None = None  # None: the Api's default; "NONE": open


@dataclass
class Function:
    logical_id: str
    name: str
    arn: str
    code_uri: str
    handler: str
    runtime: str | None
    memory_mb: int
    timeout_s: int
    environment: dict[str, str]
    layer_dirs: list[str]
    sqs_events: list[SqsEvent] = field(default_factory=list)
    stream_events: list[StreamEvent] = field(default_factory=list)
    api_events: list[ApiEvent] = field(default_factory=list)
    rule_events: list[RuleEvent] = field(default_factory=list)


@dataclass
class StateMachine:
    logical_id: str
    name: str
    arn: str
    definition: dict[str, Any]
    role_arn: str
    type: str = "STANDARD"
    rule_events: list[RuleEvent] = field(default_factory=list)


@dataclass
class Authorizer:
    name: str
    function_logical_id: str
    payload_type: str  # REQUEST | TOKEN
    identity: dict[str, Any]


@dataclass
class Route:
    path: str
    method: str
    function_logical_id: str
    event_name: str
    authorizer: str | None  # resolved: authorizer name or None for open


@dataclass
class Api:
    logical_id: str
    api_id: str
    stage: str
    default_authorizer: str | None
    authorizers: dict[str, Authorizer]
    binary_media_types: list[str]
    routes: list[Route] = field(default_factory=list)


@dataclass
class StackModel:
    template_path: Path
    stack_name: str
    region: str
    account_id: str
    parameters: dict[str, Any]
    resolver: Resolver
    tables: dict[str, Table] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    buses: dict[str, EventBus] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    state_machines: dict[str, StateMachine] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    apis: dict[str, Api] = field(default_factory=dict)
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def bucket_by_name(self, name: str) -> Bucket | None:
        name = name.removeprefix("arn:aws:s3:::")
        return next((b for b in self.buckets.values() if name in (b.name, b.logical_id)), None)

    def function_by_name_or_arn(self, name: str) -> Function | None:
        """Find a function by physical name, ARN (optionally qualified) or logical id."""
        if name.startswith("arn:"):
            parts = name.split(":")
            name = parts[6] if len(parts) > 6 else name
        name = name.split(":")[0]
        for fn in self.functions.values():
            if name in (fn.name, fn.logical_id):
                return fn
        return None

    def target_for_arn(self, arn: str) -> Target:
        for fn in self.functions.values():
            if arn in (fn.arn, fn.name) or arn.startswith(fn.arn + ":"):
                return Target("function", fn.logical_id)
        for sm in self.state_machines.values():
            if arn == sm.arn:
                return Target("statemachine", sm.logical_id)
        if ":sqs:" in arn:
            return Target("sqs", arn)
        return Target("unknown", arn)

    def table_for_stream(self, stream_arn: str) -> str | None:
        for t in self.tables.values():
            if stream_arn == self.resolver.attrs.get(t.logical_id, {}).get("StreamArn"):
                return t.logical_id
        return None


# ---------------------------------------------------------------- loading


def merge_globals(globals_section: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """SAM Globals semantics: maps merge, lists append (globals first), scalars are overridden."""
    out = copy.deepcopy(globals_section)
    for key, value in props.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _is_intrinsic(value):
            out[key] = merge_globals(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + value
        else:
            out[key] = copy.deepcopy(value)
    return out


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))


def load_template(path: str | Path) -> dict[str, Any]:
    """Read the template and apply Globals to every serverless function, API and state machine."""
    raw = load_yaml(Path(path).read_text())
    glob = raw.get("Globals") or {}
    for res in (raw.get("Resources") or {}).values():
        section = {
            "AWS::Serverless::Function": "Function",
            "AWS::Serverless::Api": "Api",
            "AWS::Serverless::StateMachine": "StateMachine",
            "AWS::Serverless::SimpleTable": "SimpleTable",
        }.get(res.get("Type", ""))
        if section and glob.get(section):
            res["Properties"] = merge_globals(glob[section], res.get("Properties") or {})
    return raw


def _predict(
    raw: dict[str, Any], r: Resolver, endpoint: str
) -> None:
    """Fill resolver.refs/attrs with deterministic physical names and ARNs for every resource."""
    reg, acct, stack = r.region, r.account_id, r.stack_name
    resources = raw.get("Resources") or {}
    needs_implicit_api = False
    for lid, res in resources.items():
        typ = res.get("Type", "")
        props = res.get("Properties") or {}

        def named(key: str, max_len: int = 80, _props: dict[str, Any] = props, _lid: str = lid) -> str:
            explicit = _props.get(key)
            return r.resolve(explicit) if explicit is not None else physical_name(stack, _lid, max_len)

        if typ in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"):
            name = named("TableName", 255)
            arn = f"arn:aws:dynamodb:{reg}:{acct}:table/{name}"
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": arn, "StreamArn": f"{arn}/stream/pending"}
        elif typ == "AWS::SQS::Queue":
            name = named("QueueName")
            if props.get("FifoQueue") and not name.endswith(".fifo"):
                name = f"{name[:75]}.fifo"
            url = f"{endpoint}/{acct}/{name}"
            r.refs[lid] = url
            r.attrs[lid] = {"Arn": f"arn:aws:sqs:{reg}:{acct}:{name}", "QueueName": name, "QueueUrl": url}
        elif typ == "AWS::Events::EventBus":
            name = named("Name")
            r.refs[lid] = name
            r.attrs[lid] = {"Name": name, "Arn": f"arn:aws:events:{reg}:{acct}:event-bus/{name}"}
        elif typ == "AWS::Events::Rule":
            name = named("Name", 64)
            bus = props.get("EventBusName")
            bus_name = r.resolve(bus) if bus is not None else "default"
            bus_name = bus_name.split("/")[-1]
            path = name if bus_name == "default" else f"{bus_name}/{name}"
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:events:{reg}:{acct}:rule/{path}"}
        elif typ in FUNCTION_TYPES:
            name = named("FunctionName", 64)
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:lambda:{reg}:{acct}:function:{name}"}
            r.refs.setdefault(f"{lid}Role", f"{lid}Role")
            r.attrs.setdefault(f"{lid}Role", {"Arn": f"arn:aws:iam::{acct}:role/{stack}-{lid}Role"})
            for ev in (props.get("Events") or {}).values():
                if ev.get("Type") == "Api" and "RestApiId" not in (ev.get("Properties") or {}):
                    needs_implicit_api = True
        elif typ in STATE_MACHINE_TYPES:
            name = named("Name" if typ.startswith("AWS::Serverless") else "StateMachineName")
            arn = f"arn:aws:states:{reg}:{acct}:stateMachine:{name}"
            r.refs[lid] = arn
            r.attrs[lid] = {"Arn": arn, "Name": name}
        elif typ in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi"):
            r.refs[lid] = api_id_for(stack, lid)
            r.attrs[lid] = {"RootResourceId": "root"}
        elif typ in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
            name = named("LayerName", 64)
            r.refs[lid] = f"arn:aws:lambda:{reg}:{acct}:layer:{name}:1"
            r.attrs[lid] = {}
        elif typ == "AWS::Scheduler::Schedule":
            name = named("Name", 64)
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:scheduler:{reg}:{acct}:schedule/default/{name}"}
        elif typ == "AWS::S3::Bucket":
            # CloudFormation would add a random suffix; a deterministic lower-case name is predicted.
            name = named("BucketName", 63) if props.get("BucketName") is not None else \
                physical_name(stack, lid, 63).lower()
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
                            "RegionalDomainName": f"{name}.s3.{reg}.amazonaws.com",
                            "WebsiteURL": f"http://{name}.s3-website-{reg}.amazonaws.com"}
        elif typ == "AWS::IAM::Role":
            name = named("RoleName", 64)
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:iam::{acct}:role/{name}", "RoleId": name}
        else:
            name = physical_name(stack, lid)
            r.refs[lid] = name
            r.attrs[lid] = {"Arn": f"arn:aws:local:{reg}:{acct}:{name}"}
    if needs_implicit_api:
        r.refs[IMPLICIT_API] = api_id_for(stack, IMPLICIT_API)
        r.attrs[IMPLICIT_API] = {"RootResourceId": "root"}


def load_model(
    template_path: str | Path,
    stack_name: str = "aftersales-local",
    *,
    region: str = REGION,
    account_id: str = ACCOUNT_ID,
    parameters: dict[str, Any] | None = None,
    endpoint: str = "http://127.0.0.1:5000",
    actual: dict[str, dict[str, Any]] | None = None,
) -> StackModel:
    """Load and resolve the template. `actual` overrides predicted refs/attrs per logical id."""
    path = Path(template_path).resolve()
    raw = load_template(path)
    params = {
        name: (parameters or {}).get(name, spec.get("Default"))
        for name, spec in (raw.get("Parameters") or {}).items()
    }
    r = Resolver(
        stack_name=stack_name,
        region=region,
        account_id=account_id,
        parameters=params,
        conditions=raw.get("Conditions") or {},
        mappings=raw.get("Mappings") or {},
    )
    _predict(raw, r, endpoint)
    for lid, values in (actual or {}).items():
        values = dict(values)
        if "Ref" in values:
            r.refs[lid] = values.pop("Ref")
        r.attrs.setdefault(lid, {}).update(values)
    model = StackModel(path, stack_name, region, account_id, params, r)
    _Builder(model, raw).build()
    return model


class _Builder:
    """Turns resolved resources into the typed model."""

    def __init__(self, model: StackModel, raw: dict[str, Any]) -> None:
        self.m = model
        self.r = model.resolver
        self.raw = raw
        self.root = model.template_path.parent

    def props(self, lid: str) -> dict[str, Any]:
        return self.r.resolve((self.raw["Resources"][lid].get("Properties")) or {})

    def active(self, res: dict[str, Any]) -> bool:
        cond = res.get("Condition")
        return cond is None or self.r.condition(cond)

    def build(self) -> None:
        resources = self.raw.get("Resources") or {}
        order = [
            (("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"), self.table),
            (("AWS::SQS::Queue",), self.queue),
            (("AWS::Events::EventBus",), self.bus),
            (("AWS::Events::Rule",), self.rule),
            (("AWS::S3::Bucket",), self.bucket),
            (FUNCTION_TYPES, self.function),
            (STATE_MACHINE_TYPES, self.state_machine),
            (("AWS::Scheduler::Schedule",), self.scheduler_schedule),
        ]
        for types, build in order:
            for lid, res in resources.items():
                if res.get("Type") in types and self.active(res):
                    build(lid, res)
        for lid, res in resources.items():
            if res.get("Type") in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi") and self.active(res):
                self.api(lid)
        if IMPLICIT_API in self.r.refs and IMPLICIT_API not in self.m.apis:
            self.m.apis[IMPLICIT_API] = Api(IMPLICIT_API, self.r.refs[IMPLICIT_API], "Prod", None, {}, [])
        self.routes()

    # ---- data
    def table(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        if res["Type"] == "AWS::Serverless::SimpleTable":
            pk = p.get("PrimaryKey") or {"Name": "id", "Type": "String"}
            typ = {"String": "S", "Number": "N", "Binary": "B"}[pk.get("Type", "String")]
            p = {
                "AttributeDefinitions": [{"AttributeName": pk["Name"], "AttributeType": typ}],
                "KeySchema": [{"AttributeName": pk["Name"], "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            }
        self.m.tables[lid] = Table(lid, self.r.refs[lid], p)

    def queue(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        attrs: dict[str, str] = {}
        for key, value in p.items():
            if key in ("QueueName", "Tags"):
                continue
            if isinstance(value, (dict, list)):
                attrs[key] = json.dumps(value)
            elif isinstance(value, bool):
                attrs[key] = "true" if value else "false"
            else:
                attrs[key] = str(value)
        a = self.r.attrs[lid]
        self.m.queues[lid] = Queue(lid, a["QueueName"], a["Arn"], attrs)

    def bucket(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        bucket = Bucket(lid, self.r.refs[lid], p)
        config = p.get("NotificationConfiguration") or {}
        for i, c in enumerate(config.get("LambdaConfigurations") or []):
            arn = str(c.get("Function", ""))
            fn = next((f for f in self.raw["Resources"] if self.r.attrs.get(f, {}).get("Arn") == arn
                       or self.r.refs.get(f) == arn), None)
            bucket.notifications.append(S3Notification(f"Lambda{i}", lid, [c["Event"]], _s3_rules(c),
                                                       function_logical_id=fn))
        for i, c in enumerate(config.get("QueueConfigurations") or []):
            bucket.notifications.append(S3Notification(f"Queue{i}", lid, [c["Event"]], _s3_rules(c),
                                                       queue_arn=c.get("Queue")))
        self.m.buckets[lid] = bucket

    def bus(self, lid: str, res: dict[str, Any]) -> None:
        self.m.buses[lid] = EventBus(lid, self.r.refs[lid])

    def rule(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        bus = (p.get("EventBusName") or "default").split("/")[-1]
        pattern = p.get("EventPattern")
        if isinstance(pattern, str):
            pattern = json.loads(pattern)
        rule = Rule(
            lid,
            self.r.refs[lid],
            bus,
            pattern,
            p.get("ScheduleExpression"),
            p.get("Targets") or [],
            p.get("State", "ENABLED") == "ENABLED",
        )
        self.m.rules[lid] = rule
        if rule.schedule_expression:
            for t in rule.targets:
                self.m.schedules.append(
                    Schedule(
                        f"{lid}.{t.get('Id')}",
                        rule.schedule_expression,
                        Target("arn", t["Arn"]),
                        t.get("Input"),
                        "AWS::Events::Rule",
                        rule.enabled,
                        self.r.attrs[lid]["Arn"],
                    )
                )

    # ---- compute
    def function(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        env = {k: _env_str(v) for k, v in ((p.get("Environment") or {}).get("Variables") or {}).items()}
        code_uri = p.get("CodeUri") or "."
        if isinstance(code_uri, dict):  # S3 location: not runnable locally
            code_uri = "."
        fn = Function(
            lid,
            self.r.refs[lid],
            self.r.attrs[lid]["Arn"],
            str((self.root / code_uri).resolve()),
            p.get("Handler", "handler.lambda_handler"),
            p.get("Runtime"),
            int(p.get("MemorySize", 128)),
            int(p.get("Timeout", 3)),
            env,
            self.layer_dirs(p.get("Layers") or []),
        )
        for ev_name, ev in (res.get("Properties", {}).get("Events") or {}).items():
            self.function_event(fn, ev_name, ev.get("Type", ""), self.r.resolve(ev.get("Properties") or {}))
        self.m.functions[lid] = fn

    def layer_dirs(self, layers: list[str]) -> list[str]:
        dirs = []
        for arn in layers:
            for lid, res in self.raw["Resources"].items():
                if self.r.refs.get(lid) == arn and res.get("Type", "").endswith("LayerVersion"):
                    uri = (res.get("Properties") or {}).get("ContentUri") or (res.get("Properties") or {}).get(
                        "Content"
                    )
                    if isinstance(uri, str):
                        dirs.append(str((self.root / uri).resolve()))
        return dirs

    def function_event(self, fn: Function, name: str, typ: str, p: dict[str, Any]) -> None:
        if typ == "SQS":
            fn.sqs_events.append(
                SqsEvent(
                    name,
                    p["Queue"],
                    int(p.get("BatchSize", 10)),
                    "ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                    _filters(p),
                    bool(p.get("Enabled", True)),
                )
            )
        elif typ in ("DynamoDB", "Kinesis"):
            on_failure = ((p.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            fn.stream_events.append(
                StreamEvent(
                    name,
                    p["Stream"],
                    self.m.table_for_stream(p["Stream"]),
                    p.get("StartingPosition", "TRIM_HORIZON"),
                    int(p.get("BatchSize", 100)),
                    "ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                    int(p.get("MaximumRetryAttempts", -1)),
                    bool(p.get("BisectBatchOnFunctionError", False)),
                    on_failure,
                    _filters(p),
                    bool(p.get("Enabled", True)),
                )
            )
        elif typ == "Api":
            auth = (p.get("Auth") or {}).get("Authorizer")
            fn.api_events.append(
                ApiEvent(
                    name, _api_lid(self.r, p.get("RestApiId")), p["Path"], p["Method"].upper(), auth
                )
            )
        elif typ in ("Schedule", "ScheduleV2"):
            self.m.schedules.append(self.sam_schedule(fn.logical_id, "function", name, typ, p))
        elif typ in ("EventBridgeRule", "CloudWatchEvent"):
            fn.rule_events.append(self.rule_event(fn.logical_id, name, p))
        elif typ == "S3":
            bucket = self.m.bucket_by_name(str(p.get("Bucket", "")))
            if bucket is None:  # SAM requires a bucket of the same template
                log.warning("function %s: S3 event %s names a bucket not in the template", fn.logical_id, name)
                return
            events = p.get("Events") or []
            bucket.notifications.append(S3Notification(
                f"{fn.logical_id}{name}", bucket.logical_id, [events] if isinstance(events, str) else list(events),
                _s3_rules(p), function_logical_id=fn.logical_id))
        else:
            log.info("function %s: event %s of type %s is not run locally", fn.logical_id, name, typ)

    def sam_schedule(self, owner: str, kind: str, name: str, typ: str, p: dict[str, Any]) -> Schedule:
        expr = p.get("Schedule") if typ == "Schedule" else p.get("ScheduleExpression")
        enabled = p.get("Enabled", True) and p.get("State", "ENABLED") == "ENABLED"
        rule_name = p.get("Name") or physical_name(self.m.stack_name, f"{owner}{name}", 64)
        arn = (
            f"arn:aws:events:{self.m.region}:{self.m.account_id}:rule/{rule_name}"
            if typ == "Schedule"
            else f"arn:aws:scheduler:{self.m.region}:{self.m.account_id}:schedule/default/{rule_name}"
        )
        return Schedule(f"{owner}.{name}", expr, Target(kind, owner), _input_str(p.get("Input")), typ,
                        bool(enabled), arn)

    def rule_event(self, owner: str, name: str, p: dict[str, Any]) -> RuleEvent:
        bus = (p.get("EventBusName") or "default").split("/")[-1]
        rule_name = (p.get("RuleName") or physical_name(self.m.stack_name, f"{owner}{name}", 64))
        return RuleEvent(name, rule_name, bus, p.get("Pattern") or {}, _input_str(p.get("Input")))

    def state_machine(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        if "DefinitionUri" in p and isinstance(p["DefinitionUri"], str):
            definition = load_yaml((self.root / p["DefinitionUri"]).read_text())
        elif "Definition" in p:
            definition = p["Definition"]
        elif "DefinitionString" in p:
            definition = json.loads(p["DefinitionString"])
        else:
            raise ValueError(f"state machine {lid}: only inline or local-file definitions are supported")
        subs = p.get("DefinitionSubstitutions") or {}
        if subs:
            text = json.dumps(definition)
            for key, value in subs.items():
                text = text.replace("${" + key + "}", json.dumps(str(value))[1:-1])
            definition = json.loads(text)
        role = p.get("Role") or p.get("RoleArn") or f"arn:aws:iam::{self.m.account_id}:role/{lid}Role"
        sm = StateMachine(
            lid, self.r.attrs[lid]["Name"], self.r.attrs[lid]["Arn"], definition, role,
            p.get("Type", p.get("StateMachineType", "STANDARD")),
        )
        for ev_name, ev in (res.get("Properties", {}).get("Events") or {}).items():
            typ, ep = ev.get("Type", ""), self.r.resolve(ev.get("Properties") or {})
            if typ in ("Schedule", "ScheduleV2"):
                self.m.schedules.append(self.sam_schedule(lid, "statemachine", ev_name, typ, ep))
            elif typ in ("EventBridgeRule", "CloudWatchEvent"):
                sm.rule_events.append(self.rule_event(lid, ev_name, ep))
        self.m.state_machines[lid] = sm

    def scheduler_schedule(self, lid: str, res: dict[str, Any]) -> None:
        p = self.props(lid)
        t = p.get("Target") or {}
        self.m.schedules.append(
            Schedule(lid, p["ScheduleExpression"], Target("arn", t.get("Arn", "")), _input_str(t.get("Input")),
                     "AWS::Scheduler::Schedule", p.get("State", "ENABLED") == "ENABLED", self.r.attrs[lid]["Arn"])
        )

    # ---- http
    def api(self, lid: str) -> None:
        p = self.props(lid)
        auth = p.get("Auth") or {}
        authorizers = {}
        for name, spec in (auth.get("Authorizers") or {}).items():
            fn = self.m.function_by_name_or_arn(str(spec.get("FunctionArn", "")))
            if fn is None:
                log.warning("authorizer %s: function %s not in template", name, spec.get("FunctionArn"))
                continue
            authorizers[name] = Authorizer(
                name, fn.logical_id, spec.get("FunctionPayloadType", "TOKEN"), spec.get("Identity") or {}
            )
        self.m.apis[lid] = Api(
            lid,
            self.r.refs[lid],
            str(p.get("StageName", "Prod")),
            auth.get("DefaultAuthorizer"),
            authorizers,
            list(p.get("BinaryMediaTypes") or []),
        )

    def routes(self) -> None:
        for fn in self.m.functions.values():
            for ev in fn.api_events:
                api = self.m.apis.get(ev.api_logical_id)
                if api is None:
                    log.warning("function %s: event %s targets unknown api %s", fn.logical_id, ev.name,
                                ev.api_logical_id)
                    continue
                auth = ev.authorizer if ev.authorizer is not None else api.default_authorizer
                if auth in ("NONE", None):
                    auth = None
                api.routes.append(Route(ev.path, ev.method, fn.logical_id, ev.name, auth))
        # Resolve state-machine rule events and schedule targets given as ARNs.
        for s in self.m.schedules:
            if s.target.kind == "arn":
                s.target = self.m.target_for_arn(s.target.ref)


def _api_lid(r: Resolver, rest_api_id: Any) -> str:
    if rest_api_id is None:
        return IMPLICIT_API
    for lid, ref in r.refs.items():
        if ref == rest_api_id:
            return lid
    return str(rest_api_id)


def _s3_rules(p: dict[str, Any]) -> list[dict[str, str]]:
    """S3 key filter rules (`Filter: {S3Key: {Rules: [{Name: prefix|suffix, Value: ...}]}}`)."""
    return [{"Name": str(r["Name"]).lower(), "Value": str(r["Value"])}
            for r in ((p.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []]


def _filters(p: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in (p.get("FilterCriteria") or {}).get("Filters") or []:
        pattern = f.get("Pattern")
        out.append(json.loads(pattern) if isinstance(pattern, str) else pattern)
    return out


def _input_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _env_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
