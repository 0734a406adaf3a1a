"""Contract fixtures: the money-path fixture (moto tables + wiring) for the Stripe webhook tests."""

from tests.integration.money.conftest import money  # noqa: F401
