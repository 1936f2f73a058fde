"""The reader in a real headless Chromium (Debian's), driven by Playwright.

Search for a story, open it, read down to a scene break, switch the theme and the text
size (with JavaScript, then without), and open a work made of hostile old-web HTML.
Screenshots go to tests/out/. Skips when /usr/bin/chromium is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import OUT, build_archive, running_reader

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")

# As root on a machine with no network: no sandbox, no GPU, nothing fetched in the background.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    path = tmp_path_factory.mktemp("browser") / "archive.sqlite"
    ids = build_archive(path)
    with running_reader(path) as base:
        yield base, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a new empty profile (Playwright makes one for each launch)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    OUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUT / f"reader-{name}.png"))


def _in_view(page: Any, selector: str) -> bool:
    return bool(
        page.eval_on_selector(
            selector,
            "e => { const r = e.getBoundingClientRect(); "
            "return r.top >= 0 && r.bottom <= window.innerHeight; }",
        )
    )


def test_search_open_read_and_adjust(browser: Any, site: tuple[str, dict[str, int]]) -> None:
    base, _ = site
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    _shot(page, "1-home")
    page.get_by_label("Search stories").fill("lighthouse")
    page.get_by_label("Search stories").press("Enter")
    page.wait_for_url("**/search?q=lighthouse*")
    assert page.locator("#results-h").inner_text() == "1 work found"
    _shot(page, "2-search")
    page.get_by_role("link", name="Harbour of Bells").click()
    page.wait_for_url("**/works/*")
    assert page.locator("h1").inner_text() == "Harbour of Bells"
    meta = page.locator("dl.work-meta").bounding_box()
    first = page.locator(".userstuff p").first.bounding_box()
    assert meta is not None and first is not None and meta["y"] < first["y"]  # warnings first
    assert "Major Character Death" in page.locator("dd.warnings").inner_text()
    assert not _in_view(page, "hr.scene-break")
    page.locator("hr.scene-break").first.scroll_into_view_if_needed()
    assert _in_view(page, "hr.scene-break")
    assert page.evaluate("window.scrollY") > 0
    _shot(page, "3-scene-break")

    url = page.url
    size = page.eval_on_selector(".userstuff p", "e => parseFloat(getComputedStyle(e).fontSize)")
    page.get_by_role("link", name="Dark").click()
    assert page.url == url  # applied by the script, without leaving the page
    assert page.eval_on_selector("html", "e => e.dataset.theme") == "dark"
    assert page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor") == (
        "rgb(24, 24, 26)"
    )
    _shot(page, "4-dark")
    page.get_by_role("link", name="Larger text").click()
    larger = page.eval_on_selector(".userstuff p", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert larger > size
    _shot(page, "5-larger")
    page.reload()  # the cookies came back with the page: the server drew it dark and larger
    assert page.eval_on_selector("html", "e => [e.dataset.theme, e.dataset.size]") == [
        "dark",
        "4",
    ]
    assert errors == []
    context.close()


def test_theme_and_size_without_javascript(browser: Any, site: tuple[str, dict[str, int]]) -> None:
    base, ids = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/works/{ids['story']}")
    page.get_by_role("link", name="Dark").click()
    page.wait_for_url(f"**/works/{ids['story']}")
    page.get_by_role("link", name="Larger text").click()
    page.wait_for_url(f"**/works/{ids['story']}")
    assert page.eval_on_selector("html", "e => [e.dataset.theme, e.dataset.size]") == [
        "dark",
        "4",
    ]
    _shot(page, "6-no-javascript")
    context.close()


def test_no_script_from_an_old_page_runs(browser: Any, site: tuple[str, dict[str, int]]) -> None:
    base, ids = site
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/works/{ids['hostile']}")
    page.locator("span[lang=fr]").hover()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert page.locator("article script, article img, article iframe, article svg").count() == 0
    assert "Still here." in page.locator("article").inner_text()
    _shot(page, "7-hostile")
    context.close()


def _first_in_view(page: Any) -> str:
    """The id of the first paragraph of the work whose bottom is below the window's top."""
    return str(
        page.evaluate(
            "() => [...document.querySelectorAll('article p[id^=\"p-\"]')]"
            ".find(p => p.getBoundingClientRect().bottom > 0).id"
        )
    )


def _read_half(page: Any, url: str) -> str:
    page.goto(url)
    count = page.locator("article p[id^='p-']").count()
    half = f"p-{count // 2}"
    page.evaluate(f"document.getElementById('{half}').scrollIntoView()")
    page.wait_for_timeout(300)
    assert _first_in_view(page) == half
    return half


def test_reopen_from_the_home_page_at_the_same_paragraph(
    browser: Any, site: tuple[str, dict[str, int]]
) -> None:
    """Without an account: the place is kept in this browser (localStorage)."""
    base, ids = site
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    half = _read_half(page, f"{base}/works/{ids['story']}")
    page.close()  # leaving the page saves the place
    page = context.new_page()
    page.goto(base + "/")
    link = page.locator("section.continue a", has_text="Harbour of Bells")
    assert link.get_attribute("href") == f"/works/{ids['story']}#{half}"
    _shot(page, "8-continue-reading")
    link.click()
    page.wait_for_url(f"**/works/{ids['story']}#{half}")
    page.wait_for_timeout(200)
    assert _first_in_view(page) == half
    page.goto(f"{base}/works/{ids['story']}")  # opened again without the link: resumed
    page.wait_for_timeout(200)
    assert _first_in_view(page) == half
    assert page.locator("p.resume").is_visible()
    page.get_by_role("button", name="Mark as read").click()
    page.goto(base + "/")
    assert page.locator("section.continue").is_hidden()  # read: nothing to continue
    context.close()


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    from ficarchive.archive import Archive
    from ficarchive.archive.accounts import Accounts

    path = tmp_path_factory.mktemp("shared") / "archive.sqlite"
    ids = build_archive(path)
    with Archive.open(path) as archive:
        Accounts(archive).add("Ana", "correct horse", "owner")
        Accounts(archive).add("Ben", "battery staple", "reader")
    with running_reader(path) as base:
        yield base, ids


def _sign_in(page: Any, base: str, name: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert f"Signed in as {name}" in page.locator("header.site").inner_text()


def test_an_account_keeps_its_place_across_browsers(
    browser: Any, shared_site: tuple[str, dict[str, int]]
) -> None:
    base, ids = shared_site
    errors: list[str] = []
    laptop = browser.new_context(viewport={"width": 1000, "height": 700})
    page = laptop.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, base, "Ben", "battery staple")
    half = _read_half(page, f"{base}/works/{ids['story']}")
    page.get_by_label("Note (for you alone)").fill("the bells again")
    page.get_by_role("button", name="Bookmark here").click()
    page.wait_for_url(f"**/works/{ids['story']}#{half}")  # the bookmark kept the paragraph
    page.close()
    laptop.close()
    phone = browser.new_context(viewport={"width": 400, "height": 700})  # another browser
    page = phone.new_page()
    _sign_in(page, base, "Ben", "battery staple")
    link = page.locator("section.continue a", has_text="Harbour of Bells")
    assert link.get_attribute("href") == f"/works/{ids['story']}#{half}"
    link.click()
    page.wait_for_timeout(200)
    assert _first_in_view(page) == half
    page.goto(base + "/bookmarks")
    assert "the bells again" in page.locator("main").inner_text()
    _shot(page, "9-bookmarks")
    assert errors == []
    phone.close()
