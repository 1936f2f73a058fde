"""The web reader through FastAPI's TestClient: pages, safety, the JSON API and OpenAPI."""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import GOLDEN, build_archive, csrf_of, free_port

from ficarchive.web import create_app
from ficarchive.web.formats import FORMATS


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("web") / "archive.sqlite"
    return path, build_archive(path)


@pytest.fixture(scope="module")
def ids(archive_path: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return archive_path[1]


@pytest.fixture(scope="module")
def client(archive_path: tuple[Path, dict[str, int]]) -> Iterator[TestClient]:
    with TestClient(create_app(archive_path[0])) as test_client:
        yield test_client


# What the page itself puts around story HTML, plus the story tags nh3 lets through.
ALLOWED_TAGS = {
    "header",
    "h1",
    "h2",
    "p",
    "dl",
    "dt",
    "dd",
    "section",
    "blockquote",
    "figure",
    "figcaption",
    "span",
    "div",
    "em",
    "br",
    "footer",
    "ul",
    "li",
    "a",
    "strong",
    "cite",
}


def _article(html: str) -> str:
    return html.split('<article class="work"', 1)[1].split("</article>", 1)[0]


def test_home_lists_recent_works_and_browsing(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Harbour of Bells" in page.text
    for heading in ("Recently added", "Fandoms", "Relationships", "Characters"):
        assert f">{heading}</h2>" in page.text
    assert 'href="/search?relationship=Buffy+Summers%2FSpike"' in page.text or (
        'href="/search?relationship=Buffy%20Summers%2FSpike"' in page.text
    )
    assert '<main id="content"' in page.text and 'role="banner"' in page.text


def test_the_work_page_is_shaped_like_ao3s(client: TestClient, ids: dict[str, int]) -> None:
    html = client.get(f"/works/{ids['story']}").text
    order = [
        "Rating:",
        "Explicit",
        "Major Character Death",
        "Buffy the Vampire Slayer",
        "Buffy Summers/Spike",
        "Buffy Summers",
        "Lighthouses",
        "Through season five.",
        "Summary",
        "Written for the <em>harbour</em> challenge.",
        '<blockquote class="verse">Ring the bells that still can ring<br>',
        "Leonard Cohen",
        "<cite>Anthem</cite>",
        'id="chapter-1"',
        '<hr class="scene-break"',
        "Next chapter",
        'id="chapter-2"',
        "The End",
        "End Notes",
        "Thanks for reading.",
        "Credits",
        "Rosa",
    ]
    places = [html.find(text) for text in order]
    assert -1 not in places, [t for t, p in zip(order, places, strict=True) if p == -1]
    assert places == sorted(places), "the work page's parts are out of AO3's order"
    assert html.count('<hr class="scene-break"') == 2
    assert 'href="#chapter-2"' in html  # chapter index and navigation
    for name in FORMATS:
        assert f'href="/works/{ids["story"]}/download/{name}"' in html


def test_headings_go_in_order(client: TestClient, ids: dict[str, int]) -> None:
    for url in ("/", f"/works/{ids['story']}", "/search?q=bells", f"/works/{ids['story']}/changes"):
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", client.get(url).text)]
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), (url, levels)


def test_no_script_from_an_old_page_survives(client: TestClient, ids: dict[str, int]) -> None:
    page = client.get(f"/works/{ids['hostile']}")
    assert page.status_code == 200
    article = _article(page.text)
    tags = re.findall(r"<([a-z0-9]+)([^>]*)>", article, re.I)
    assert {t.lower() for t, _ in tags} <= ALLOWED_TAGS, {t for t, _ in tags} - ALLOWED_TAGS
    for _, attributes in tags:
        assert not re.search(r"\bon\w+\s*=|javascript:", attributes, re.I), attributes
    assert "window.__pwned = 'script'" not in article
    assert "Before." in article and "Bonjour" in article and "Still here." in article
    assert '<span lang="fr">Bonjour</span>' in article
    assert "&lt;script&gt;" in article  # the hostile title is shown as text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_search_input_of_any_shape(client: TestClient) -> None:
    for query in (
        '"unbalanced',
        "AND OR NOT",
        "a* OR",
        "NEAR(",
        "-",
        '"',
        "col:umn",
        "((",
        "'; DROP TABLE works; --",
        "\x00",
        "é" * 600,
        "bells^2",
        "*",
    ):
        for url in ("/search", "/api/search", "/api/facets"):
            response = client.get(url, params={"q": query, "min_words": "", "max_words": " "})
            assert response.status_code == 200, (url, query, response.text[:200])


def test_search_with_filters_facets_and_paging(client: TestClient) -> None:
    page = client.get("/search", params={"q": "bells", "relationship": "spuffy"})
    assert "Harbour of Bells" in page.text and "1 work found" in page.text
    assert "<mark>" in page.text
    assert 'aria-label="Remove filter relationship: spuffy"' in page.text
    browse = client.get("/search", params={"sort": "title"})
    assert "Narrow the results" in browse.text and "(1)" in browse.text
    assert client.get("/search", params={"page": "99999"}).status_code == 200


def test_changes_page_lists_repairs_diagnostics_and_edits(
    client: TestClient, ids: dict[str, int]
) -> None:
    page = client.get(f"/works/{ids['usenet_post.txt']}/changes")
    assert page.status_code == 200
    assert "Repairs to the text" in page.text and "Removed, guessed or noticed" in page.text
    assert "SHA-256" in page.text


def test_downloads_in_every_format(client: TestClient, ids: dict[str, int]) -> None:
    for name, found in FORMATS.items():
        response = client.get(f"/works/{ids['story']}/download/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(found.media_type.split(";")[0])
        disposition = response.headers["content-disposition"]
        assert disposition == f'attachment; filename="harbour-of-bells.{found.extension}"'
        if name == "epub":
            assert response.content.startswith(b"PK")  # a zip, as EPUB is
        else:
            assert b"lighthouse keeper" in response.content
    assert client.get(f"/works/{ids['story']}/download/pdf").status_code == 404


def test_the_original_file_is_offered_as_it_was_added(
    client: TestClient, ids: dict[str, int]
) -> None:
    work_id = ids["livejournal_post.html"]
    page = client.get(f"/works/{work_id}/changes").text
    assert f'href="/works/{work_id}/original"' in page and "livejournal_post.html" in page
    response = client.get(f"/works/{work_id}/original")
    assert response.status_code == 200
    assert response.content == (GOLDEN / "livejournal_post.html").read_bytes()
    assert response.headers["content-type"] == "application/octet-stream"  # never rendered
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="livejournal_post.html"'
    # a work stored from a Work alone has no original: said on the page, 404 for the file
    assert "original file was not kept" in client.get(f"/works/{ids['story']}/changes").text
    assert client.get(f"/works/{ids['story']}/original").status_code == 404


def test_missing_works_and_pages(client: TestClient) -> None:
    assert client.get("/works/99999").status_code == 404
    assert client.get("/works/abc").status_code == 404
    assert client.get("/api/works/99999").json() == {"detail": "There is no work with that number."}
    assert client.get("/no/such/page").status_code == 404


def test_preferences_without_javascript(client: TestClient, ids: dict[str, int]) -> None:
    back = f"/works/{ids['story']}"
    response = client.get("/prefs", params={"theme": "dark", "back": back}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == back
    assert "theme=dark" in response.headers["set-cookie"]
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil"):
        away = client.get("/prefs", params={"size": "1", "back": evil}, follow_redirects=False)
        assert away.headers["location"] == "/"
    app = client.app
    with TestClient(app, cookies={"theme": "dark", "size": "5"}) as chosen:
        page = chosen.get(back)
    assert '<html lang="en" data-theme="dark" data-size="5">' in page.text
    with TestClient(app, cookies={"theme": "<x>", "size": "99"}) as odd:
        assert 'data-theme="auto" data-size="3"' in odd.get(back).text


def test_the_json_api(client: TestClient, ids: dict[str, int], validate_work: Any) -> None:
    works = client.get("/api/works", params={"limit": 2}).json()
    assert works["total"] == len(ids) and len(works["works"]) == 2
    one = client.get(f"/api/works/{ids['story']}").json()
    validate_work({"schema": 1, **one["work"]})
    assert one["work"]["title"] == "Harbour of Bells"
    found = client.get("/api/search", params={"q": "lighthouse", "tag": "Angst"}).json()
    assert [h["id"] for h in found["hits"]] == [ids["story"]]
    assert found["facets"]["relationship"] == [{"name": "Buffy Summers/Spike", "count": 1}]
    facets = client.get("/api/facets", params={"fandom": "btvs"}).json()
    assert facets["fandom"][0]["name"] == "Buffy the Vampire Slayer (TV)"
    assert client.get("/api/works", params={"limit": 0}).json() == {
        "detail": "limit must be at least 1 (given: '0')."
    }


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/works",
        "/api/works/{work_id}",
        "/api/search",
        "/api/facets",
        "/works/{work_id}/download/{format_name}",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    for name in ("WorkList", "WorkDetail", "SearchOut", "Work", "Chapter"):
        assert name in schemas, name
    ok = paths["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/SearchOut"}
    assert not any(p.startswith("/works/{work_id}/edit") for p in paths)


def test_the_reader_is_read_only_without_a_token(client: TestClient, ids: dict[str, int]) -> None:
    url = f"/works/{ids['story']}/edit"
    assert client.get(url).status_code == 403
    response = client.post(url, data={"title": "Changed", "token": "guess"})
    assert response.status_code == 403
    assert client.get(f"/api/works/{ids['story']}").json()["work"]["title"] == "Harbour of Bells"


def test_edits_with_the_owners_token(tmp_path: Path) -> None:
    path = tmp_path / "archive.sqlite"
    ids = build_archive(path)
    url = f"/works/{ids['story']}/edit"
    with TestClient(create_app(path, write_token="s3cret")) as client:
        page = client.get(url).text
        assert 'name="token"' in page
        csrf = csrf_of(page)
        wrong = client.post(url, data={"title": "Nope", "token": "wrong", "csrf": csrf})
        assert wrong.status_code == 403 and "not right" in wrong.text
        elsewhere = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
        forged = client.post(url, data={"title": "Nope", "token": "s3cret"}, headers=elsewhere)
        assert forged.status_code == 403 and "CSRF" in forged.text  # from another site
        form = {
            "title": "Harbour Bells",
            "tags": "Angst, Fog",
            "note": "the index page",
            "token": "s3cret",
            "csrf": csrf,
        }
        saved = client.post(url, data=form, follow_redirects=False)
        assert saved.status_code == 303
        changes = client.get(saved.headers["location"]).text
        assert "the index page" in changes and "Fog" in changes
        page = client.get(f"/works/{ids['story']}").text
        assert '<h1 id="work-title">Harbour Bells</h1>' in page  # the cache saw the edit


def test_serve_refuses_a_broken_archive_in_one_line(tmp_path: Path, run_cli: Any) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_bytes(b"a shopping list, not a database\n" * 100)
    missing = tmp_path / "none.sqlite"
    read_only = tmp_path / "ro.sqlite"
    build_archive(read_only)
    with sqlite3.connect(read_only) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    with read_only.open("r+b") as f:  # SQLite's file-format write version 3: read-only
        f.seek(18)
        f.write(b"\x03")
    port = str(free_port())
    for path, words, token in (
        (bad, "not a ficarchive archive", ()),
        (missing, "no archive here", ()),
        # a read-only archive is served read-only (tests/test_archive_damage.py), but
        # not with edits allowed
        (read_only, "read-only", ("--write-token", "t")),
    ):
        result = run_cli("serve", "--archive", path, "--port", port, *token)
        assert result.exit_code != 0, path
        assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_serve_says_a_locked_archive_is_busy(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ficarchive.archive import sqlite as backend
    from ficarchive.web import checks

    monkeypatch.setattr(backend, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(checks, "CHECK_BUSY_MS", 200)
    path = tmp_path / "archive.sqlite"
    build_archive(path)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the archive
    try:
        result = run_cli("serve", "--archive", path, "--write-token", "t", "--port", "1")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 3
    assert "busy" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- contrast ------------------------------------------------------------------------------

CSS = (Path(__file__).parents[1] / "ficarchive" / "web" / "static" / "reader.css").read_text()
TEXT_ON = [(fg, bg) for fg in ("ink", "muted", "link", "visited") for bg in ("paper", "panel")]


def _theme(selector: str) -> dict[str, str]:
    block = CSS.split(selector, 1)[1].split("}", 1)[0]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("selector", ['html[data-theme="light"] {', 'html[data-theme="dark"] {'])
def test_every_text_colour_has_enough_contrast(selector: str) -> None:
    theme = _theme(selector)
    for fg, bg in [*TEXT_ON, ("mark-ink", "mark-bg")]:
        ratio = contrast(theme[fg], theme[bg])
        assert ratio >= 4.5, f"{selector} --{fg} on --{bg}: {ratio:.2f}:1"


def test_dark_theme_is_the_same_when_chosen_by_the_system() -> None:
    assert _theme('html[data-theme="auto"] {') == _theme('html[data-theme="dark"] {')


def test_the_work_page_names_missing_parts(tmp_path: Path) -> None:
    from ficarchive.archive import Archive
    from ficarchive.rescue import rescue
    from ficarchive.work import Diagnostic

    path = tmp_path / "archive.sqlite"
    work = rescue((GOLDEN / "usenet_post.txt").read_bytes(), "usenet_post.txt")
    lost = Diagnostic("missing-part", "part 2 of 3 is missing", "part 2 of 3 of the story s")
    with Archive.open(str(path)) as archive:
        added = archive.add_work(work.evolve(diagnostics=(*work.diagnostics, lost)))
    with TestClient(create_app(path)) as client:
        page = client.get(f"/works/{added.id}").text
    assert '<dt>Missing:</dt><dd class="missing">part 2 of 3 of the story s</dd>' in page
