"""In-process Lambda runtime: imports each function's real handler lazily and calls it.

Every function folder has its own `handler.py`, so each is imported as a private package
(`_lambda_<LogicalId>_<hash of CodeUri>`) whose `__path__` is the function's CodeUri: modules never collide and
relative imports inside a function work. Limitations (documented in README): all handlers share
one process and one `os.environ`; the Lambda Timeout is reported by the context but not enforced.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sys
import threading
import time
import traceback
import types
import uuid
from collections.abc import Callable
from typing import Any

from .logs import FunctionLogs, invocation
from .template import Function, StackModel

log = logging.getLogger("infra.local.runtime")


class LambdaContext:
    """The attributes and methods of the Python Lambda context object that handlers use."""

    def __init__(self, fn: Function, request_id: str | None = None) -> None:
        self.function_name = fn.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = fn.arn
        self.memory_limit_in_mb = str(fn.memory_mb)
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{fn.name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline = time.monotonic() + fn.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class FunctionError(Exception):
    """A handler raised; carries the Lambda error payload (errorMessage/errorType/stackTrace)."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage"))
        self.payload = payload


class Runtime:
    """Loads and invokes the template's functions in this process."""

    def __init__(self, model: StackModel) -> None:
        self.model = model
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._lock = threading.RLock()
        # One warm container per function: Lambda never hands a container a second event while it
        # runs one, and handlers rely on it (Powertools' resolver keeps the current event on the app).
        self._container: dict[str, threading.Lock] = {}
        self._warm: set[str] = set()  # functions past their first invocation (cold start)
        self.logs = FunctionLogs()
        # Called after every invocation with (logical id, seconds the handler ran): what Lambda bills
        # (the bench prices a replayed day with it). Time waiting for the container is not included.
        self.observers: list[Callable[[str, float], None]] = []

    def close(self) -> None:
        """Give the logging tree its own formatters back (it outlives the stack)."""
        self.logs.restore()

    def add_layer_paths(self) -> None:
        """Put every layer's content directory on sys.path, as /opt/python is on Lambda."""
        for fn in self.model.functions.values():
            for d in fn.layer_dirs:
                if d not in sys.path:
                    sys.path.append(d)

    def handler(self, logical_id: str) -> Callable[..., Any]:
        with self._lock:
            if logical_id not in self._handlers:
                self._handlers[logical_id] = self._load(self.model.functions[logical_id])
                self._container[logical_id] = threading.Lock()
            return self._handlers[logical_id]

    def _load(self, fn: Function) -> Callable[..., Any]:
        module_path, _, func_name = fn.handler.rpartition(".")
        module_path = module_path.replace("/", ".")
        digest = hashlib.sha1(fn.code_uri.encode()).hexdigest()[:8]
        pkg = f"_lambda_{fn.logical_id}_{digest}"  # unique per code folder, across stacks too
        # A new stack is a cold start: drop a previous stack's copy (its module-level clients and
        # caches point at that stack's endpoint, which is gone).
        for name in [m for m in sys.modules if m == pkg or m.startswith(f"{pkg}.")]:
            del sys.modules[name]
        if pkg not in sys.modules:
            package = types.ModuleType(pkg, f"code of {fn.logical_id}")
            package.__path__ = [fn.code_uri]
            package.__package__ = pkg
            sys.modules[pkg] = package
        module = importlib.import_module(f"{pkg}.{module_path}")
        log.info("loaded %s from %s/%s", fn.logical_id, fn.code_uri, module_path)
        # Its Powertools Logger configured the service's logger on import (the shared environment's
        # service name); give that logger one set of keys per function.
        for service in {os.environ.get("POWERTOOLS_SERVICE_NAME", "service_undefined"),
                        fn.environment.get("POWERTOOLS_SERVICE_NAME", "service_undefined")}:
            self.logs.adopt(service)
        return getattr(module, func_name)

    def invoke(self, logical_id: str, event: Any, request_id: str | None = None) -> Any:
        """Run the handler; any exception is raised as FunctionError with Lambda's error payload."""
        fn = self.model.functions[logical_id]
        handler = self.handler(logical_id)
        context = LambdaContext(fn, request_id)
        try:
            with self._container[logical_id]:
                cold = logical_id not in self._warm
                self._warm.add(logical_id)
                started = time.perf_counter()
                try:
                    with invocation(logical_id, fn.environment.get("POWERTOOLS_SERVICE_NAME"), cold):
                        return handler(event, context)
                finally:
                    for observe in self.observers:
                        observe(logical_id, time.perf_counter() - started)
        except Exception as exc:
            log.warning("%s raised %s: %s", logical_id, type(exc).__name__, exc)
            raise FunctionError(
                {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "requestId": context.aws_request_id,
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }
            ) from exc
