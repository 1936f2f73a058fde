"""The OPDS catalog: every feed reached from /opds validates and is what it says it is.

Each feed is parsed with feedparser (a maintained feed parser: no parse error, the
entries it finds are ours), validated with lxml against RELAX NG grammars of Atom (RFC
4287) and OPDS 1.2 written from the specs (``tests/fixtures/opds``), and checked for the
rules a grammar cannot say (every entry of an acquisition feed has an acquisition link;
a navigation entry links a feed and says what is there). The EPUB behind a feed's
acquisition link is the reader's own download, byte for byte. Both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from fastapi.testclient import TestClient
from lxml import etree
from web_support import BACKENDS, fill_archive, open_test_archive

from ficarchive.web import create_app
from ficarchive.work import Chapter, Section, Work

SCHEMAS = Path(__file__).parent / "fixtures" / "opds"
ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
EXTRA = 30  # more works than one feed page holds


@pytest.fixture(scope="module")
def grammars() -> tuple[etree.RelaxNG, etree.RelaxNG]:
    atom = etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))
    opds = etree.RelaxNG(etree.parse(str(SCHEMAS / "opds.rng")))
    return atom, opds


def _series(archive: Any, work_id: int, name: str, part: int) -> None:
    """Give a work a series as a newer Work JSON carries it (a ``series`` list)."""
    row = archive._run(archive._sql("SELECT work_json FROM works WHERE id = {p}"), (work_id,))
    data = json.loads(row[0][0])
    data["series"] = [{"name": name, "part": part}]
    with archive._write():
        archive._run(
            archive._sql("UPDATE works SET work_json = {p} WHERE id = {p}"),
            (json.dumps(data), work_id),
        )


@pytest.fixture(scope="module", params=BACKENDS)
def catalog(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    archive = open_test_archive(request.param, tmp_path_factory.mktemp("opds"))
    ids = fill_archive(archive)
    for n in range(EXTRA):
        text = f"The ferry crossed at dawn, day {n}, and the gulls followed it in."
        work = Work(
            title=f"Crossing {n}",
            authors=("Ferry Writer",),
            fandoms=("Star Trek",),
            summary=f"Day {n} & night <{n}>",
            chapters=(Chapter(None, (Section((text,)),)),),
            word_count=14,
        )
        ids[f"crossing {n}"] = archive.add_work(work).id
    _series(archive, ids["crossing 1"], "The Ferry Years", 2)
    _series(archive, ids["crossing 0"], "The Ferry Years", 1)
    with TestClient(create_app(archive)) as client:
        yield client, ids
    archive.close()


def _kind(response: Any) -> str:
    media = response.headers["content-type"].replace(" ", "")
    assert media in (ACQUISITION, NAVIGATION), media
    return media


def _check_feed(response: Any, grammars: tuple[etree.RelaxNG, etree.RelaxNG]) -> etree._Element:
    atom, opds = grammars
    assert response.status_code == 200, response.url
    kind = _kind(response)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (response.url, parsed.get("bozo_exception"))
    doc = etree.fromstring(response.content)
    assert atom.validate(doc), (response.url, str(atom.error_log))
    assert opds.validate(doc), (response.url, str(opds.error_log))
    rels = {link.get("rel") for link in doc.findall(f"{A}link")}
    assert {"self", "start", "search"} <= rels, response.url
    assert doc.find(f"{A}author") is not None  # so an entry without authors is still Atom
    entries = doc.findall(f"{A}entry")
    assert len(parsed.entries) == len(entries)
    for entry in entries:
        links = entry.findall(f"{A}link")
        if kind == ACQUISITION:
            acquire = [x for x in links if x.get("rel") == "http://opds-spec.org/acquisition"]
            assert acquire and acquire[0].get("type") == "application/epub+zip"
        else:
            assert any("profile=opds-catalog" in (x.get("type") or "") for x in links)
            assert (entry.findtext(f"{A}content") or "").strip()
    return doc


def _feed_links(doc: etree._Element) -> list[str]:
    found = [x for x in doc.iter(f"{A}link") if "opds-catalog" in (x.get("type") or "")]
    return [str(x.get("href")) for x in found]


def _path(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_feed_from_the_root_validates(
    catalog: tuple[TestClient, dict[str, int]], grammars: tuple[etree.RelaxNG, etree.RelaxNG]
) -> None:
    client, _ = catalog
    seen: set[str] = set()
    queue = ["/opds"]
    while queue and len(seen) < 120:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        doc = _check_feed(client.get(path), grammars)
        queue += [_path(h) for h in _feed_links(doc) if _path(h) not in seen]
    needed = ["/opds/recent", "/opds/fandoms", "/opds/relationships", "/opds/characters"]
    needed += ["/opds/authors", "/opds/series", "/opds/series/The%20Ferry%20Years"]
    assert set(needed) <= seen, set(needed) - seen
    assert any(p.startswith("/opds/search?fandom=") for p in seen)
    assert any(p.startswith("/opds/authors/") for p in seen)


def test_recent_pages_through_every_work_once(
    catalog: tuple[TestClient, dict[str, int]], grammars: tuple[etree.RelaxNG, etree.RelaxNG]
) -> None:
    client, ids = catalog
    path: str | None = "/opds/recent"
    titles: list[str] = []
    total = None
    while path:
        doc = _check_feed(client.get(path), grammars)
        total = int(doc.findtext("{http://a9.com/-/spec/opensearch/1.1/}totalResults") or -1)
        titles += [e.findtext(f"{A}title") or "" for e in doc.findall(f"{A}entry")]
        nexts = [x.get("href") for x in doc.findall(f"{A}link") if x.get("rel") == "next"]
        path = _path(str(nexts[0])) if nexts else None
    assert total == len(ids) == len(titles) == len(set(titles)) + 0
    assert titles[0] == f"Crossing {EXTRA - 1}"  # the newest first


def test_an_epub_through_the_feed_is_the_readers_download(
    catalog: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = catalog
    doc = etree.fromstring(client.get("/opds/search", params={"q": "lighthouse"}).content)
    (entry,) = doc.findall(f"{A}entry")
    assert entry.findtext(f"{A}title") == "Harbour of Bells"
    assert entry.findtext(f"{A}author/{A}name") == "Jane Doe"
    href = next(
        x.get("href")
        for x in entry.findall(f"{A}link")
        if x.get("rel") == "http://opds-spec.org/acquisition"
    )
    through_feed = client.get(_path(str(href)))
    assert through_feed.status_code == 200
    assert through_feed.headers["content-type"] == "application/epub+zip"
    page = client.get(f"/works/{ids['story']}").text
    assert f'href="/works/{ids["story"]}/download/epub"' in page
    direct = client.get(f"/works/{ids['story']}/download/epub")
    assert through_feed.content == direct.content and through_feed.content[:2] == b"PK"


def test_opensearch_finds_works_in_the_catalog(catalog: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = catalog
    home = client.get("/").text
    assert 'rel="start" type="application/atom+xml;profile=opds-catalog;kind=navigation"' in home
    assert 'rel="search" type="application/opensearchdescription+xml"' in home
    description = client.get("/opds/opensearch.xml")
    assert description.headers["content-type"].startswith("application/opensearchdescription+xml")
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    url = etree.fromstring(description.content).find("os:Url", ns)
    assert url is not None and url.get("type") == ACQUISITION
    template = str(url.get("template"))
    filled = template.replace("{searchTerms}", "ferry").replace("{startPage?}", "2")
    found = feedparser.parse(client.get(_path(filled)).content)
    assert found.feed["opensearch_totalresults"] == str(EXTRA)
    assert len(found.entries) == EXTRA - 25  # the second page
    query = 'ferry -fandom:"Star Trek"'
    excluded = feedparser.parse(client.get("/opds/search", params={"q": query}).content)
    assert excluded.entries == []


def test_feeds_are_cached_until_the_archive_changes(
    catalog: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = catalog
    reader = client.app.state.reader  # type: ignore[attr-defined]
    first = client.get("/opds/recent").content
    assert client.get("/opds/recent").content == first  # from memory: the same bytes
    stamp = reader.changed()
    reader.archive.edit(ids["crossing 29"], {"title": "Crossing, renamed"})
    assert reader.changed() != stamp
    assert b"Crossing, renamed" in client.get("/opds/recent").content
    reader.archive.edit(ids["crossing 29"], {"title": f"Crossing {EXTRA - 1}"})


def test_a_hostile_title_is_text_in_the_feed(catalog: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = catalog
    doc = etree.fromstring(client.get("/opds/recent?page=2").content)
    titles = [e.findtext(f"{A}title") or "" for e in doc.findall(f"{A}entry")]
    assert any(t.startswith("<script>") for t in titles)  # text, never markup
    assert doc.find(".//{http://www.w3.org/1999/xhtml}script") is None


def test_bad_catalog_requests_are_refused(catalog: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = catalog
    assert client.get("/opds/authors/Nobody%20At%20All").status_code == 404
    assert client.get("/opds/series/No%20Such%20Series").status_code == 404
    assert client.get("/opds/recent?page=0").status_code == 400
    assert client.get("/opds/recent?page=99999").status_code == 400
    assert client.get("/opds/recent?page=2&page=3").status_code == 400
    refused = client.get("/opds/search", params={"q": "x " * 300})
    assert refused.status_code == 400 and "at most 256" in refused.text
