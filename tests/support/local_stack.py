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
from datetime import timedelta
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


def eventually(probe: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1,
               what: str | Callable[[], str] | None = None) -> Any:
    """Return the first truthy result of probe(), or fail after `timeout` seconds saying `what` was
    awaited (a callable is asked at the failure, e.g. for the last state seen)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            told = what() if callable(what) else what
            pytest.fail(f"{told or probe}: not within {timeout}s")
        time.sleep(interval)


@contextmanager
def accelerated_stack(stack_name: str, speed: int) -> Iterator[Any]:
    """An exclusive seeded stack whose clock runs `speed` times faster (3600: an application hour per
    wall second), as `make run SPEED=…` runs it, with the demo storefront's key as `stack.storefront`."""
    with exclusive_stack(stack_name, speed=speed) as stack:
        stack.storefront = {"X-Api-Key": stack.demo["storefront API key (X-Api-Key)"]}
        yield stack


def fresh_staff_auth(user_id: str, tenant_id: str = "demo") -> dict[str, str]:
    """A new 12 h staff token for each request: on an accelerated clock it lasts seconds."""
    from aftersales.wiring import services

    return {"Authorization": f"Bearer {services().tenants.mint_staff_token(tenant_id, user_id, timedelta(hours=12))}"}


def fresh_customer_auth(customer_id: str, tenant_id: str = "demo", locale: str | None = None) -> dict[str, str]:
    """A new 12 h customer token, in the customer's language when given."""
    from aftersales.wiring import services

    token = services().tenants.mint_customer_token(tenant_id, customer_id, timedelta(hours=12))
    return {"Authorization": f"Bearer {token}", **({"Accept-Language": locale} if locale else {})}
