"""Runs every bench module and prints Markdown tables (paste them into closing notes)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT / "shared", ROOT):
    sys.path.insert(0, str(path))
# Tables only: the functions' INFO logs would drown the figures.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")


def main(selected: list[str]) -> int:
    import bench

    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name not in ("report", "support"))
    print(f"# make bench — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    for name in names:
        if selected and name not in selected:
            continue
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "run"):
            continue
        started = time.perf_counter()
        for section in module.run():
            print(section.render(), flush=True)
        print(f"\n_({name}: {time.perf_counter() - started:.1f} s)_", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
