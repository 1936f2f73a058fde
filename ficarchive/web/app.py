"""The reader's app factory: pages, the JSON API, static files, the guard and refusals."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp

from ficarchive.archive import Archive, SQLiteArchive
from ficarchive.archive.base import ArchiveBase
from ficarchive.version import __version__
from ficarchive.web import api, refusals
from ficarchive.web.guard import AllowedHosts, guarded
from ficarchive.web.params import given_twice
from ficarchive.web.state import Reader
from ficarchive.web.views import (
    authors,
    bookmarks,
    changes,
    collections,
    download,
    edit,
    home,
    kosync,
    opds,
    prefs,
    progress,
    search,
    series,
    signin,
    work,
    wrangling,
)

STATIC = Path(__file__).parent / "static"


class ReaderApp(FastAPI):
    """FastAPI with the reader's guard (`ficarchive.web.guard`) outside its whole stack,
    so that even a 500 carries the safety headers, and with an OpenAPI document that
    names the refusals the API really gives (400 and 404, never 422)."""

    allowed_hosts = AllowedHosts()

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return guarded(stack, self.allowed_hosts, given_twice, refusals.refuse)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            refusals.document(super().openapi())
        return cast(dict[str, Any], self.openapi_schema)


def create_app(
    archive_location: str | Path | ArchiveBase | None = None,
    write_token: str | None = None,
    allow_hosts: Iterable[str] = (),
) -> FastAPI:
    """The reader for one archive (a location, or an archive already open on any backend).

    Edits through the web only with `write_token`. A request is answered only when its
    Host is the address it came in on, a loopback name on loopback, or one of
    `allow_hosts` (``name`` for any port, ``name:port``); `ValueError` for one that is
    not a host name.
    """
    archive = (
        cast(SQLiteArchive, archive_location)
        if isinstance(archive_location, ArchiveBase)
        else Archive.open(archive_location, create=False)
    )
    app = ReaderApp(
        title="ficarchive reader",
        version=__version__,
        description="Read and search a ficarchive archive. Work HTML is stored sanitised; "
        "sanitise it again before display.",
        docs_url=None,
        redoc_url=None,
    )
    app.allowed_hosts = AllowedHosts.of(allow_hosts)
    app.state.reader = Reader(archive, write_token)
    modules = (home, search, work, changes, edit, wrangling, download, prefs, api, progress)
    for module in (*modules, signin, bookmarks, collections, authors, series, opds, kosync):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    refusals.install(app)
    kosync.install(app)
    return app
