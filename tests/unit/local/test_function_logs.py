"""Each log line carries the function that wrote it, although the local runtime runs every handler
in one process and their Powertools Loggers share one formatter (infra/local/logs.py)."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from types import SimpleNamespace

import pytest

from infra.local.runtime import Runtime

SERVICE = "local-logs-fixture"

HANDLER = '''
from aws_lambda_powertools import Logger

from {helper} import note

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    logger.append_keys(step=event["step"])
    logger.info("started")
    if "started" in event:
        event["started"].set()
        event["go"].wait(10)
    note("from the shared package")
    logger.info("done")
    return {{"ok": True}}
'''

HELPER = '''
from aws_lambda_powertools import Logger

logger = Logger(child=True)


def note(text):
    logger.info(text)
'''


def _function(code_dir, logical_id: str, environment: dict[str, str]):
    name = f"fixture-{logical_id}"
    return SimpleNamespace(logical_id=logical_id, name=name, arn=f"arn:aws:lambda:us-east-1:1:function:{name}",
                           code_uri=str(code_dir), handler="app.handler", memory_mb=128, timeout_s=30,
                           environment=environment)


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    helper = f"local_logs_helper_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{helper}.py").write_text(HELPER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", SERVICE)
    functions = {}
    for logical_id, env in (("First", {"POWERTOOLS_SERVICE_NAME": SERVICE}), ("Second", {"POWERTOOLS_SERVICE_NAME":
                                                                                          "second-service"})):
        code = tmp_path / logical_id
        code.mkdir()
        (code / "app.py").write_text(HANDLER.format(helper=helper))
        functions[logical_id] = _function(code, logical_id, env)
    runtime = Runtime(SimpleNamespace(functions=functions))
    yield runtime
    runtime.close()
    sys.modules.pop(helper, None)


def _capture(runtime) -> io.StringIO:
    """Load both handlers (their Loggers configure the service's logger) and read what it writes."""
    runtime.handler("First")
    runtime.handler("Second")
    out = io.StringIO()
    (handler,) = logging.getLogger(SERVICE).handlers
    handler.setStream(out)
    return out


def _lines(out: io.StringIO) -> dict[tuple[str, str], dict]:
    parsed = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return {(line["step"], line["message"]): line for line in parsed}


def test_a_line_carries_the_function_running_on_its_thread_not_the_last_one_started(runtime):
    """GIVEN two functions whose Powertools Loggers share one service (one formatter in this process)
    WHEN the first is mid-invocation while the second runs a whole invocation
    THEN every line says the function that wrote it — its name, request id, appended keys and its own
    service name — also for a child Logger in a shared module, and each function's first call is cold."""
    out = _capture(runtime)
    started, go = threading.Event(), threading.Event()
    first = threading.Thread(target=runtime.invoke, args=("First", {"step": "first", "started": started, "go": go},
                                                          "req-first"))
    first.start()
    assert started.wait(10)
    runtime.invoke("Second", {"step": "second"}, "req-second")
    go.set()
    first.join(10)

    lines = _lines(out)
    messages = ("started", "from the shared package", "done")
    assert {key: (line["function_name"], line["function_request_id"]) for key, line in lines.items()} == {
        **{("first", m): ("fixture-First", "req-first") for m in messages},
        **{("second", m): ("fixture-Second", "req-second") for m in messages},
    }
    assert {key: line["service"] for key, line in lines.items()} == {
        **{("first", m): SERVICE for m in messages}, **{("second", m): "second-service" for m in messages}}
    assert all(line["cold_start"] is True for line in lines.values())


def test_a_warm_invocation_is_not_a_cold_start_and_keeps_its_own_keys(runtime):
    """GIVEN a function invoked once WHEN it is invoked again THEN its lines say cold_start false, while
    the other function's first invocation still says true."""
    out = _capture(runtime)
    runtime.invoke("First", {"step": "one"})
    runtime.invoke("First", {"step": "two"})
    runtime.invoke("Second", {"step": "three"})
    lines = _lines(out)
    assert lines[("one", "done")]["cold_start"] is True
    assert lines[("two", "done")]["cold_start"] is False
    assert lines[("three", "done")]["cold_start"] is True
    assert lines[("three", "done")]["function_name"] == "fixture-Second"


def test_closing_the_runtime_gives_the_logger_its_own_formatter_back(runtime):
    """GIVEN the runtime put its formatter on the service's Powertools handler WHEN it is closed
    THEN the handler has Powertools' own formatter again (the logging tree outlives a stack)."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    from infra.local.logs import FunctionLogFormatter

    _capture(runtime)
    (handler,) = logging.getLogger(SERVICE).handlers
    assert isinstance(handler.formatter, FunctionLogFormatter)
    runtime.close()
    assert isinstance(handler.formatter, LambdaPowertoolsFormatter)
    assert not isinstance(handler.formatter, FunctionLogFormatter)
