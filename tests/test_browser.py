"""The HTML reports in a real headless browser (Debian's chromium via Playwright): scripts, sort, filter, phone."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make setup installs it as root)"),
]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def pages(demo_run, tmp_path_factory):
    from pipeline.render.publish import publish

    out = tmp_path_factory.mktemp("browser")
    publish(demo_run, out, pdf=False)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield out, browser
        browser.close()


def _open(browser, path, width=1200):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    return page, errors


def test_the_report_loads_without_errors_and_sorts_and_filters(pages):
    out, browser = pages
    page, errors = _open(browser, out / "report.html")
    table = page.locator("table.sortable").filter(has=page.locator("th", has_text="单位")).nth(1)
    first = lambda: table.locator("tbody tr").first.inner_text()  # noqa: E731
    before = first()
    table.locator("thead th").nth(1).click()  # by the figure, ascending
    table.locator("thead th").nth(1).click()  # and descending
    assert first() != before or table.locator("tbody tr").count() == 1
    box = page.locator("input.filter").first
    target = page.locator(f"#{box.get_attribute('data-table')} tbody tr")
    total = target.count()
    box.fill("建会率")
    shown = sum(1 for i in range(total) if target.nth(i).is_visible())
    assert 0 < shown < total
    assert errors == []


def test_a_unit_page_loads_and_its_status_column_shows_on_a_phone(pages):
    out, browser = pages
    unit = sorted((out / "units").glob("*.html"))[0]
    page, errors = _open(browser, unit, width=390)
    status = page.locator("#indicators thead th").nth(3)
    box = status.bounding_box()
    assert box is not None and box["width"] > 20 and box["x"] + box["width"] <= 390  # on screen, no scrolling
    page.locator("#indicators").scroll_into_view_if_needed()
    badge = page.locator("#indicators tbody .badge").first
    assert badge.is_visible()
    assert errors == []
