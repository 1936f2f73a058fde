"""Several captures of one page, revisits and redirects, in a WARC written by warcio.

A site captured three times over the years, as crawls of dead sites are: the story
whole in 2003, a "site closed" notice under the same URL in 2005, and a 404 page saved
with status 200 in 2006; a revisit record (the same bytes again) in 2004; a page moved
with a 301 that a listing still links by its old address.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ficarchive.bulk import bulk_rescue, read_report, read_works

STORY = b"""Title: The Long Road Home
Author: Kit Marlowe

The road was long and the night was cold, and she walked it anyway. "You'll never make
it," the innkeeper had said, and she had smiled at him and gone out into the snow.

She walked until the stars came out, and then she walked by their light. When the
lamps of the town showed at last below the hill, she sat on a stone and laughed.

The End
"""
CLOSED = b"<html><head><title>Closed</title></head><body>This site has closed.</body></html>"
NOT_FOUND = (
    b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>"
    b"<p>The requested URL was not found on this server.</p></body></html>"
)
LISTING = b"""<html><head><title>Stories</title></head><body>
<p><b>Kit Marlowe</b> (<a href="mailto:kit@example.com">kit@example.com</a>)</p>
<ul><li><a href="http://old.example/road.txt">The Long Road Home</a>
<li><a href="/moved.html">The Lighthouse</a> (moved)
<li><a href="http://old.example/again.txt">Again</a></ul></body></html>"""
LIGHTHOUSE = b"""<html><head><title>The Lighthouse</title></head><body>
<h2>The Lighthouse</h2><p>by Kit Marlowe</p>
<p>The lamp had burned for forty years. Every night she climbed the ladder to trim it,
and every night the sea came in below her, grey and patient.</p>
<p>"One of these nights you'll fall," her brother said. She laughed and went up anyway.</p>
</body></html>"""


def _response(writer: WARCWriter, url: str, date: str, body: bytes, status: str = "200 OK",
              headers: list[tuple[str, str]] | None = None) -> Any:  # fmt: skip
    http = StatusAndHeaders(
        status, headers or [("Content-Type", "text/plain")], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )  # fmt: skip
    writer.write_record(record)
    return record


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("captures")
    warc = root / "old-site.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        html = [("Content-Type", "text/html")]
        _response(
            writer, "http://old.example/index.html", "2003-04-12T09:30:00Z", LISTING, headers=html
        )
        first = _response(writer, "http://old.example/road.txt", "2003-04-12T09:31:00Z", STORY)
        digest = first.rec_headers.get_header("WARC-Payload-Digest")
        plain = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.1")
        revisit = writer.create_revisit_record(
            "http://old.example/road.txt", digest, "http://old.example/road.txt",
            "2003-04-12T09:31:00Z", http_headers=plain,
        )  # fmt: skip
        revisit.rec_headers.replace_header("WARC-Date", "2004-01-01T00:00:00Z")
        writer.write_record(revisit)
        _response(
            writer, "http://old.example/road.txt", "2005-06-01T00:00:00Z", CLOSED, headers=html
        )
        _response(
            writer, "http://old.example/road.txt", "2006-02-01T00:00:00Z", NOT_FOUND, headers=html
        )
        moved = [("Location", "/lighthouse.html")]
        _response(writer, "http://old.example/moved.html", "2003-04-12T09:32:00Z", b"",
                  "301 Moved Permanently", moved)  # fmt: skip
        _response(
            writer,
            "http://old.example/lighthouse.html",
            "2003-04-12T09:33:00Z",
            LIGHTHOUSE,
            headers=html,
        )
        again = _response(
            writer,
            "http://old.example/again.txt",
            "2003-04-12T09:34:00Z",
            STORY.replace(b"Long Road", b"Other Road"),
        )
        gone = writer.create_revisit_record(
            "http://old.example/lost.txt", "sha1:" + "A" * 32, "http://old.example/lost.txt",
            "2001-01-01T00:00:00Z", http_headers=plain,
        )  # fmt: skip
        writer.write_record(gone)
        assert again is not None
    out = root / "out"
    bulk_rescue(str(warc), str(out), jobs=1)
    works = {r["key"]: r for r in read_works(str(out)).to_pylist()}
    return {"works": works, "report": read_report(str(out)).to_pylist(), "root": root}


def test_the_most_complete_capture_is_rescued_not_the_newest(crawl: dict[str, Any]) -> None:
    road = crawl["works"]["road.txt"]
    assert road["title"] == "The Long Road Home"
    source = json.loads(road["work_json"])["source"]
    assert (
        source["captured"] == "2003-04-12T09:31:00Z" or source["captured"] == "2004-01-01T00:00:00Z"
    )
    assert source["url"] == "http://old.example/road.txt"
    (choice,) = [r for r in crawl["report"] if r["kind"] == "capture"]
    assert choice["file"] == "road.txt"
    assert "4 captures" in choice["reason"]
    assert "2006-02-01T00:00:00Z: an error page (“404 Not Found”)" in choice["reason"]
    assert "2005-06-01T00:00:00Z: 28 characters" in choice["reason"]


def test_every_capture_s_bytes_are_kept(crawl: dict[str, Any]) -> None:
    road = crawl["works"]["road.txt"]
    kept = dict(zip(road["files"], road["originals"], strict=True))
    assert kept["road.txt"] == STORY
    assert kept["captures/20050601000000/road.txt"] == CLOSED
    assert kept["captures/20060201000000/road.txt"] == NOT_FOUND
    notes = [d for d in json.loads(road["work_json"])["diagnostics"] if d["kind"] == "capture"]
    assert len(notes) == 3


def test_a_redirect_stands_for_its_target(crawl: dict[str, Any]) -> None:
    assert "lighthouse.html" in crawl["works"]
    assert "moved.html" not in crawl["works"]
    (moved,) = [r for r in crawl["report"] if r["file"] == "moved.html"]
    assert moved["kind"] == "skipped" and "a redirect to lighthouse.html" in moved["reason"]
    lighthouse = json.loads(crawl["works"]["lighthouse.html"]["work_json"])
    # the listing names it by its old address: the link reaches it through the redirect
    assert lighthouse["title"] == "The Lighthouse"


def test_a_revisit_of_a_capture_not_in_the_files_is_reported(crawl: dict[str, Any]) -> None:
    (lost,) = [r for r in crawl["report"] if r["file"] == "lost.txt"]
    assert lost["kind"] == "failed" and "a revisit of a capture" in lost["reason"]


def test_the_listing_s_absolute_links_find_the_pages(crawl: dict[str, Any]) -> None:
    """Links written ``http://old.example/…`` are read as the mirror's relative links."""
    (listing,) = [r for r in crawl["report"] if r["file"] == "index.html"]
    assert listing["kind"] == "site-page"
    again = json.loads(crawl["works"]["again.txt"]["work_json"])
    assert again["title"] == "The Other Road Home"
    assert [p for p in Path(crawl["root"]).rglob("captures.sqlite")]
