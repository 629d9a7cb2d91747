"""Headless Chromium for the tests that read pages as a reader's browser does: Debian's `chromium` driven by its
`chromedriver` through selenium (the W3C WebDriver protocol, plus Chromium's DevTools commands for what WebDriver
lacks: an emulated screen, a dark system theme, clipboard permission).

Without Chromium the browser tests skip with one line naming the packages; `.ci/run` installs them. Screenshots
are kept under `var/screenshots/` (git-ignored) and their paths printed, so a run leaves pictures to look at.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
MISSING = "headless Chromium is not installed: apt-get install chromium chromium-driver (as .ci/run does)"
# what this closed network needs: no background requests to Google's hosts, no QUIC, a fresh profile
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-features=Translate,MediaRouter", "--hide-scrollbars", "--force-color-profile=srgb",
         "--window-size=1280,900", "--lang=en-US")


def installed() -> bool:
    return Path(CHROMIUM).exists() and Path(DRIVER).exists()


@contextmanager
def chromium() -> Iterator[Any]:
    """A selenium `Chrome` driver on a fresh profile; skips the test when Chromium is missing."""
    if not installed():
        pytest.skip(MISSING)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="verbatim-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screen(driver: Any, width: int, height: int, dark: bool = False, mobile: bool = False) -> None:
    """The page's viewport and system theme, as a phone or a desktop would have them."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


def keep(driver: Any, name: str) -> Path:
    """Save a screenshot of the page as a test artifact, and say where."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    print(f"screenshot: {path}")  # noqa: T201 - the artifact's path, shown with pytest -s or on failure
    return path


def in_view(driver: Any, element_id: str) -> bool:
    return bool(driver.execute_script(
        "const b = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return b.height > 0 && b.top >= 0 && b.bottom <= innerHeight;", element_id))


@contextmanager
def serving(site: Any) -> Iterator[str]:
    """The page server for `site` on 127.0.0.1 in a thread of its own (selenium's calls block); yields its
    base URL."""
    import asyncio
    import threading

    from bot.web.server import PageServer

    loop = asyncio.new_event_loop()
    started: list[int] = []
    ready = threading.Event()

    async def start() -> PageServer:
        server = PageServer(site, "127.0.0.1", 0)
        started.append(server.start())
        return server

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield f"http://127.0.0.1:{started[0]}{site.prefix}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
