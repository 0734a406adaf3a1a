"""The local stack as `make run` starts it (`python -m infra.local`, demo tenant seeded), in a child
process: CPU it takes while idle, how long a small refund takes from request to refunded while it
is busy, how closely schedule ticks keep time under --speed, and how long Ctrl-C takes to stop it
and free its port.

BENCH_LOCAL_STACK_ROOT runs the runner from another checkout (its infra/local, this template), to
compare two versions on one machine.
"""

from __future__ import annotations

import itertools
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench.report import Section, p50_p99
from bench.support import ROOT

IDLE_SECONDS = 20
SETTLE_SECONDS = 10  # after start-up: the demo's own flows finish
REFUNDS = 8
TICKS = 10  # schedule ticks timed at --speed 60 (rate(1 minute): one a wall second)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Runner:
    def __init__(self, speed: float = 1.0) -> None:
        self.port = _free_port()
        root = Path(os.environ.get("BENCH_LOCAL_STACK_ROOT", ROOT))
        keep = ("PATH", "HOME", "LANG", "TMPDIR", "PYTHONPATH")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(self.port), "--speed", f"{speed:g}",
             "--template", str(ROOT / "template.yaml"), "--log-level", "WARNING"],
            cwd=root, env={k: v for k, v in os.environ.items() if k in keep} | {"POWERTOOLS_LOG_LEVEL": "INFO"},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.output: list[str] = []

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise RuntimeError("runner exited: " + "".join(self.output[-20:]))
            self.output.append(line)
            if line.startswith("Ctrl-C to stop."):
                return
        raise TimeoutError("runner not ready")

    def drain_output(self) -> list[str]:
        got = []
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return got
            if line is None:
                return got
            got.append(line)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def storefront_key(self) -> str:
        return next(line.split(": ", 1)[1].strip() for line in self.output
                    if line.strip().startswith("storefront API key"))

    def cpu_percent(self, seconds: float) -> float:
        before = _cpu_seconds(self.process.pid)
        time.sleep(seconds)
        return 100 * (_cpu_seconds(self.process.pid) - before) / seconds

    def interrupt(self, timeout: float = 60) -> tuple[float, int | None, bool]:
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        took = time.monotonic() - started
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", self.port))
                free = True
            except OSError:
                free = False
        return took, code, free


def _small_refund_seconds(runner: Runner) -> float:
    """PUT an order, open a 50.00 CNY refund-only ticket, submit it; the policy approves it and the
    sandbox pays: seconds from the POST /tickets to status refunded."""
    import requests

    key = {"X-Api-Key": runner.storefront_key}
    suffix = uuid.uuid4().hex[:8]
    order = {"order_id": f"BENCH-{suffix}", "version": 1, "channel": "app", "currency": "CNY",
             "customer": {"id": f"cust-bench-{suffix}", "tier": "standard"},
             "payment": {"provider": "sandbox", "reference": f"ch_bench_{suffix}",
                         "captured": {"amount": 6000, "currency": "CNY"}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
             "lines": [{"line_id": "1", "sku": "CUP", "name": "Cup", "quantity": 1,
                        "unit_price_paid": {"amount": 5000, "currency": "CNY"}}],
             "placed_at": "2026-11-18T10:00:00+08:00"}
    requests.put(f"{runner.api}/orders/{order['order_id']}", json=order, headers=key, timeout=30).raise_for_status()
    started = time.monotonic()
    created = requests.post(f"{runner.api}/tickets", headers=key, timeout=30, json={
        "type": "refund_only", "order_id": order["order_id"], "channel": "app", "reason_code": "quality",
        "lines": [{"line_id": "1", "quantity": 1}]})
    created.raise_for_status()
    ticket = f"{runner.api}/tickets/{created.json()['id']}"
    requests.post(f"{ticket}/transitions", json={"to": "pending_approval"}, headers=key,
                  timeout=30).raise_for_status()
    while requests.get(ticket, headers=key, timeout=30).json()["status"] != "refunded":
        if time.monotonic() - started > 120:
            raise TimeoutError("refund not paid within 120 s")
        time.sleep(0.05)
    return time.monotonic() - started


def _tick_intervals(runner: Runner) -> list[float]:
    """Wall seconds between the SLA sweeper's log lines (rate(1 minute) at --speed 60), once the
    ticks missed while the stack was starting (fired back to back on the pump's thread) are done."""
    import json

    time.sleep(SETTLE_SECONDS)
    runner.drain_output()
    stamps: list[float] = []
    deadline = time.monotonic() + TICKS * 3 + 30
    while len(stamps) < TICKS + 1 and time.monotonic() < deadline:
        try:
            line = runner.lines.get(timeout=5)
        except queue.Empty:
            continue
        if line is None:
            break
        if '"sla sweep"' in line:
            stamps.append(json.loads(line)["timestamp"])
    from datetime import datetime

    times = [datetime.strptime(s, "%Y-%m-%d %H:%M:%S,%f%z").timestamp() for s in stamps]
    return [b - a for a, b in itertools.pairwise(times)]


def run() -> list[Section]:
    runner = Runner()
    try:
        runner.wait_ready()
        time.sleep(SETTLE_SECONDS)
        runner.drain_output()
        idle = runner.cpu_percent(IDLE_SECONDS)
        busy_cpu_before = _cpu_seconds(runner.process.pid)
        busy_started = time.monotonic()
        latencies = [_small_refund_seconds(runner) for _ in range(REFUNDS)]
        busy = 100 * (_cpu_seconds(runner.process.pid) - busy_cpu_before) / (time.monotonic() - busy_started)
        runner.drain_output()
        time.sleep(SETTLE_SECONDS)
        idle_after = runner.cpu_percent(IDLE_SECONDS)
    finally:
        stop_seconds, code, port_free = runner.interrupt()

    fast = Runner(speed=60)
    try:
        fast.wait_ready()
        intervals = _tick_intervals(fast)
    finally:
        fast.interrupt()

    cpu = Section("Local stack: CPU of `python -m infra.local` (demo seeded), % of one core",
                  ["phase", "% of one core", "target"])
    cpu.rows.append([f"idle, {IDLE_SECONDS} s after start-up", round(idle, 1), "≤ 5"])
    cpu.rows.append([f"busy: {REFUNDS} small refunds one after another", round(busy, 1), ""])
    cpu.rows.append([f"idle again, {IDLE_SECONDS} s", round(idle_after, 1), "≤ 5"])
    p50, p99 = p50_p99(latencies)
    flow = Section("Local stack: a 50.00 CNY refund-only, POST /tickets to status refunded (auto-approved, sandbox)",
                   ["runs", "p50 s", "p99 s", "max s"],
                   [[len(latencies), round(p50, 2), round(p99, 2), round(max(latencies), 2)]])
    ticks = Section("Local stack: schedule ticks at --speed 60 (SlaSweeper rate(1 minute) = 1 wall s)",
                    ["intervals", "mean s", "min s", "max s"],
                    [[len(intervals), round(statistics.mean(intervals), 3) if intervals else "-",
                      round(min(intervals), 3) if intervals else "-", round(max(intervals), 3) if intervals else "-"]])
    stop = Section("Local stack: SIGINT (Ctrl-C) to exit", ["seconds", "exit status", "port free after", "target"],
                   [[round(stop_seconds, 2), code, port_free, "≤ 5 s, port free"]])
    return [cpu, flow, ticks, stop]


if __name__ == "__main__":
    for section in run():
        print(section.render())
