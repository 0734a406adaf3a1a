"""One local stack (the real template on embedded AWS) for the e2e session, with the demo tenant."""

from __future__ import annotations

import os

import pytest

from tests.conftest import FAKE_AWS, ROOT


@pytest.fixture(scope="session")
def local_stack():
    from aftersales import wiring
    from infra.local.demo import seed
    from infra.local.stack import LocalStack

    saved = dict(os.environ)
    os.environ.update(FAKE_AWS)
    stack = LocalStack(ROOT / "template.yaml", stack_name="e2e", api_port=0, speed=1)
    stack.start()
    wiring.reset()
    try:
        stack.demo = seed(stack)
        stack.drain(timeout=30)
        yield stack
    finally:
        stack.stop()
        wiring.reset()
        os.environ.clear()
        os.environ.update(saved)
