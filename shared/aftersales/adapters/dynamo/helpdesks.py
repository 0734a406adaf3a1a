"""The helpdesk links and dedupe markers (boto3, one table `HelpdesksTable`).

    <tenant>#HDL#<ticket_id>   <vendor>                 the link (versioned: conditional writes)
    <tenant>#HDX#<vendor>      <external id>            -> our ticket id (their webhooks name theirs)
    <tenant>#HDM#<scope>       <key>                    a dedupe marker, expiring after 30 days (TTL)

Gets only, no Scan or Query on any path.
"""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

from aftersales.core.errors import Unavailable
from aftersales.helpdesks.model import Link, Vendor

MARKER_TTL_SECONDS = 30 * 86400


class DynamoLinkStore:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    @cached_property
    def _client(self) -> Any:
        import boto3

        return boto3.client("dynamodb")

    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            item = self._client.get_item(TableName=self._name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                                         ConsistentRead=True).get("Item")
        except Exception as exc:  # botocore's errors: one domain error
            raise Unavailable("helpdesk.store_unavailable") from exc
        return item

    def get(self, tenant_id: str, ticket_id: str, vendor: Vendor) -> Link | None:
        item = self._get(f"{tenant_id}#HDL#{ticket_id}", vendor.value)
        return None if item is None else Link.model_validate_json(item["link"]["S"])

    def by_external(self, tenant_id: str, vendor: Vendor, external_id: str) -> Link | None:
        pointer = self._get(f"{tenant_id}#HDX#{vendor.value}", external_id)
        return None if pointer is None else self.get(tenant_id, pointer["ticket_id"]["S"], vendor)

    def save(self, link: Link, expected_version: int) -> bool:
        stored = link.model_copy(update={"version": expected_version + 1})
        item = {"pk": {"S": f"{link.tenant_id}#HDL#{link.ticket_id}"}, "sk": {"S": link.vendor.value},
                "link": {"S": stored.model_dump_json()}, "version": {"N": str(expected_version + 1)}}
        put: dict[str, Any] = {"TableName": self._name, "Item": item}
        if expected_version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put |= {"ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(expected_version)}}}
        pointer = {"Put": {"TableName": self._name, "Item": {
            "pk": {"S": f"{link.tenant_id}#HDX#{link.vendor.value}"}, "sk": {"S": link.external_id},
            "ticket_id": {"S": link.ticket_id}}}}
        try:
            self._client.transact_write_items(TransactItems=[{"Put": put}, pointer])
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                return False
            raise Unavailable("helpdesk.store_unavailable") from exc
        except Exception as exc:
            raise Unavailable("helpdesk.store_unavailable") from exc
        return True

    def first_seen(self, tenant_id: str, scope: str, key: str) -> bool:
        try:
            self._client.put_item(TableName=self._name, Item={
                "pk": {"S": f"{tenant_id}#HDM#{scope}"}, "sk": {"S": key},
                "expires_at": {"N": str(int(time.time()) + MARKER_TTL_SECONDS)}},
                ConditionExpression="attribute_not_exists(pk)")
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        except Exception as exc:
            raise Unavailable("helpdesk.store_unavailable") from exc
        return True

    def forget(self, tenant_id: str, scope: str, key: str) -> None:
        try:
            self._client.delete_item(TableName=self._name, Key={"pk": {"S": f"{tenant_id}#HDM#{scope}"},
                                                                "sk": {"S": key}})
        except Exception as exc:
            raise Unavailable("helpdesk.store_unavailable") from exc


