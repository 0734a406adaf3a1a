"""In-process Lambda invocation: the context object Lambda passes, a function's handler imported
from its CodeUri, and event shapes of Lambda's event sources."""

from __future__ import annotations

import importlib.util
import uuid

from tests.support.environment import ROOT


class FakeContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def load_handler(function_dir: str):
    """Import functions/<dir>/handler.py under a unique name, as Lambda would from its CodeUri."""
    path = ROOT / "functions" / function_dir / "handler.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function_dir}_handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sqs_record(body: dict, message_id: str = "1") -> dict:
    """One SQS record as Lambda's SQS event source delivers it, carrying `body` as JSON."""
    import json as _json

    return {"messageId": message_id, "receiptHandle": "r", "body": _json.dumps(body), "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:q",
            "awsRegion": "us-east-1"}
