"""LocalStack: the whole template on one machine (embedded moto + API front + event pumps).

Limitations: handlers share one process, so the union of every function's Environment is set
in os.environ (conflicting values are logged; the last one wins); Lambda timeouts are not
enforced; concurrency is one batch at a time per event source.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Self

from .apigw import ApiGateway
from .pumps import AppClock, Pump, RoutePump, SchedulePump, SqsPump, StreamPump
from .resources import InternalRoute, create_all
from .runtime import FunctionError, Runtime
from .server import EmbeddedAws
from .site import workbench
from .template import Schedule, StackModel, Target, load_model
from .wakeup import Wakeup

log = logging.getLogger("infra.local.stack")

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


# Template parameters whose AWS default the embedded endpoint cannot serve.
LOCAL_PARAMETERS: dict[str, Any] = {
    "MediaModeration": "none",  # moto has no Rekognition DetectModerationLabels
    # `make run` and the e2e tests show a customer's messages at once; the replayed day's bench runs
    # with the AWS default to measure what it saves
    "NotificationDelaySeconds": 0,
    "SurveyLinkSecret": "local-stack-survey-link-secret-never-on-aws",  # links must verify in every function
    "TrackingLinkSecret": "local-stack-tracking-link-secret-never-on-aws",  # signed by notifications, read by the API
}


class LocalStack:
    """Start with `with LocalStack("template.yaml") as stack:` or start()/stop()."""

    def __init__(self, template_path: str | Path = "template.yaml", stack_name: str = "aftersales-local",
                 api_port: int = 3000, speed: float = 1.0, project_root: str | Path | None = None,
                 parameters: dict[str, Any] | None = None, reset: bool = True) -> None:
        self.template_path = Path(template_path).resolve()
        self.stack_name = stack_name
        # port 0 = any free port, chosen now: the survey links' base URL below must name the real one
        self.api_port = api_port or _free_port()
        self.speed = float(speed)
        self.project_root = Path(project_root).resolve() if project_root else self.template_path.parent
        # survey links point at this machine's API front (http://127.0.0.1:<port>/v1)
        self.parameters = {**LOCAL_PARAMETERS, "SurveyLinkBaseUrl": f"http://127.0.0.1:{self.api_port}/v1",
                           "TrackingLinkBaseUrl": f"http://127.0.0.1:{self.api_port}/v1",
                           **(parameters or {})}
        self.reset = reset
        self.model: StackModel | None = None
        self.runtime: Runtime | None = None
        self.aws: EmbeddedAws | None = None
        self.api: ApiGateway | None = None
        self.clients: Any = None
        self.pumps: list[Pump] = []
        self.wakeup = Wakeup()
        self.clock: AppClock | None = None
        self._saved_env: dict[str, str | None] = {}
        self._saved_moto_sfn: dict[str, Any] = {}

    # ---------------------------------------------------------------- lifecycle

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        assert self.aws is not None, "start() first"
        return self.aws.endpoint

    @property
    def api_url(self) -> str:
        assert self.api is not None, "the template has no Api, or start() was not called"
        return self.api.base_url

    @property
    def workbench_url(self) -> str:
        """The staff workbench, on the API's origin (build/workbench/, `make workbench`)."""
        assert self.api is not None, "the template has no Api, or start() was not called"
        return f"http://{self.api.host}:{self.api.port}/workbench/"

    def start(self) -> LocalStack:
        from infra.local.atomic import serialise_dynamodb_writes

        serialise_dynamodb_writes()
        self.wakeup = Wakeup()  # a fresh set of doorbells for this start's pumps
        self.aws = EmbeddedAws(self._lambda_invoke, observe=self.wakeup.observe)
        self.aws.start()
        origin = time.time()
        self._set_env({
            **FAKE_CREDENTIALS,
            "MOTO_PORT": str(self.aws.port),
            "AWS_ENDPOINT_URL": self.aws.endpoint,
            **({"AFTERSALES_CLOCK": f"accelerated:{origin}:{self.speed:g}"} if self.speed != 1 else {}),
        })
        self.clock = AppClock(origin, self.speed)
        if self.reset:
            self.aws.reset()
        from moto.core.config import default_user_config

        self._saved_moto_sfn = dict(default_user_config.get("stepfunctions", {}))
        self.aws.configure({"stepfunctions": {"execute_state_machine": True}})
        self.clients = _clients(self.aws.endpoint)
        kwargs = {"stack_name": self.stack_name, "parameters": self.parameters, "endpoint": self.aws.endpoint}
        predicted = load_model(self.template_path, **kwargs)
        actual, routes = create_all(predicted, self.clients)
        self.model = load_model(self.template_path, actual=actual, **kwargs)
        self.runtime = Runtime(self.model)
        self.runtime.add_layer_paths()
        self._set_env(self._function_environment())
        self._start_pumps(routes)
        apis = list(self.model.apis.values())
        if apis:
            if len(apis) > 1:
                log.warning("template has %d APIs; serving %s only", len(apis), apis[0].logical_id)
            self.api = ApiGateway(self.model, apis[0], self.runtime, port=self.api_port,
                                  sites=(workbench(self.project_root, image_origins=(self.endpoint,)),))
            self.api.start()
        log.info("local stack %s up: aws=%s api=%s", self.stack_name, self.endpoint,
                 self.api.base_url if self.api else None)
        return self

    def stop(self, pump_timeout: float = 10) -> None:
        """Stop the pumps (each finishes the batch in hand, `pump_timeout` seconds for all of them),
        then the API and the embedded endpoint, and restore the environment."""
        for pump in self.pumps:
            pump.request_stop()
        deadline = time.monotonic() + pump_timeout
        for pump in self.pumps:
            pump.stop(timeout=max(0.0, deadline - time.monotonic()))
        self.pumps = []
        if self.api is not None:
            self.api.stop()
            self.api = None
        if self.runtime is not None:
            self.runtime.close()
        if self.aws is not None:
            self.aws.configure({"stepfunctions": self._saved_moto_sfn})  # moto's config is process-wide
            self.aws.stop()
            self.aws = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}

    def _set_env(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def _function_environment(self) -> dict[str, str]:
        assert self.model is not None
        env: dict[str, str] = {}
        for fn in self.model.functions.values():
            for key, value in fn.environment.items():
                if key in env and env[key] != value:
                    log.warning("env %s differs between functions (%r vs %r); %s wins", key, env[key], value,
                                fn.logical_id)
                env[key] = value
        return env

    # ---------------------------------------------------------------- pumps

    def _start_pumps(self, routes: list[InternalRoute]) -> None:
        m, c = self.model, self.clients
        assert m is not None and self.clock is not None
        for fn in m.functions.values():
            for ev in fn.sqs_events:
                if not ev.enabled:
                    continue
                url = c.sqs.get_queue_url(QueueName=ev.queue_arn.split(":")[5])["QueueUrl"]
                self.pumps.append(SqsPump(f"{fn.logical_id}.{ev.name}", c.sqs, url, ev,
                                          self._batch_invoker(fn.logical_id), m.region, self.speed,
                                          wakeup=self.wakeup))
            for sev in fn.stream_events:
                if sev.enabled:
                    self.pumps.append(StreamPump(f"{fn.logical_id}.{sev.name}", c.dynamodbstreams, c.sqs, sev,
                                                 sev.stream_arn, self._batch_invoker(fn.logical_id), fn.arn,
                                                 m.region, wakeup=self.wakeup))
        for route in routes:
            self.pumps.append(RoutePump(route.description, c.sqs, route.queue_url,
                                        self._route_deliverer(route), m.region, wakeup=self.wakeup))
        if m.schedules:
            self.pumps.append(SchedulePump(m.schedules, self.clock, self._fire_schedule))
        for pump in self.pumps:
            pump.start()

    def _batch_invoker(self, logical_id: str) -> Any:
        return lambda records: self.invoke(logical_id, {"Records": records})

    def _route_deliverer(self, route: InternalRoute) -> Any:
        def deliver(event: dict[str, Any], message_id: str) -> None:
            if isinstance(event, dict) and event.get("Event") == "s3:TestEvent":
                return  # S3 sends it to a queue when notifications are configured; Lambda never sees it
            payload = json.loads(route.input) if route.input else event
            self.deliver(route.target, payload, name=message_id)
        return deliver

    def _fire_schedule(self, schedule: Schedule, event: Any) -> None:
        self.deliver(schedule.target, event, name=f"{schedule.name.replace('.', '-')}-{uuid.uuid4().hex[:12]}")

    def deliver(self, target: Target, event: Any, name: str) -> None:
        """Send an event to a function (invoke), state machine (named execution) or queue."""
        assert self.model is not None
        if target.kind == "function":
            self.invoke(target.ref, event)
        elif target.kind == "statemachine":
            self.clients.stepfunctions.start_execution(
                stateMachineArn=self.model.state_machines[target.ref].arn, name=name[:80], input=json.dumps(event))
        elif target.kind == "sqs":
            url = self.clients.sqs.get_queue_url(QueueName=target.ref.split(":")[5])["QueueUrl"]
            self.clients.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
        else:
            log.warning("no local delivery for target %s", target.ref)

    def drain(self, timeout: float = 10) -> None:
        """Block until every queue/stream pump is quiet (found nothing on a look that began after the
        last write to its source) on three checks in a row, with no work handled in between."""
        deadline = time.monotonic() + timeout
        sources = [p for p in self.pumps if not isinstance(p, SchedulePump)]
        stable = 0
        last = None
        while time.monotonic() < deadline:
            busy = [p.name for p in sources if not p.quiet]
            generations = sum(p.generation for p in sources)
            if not busy and generations == last:
                stable += 1
                if stable >= 3:
                    return
            else:
                stable = 0
            last = generations
            time.sleep(0.05)
        busy = [p.name for p in sources if not p.quiet]
        raise TimeoutError(f"local stack not idle after {timeout}s; busy: {busy}")

    # ---------------------------------------------------------------- lambda

    def invoke(self, logical_id: str, event: Any) -> Any:
        """Invoke a function of the template in-process (raises FunctionError if it fails)."""
        assert self.runtime is not None, "start() first"
        return self.runtime.invoke(logical_id, event)

    def _lambda_invoke(self, name: str, payload: bytes, invocation_type: str) -> Any:
        """Lambda Invoke API served in-process (called from the embedded endpoint's front)."""
        if self.model is None or self.runtime is None:
            return None
        fn = self.model.function_by_name_or_arn(name)
        if fn is None:
            return None
        event = json.loads(payload) if payload else {}
        if invocation_type == "DryRun":
            return 204, {}, b""
        if invocation_type == "Event":
            threading.Thread(target=self._invoke_quietly, args=(fn.logical_id, event), daemon=True).start()
            return 202, {}, b""
        headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
        try:
            result = self.runtime.invoke(fn.logical_id, event)
        except FunctionError as err:
            headers["X-Amz-Function-Error"] = "Unhandled"
            return 200, headers, json.dumps(err.payload).encode()
        return 200, headers, json.dumps(result).encode()

    def _invoke_quietly(self, logical_id: str, event: Any) -> None:
        with contextlib.suppress(FunctionError):  # already logged by the runtime
            self.invoke(logical_id, event)


def _clients(endpoint: str) -> Any:
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                     region_name="us-east-1")
    names = ("dynamodb", "dynamodbstreams", "sqs", "events", "stepfunctions", "scheduler", "lambda", "s3")
    return SimpleNamespace(**{n: session.client(n, endpoint_url=endpoint) for n in names})


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
