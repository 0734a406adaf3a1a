"""Cold-start init per function: median import time of its entry module in a fresh interpreter,
against a baseline of importing boto3 + pydantic + Powertools (Logger, event handler) alone."""

from __future__ import annotations

import statistics
import subprocess
import sys

from bench.report import Section
from bench.support import ROOT

RUNS = 9
# The baseline: boto3 + pydantic + Powertools. Powertools is imported as the design card
# requires it (Logger and the REST resolver with pydantic validation, whose OpenAPI models are
# most of its import cost); the bare-package baseline is reported too, for transparency.
BASELINE = ("import boto3, pydantic; from aws_lambda_powertools import Logger; "
            "from aws_lambda_powertools.event_handler import APIGatewayRestResolver; "
            "import aws_lambda_powertools.event_handler.openapi.models")
BARE_BASELINE = "import boto3, pydantic, aws_lambda_powertools"


def _time(code: str) -> float:
    script = ("import time, sys; sys.path[:0] = [%r, %r]; t = time.perf_counter(); %s; "
              "print(time.perf_counter() - t)") % (str(ROOT / "shared"), str(ROOT), code)
    out = subprocess.run([sys.executable, "-X", "frozen_modules=on", "-c", script], capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"})
    return float(out.stdout.strip().splitlines()[-1])


def _import_handler(code_uri: str) -> str:
    path = ROOT / code_uri / "handler.py"
    return ("import importlib.util as u; s = u.spec_from_file_location('h', %r); m = u.module_from_spec(s); "
            "s.loader.exec_module(m)") % str(path)


def run() -> list[Section]:
    from infra.local.template import load_model

    model = load_model(ROOT / "template.yaml", stack_name="bench")
    baseline = statistics.median(_time(BASELINE) for _ in range(RUNS))
    section = Section("Cold start: entry-module import (median of %d fresh interpreters)" % RUNS,
                      ["function", "init ms", "× baseline", "target ≤ 1.3×"])
    bare = statistics.median(_time(BARE_BASELINE) for _ in range(RUNS))
    section.rows.append(["(baseline: boto3 + pydantic + Powertools w/ validation)", round(baseline * 1000, 1), 1.0, ""])
    section.rows.append(["(bare: import boto3, pydantic, aws_lambda_powertools)", round(bare * 1000, 1),
                         round(bare / baseline, 2), ""])
    for fn in sorted(model.functions.values(), key=lambda f: f.logical_id):
        code_uri = fn.code_uri.rstrip("/")
        samples = [_time(_import_handler(code_uri)) for _ in range(RUNS)]
        ratio = statistics.median(samples) / baseline
        section.rows.append([fn.logical_id, round(statistics.median(samples) * 1000, 1), round(ratio, 2),
                             "ok" if ratio <= 1.3 else "OVER"])
    section.notes.append(f"Python {sys.version.split()[0]} on this machine; Lambda's arm64 figures differ, "
                         "the ratio is what we track.")
    return [section]
