"""`python -m infra.local [--port 3000] [--speed 1] [--template template.yaml]`: run the stack until Ctrl-C."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import signal
import sys
import time
from typing import Any

from .stack import LocalStack

log = logging.getLogger("infra.local")

STOP_WAIT = 2.0  # seconds the pumps get to finish the batch in hand on Ctrl-C


def _seed(stack: LocalStack) -> dict[str, Any] | None:
    """Call infra.local.demo.seed(stack) when that module exists (it is optional)."""
    if importlib.util.find_spec("infra.local.demo") is None:
        log.info("no infra/local/demo.py: skipping demo data")
        return None
    return importlib.import_module("infra.local.demo").seed(stack)


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _leave_now(signum: int, _frame: Any) -> None:
    """A second Ctrl-C while stopping: die of the signal at once (the shell reports 130)."""
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--port", type=int, default=3000, help="API Gateway port (default 3000)")
    parser.add_argument("--speed", type=float, default=1.0, help="clock acceleration (60: a minute a second)")
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--stack-name", default="aftersales-local")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # urllib3: its pool-full notes (many pumps share one client) are noise, not a fault
    for noisy in ("werkzeug", "botocore", "pynamodb", "urllib3.connectionpool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    # Ctrl-C and SIGTERM both stop the stack. Installed explicitly: a shell starting us in the
    # background (`make run &`, a CI step) hands us SIGINT ignored, and then `kill -INT` did nothing.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    stack = LocalStack(args.template, stack_name=args.stack_name, api_port=args.port, speed=args.speed)
    try:
        stack.start()
        lines = {"AWS endpoint": stack.endpoint}
        if stack.api is not None:
            lines.update({
                "API": stack.api_url,
                "OpenAPI": f"{stack.api_url}/openapi.json",
                "Swagger UI": f"{stack.api_url}/swagger",
                "Workbench": stack.workbench_url,
            })
        if args.speed != 1:
            lines["Clock"] = f"accelerated x{args.speed:g}"
        for key, value in lines.items():
            print(f"{key:>14}: {value}")
        extra = _seed(stack)
        for key, value in (extra or {}).items():
            print(f"{key:>14}: {value}")
        if extra and stack.api is not None:
            _print_exports(stack.api_url, extra)
            _print_sign_in_links(stack.workbench_url, extra)
        print("Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping… (Ctrl-C again to leave at once)", flush=True)
        signal.signal(signal.SIGINT, _leave_now)
        signal.signal(signal.SIGTERM, _leave_now)
    finally:
        stack.stop(pump_timeout=STOP_WAIT)
    return 0


def _print_exports(api_url: str, demo: dict[str, Any]) -> None:
    """The shell variables the README's walk-through uses, ready to paste."""
    from .demo import shell_variables

    variables = {"API": api_url, **shell_variables(demo)}
    exports = [f"  export {name}={value}" for name, value in variables.items()]
    # one write: handlers' log lines from other threads must not land inside these lines
    sys.stdout.write("\n".join(["", "For the README walk-through (\"From request to refund\"), paste into a shell:",
                                 *exports, "", ""]))


def _print_sign_in_links(workbench_url: str, demo: dict[str, Any]) -> None:
    """One-click workbench sign-in per demo role (the links hold 12 h staff tokens), and the
    provider page with the keys that sign in there."""
    from .demo import provider_page_hints, sign_in_links

    links = [f"  {who:<22} {link}" for who, link in sign_in_links(workbench_url, demo).items()]
    page, keys = provider_page_hints(workbench_url, demo)
    provider = [f"Repair provider's page (a phone): {page}", "  sign in with one of the keys printed above:",
                *(f"    {label}" for label in keys)]
    sys.stdout.write("\n".join(["Sign in to the workbench as:", *links, "", *provider, "", ""]))


if __name__ == "__main__":
    sys.exit(main())
