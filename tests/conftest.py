"""Shared fixtures: AWS under moto with the template's tables, and in-process Lambda calls."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_REPOSITORY = Path(__file__).resolve().parent.parent  # on sys.path before tests.support is imported
for path in (_REPOSITORY / "shared", _REPOSITORY):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
# The service name every function has (template.yaml Globals), before any test module is collected:
# a module's Logger(child=True) takes its name from it on import, so a unit test importing a module
# first would otherwise leave it named "service_undefined.…" for the whole session.
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "aftersales")

from tests.support.api_client import ApiClient  # noqa: E402
from tests.support.environment import FAKE_AWS, ROOT  # noqa: E402


def pytest_configure(config):
    """Request-counting tests see every AWS call only if the hook is in before the first botocore
    session of the run exists (PynamoDB keeps its sessions across tests); with no counter active
    it does nothing."""
    from bench.support import install_request_hook

    install_request_hook()


@pytest.fixture
def aws(monkeypatch):
    """moto with every table of template.yaml, and the functions' environment pointing at them."""
    from moto import mock_aws

    from aftersales import wiring
    from infra.local.atomic import serialise_dynamodb_writes
    from infra.local.resources import create_table
    from infra.local.template import load_model

    serialise_dynamodb_writes()
    for key, value in FAKE_AWS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AFTERSALES_CLOCK", raising=False)
    with mock_aws():
        import boto3

        model = load_model(ROOT / "template.yaml", stack_name="test")
        ddb = boto3.client("dynamodb")
        for table in model.tables.values():
            create_table(ddb, table)
        for key, value in model.functions["ApiFunction"].environment.items():
            monkeypatch.setenv(key, str(value))
        wiring.reset()
        yield model
        wiring.reset()


@pytest.fixture
def api(aws):
    return ApiClient()


@pytest.fixture
def demo(aws):
    """A tenant with an API key, staff of each role and tokens; plus a second tenant."""
    from datetime import timedelta

    from aftersales.tickets.model import Role
    from aftersales.wiring import services

    svc = services()
    out = {}
    for tenant_id in ("acme", "other"):
        svc.tenants.create_tenant(tenant_id, tenant_id.title())
        creds = {"key": {"X-Api-Key": svc.tenants.issue_api_key(tenant_id, "storefront").api_key}}
        for role in (Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ADMIN, Role.ARBITRATOR):
            user_id = f"{role.value}-1"
            svc.tenants.put_staff(tenant_id, user_id, role.value.title(), frozenset({role}))
            token = svc.tenants.mint_staff_token(tenant_id, user_id, timedelta(hours=1))
            creds[role.value] = {"Authorization": f"Bearer {token}"}
        for customer in ("cust-1", "cust-2"):
            token = svc.tenants.mint_customer_token(tenant_id, customer, timedelta(minutes=30))
            creds[customer] = {"Authorization": f"Bearer {token}"}
        out[tenant_id] = creds
    return out
