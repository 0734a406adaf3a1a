"""Built size per function, as `sam build` lays it out: the domain layer (shared/: the aftersales
package with its shipped models and fonts, plus shared/requirements.txt with everything those pins
pull in) and each function's own directory plus its requirements.txt closure. Sizes are the
installed files of this venv's wheels (the same manylinux wheels sam build fetches for x86_64),
against Lambda's limit of 250 MB unzipped for a function with its layers."""

from __future__ import annotations

import re
from functools import cache
from importlib import metadata
from pathlib import Path

from bench.report import Section
from bench.support import ROOT

LIMIT_MB = 250.0
PIN = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*==")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def _distribution(name: str) -> metadata.Distribution | None:
    try:
        return metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return None


def _closure(names: list[str]) -> set[str]:
    """The pinned distributions with every requirement they declare (extras and markers aside)."""
    seen: set[str] = set()
    todo = [_canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        dist = _distribution(name)
        if dist is None:
            continue
        seen.add(name)
        for requirement in dist.requires or []:
            if ";" in requirement and "extra ==" in requirement:
                continue
            match = re.match(r"\s*([A-Za-z0-9_.\-]+)", requirement)
            if match:
                todo.append(_canonical(match.group(1)))
    return seen


def _installed_mb(names: set[str]) -> float:
    total = 0
    for name in names:
        dist = _distribution(name)
        if dist is not None:
            total += sum(f.size or 0 for f in dist.files or [])
    return total / 1e6


def _pins(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [m.group(1) for line in path.read_text().splitlines() if (m := PIN.match(line))]


def _tree_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*")
               if f.is_file() and "__pycache__" not in f.parts and f.name != "requirements.txt") / 1e6


def run() -> list[Section]:
    from infra.local.template import load_model

    model = load_model(ROOT / "template.yaml", stack_name="bench")
    layer_libs = _closure(_pins(ROOT / "shared" / "requirements.txt"))
    layer_mb = _installed_mb(layer_libs) + _tree_mb(ROOT / "shared" / "aftersales")
    section = Section("Built size per function (unzipped MB: the function's code and libraries + the domain layer)",
                      ["function", "own code KB", "own libraries MB", "with the layer MB", "headroom to 250 MB"])
    for fn in sorted(model.functions.values(), key=lambda f: f.logical_id):
        code_dir = ROOT / fn.code_uri
        own = _closure(_pins(code_dir / "requirements.txt")) - layer_libs
        code_mb, libs_mb = _tree_mb(code_dir), _installed_mb(own)
        total = code_mb + libs_mb + layer_mb
        section.rows.append([fn.logical_id, round(code_mb * 1000, 1), round(libs_mb, 1), round(total, 1),
                             round(LIMIT_MB - total, 1)])
    section.notes.append(f"Domain layer: {layer_mb:.1f} MB ({len(layer_libs)} distributions with shared/aftersales "
                         f"itself, {_tree_mb(ROOT / 'shared' / 'aftersales'):.1f} MB of it the package: code, "
                         "catalogs, the shipped sentiment model, the PDF font, Swagger UI's assets when built).")
    section.notes.append("boto3/botocore are counted in the layer because shared/requirements.txt pins them; on "
                         "Lambda the runtime's copy would serve too.")
    return [section]
