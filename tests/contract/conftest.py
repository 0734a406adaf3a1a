"""Contract fixtures: the money-path fixture (moto tables + wiring) for the Stripe webhook tests."""

from tests.support.money import money  # noqa: F401
