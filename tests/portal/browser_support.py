"""What the portal's browser tests share: the bounds, the person pool and the checks run on every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from local import journeys

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - requirements/dev.txt pins it
    expect = None

TIMEOUT_MS = 120_000  # a loaded 2-core machine; a bound only decides how long a real failure takes to show
VIEWPORTS = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})
MAX_PAGE_BYTES = 150 * 1024
SESSION_COOKIE = "__Host-sat_sesion"
FREE = [ref for ref in journeys.seed()["scenarios"]["free"]["people"] if ref["documentType"] == "CC"]

if expect is not None:
    expect.set_options(timeout=TIMEOUT_MS)
checked_pages: dict[str, int] = {}  # page title -> bytes transferred (filled by `check`)


def new_page(browser: Any, **options: Any) -> Any:
    context = browser.new_context(locale="es-CO", viewport=VIEWPORTS[1], **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context.new_page()


def check(page: Any) -> None:
    """axe-core finds nothing at 360 px and at 1280 px; the page with its assets stays under 150 KB; no token
    in the URL, in a cookie other than the session's, or in the browser's storage."""
    from axe_playwright_python.sync_playwright import Axe

    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{page.url} at {viewport['width']} px:\n{results.generate_report()}"
    page.set_viewport_size(VIEWPORTS[1])
    title = page.title()
    size = page.evaluate(
        """() => performance.getEntries()
              .filter(e => e.entryType === 'navigation' || e.entryType === 'resource')
              .reduce((sum, e) => sum + Math.max(e.transferSize || 0, e.encodedBodySize || 0), 0)"""
    )
    checked_pages[title] = int(size)
    assert 0 < size < MAX_PAGE_BYTES, f"{title}: {size} bytes"
    query = urlsplit(page.url).query.lower()
    assert "token" not in query and "password=" not in query, page.url
    cookies = page.context.cookies()
    assert [c["name"] for c in cookies if c["name"] != SESSION_COOKIE] == []
    for cookie in cookies:
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert storage == [0, 0]
