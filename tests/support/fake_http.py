"""A local HTTP server that answers like a third-party JSON API (WeCom, Douyin): the code under test
really goes over HTTP through its urllib adapter. `answer(method, path, query, body)` returns
(status, payload); every request is kept in `received`."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Answer = Callable[[str, str, dict, str | None], tuple[int, dict]]


class FakeJsonApi:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.received: list[tuple[str, str, dict, str | None]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._serve(None)

            def do_POST(self):
                self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())

            def _serve(self, body):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                api.received.append((self.command, parts.path, query, body))
                status, payload = api.answer(self.command, parts.path, query, body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.received]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
