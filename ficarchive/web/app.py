"""The reader's app factory: pages, the JSON API, static files and safety headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ficarchive.archive import Archive, SQLiteArchive
from ficarchive.errors import ArchiveUnavailable, DamagedWork, FicarchiveError, WorkNotFound
from ficarchive.version import __version__
from ficarchive.web import api
from ficarchive.web.state import Reader, reader_of
from ficarchive.web.views import changes, download, edit, home, prefs, search, work

STATIC = Path(__file__).parent / "static"

# No inline script or style, nothing from another origin: even if story HTML ever got
# past the sanitiser, the browser would not run it.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """A plain ASGI middleware (cheap: no request body buffering) adding the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    archive_location: str | Path | SQLiteArchive | None = None, write_token: str | None = None
) -> FastAPI:
    """The reader for one archive; edits through the web only with `write_token`."""
    archive = (
        archive_location
        if isinstance(archive_location, SQLiteArchive)
        else Archive.open(archive_location, create=False)
    )
    app = FastAPI(
        title="ficarchive reader",
        version=__version__,
        description="Read and search a ficarchive archive. Work HTML is stored sanitised; "
        "sanitise it again before display.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.reader = Reader(archive, write_token)
    for module in (home, search, work, changes, edit, download, prefs, api):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _handle_errors(app)
    app.add_middleware(SecurityHeaders)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, heading: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return reader_of(request).page(
        request, "error.html", status_code=status, heading=heading, message=message
    )


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(WorkNotFound)
    async def not_found(request: Request, exc: WorkNotFound) -> Response:
        return _error(request, 404, "No such work", "There is no work with that number.")

    @app.exception_handler(DamagedWork)
    async def damaged(request: Request, exc: DamagedWork) -> Response:
        # the row cannot be read: the server's fault, not the reader's; the rest reads on
        return _error(request, 500, "This work is damaged", str(exc))

    @app.exception_handler(ArchiveUnavailable)
    async def unavailable(request: Request, exc: ArchiveUnavailable) -> Response:
        return _error(request, 503, "The archive is unavailable", str(exc))

    @app.exception_handler(FicarchiveError)
    async def refused(request: Request, exc: FicarchiveError) -> Response:
        return _error(request, 400, "That cannot be done", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return _error(request, 404, "Not found", str(exc.detail))
        return _error(request, exc.status_code, "Something is wrong", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        return _error(request, 422, "That address is not right", "Check the link and try again.")
