"""`python -m infra.local` (what `make run` starts) as a newcomer runs it: it comes up on the port it
was given, prints the walk-through's shell variables, and Ctrl-C (SIGINT) stops it and frees the
port — also when the shell started it with SIGINT ignored, as a background job."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests

from infra.local.demo import SHELL_VARIABLES
from tests.support.environment import ROOT

pytestmark = pytest.mark.e2e
STARTUP = 180  # seconds; generous for a loaded machine, never a speed assert
EXIT = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment() -> dict[str, str]:
    """A newcomer's shell: no AWS endpoint, tables or clock of the test session's own stack."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if k in keep}


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `cmd &` in a non-interactive shell does


def _start(port: int) -> tuple[subprocess.Popen, queue.Queue]:
    command = [sys.executable, "-X", "faulthandler", "-m", "infra.local", "--port", str(port), "--log-level", "WARNING"]
    runner = subprocess.Popen(command, cwd=ROOT, env=_environment(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, preexec_fn=_ignore_sigint)
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in runner.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return runner, lines


def _until_ready(lines: queue.Queue) -> list[str]:
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=STARTUP)
        except queue.Empty:
            pytest.fail(f"no 'Ctrl-C to stop.' within {STARTUP}s; output: {''.join(seen)[-2000:]}")
        if line is None:
            pytest.fail(f"the runner exited during start-up: {''.join(seen)[-2000:]}")
        seen.append(line)
        if line.startswith("Ctrl-C to stop."):
            return seen


def _rest(lines: queue.Queue) -> str:
    """Whatever the runner printed since start-up (non-blocking)."""
    out = []
    while True:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            return "".join(out)
        if line is None:
            return "".join(out)
        out.append(line)


def test_sigint_stops_the_runner_and_frees_its_port():
    """GIVEN the runner started with SIGINT ignored (a background job) on a free port
    WHEN it is up THEN it serves the API there and has printed an `export` line for every variable
    of the README's walk-through; WHEN it gets SIGINT THEN it exits with status 0 and the port can be
    bound again at once."""
    port = _free_port()
    runner, lines = _start(port)
    try:
        output = _until_ready(lines)
        exports = dict(line.strip().removeprefix("export ").split("=", 1) for line in output
                       if line.strip().startswith("export "))
        assert set(exports) == {"API", *SHELL_VARIABLES}
        assert exports["API"] == f"http://127.0.0.1:{port}/v1"
        reply = requests.get(f"{exports['API']}/tickets", headers={"X-Api-Key": exports["STOREFRONT_KEY"]},
                             timeout=10)
        assert reply.status_code == 200, reply.text

        runner.send_signal(signal.SIGINT)
        try:
            code = runner.wait(timeout=EXIT)
        except subprocess.TimeoutExpired:
            runner.send_signal(signal.SIGABRT)  # -X faulthandler: every thread's stack into the output
            runner.wait(timeout=10)
            pytest.fail(f"still running {EXIT}s after SIGINT; its output: {_rest(lines)[-6000:]}")
        assert code == 0, _rest(lines)[-2000:]
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait(timeout=EXIT)
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # raises OSError (address in use) if the runner left it bound
