"""The webhooks' DNS lookup and HTTP sender.

The sender connects to the address the guard just checked — never resolving the name again — and
sends the name as Host and as the TLS server name, with the certificate verified for that name
(urllib3's `server_hostname` / `assert_hostname`), so a DNS answer that changes between the check
and the connection (rebinding) cannot move the request to another address. No redirects, no
retries (the schedule retries), a connect and a total time limit, and at most `max_response_bytes`
of the answer read (the rest is dropped with the connection).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping

from aftersales.webhooks.destinations import Destination
from aftersales.webhooks.model import Outcome

CHUNK = 8192


class SocketResolver:
    def resolve(self, host: str, port: int) -> list[str]:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):  # no such name, or not a name at all
            return []
        seen: list[str] = []
        for *_, sockaddr in answers:
            address = str(sockaddr[0])
            if address not in seen:
                seen.append(address)
        return seen


class PinnedHttpSender:
    def __init__(self, *, timeout_seconds: float = 10.0, connect_timeout_seconds: float = 5.0,
                 max_response_bytes: int = 65_536, ca_certs: str | None = None) -> None:
        self._ca_certs = ca_certs  # None: certifi's bundle
        self._timeout = timeout_seconds
        self._connect_timeout = min(connect_timeout_seconds, timeout_seconds)
        self._max_response = max_response_bytes

    def post(self, destination: Destination, address: str, headers: Mapping[str, str], body: bytes) -> Outcome:
        import urllib3
        from urllib3.exceptions import (
            ConnectTimeoutError,
            NewConnectionError,
            ProtocolError,
            ReadTimeoutError,
            SSLError,
        )

        default_port = 443 if destination.scheme == "https" else 80
        host_header = destination.host if ":" not in destination.host else f"[{destination.host}]"
        if destination.port != default_port:
            host_header += f":{destination.port}"
        timeout = urllib3.Timeout(connect=self._connect_timeout, read=self._timeout)
        if destination.scheme == "https":
            import certifi

            pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                address, destination.port, timeout=timeout, retries=False, maxsize=1, cert_reqs="CERT_REQUIRED",
                ca_certs=self._ca_certs or certifi.where(), server_hostname=destination.host,
                assert_hostname=destination.host)
        else:
            pool = urllib3.HTTPConnectionPool(address, destination.port, timeout=timeout, retries=False, maxsize=1)
        started = time.monotonic()
        try:
            response = pool.urlopen("POST", destination.target, body=body,
                                    headers={**headers, "host": host_header, "content-length": str(len(body))},
                                    redirect=False, retries=False, preload_content=False, assert_same_host=False)
            latency = int((time.monotonic() - started) * 1000)
            error = self._drain(response, started)
            return Outcome(status_code=response.status, latency_ms=latency, error=error)
        except NewConnectionError:  # urllib3 makes it a ConnectTimeoutError too: a refusal is not a timeout
            return Outcome(latency_ms=int((time.monotonic() - started) * 1000), error="connection")
        except (ConnectTimeoutError, ReadTimeoutError, TimeoutError):
            return Outcome(latency_ms=int((time.monotonic() - started) * 1000), error="timeout")
        except SSLError:
            return Outcome(latency_ms=int((time.monotonic() - started) * 1000), error="tls")
        except (ProtocolError, OSError, urllib3.exceptions.HTTPError):
            return Outcome(latency_ms=int((time.monotonic() - started) * 1000), error="connection")
        finally:
            pool.close()

    def _drain(self, response: object, started: float) -> str | None:
        """Read at most the cap of the answer within the total time; the answer's body is not kept."""
        read = 0
        try:
            while read <= self._max_response:
                if time.monotonic() - started > self._timeout:
                    return "timeout"
                chunk = response.read(CHUNK)  # type: ignore[attr-defined]
                if not chunk:
                    return None
                read += len(chunk)
            return None  # the rest is dropped: the status line decides
        finally:
            response.release_conn()  # type: ignore[attr-defined]
