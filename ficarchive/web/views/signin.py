"""Signing in and out, when the archive has accounts (an owner exists).

Sign-in is limited: after `FAILURES_PER_NAME` wrong passwords for one name, or
`FAILURES_PER_ADDRESS` from one address, within `FAILURE_WINDOW_S`, further tries are
refused (429, with ``Retry-After``) until the oldest failure has left the window. An
unknown name takes as long to refuse as a wrong password and gets the same answer.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ficarchive.archive.accounts import (
    FAILURE_WINDOW_S,
    FAILURES_PER_ADDRESS,
    FAILURES_PER_NAME,
    name_key,
)
from ficarchive.web.params import BadParameter
from ficarchive.web.prefs import safe_back
from ficarchive.web.state import reader_of
from ficarchive.web.visitors import (
    SESSION_COOKIE,
    clear_session_cookie,
    read_form,
    set_session_cookie,
    visitor_of,
)

router = APIRouter(include_in_schema=False)


def _form(
    request: Request, back: str, status: int = 200, message: str = "", name: str = ""
) -> HTMLResponse:
    reader = reader_of(request)
    return reader.page(
        request,
        "signin.html",
        status_code=status,
        back=safe_back(back),
        message=message,
        name=name,
        accounts=visitor_of(request).accounts,
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, back: str = Query("/", max_length=2000)) -> HTMLResponse:
    return _form(request, back)


def _limited(request: Request, name: str) -> None:
    accounts = reader_of(request).accounts
    address = request.client.host if request.client else "unknown"
    for key, most in ((f"name:{name_key(name)}", FAILURES_PER_NAME),
                      (f"address:{address}", FAILURES_PER_ADDRESS)):  # fmt: skip
        if accounts.failures(key) >= most:
            wait = accounts.retry_after(key)
            raise BadParameter(
                429,
                f"Too many wrong passwords in the last {FAILURE_WINDOW_S // 60} minutes: "
                f"try again in {max(1, wait // 60)} minute{'s' if wait > 60 else ''}.",
                {"Retry-After": str(wait)},
            )


@router.post("/signin")
async def signin(request: Request) -> Response:
    form = await read_form(request)
    reader = reader_of(request)
    back = safe_back(form.get("back"))
    if not visitor_of(request).accounts:
        return _form(request, back, 404, "This archive has no accounts.")
    name, password = form.get("name", "").strip(), form.get("password", "")
    if not name or not password:
        return _form(request, back, 400, "Give your name and your password.", name)
    _limited(request, name)
    user = await run_in_threadpool(reader.accounts.verify, name, password)
    if user is None:
        address = request.client.host if request.client else "unknown"
        reader.accounts.note_failure(f"name:{name_key(name)}", f"address:{address}")
        return _form(request, back, 401, "That name and password do not match.", name)
    token, _ = reader.accounts.start_session(user)
    response = RedirectResponse(back, status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        reader_of(request).accounts.end_session(token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(request, response)
    return response
