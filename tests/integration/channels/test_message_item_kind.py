"""The tickets table's `message` item kind is known to TicketTableItem without importing the
channels adapter first: a fresh interpreter reads a ticket partition holding a message."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.environment import FAKE_AWS, ROOT

SCRIPT = textwrap.dedent("""
    import json
    import sys
    sys.path[:0] = [{shared!r}, {root!r}]
    from moto import mock_aws

    with mock_aws():
        import boto3
        from aftersales.adapters.dynamo import models
        from infra.local.resources import create_table
        from infra.local.template import load_model

        model = load_model({template!r}, stack_name="kind")
        create_table(boto3.client("dynamodb"), model.tables["TicketsTable"])
        models.bind(model.tables["TicketsTable"].name, "orders-unused", "tenants-unused")
        boto3.client("dynamodb").put_item(TableName=model.tables["TicketsTable"].name, Item={{
            "pk": {{"S": "acme#TICKET#T1"}}, "sk": {{"S": "MSG#2026-01-01T00:00:00Z#msg1"}},
            "kind": {{"S": "message"}}, "tenant_id": {{"S": "acme"}}, "ticket_id": {{"S": "T1"}},
            "doc": {{"S": json.dumps({{"body": "hi"}})}}}})
        assert "aftersales.adapters.dynamo.intake" not in sys.modules
        items = list(models.TicketTableItem.query("acme#TICKET#T1"))
        assert [type(i).__name__ for i in items] == ["ConversationMessageItem"], items
        assert items[0].doc == {{"body": "hi"}}
        print("ok")
""")


def test_ticket_partition_with_a_message_reads_without_importing_the_channels_adapter():
    """GIVEN a fresh interpreter that imported only the tickets-table models WHEN a ticket partition
    holding a `message` item is queried through TicketTableItem THEN the item is a
    ConversationMessageItem (no unknown-discriminator error), and the channels adapter was not needed."""
    script = SCRIPT.format(shared=str(ROOT / "shared"), root=str(ROOT), template=str(ROOT / "template.yaml"))
    env = {**FAKE_AWS, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")


def test_the_channels_adapter_still_exports_the_message_model():
    """GIVEN code importing ConversationMessageItem from the channels adapter WHEN imported THEN it is
    the same class as the one defined with the other ticket-table kinds."""
    from aftersales.adapters.dynamo import intake, models

    assert intake.ConversationMessageItem is models.ConversationMessageItem
