"""The browser tier, inside the e2e tier (its session stack with the demo tenant, its place at the
end of the run): the built workbench (make workbench) driven by Playwright for Python in Debian's
chromium (make browser installs it; Playwright's own browser builds are never downloaded). A
screenshot of every page a test opened is kept in build/browser/ (not committed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.environment import ROOT

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "build" / "browser"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("no chromium: `make browser` installs Debian's chromium and fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, request):
    """open_page(locale=..., viewport=...) -> a fresh page (own sessionStorage); screenshot at the end."""
    contexts = []

    def make(locale: str = "en-GB", viewport: dict | None = None, timezone: str = "Asia/Shanghai"):
        context = browser.new_context(locale=locale, timezone_id=timezone, viewport=viewport or DESKTOP)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.server_errors = []
        page.on("response", lambda r: r.status >= 500 and page.server_errors.append(f"{r.status} {r.url}"))
        contexts.append((context, page))
        return page

    yield make
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, (context, page) in enumerate(contexts):
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"), full_page=True)
        assert not page.server_errors, page.server_errors
        context.close()
