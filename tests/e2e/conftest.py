"""One local stack (the real template on embedded AWS) for the e2e session, with the demo tenant.

A module that needs a stack of its own (e.g. accelerated time) uses `exclusive_stack(...)`: the
environment (AWS endpoint, AFTERSALES_CLOCK, table names) is process-wide, so two stacks must never
run at once. Such modules are collected first, so the session stack normally is not up yet; if it
is, it is stopped for the duration and restarted (re-seeded) afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import FAKE_AWS, ROOT

_RUNNING: dict[str, Any] = {}  # "session" -> the session stack while it is up
EXCLUSIVE_MARK = "exclusive_stack"


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{EXCLUSIVE_MARK}: e2e module that starts its own local stack")


def pytest_collection_modifyitems(config, items) -> None:
    """The e2e items run last, the exclusive-stack modules first among them (stable order): the
    session stack's pumps keep polling until the session ends, and no other tier's moto mock may
    run while they do (their calls would land in it)."""
    e2e = [item for item in items if item.get_closest_marker("e2e") is not None]
    others = [item for item in items if item.get_closest_marker("e2e") is None]
    items[:] = others + sorted(e2e, key=lambda item: item.get_closest_marker(EXCLUSIVE_MARK) is None)


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
