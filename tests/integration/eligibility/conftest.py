"""Eligibility fixtures: the money functions' container (approval executions started for real)."""

from tests.support.money import money  # noqa: F401
