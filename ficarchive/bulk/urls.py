"""Captured URLs as the paths they would have in a mirror folder, and links between them.

A page captured from ``http://host/x/story.html`` is the file ``x/story.html`` of the
site's mirror, as ``wget --mirror`` saves it: the path unquoted (``a%20b.txt`` is
``a b.txt``), a folder's address as its ``index.html``, a query kept after ``?``
(``viewstory.php?sid=3&chapter=2``). A web archive of several sites keeps each under
its host (``host/x/story.html``). Captures through the Wayback Machine
(``https://web.archive.org/web/20030412000000/http://host/x.html``) are the page they
capture, at the time in their address. So a WARC is read by the same planning and
joining as the folder a mirroring tool would have written from the same crawl.

`mirror_links` does to a page's links what ``wget --convert-links`` does: a link to a
captured page of the same site, written absolute or through the Wayback Machine, is
made relative to the page, so the planning pass finds it as it would in the mirror.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urljoin, urlsplit

from ficarchive.rescue.decoding.wayback import original_url

_SCHEMES = ("http", "https", "ftp", "file")
_HREF = re.compile(
    rb"""(?P<lead>\b(?:href|src|background|action)\s*=\s*)(?P<quote>["']?)"""
    rb"""(?P<url>(?:https?:|ftp:)?//[^"'\s>]+|/web/\d{1,14}[^"'\s>]*)(?P=quote)""",
    re.I,
)


@dataclass(frozen=True)
class Place:
    """Where a captured URL lives: its site, its path in that site's mirror, and (for a
    capture through the Wayback Machine) the original address and capture time."""

    host: str
    path: str
    url: str  # the page's own address (the original one, for a Wayback capture)
    wayback_time: str | None = None  # ISO 8601, when the address says


def place(url: str) -> Place | None:
    """Where the page captured from `url` goes (None: not a page of a site: ``dns:``,
    ``urn:``, ``mailto:`` records and the like).

    >>> found = place("http://Tenchi.example:80/x/a%20b.txt#top")
    >>> found.host, found.path, found.url
    ('tenchi.example', 'x/a b.txt', 'http://Tenchi.example:80/x/a%20b.txt')
    >>> place("http://t.example/s/viewstory.php?sid=3&chapter=2").path
    's/viewstory.php?sid=3&chapter=2'
    >>> place("https://web.archive.org/web/20030412000000/http://t.example/").path
    'index.html'
    """
    through = original_url(urlsplit(url).path + _query(url)) if "/web/" in url else None
    if through is not None and urlsplit(url).netloc.lower().endswith("archive.org"):
        url_, when = through
        found = place(url_)
        return Place(found.host, found.path, found.url, when) if found else None
    parts = urlsplit(url.split("#", 1)[0])
    if parts.scheme.lower() not in _SCHEMES or (not parts.netloc and parts.scheme != "file"):
        return None
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = posixpath.normpath("/" + unquote(parts.path)).lstrip("/") if parts.path else ""
    if not path or parts.path.endswith("/"):
        path = posixpath.join(path, "index.html")
    if parts.query:
        path += "?" + unquote(parts.query)
    return Place(host, path, url.split("#", 1)[0])


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def key_of(found: Place, single_host: bool) -> str:
    """The mirror key of a place: its path, under its host when the archive holds several."""
    return found.path if single_host else f"{found.host}/{found.path}"


def relative_href(target: str, page: str) -> str:
    """The link from the mirror file `page` to the mirror file `target`.

    >>> relative_href("x/b.txt", "x/list.html"), relative_href("b.txt", "x/a.html")
    ('b.txt', '../b.txt')
    """
    folder = posixpath.dirname(page)
    return posixpath.relpath(target, folder or ".") if folder else target


def mirror_links(
    head: bytes, page_url: str, page_key: str, key_for: Callable[[str], str | None]
) -> bytes:
    """`head` (a page's bytes) with each absolute or Wayback link to a captured page made
    relative to the page's mirror key; `key_for(url)` gives a URL's key, None when the
    archive did not capture it (the link is left as it is)."""

    def convert(found: re.Match[bytes]) -> bytes:
        raw = found["url"].decode("latin-1")
        target = key_for(urljoin(page_url, raw.replace("&amp;", "&")))
        if target is None:
            return found[0]
        href = quote(relative_href(target, page_key), safe="/?=&;:@!$'()*+,~")
        mark = found["quote"] or b'"'
        return found["lead"] + mark + href.encode("ascii") + mark

    return _HREF.sub(convert, head)
