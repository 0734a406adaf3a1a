"""Money-path fixtures: moto tables, a refund-ready ticket, a sandbox provider the test controls."""

from tests.support.money import money  # noqa: F401
