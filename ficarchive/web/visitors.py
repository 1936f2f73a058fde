"""Who is asking: the signed-in account (if accounts are on), and the CSRF check of forms.

A signed-in visitor's session cookie (``session``: HttpOnly, SameSite=Lax, Secure over
HTTPS) names a session the archive keeps; its CSRF token goes into every form and into
the header ``X-CSRF-Token`` of the reader's own requests. A visitor who is not signed in
gets a token of their own in a cookie (``csrf``: HttpOnly, SameSite=Strict) when a page
with a form is drawn for them (sign-in), and the form must give it back (the edit form
with the write token is its own proof: see `ficarchive.web.views.edit`). Every form post
is refused (403) without the right token, and so is one whose ``Origin`` or
``Sec-Fetch-Site`` says it came from another site.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from starlette.responses import Response

from ficarchive.archive.accounts import Accounts, User
from ficarchive.web.params import BadParameter

if TYPE_CHECKING:
    from ficarchive.web.state import Reader

SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_AGE = 30 * 24 * 3600
# Whether accounts are on (an owner exists) is asked at most this often.
ACTIVE_TTL_S = 2.0


@dataclass
class Visitor:
    """One request's visitor: their account, if signed in, and their CSRF token."""

    user: User | None
    csrf: str
    new_csrf: bool  # the token was made for this request: the page sets its cookie
    accounts: bool  # accounts are on in this archive

    @property
    def can_edit(self) -> bool:
        return self.user is not None and self.user.can_edit


class AccountsOn:
    """Whether an owner exists, remembered for a moment (every page asks)."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self._known: tuple[float, bool] = (0.0, False)

    def __call__(self) -> bool:
        at, on = self._known
        if time.monotonic() - at > ACTIVE_TTL_S:
            on = self.accounts.active()
            self._known = (time.monotonic(), on)
        return on

    def forget(self) -> None:
        self._known = (0.0, False)


def visitor_of(request: Request) -> Visitor:
    """The visitor of `request`, worked out once per request."""
    found: Visitor | None = getattr(request.state, "visitor", None)
    if found is not None:
        return found
    reader: Reader = request.app.state.reader
    on = reader.accounts_on()
    session = reader.accounts.session(request.cookies.get(SESSION_COOKIE, "")) if on else None
    if session is not None:
        visitor = Visitor(session.user, session.csrf, False, on)
    else:
        given = request.cookies.get(CSRF_COOKIE, "")
        fresh = not (20 <= len(given) <= 100 and given.isascii())
        visitor = Visitor(None, secrets.token_urlsafe(32) if fresh else given, fresh, on)
    request.state.visitor = visitor
    return visitor


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_csrf_cookie(request: Request, response: Response) -> None:
    visitor = visitor_of(request)
    if visitor.new_csrf and visitor.user is None:
        response.set_cookie(
            CSRF_COOKIE,
            visitor.csrf,
            httponly=True,
            samesite="strict",
            secure=secure(request),
            path="/",
        )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_AGE,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=secure(request), path="/"
    )


def same_site(request: Request) -> bool:
    """False when the browser says the request came from another site."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":  # "null": what a browser sends under no-referrer
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() == host.lower()


def check_csrf(request: Request, given: str | None) -> None:
    """403 unless `given` is this visitor's CSRF token and the request is from this site."""
    visitor = visitor_of(request)
    good = (
        bool(given)
        and not visitor.new_csrf
        and hmac.compare_digest((given or "").encode(), visitor.csrf.encode())
    )
    if not good or not same_site(request):
        raise BadParameter(
            403,
            "This form is out of date or did not come from this reader (its CSRF token "
            "does not match): go back, reload the page and try again.",
        )


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form (the last value of each), its CSRF token checked."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise BadParameter(400, "A form is sent as application/x-www-form-urlencoded.")
    raw = await request.body()  # at most guard.MAX_BODY: a longer body is refused (413)
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    form = {k: v[-1] for k, v in fields.items()}
    check_csrf(request, form.get(CSRF_FIELD))
    return form


def require_user(request: Request) -> User:
    """The signed-in account, or 401 (a page saying how to sign in)."""
    visitor = visitor_of(request)
    if visitor.user is None:
        message = (
            "Sign in to keep bookmarks, collections and your place in each work."
            if visitor.accounts
            else "This archive has no accounts: its owner makes the first one with "
            "`ficarchive users add NAME --role owner`."
        )
        raise BadParameter(401, message)
    return visitor.user
