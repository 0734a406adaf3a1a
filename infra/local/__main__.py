"""`python -m infra.local [--port 3000] [--speed 1] [--template template.yaml]`: run the stack until Ctrl-C."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import signal
import threading
from typing import Any

from .stack import LocalStack

log = logging.getLogger("infra.local")


def _seed(stack: LocalStack) -> dict[str, Any] | None:
    """Call infra.local.demo.seed(stack) when that module exists (it is optional)."""
    if importlib.util.find_spec("infra.local.demo") is None:
        log.info("no infra/local/demo.py: skipping demo data")
        return None
    return importlib.import_module("infra.local.demo").seed(stack)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="API Gateway port (default 3000)")
    parser.add_argument("--speed", type=float, default=1.0, help="clock acceleration (60: a minute a second)")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--stack-name", default="aftersales-local")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("werkzeug", "botocore", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with LocalStack(args.template, stack_name=args.stack_name, api_port=args.port, speed=args.speed) as stack:
        lines = {"AWS endpoint": stack.endpoint}
        if stack.api is not None:
            lines.update({
                "API": stack.api_url,
                "OpenAPI": f"{stack.api_url}/openapi.json",
                "Swagger UI": f"{stack.api_url}/swagger",
            })
        if args.speed != 1:
            lines["Clock"] = f"accelerated x{args.speed:g}"
        for key, value in lines.items():
            print(f"{key:>14}: {value}")
        extra = _seed(stack)
        for key, value in (extra or {}).items():
            print(f"{key:>14}: {value}")
        print("Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
