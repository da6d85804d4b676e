"""/dev/notifications in a real headless Chromium: sign in as the demo account, listen on the WebSocket,
ask for an export from the page and see its notification arrive."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]


def browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: `make browser` (apt-get install chromium chromium-driver) installs it"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (it is in requirements-dev.txt: make install)"
    return None


pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=browser_missing() or "")


def test_the_page_is_served_by_make_dev(dev_server: str) -> None:
    page = httpx.get(f"{dev_server}/dev/notifications")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'new WebSocket(scheme + location.host + "/api/v1/ws", ["bearer", access])' in page.text


def test_a_notification_appears_on_the_page_as_it_arrives(dev_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{dev_server}/dev/notifications")
            # The form's defaults are the demo account, which `DEMO=1 make dev` created.
            page.get_by_role("button", name="Sign in and listen").click()
            expect(page.locator("#status")).to_have_text("listening for notifications", timeout=30_000)
            expect(page.locator("#messages li")).to_have_count(0)

            page.get_by_role("button", name="Ask for my data export").click()
            arrived = page.locator("#messages li", has_text="export.ready")
            expect(arrived).to_have_count(1, timeout=60_000)
            assert page.locator("#status").get_attribute("data-state") == "open"
        finally:
            browser.close()
