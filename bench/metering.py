"""What a run on the local stack would be billed for on AWS, counted as it happens: every botocore
call of the process (the functions', the pumps', Step Functions' tasks), each function invocation
with the time its handler ran, and the bench's own HTTP calls to the API.

How each priced quantity is counted (bench/aws_prices.py holds the prices):

* DynamoDB: write units from the items the requests carried (PutItem, BatchWriteItem puts and
  transactional puts sized; UpdateItem sized from its key and values, a lower bound since the item
  it rewrites is not seen; deletes and condition checks 1 unit), twice for transactions, plus one
  write per global secondary index an item put carries the keys of; read units from the items the
  answers held (GetItem, Query, Scan, BatchGetItem, TransactGetItems: 4 KB a unit, half when
  eventually consistent, at least one per request). Stream reads by Lambda triggers are free.
* SQS: sends, deletes and visibility changes by call; receives that returned messages (an event
  source mapping's empty long polls are a fixed cost per queue, not per ticket); messages
  EventBridge delivered into queues (moto does that without an API call) as one request each. The
  runner's internal `local-rule-*` queues stand in for direct Lambda/Step Functions targets and are
  not billed.
* EventBridge: PutEvents entries. SES: messages sent. Lambda: invocations and GB-seconds at each
  function's MemorySize. Step Functions: states entered, read from the executions' histories.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.aws_prices import Usage, item_size, lambda_gb_seconds, read_units, write_units
from bench.support import RequestCounter

INTERNAL_QUEUE = "local-rule-"
SQS_BILLED = {"SendMessage", "SendMessageBatch", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility",
              "ChangeMessageVisibilityBatch", "GetQueueUrl"}
SES_SENDS = {"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail"}


class AwsMeter(RequestCounter):
    def __init__(self, gsi_keys: dict[str, list[tuple[str, ...]]], memory_mb: dict[str, int]) -> None:
        super().__init__()
        self.gsi_keys = gsi_keys  # table name -> key attributes of each GSI
        self.memory_mb = memory_mb  # function logical id -> MemorySize
        self.write_units: Counter[str] = Counter()  # by "table operation"
        self.read_units: Counter[str] = Counter()
        self.sqs_requests = 0
        self.sqs_messages_sent = 0
        self.sqs_messages_received = 0
        self.events_published = 0
        self.emails = 0
        self.invocations: Counter[str] = Counter()
        self.gb_seconds = 0.0
        self.api_requests = 0

    # ------------------------------------------------------------ botocore calls
    def record(self, service: str, operation: str, params: dict) -> None:
        super().record(service, operation, params)
        if service == "dynamodb":
            self._writes(operation, params)
        elif service == "sqs" and operation in SQS_BILLED and INTERNAL_QUEUE not in params.get("QueueUrl", ""):
            self.sqs_requests += 1
            if operation == "SendMessage":
                self.sqs_messages_sent += 1
            elif operation == "SendMessageBatch":
                self.sqs_messages_sent += len(params.get("Entries", []))
        elif service == "events" and operation == "PutEvents":
            self.events_published += len(params.get("Entries", []))
        elif service in ("ses", "sesv2") and operation in SES_SENDS:
            self.emails += 1

    def record_response(self, service: str, operation: str, params: dict, parsed: dict) -> None:
        if service == "dynamodb":
            self._reads(operation, params, parsed)
        elif service == "sqs" and operation == "ReceiveMessage" and parsed.get("Messages") \
                and INTERNAL_QUEUE not in params.get("QueueUrl", ""):
            self.sqs_requests += 1
            self.sqs_messages_received += len(parsed["Messages"])

    def _put_units(self, table: str, item: dict[str, Any], factor: int) -> int:
        size = item_size(item)
        indexed = sum(1 for keys in self.gsi_keys.get(table, []) if all(k in item for k in keys))
        return factor * write_units(size) * (1 + indexed)

    def _writes(self, operation: str, params: dict) -> None:
        table = params.get("TableName", "")
        if operation == "PutItem":
            self.write_units[f"{table} PutItem"] += self._put_units(table, params["Item"], 1)
        elif operation == "UpdateItem":
            self.write_units[f"{table} UpdateItem"] += write_units(
                item_size(params.get("Key", {})) + item_size(params.get("ExpressionAttributeValues", {})))
        elif operation == "DeleteItem":
            self.write_units[f"{table} DeleteItem"] += 1
        elif operation == "BatchWriteItem":
            for name, requests in params.get("RequestItems", {}).items():
                for request in requests:
                    put = request.get("PutRequest")
                    self.write_units[f"{name} BatchWriteItem"] += self._put_units(name, put["Item"], 1) if put else 1
        elif operation == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                (kind, spec), = entry.items()
                name = spec.get("TableName", "")
                units = (self._put_units(name, spec["Item"], 2) if kind == "Put" else 2 * write_units(
                    item_size(spec.get("Key", {})) + item_size(spec.get("ExpressionAttributeValues", {}))))
                self.write_units[f"{name} TransactWriteItems"] += units

    def _reads(self, operation: str, params: dict, parsed: dict) -> None:
        table = params.get("TableName", "")
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            self.read_units[f"{table} GetItem"] += read_units(item_size(parsed.get("Item", {})), consistent)
        elif operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in parsed.get("Items", []))
            self.read_units[f"{table} {operation}"] += read_units(size, consistent)
        elif operation == "BatchGetItem":
            for name, items in parsed.get("Responses", {}).items():
                strong = bool(params.get("RequestItems", {}).get(name, {}).get("ConsistentRead"))
                for item in items:
                    self.read_units[f"{name} BatchGetItem"] += read_units(item_size(item), strong)
        elif operation == "TransactGetItems":
            for got in parsed.get("Responses", []):
                self.read_units["TransactGetItems"] += 2 * read_units(item_size(got.get("Item", {})), True)

    # ------------------------------------------------------------ Lambda and the API
    def invoked(self, logical_id: str, seconds: float) -> None:
        self.invocations[logical_id] += 1
        self.gb_seconds += lambda_gb_seconds(seconds, self.memory_mb.get(logical_id, 128))

    def api_call(self) -> None:
        self.api_requests += 1

    # ------------------------------------------------------------ the bill
    def usage(self, state_transitions: int) -> Usage:
        usage = Usage()
        usage.add("dynamodb_write_request_units", sum(self.write_units.values()))
        usage.add("dynamodb_read_request_units", sum(self.read_units.values()))
        usage.add("lambda_requests", sum(self.invocations.values()))
        usage.add("lambda_gb_seconds_arm64", self.gb_seconds)
        usage.add("stepfunctions_state_transitions", state_transitions)
        delivered_by_events = max(0, self.sqs_messages_received - self.sqs_messages_sent)
        usage.add("sqs_requests", self.sqs_requests + delivered_by_events)
        usage.add("eventbridge_custom_events", self.events_published)
        usage.add("ses_messages", self.emails)
        usage.add("apigateway_rest_requests", self.api_requests)
        return usage


def gsi_keys(model: Any) -> dict[str, list[tuple[str, ...]]]:
    """Key attributes of each global secondary index, by table name (from the template)."""
    keys: dict[str, list[tuple[str, ...]]] = {}
    for table in model.tables.values():
        for index in table.properties.get("GlobalSecondaryIndexes") or []:
            keys.setdefault(table.name, []).append(tuple(k["AttributeName"] for k in index["KeySchema"]))
    return keys


def state_transitions(stepfunctions: Any, skip: set[str]) -> int:
    """States entered by every execution not in `skip` (execution ARNs), from their histories."""
    entered = 0
    for machine in stepfunctions.list_state_machines()["stateMachines"]:
        pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=machine["stateMachineArn"])
        for page in pages:
            for execution in page["executions"]:
                if execution["executionArn"] in skip:
                    continue
                history = stepfunctions.get_execution_history(executionArn=execution["executionArn"],
                                                              maxResults=1000)
                entered += sum(1 for e in history["events"] if e["type"].endswith("StateEntered"))
    return entered


def executions(stepfunctions: Any) -> set[str]:
    arns: set[str] = set()
    for machine in stepfunctions.list_state_machines()["stateMachines"]:
        pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=machine["stateMachineArn"])
        arns |= {e["executionArn"] for page in pages for e in page["executions"]}
    return arns
