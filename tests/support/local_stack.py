"""The local stack (the real template on embedded AWS) for the e2e tests, with the demo tenant.

`local_stack` is the session's stack. A module that needs a stack of its own (e.g. accelerated time)
uses `exclusive_stack(...)` and carries the EXCLUSIVE_MARK mark: the environment (AWS endpoint,
AFTERSALES_CLOCK, table names) is process-wide, so two stacks must never run at once. Such modules
are collected first, so the session stack normally is not up yet; if it is, it is stopped for the
duration and restarted (re-seeded) afterwards. `eventually` polls a stack until a condition holds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.environment import FAKE_AWS, ROOT

_RUNNING: dict[str, Any] = {}  # "session" -> the session stack while it is up
EXCLUSIVE_MARK = "exclusive_stack"


def _start_seeded(stack) -> None:
    from aftersales import wiring
    from infra.local.demo import seed

    stack.start()
    wiring.reset()
    stack.demo = seed(stack)
    stack.drain(timeout=30)


def _stop(stack) -> None:
    from aftersales import wiring

    stack.stop()
    wiring.reset()


@pytest.fixture(scope="session")
def local_stack():
    from infra.local.stack import LocalStack

    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    stack = LocalStack(ROOT / "template.yaml", stack_name="e2e", api_port=0, speed=1)
    try:
        _start_seeded(stack)
        _RUNNING["session"] = stack
        yield stack
    finally:
        _RUNNING.pop("session", None)
        _stop(stack)
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def exclusive_stack(stack_name: str, **kwargs: Any) -> Iterator[Any]:
    """A seeded local stack of its own (e.g. `speed=3600`); never alongside the session stack."""
    from infra.local.stack import LocalStack

    session = _RUNNING.get("session")
    if session is not None:
        _stop(session)
    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    stack = LocalStack(ROOT / "template.yaml", stack_name=stack_name, api_port=0, **kwargs)
    try:
        _start_seeded(stack)
        yield stack
    finally:
        _stop(stack)
        os.environ.clear()
        os.environ.update(saved)
        if session is not None:
            os.environ.update(FAKE_AWS)
            _start_seeded(session)


def demo_auth(stack: Any, who: str) -> dict[str, str]:
    """The demo's credential whose label starts with `who` (`make run` prints them), as headers."""
    for label, value in stack.demo.items():
        if label.startswith(who):
            return {"X-Api-Key": value} if "API key" in label else {"Authorization": f"Bearer {value}"}
    raise KeyError(who)


def eventually(probe: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Return the first truthy result of probe(), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s: {probe}")
        time.sleep(interval)
