"""Each resource's router module stands alone: it reads the request through the request-context
module and imports neither the app nor another router."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.support.environment import ROOT

ROUTES = ROOT / "shared" / "aftersales" / "http" / "routes"
# Of the HTTP layer a router may use the request context, and the shared bodies and the document.
ALLOWED = {"aftersales.http.context", "aftersales.http.schemas", "aftersales.http.openapi"}


def _router_modules() -> list[Path]:
    return sorted(p for p in ROUTES.glob("*.py") if p.name != "__init__.py")


def _http_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] if node.module != "aftersales.http" else [
                f"aftersales.http.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        names |= {m for m in modules if m.startswith("aftersales.http")}
    return names


def test_router_modules_import_only_the_request_context_of_the_http_layer():
    """GIVEN every module under http/routes WHEN its imports are read THEN the only HTTP-layer
    modules it names are the request context (and the shared bodies / OpenAPI document)."""
    modules = _router_modules()
    assert len(modules) >= 16

    offending = {p.name: sorted(_http_imports(p) - ALLOWED) for p in modules if _http_imports(p) - ALLOWED}

    assert offending == {}


def test_every_router_module_imports_without_the_app():
    """GIVEN a fresh interpreter WHEN each router module is imported on its own THEN it loads, and
    aftersales.http.app was never imported."""
    names = [p.stem for p in _router_modules()]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    module = importlib.import_module(f'aftersales.http.routes.{name}')\n"
        "    assert hasattr(module, 'router'), name\n"
        "assert 'aftersales.http.app' not in sys.modules, 'a router imported the app'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}", "PATH": "/usr/bin:/bin"})

    assert result.returncode == 0, result.stderr
