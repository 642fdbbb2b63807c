"""Headless Chromium from Debian's packages, driven by Playwright, for the console's browser tests.

``scripts/browser`` installs ``chromium`` and ``chromium-driver``; a missing browser skips the tests, and fails
them under ``CI=true``. Screenshots go to ``build/console-screenshots`` (or ``$HORTUS_SCREENSHOTS``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support import databases

CHROMIUM = Path(os.environ.get("HORTUS_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(os.environ.get("HORTUS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build"
                                  / "console-screenshots"))


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright ``Browser`` on Debian's Chromium."""
    if not CHROMIUM.exists():
        databases.unavailable("chromium", f"{CHROMIUM} is missing (scripts/browser installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        databases.unavailable("playwright", exc)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
