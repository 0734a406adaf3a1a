"""The e2e tier: the session's local stack (see tests/support/local_stack.py), its items run after
every other tier's, the exclusive-stack modules first among them."""

from __future__ import annotations

from tests.support.local_stack import EXCLUSIVE_MARK, local_stack  # noqa: F401


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", f"{EXCLUSIVE_MARK}: e2e module that starts its own local stack")


def pytest_collection_modifyitems(config, items) -> None:
    """The e2e items run last, the exclusive-stack modules first among them (stable order): the
    session stack's pumps keep polling until the session ends, and no other tier's moto mock may
    run while they do (their calls would land in it)."""
    e2e = [item for item in items if item.get_closest_marker("e2e") is not None]
    others = [item for item in items if item.get_closest_marker("e2e") is None]
    items[:] = others + sorted(e2e, key=lambda item: item.get_closest_marker(EXCLUSIVE_MARK) is None)
