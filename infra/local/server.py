"""The embedded AWS endpoint: moto's server in a thread, behind a tiny Lambda Invoke front.

moto cannot run Lambda code without Docker, so `POST /2015-03-31/functions/<name>/invocations`
is answered here with the real in-process handler (Step Functions lambda:invoke tasks and any
boto3 `lambda.invoke` then run real code). Everything else goes to moto unchanged; once moto has
answered, the front tells the pumps what was written (wakeup.py), so they need not poll.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger("infra.local.server")

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations/?$")
_BUCKET_PATH = re.compile(r"^/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/?$")  # a browser upload posts to the bucket

# (function name or ARN, payload bytes) -> (status, headers, body), or None if unknown function
InvokeHandler = Callable[[str, bytes, str], "tuple[int, dict[str, str], bytes] | None"]
# (WSGI environ, request body or None) -> None: called after moto answered a request
RequestObserver = Callable[[dict[str, Any], "bytes | None"], None]

_OBSERVED_BODY_LIMIT = 1024 * 1024  # larger bodies (S3 uploads) are not read by the front


class LambdaFront:
    """WSGI middleware answering Lambda Invoke before moto."""

    def __init__(self, moto_app: Any, invoke: InvokeHandler, observe: RequestObserver | None = None) -> None:
        self.moto_app = moto_app
        self.invoke = invoke
        self.observe = observe

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        match = _INVOKE_PATH.match(environ.get("PATH_INFO", ""))
        if match and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = environ["wsgi.input"].read(length) if length else b""
            invocation_type = environ.get("HTTP_X_AMZ_INVOCATION_TYPE", "RequestResponse")
            answer = self.invoke(unquote(match.group(1)), payload, invocation_type)
            if answer is not None:
                status, headers, body = answer
                start_response(f"{status} OK", [*headers.items(), ("Content-Length", str(len(body)))])
                return [body]
        refused = self._post_policy_refusal(environ)
        if refused is not None:
            status, body = refused
            start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
            return [body]
        if self.observe is None:
            return self.moto_app(environ, start_response)
        body = None
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if environ.get("HTTP_X_AMZ_TARGET") and 0 < length <= _OBSERVED_BODY_LIMIT:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        answer = self.moto_app(environ, start_response)  # moto has done the work when it returns
        self.observe(environ, body)
        return answer


    @staticmethod
    def _post_policy_refusal(environ: dict[str, Any]) -> tuple[str, bytes] | None:
        """A browser upload (form POST to a bucket) that breaks its POST policy is refused as S3
        would (post_policy.py; moto does not evaluate policies); any other request passes."""
        match = _BUCKET_PATH.match(environ.get("PATH_INFO", ""))
        if not (match and environ.get("REQUEST_METHOD") == "POST" and not environ.get("QUERY_STRING")
                and "multipart/form-data" in (environ.get("CONTENT_TYPE") or "")):
            return None
        from infra.local import post_policy

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        form = post_policy.form_of(environ, body)
        if form is None:
            return None
        fields, size = form
        refused = post_policy.refusal({**fields, "bucket": match.group(1)}, size)
        if refused is None:
            return None
        status, code, message = refused
        log.info("s3 post refused by its policy: %s %s", code, message)
        return f"{status} {'Forbidden' if status == 403 else 'Bad Request'}", post_policy.error_body(code, message)


class EmbeddedAws:
    """moto's server on a free 127.0.0.1 port, in a daemon thread."""

    def __init__(self, invoke: InvokeHandler, host: str = "127.0.0.1", port: int = 0,
                 observe: RequestObserver | None = None) -> None:
        self._invoke = invoke
        self._observe = observe
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (  # heavy import: only when started
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        app = LambdaFront(DomainDispatcherApplication(create_backend_app), self._invoke, self._observe)
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-server", daemon=True)
        self._thread.start()
        log.info("embedded AWS endpoint on %s", self.endpoint)

    def configure(self, config: dict[str, Any]) -> None:
        """POST /moto-api/config (e.g. enable the Step Functions ASL interpreter)."""
        self._post("/moto-api/config", config)

    def reset(self) -> None:
        self._post("/moto-api/reset", None)

    def _post(self, path: str, body: Any) -> None:
        import urllib.request

        data = json.dumps(body).encode() if body is not None else b""
        req = urllib.request.Request(self.endpoint + path, data=data, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
