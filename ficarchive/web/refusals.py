"""Every refusal says what was wrong: a page for the reader, ``{"detail": …}`` for the API.

Statuses: 400 for a parameter the reader cannot take (named, with why) or a search past
the archive's bounds; 404 for a work or page that is not there; 405, 413 as HTTP says;
401 to sign in first, 403 for a form without its CSRF token (or an account that may not),
429 after too many failed sign-ins; 503 when the archive cannot be read; 500 for a fault
of the reader's own, with a page that carries the same headers as any other (the
traceback goes to the server's log).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ficarchive.errors import ArchiveUnavailable, DamagedWork, FicarchiveError, WorkNotFound
from ficarchive.web.guard import MAX_BODY
from ficarchive.web.params import BadParameter
from ficarchive.web.state import reader_of

HEADINGS = {
    400: "That address is not right",
    401: "Sign in first",
    403: "Not allowed",
    429: "Too many tries",
    404: "Not found",
    405: "That cannot be done here",
    413: "Too large",
    500: "Something went wrong",
    503: "The archive is unavailable",
}
NO_WORK = "There is no work with that number."


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/kosync/")) or request.url.path == "/openapi.json"


def refuse(request: Request, status: int, heading: str, message: str) -> Response:
    """The response that says `message`: JSON under /api/, else the reader's error page."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return reader_of(request).page(
        request, "error.html", status_code=status, heading=heading, message=message
    )


def _refuse(request: Request, status: int, message: str) -> Response:
    return refuse(request, status, HEADINGS.get(status, "That cannot be done"), message)


def describe(errors: Sequence[Any]) -> tuple[int, str]:
    """The status and one-line message for FastAPI's validation errors.

    A path that does not name a work is 404; a query parameter out of shape is 400.

    >>> describe([{"type": "value_error", "loc": ("query", "page"), "input": "²",
    ...            "msg": "Value error, must be written with the digits 0-9"}])
    (400, "page must be written with the digits 0-9 (given: '²').")
    >>> describe([{"type": "less_than_equal", "loc": ("path", "work_id"), "ctx": {"le": 9}}])
    (404, 'There is no work with that number.')
    """
    if any(e["loc"][0] == "path" for e in errors):
        shape = any(e["type"] == "value_error" for e in errors if e["loc"][0] == "path")
        return 404, (
            "There is no such page: a work's number is written with the digits 0-9."
            if shape
            else NO_WORK
        )
    problems = []
    for error in errors:
        name = str(error["loc"][1]) if len(error["loc"]) > 1 else "the request"
        given = error.get("input")
        shown = f" (given: {_short(given)})" if isinstance(given, str) and given else ""
        problems.append(f"{name} {_reason(error)}{shown}")
    return 400, "; ".join(problems) + "."


def _short(text: str, most: int = 40) -> str:
    return repr(text) if len(text) <= most else repr(text[:most]) + "…"


def _reason(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    match error["type"]:
        case "value_error":
            return str(error.get("msg", "")).removeprefix("Value error, ")
        case "less_than_equal":
            return f"must be at most {ctx['le']:,}"
        case "greater_than_equal":
            return f"must be at least {ctx['ge']:,}"
        case "literal_error":
            return f"must be one of {ctx['expected']}"
        case "too_long":
            return f"may be given at most {ctx['max_length']} times"
        case "string_too_long":
            return f"is too long (at most {ctx['max_length']:,} characters)"
        case "missing":
            return "is required"
        case kind if kind.startswith("int_"):
            return "must be a whole number"
    return str(error.get("msg", "is not right")).lower()


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a page that says why."""

    @app.exception_handler(WorkNotFound)
    async def not_found(request: Request, exc: WorkNotFound) -> Response:
        return _refuse(request, 404, NO_WORK)

    @app.exception_handler(DamagedWork)
    async def damaged(request: Request, exc: DamagedWork) -> Response:
        # the row cannot be read: the server's fault, not the reader's; the rest reads on
        return refuse(request, 500, "This work is damaged", str(exc))

    @app.exception_handler(ArchiveUnavailable)
    async def unavailable(request: Request, exc: ArchiveUnavailable) -> Response:
        return _refuse(request, 503, str(exc))

    @app.exception_handler(FicarchiveError)
    async def refused(request: Request, exc: FicarchiveError) -> Response:
        return refuse(request, 400, "That cannot be done", str(exc))

    @app.exception_handler(BadParameter)
    async def bad_parameter(request: Request, exc: BadParameter) -> Response:
        response = _refuse(request, exc.status, exc.message)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _refuse(request, *describe(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _refuse(request, exc.status_code, _http_message(request, exc))
        response.headers.update(exc.headers or {})  # 405 says which methods are allowed
        return response

    @app.exception_handler(Exception)
    async def fault(request: Request, exc: Exception) -> Response:
        message = "The reader failed on this request (the server's log says why). Try again."
        return _refuse(request, 500, message)


def _http_message(request: Request, exc: StarletteHTTPException) -> str:
    if exc.status_code == 404:
        return "There is no page at this address." if exc.detail == "Not Found" else exc.detail
    if exc.status_code == 405:
        return f"This address does not take a {request.method[:20]!r} request."
    if exc.status_code == 413:
        return f"The request's body is over the limit of {MAX_BODY:,} bytes."
    return str(exc.detail)


REFUSAL_SCHEMA = {
    "title": "Refusal",
    "type": "object",
    "properties": {"detail": {"type": "string", "title": "What was wrong"}},
    "required": ["detail"],
}


def document(spec: dict[str, Any]) -> None:
    """Make FastAPI's OpenAPI document say what the API answers: 400 (a parameter it
    cannot take, named in ``detail``) where FastAPI writes 422, and 404 for a work id."""
    refusal = {"application/json": {"schema": {"$ref": "#/components/schemas/Refusal"}}}
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if responses.pop("422", None) is not None:
                responses["400"] = {
                    "description": "A parameter that cannot be taken: detail says which",
                    "content": refusal,
                }
            if "{work_id}" in path:
                responses.setdefault("404", {})
                responses["404"].update(description="No work with that number", content=refusal)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Refusal"] = REFUSAL_SCHEMA
