"""The local runtime runs one event at a time per function, as one warm Lambda container does
(infra/local/runtime.py): handlers may keep the current event on module state, as Powertools'
resolver does, and must never see a second event arrive mid-run."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from infra.local.runtime import Runtime

HANDLER = '''
import threading
import time

state = {"current": None}
overlaps = []


def handler(event, context):
    if state["current"] is not None:
        overlaps.append((state["current"], event["n"]))
    state["current"] = event["n"]
    time.sleep(0.01)  # the window in which a second thread would overwrite the current event
    seen = state["current"]
    state["current"] = None
    return {"n": event["n"], "seen": seen}
'''


def _function(code_dir, name: str):
    return SimpleNamespace(logical_id=name, name=name, arn=f"arn:aws:lambda:us-east-1:1:function:{name}",
                           code_uri=str(code_dir), handler="app.handler", memory_mb=128, timeout_s=30,
                           environment={})


def test_concurrent_events_for_one_function_run_one_at_a_time(tmp_path):
    """GIVEN a handler that keeps the current event in module state WHEN 8 threads invoke it at once
    THEN no invocation starts while another runs, and each answers with its own event."""
    (tmp_path / "app.py").write_text(HANDLER)
    runtime = Runtime(SimpleNamespace(functions={"Fn": _function(tmp_path, "Fn")}))
    answers: list[dict] = []
    threads = [threading.Thread(target=lambda n=n: answers.append(runtime.invoke("Fn", {"n": n})))
               for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    module = __import__("sys").modules[runtime.handler("Fn").__module__]
    assert module.overlaps == []
    assert sorted((a["n"], a["seen"]) for a in answers) == [(n, n) for n in range(8)]
