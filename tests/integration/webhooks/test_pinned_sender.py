"""The webhook sender against real local servers: it connects to the checked address with the
endpoint's name as Host and TLS name (certificate verified for that name), follows no redirect,
stops at its time limit and reads no more than its cap of a large answer."""

from __future__ import annotations

import contextlib
import datetime as dt
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aftersales.adapters.webhook_http import PinnedHttpSender
from aftersales.webhooks.destinations import Destination

SEEN: list[dict[str, str]] = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        SEEN.append({k.lower(): v for k, v in self.headers.items()})
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "http://169.254.169.254/latest/meta-data")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = b"x" * (4 * 1024 * 1024 if self.path == "/large" else 2)
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the sender stopped reading at its cap
            self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _certificates(tmp_path, name: str):
    """A CA and a server certificate for `name`, signed by it."""
    def key():
        return ec.generate_private_key(ec.SECP256R1())

    now = dt.datetime.now(dt.UTC)
    ca_key, server_key = key(), key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
              .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(2)
              .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(server.public_bytes(pem))
    (tmp_path / "server.key").write_bytes(server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                   serialization.NoEncryption()))
    return tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"


@pytest.fixture
def plain():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SEEN.clear()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls(tmp_path):
    ca, cert, key = _certificates(tmp_path, "hooks.example.test")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SEEN.clear()
    yield server.server_address[1], str(ca)
    server.shutdown()
    server.server_close()


def test_https_goes_to_the_pinned_address_with_the_endpoints_name_as_host_and_tls_name(tls):
    """GIVEN a name no DNS knows and a certificate for it WHEN sent to the checked address THEN the
    TLS handshake verifies the name and the receiver sees it as Host; another name fails TLS."""
    port, ca = tls
    sender = PinnedHttpSender(timeout_seconds=5, ca_certs=ca)
    ok = sender.post(Destination("https", "hooks.example.test", port, "/in"), "127.0.0.1",
                     {"content-type": "application/json"}, b"{}")
    assert (ok.status_code, ok.error) == (200, None) and ok.succeeded
    assert SEEN[-1]["host"] == f"hooks.example.test:{port}"
    wrong = sender.post(Destination("https", "other.example.test", port, "/in"), "127.0.0.1", {}, b"{}")
    assert wrong.error == "tls" and not wrong.succeeded


def test_redirects_are_not_followed_and_count_as_failure(plain):
    outcome = PinnedHttpSender().post(Destination("http", "127.0.0.1", plain, "/redirect"), "127.0.0.1", {}, b"{}")
    assert outcome.status_code == 302 and not outcome.succeeded
    assert len(SEEN) == 1  # nothing went to the Location


def test_a_slow_receiver_is_a_timeout(plain):
    outcome = PinnedHttpSender(timeout_seconds=0.5).post(Destination("http", "127.0.0.1", plain, "/slow"),
                                                         "127.0.0.1", {}, b"{}")
    assert outcome.error == "timeout" and not outcome.succeeded


def test_a_large_answer_is_read_only_up_to_the_cap(plain):
    sender = PinnedHttpSender(max_response_bytes=16_384)
    outcome = sender.post(Destination("http", "127.0.0.1", plain, "/large"), "127.0.0.1", {}, b"{}")
    assert (outcome.status_code, outcome.error) == (200, None)


def test_nothing_listening_is_a_connection_error():
    outcome = PinnedHttpSender(timeout_seconds=2).post(Destination("http", "127.0.0.1", 9, "/"), "127.0.0.1", {},
                                                       b"{}")
    assert outcome.error == "connection"
