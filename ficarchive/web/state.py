"""What every view shares: the archive, the compiled templates and the rendered-work cache."""

from __future__ import annotations

import hmac
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ficarchive.archive import SQLiteArchive
from ficarchive.archive.accounts import Accounts
from ficarchive.archive.people import People
from ficarchive.archive.reading import Reading
from ficarchive.errors import ArchiveUnavailable, WorkNotFound
from ficarchive.version import __version__
from ficarchive.web.formats import FORMATS
from ficarchive.web.links import author_url, series_url
from ficarchive.web.params import WORK_TAG_FIELDS
from ficarchive.web.prefs import SIZE_LABELS, THEMES, Prefs, pref_url
from ficarchive.web.sanitise import snippet_html, story_html
from ficarchive.web.visitors import AccountsOn, set_csrf_cookie, visitor_of

# Rendered work bodies kept in memory; a long novel is ~1 MB of HTML, most works far less.
CACHE_WORKS = 256


@dataclass(frozen=True)
class RenderedWork:
    """A work's page content, rendered once per (id, updated_at)."""

    title: str
    language: str
    html: Markup


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Cache(Generic[K, V]):
    """A small LRU, safe across the server's threads."""

    def __init__(self, size: int = CACHE_WORKS) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


# Rendered work bodies, by (id, updated_at).
WorkCache = Cache[tuple[int, str], RenderedWork]


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    media_type: str


# Rendered OPDS feeds, by (address with its query, the archive's change stamp).
FeedCache = Cache[tuple[str, str], RenderedFeed]


def make_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("ficarchive.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["story"] = story_html
    env.filters["snippet"] = snippet_html
    env.globals.update(
        version=__version__,
        formats=FORMATS,
        themes=THEMES,
        size_labels=SIZE_LABELS,
        pref_url=pref_url,
        list_fields=WORK_TAG_FIELDS,
        author_url=author_url,
        series_url=series_url,
    )
    return env


class Reader:
    """The reader's shared state, one per app."""

    def __init__(self, archive: SQLiteArchive, write_token: str | None = None) -> None:
        self.archive = archive
        self.write_token = write_token or None
        self.env = make_environment()
        self.cache = WorkCache()
        self.feeds = FeedCache()
        self.accounts = Accounts(archive)
        self.reading = Reading(archive)
        self.people = People(archive)
        self.accounts_on = AccountsOn(self.accounts)

    @property
    def writable(self) -> bool:
        return self.write_token is not None

    def token_ok(self, given: str | None) -> bool:
        if self.write_token is None or not given:
            return False
        return hmac.compare_digest(given.encode(), self.write_token.encode())

    def stamp(self, work_id: int) -> str | None:
        """When the work last changed (None: no such work), read without parsing it."""
        if type(self.archive) is not SQLiteArchive:  # another backend: its own get()
            try:
                return self.archive.get(work_id).updated_at
            except WorkNotFound:
                return None
        try:
            row = self.archive.conn.execute(
                "SELECT updated_at FROM works WHERE id = ?", (work_id,)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise ArchiveUnavailable(
                f"archive {self.archive.location} cannot be read ({exc})"
            ) from None
        return None if row is None else str(row[0])

    def page(
        self, request: Request, template: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        prefs = Prefs.from_cookies(request.cookies)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        visitor = visitor_of(request)
        html = self.env.get_template(template).render(
            prefs=prefs,
            here=here,
            writable=self.writable or visitor.can_edit,
            visitor=visitor,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        set_csrf_cookie(request, response)
        return response

    def changed(self) -> str:
        """A stamp that changes whenever a work is added, edited or removed (or its tags
        change): what cached feeds are keyed by."""
        return self.people.changes()


def reader_of(request: Request) -> Reader:
    reader: Reader = request.app.state.reader
    return reader
