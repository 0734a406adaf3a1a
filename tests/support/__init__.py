"""Helpers shared by the test modules and conftest files, one module per concern; nothing here is
collected as a test."""
