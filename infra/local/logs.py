"""Each function's Powertools log keys, kept apart although every handler runs in this one process.

On AWS each function is its own process. Here they share one, and Powertools keeps a Logger's
keys in the formatter of the standard-library logger named after the service: every `Logger()` of
the template (all `POWERTOOLS_SERVICE_NAME=aftersales`) and every `Logger(child=True)` of the
shared package writes through that one formatter. `inject_lambda_context` then put the lambda
context of whichever function started last into it, and a line logged by the function that started
first carried the other's `function_name`, request id and appended keys.

`FunctionLogFormatter` is a `LambdaPowertoolsFormatter` whose keys (`log_format`, the dict its
`append_keys`, `remove_keys` and `clear_state` work on) are one dict per function, chosen by the
invocation running on the current thread (`Runtime.invoke` sets it). It also writes the function's
own `POWERTOOLS_SERVICE_NAME` (the process-wide variable is the union of every function's, last
wins) and the runtime's cold start (Powertools' is once per process, not once per function).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

_OUTSIDE = ""  # the keys of lines logged outside any invocation (the demo seed, the runner itself)


@dataclass(frozen=True)
class Invocation:
    function: str  # the template's logical id
    service: str | None  # the function's POWERTOOLS_SERVICE_NAME, if it sets one
    cold_start: bool


_current: ContextVar[Invocation | None] = ContextVar("infra_local_invocation", default=None)


@contextmanager
def invocation(function: str, service: str | None, cold_start: bool) -> Iterator[None]:
    """Lines logged on this thread inside the block belong to `function`."""
    token = _current.set(Invocation(function, service, cold_start))
    try:
        yield
    finally:
        _current.reset(token)


class FunctionLogFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with one set of keys per function (see the module docstring)."""

    def __init__(self, **options: Any) -> None:
        self._by_function: dict[str, dict[str, Any]] = {}
        super().__init__(**options)

    @property  # type: ignore[override]
    def log_format(self) -> dict[str, Any]:
        now = _current.get()
        key = now.function if now else _OUTSIDE
        keys = self._by_function.get(key)
        if keys is None:
            keys = self._by_function[key] = self._fresh_keys(now)
        return keys

    @log_format.setter
    def log_format(self, value: dict[str, Any]) -> None:
        now = _current.get()
        self._by_function[now.function if now else _OUTSIDE] = value

    def clear_state(self) -> None:
        super().clear_state()
        now = _current.get()
        if now is not None and now.service:
            self.log_format["service"] = now.service

    def append_keys(self, **additional_keys: Any) -> None:
        now = _current.get()
        if now is not None:
            if now.service and "service" in additional_keys:
                additional_keys["service"] = now.service
            if "cold_start" in additional_keys:
                additional_keys["cold_start"] = now.cold_start
        super().append_keys(**additional_keys)

    def _fresh_keys(self, now: Invocation | None) -> dict[str, Any]:
        keys = dict.fromkeys(self.log_record_order)
        keys.update(self.keys_combined)
        if now is not None and now.service:
            keys["service"] = now.service
        return keys


class FunctionLogs:
    """Puts a FunctionLogFormatter on the Powertools handlers of the functions' services, and
    gives the original formatters back on `restore()` (the logging tree outlives a stack)."""

    def __init__(self) -> None:
        self._replaced: list[tuple[logging.Handler, logging.Formatter]] = []

    def adopt(self, service: str) -> None:
        """After a handler module was imported: its Powertools Logger has configured `service`."""
        for handler in logging.getLogger(service).handlers:
            old = handler.formatter
            if isinstance(old, LambdaPowertoolsFormatter) and not isinstance(old, FunctionLogFormatter):
                handler.setFormatter(FunctionLogFormatter(**_options_of(old)))
                self._replaced.append((handler, old))

    def restore(self) -> None:
        for handler, old in reversed(self._replaced):
            handler.setFormatter(old)
        self._replaced = []


def _options_of(formatter: LambdaPowertoolsFormatter) -> Mapping[str, Any]:
    """The constructor arguments that built `formatter` (Powertools keeps each as an attribute)."""
    return {"json_serializer": formatter.json_serializer, "json_deserializer": formatter.json_deserializer,
            "json_default": formatter.json_default, "datefmt": formatter.datefmt,
            "use_datetime_directive": formatter.use_datetime_directive,
            "log_record_order": formatter.log_record_order, "utc": formatter.utc,
            "use_rfc3339": formatter.use_rfc3339_iso8601, "serialize_stacktrace": formatter.serialize_stacktrace,
            **formatter.keys_combined}
