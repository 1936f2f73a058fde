"""The reader's outer guard: plain ASGI layers around the whole app, 500 handler included.

From the outside in:

- `SecurityHeaders` puts the Content-Security-Policy and the other safety headers on every
  response, whoever made it: a page, the API, a static file, a refusal below, an error.
- `HostCheck` answers 400 to a request whose ``Host`` is not the address it came in on (or
  a name the owner allowed): a page on another site that rebinds its own name to
  127.0.0.1 (DNS rebinding) cannot read the reader through the visitor's browser.
- `QueryCheck` answers 400 to a query string the app's check finds wrong (a parameter
  given twice), for every path, static files included.
- `BodyLimit` answers 413 to a body whose ``Content-Length`` is over the limit before the
  app sees the request, counts a body with no length (chunked) as the app reads it and
  stops at the limit, and closes the connection after any 413, so the rest of a large
  body is not read.

A refusal is rendered by the `Refuse` the app gives (an HTML page, or JSON for the API).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The edit form is the only body the reader takes; a form of every field is a few KB.
MAX_BODY = 256 * 1024

# No inline script or style, nothing from another origin (the reader's script saves progress
# to its own origin only): even if story HTML ever got
# past the sanitiser, the browser would not run it.
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        b"connect-src 'self'; "
        b"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_OURS = {name for name, _ in SECURITY_HEADERS}
CLOSE = (b"connection", b"close")
_HOST_NAME = re.compile(r"[a-z0-9._-]+")  # a DNS name or an IPv4 address, as browsers send
HOSTS_KEPT = 256  # (Host, address) answers remembered: bounded, whatever a client sends
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "127.0.0.1", "::1"})

# (request, status, heading, message) -> the response that says so.
Refuse = Callable[[Request, int, str, str], Response]


class SecurityHeaders:
    """The safety headers on every response, replacing any of the same name but a policy
    of a view's own (a download's ``sandbox``), which is kept beside the reader's: a
    browser enforces every policy it is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in _OURS or k.lower() == b"content-security-policy"
                ]
                message["headers"] = [*kept, *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


@dataclass(frozen=True)
class HostName:
    """A Host header read: the name (lower case, IPv6 without brackets) and the port."""

    name: str
    port: int | None

    @classmethod
    def parse(cls, value: str) -> HostName | None:
        """None for a value that is no host name at all.

        >>> HostName.parse("LocalHost:8000"), HostName.parse("[::1]:80")
        (HostName(name='localhost', port=8000), HostName(name='::1', port=80))
        >>> HostName.parse("a:b:c"), HostName.parse("x:99999"), HostName.parse("")
        (None, None, None)
        """
        value = value.strip().lower()
        if value.startswith("["):  # [IPv6]:port
            name, bracket, rest = value[1:].partition("]")
            if not bracket or not _is_ipv6(name) or (rest and not rest.startswith(":")):
                return None
            port_text = rest[1:] if rest else None
        else:
            name, colon, after = value.partition(":")
            port_text = after if colon else None
            if not _HOST_NAME.fullmatch(name):
                return None
        if port_text is None:
            return cls(name, None)
        if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5):
            return None
        port = int(port_text)
        return cls(name, port) if port <= 65535 else None


def _is_ipv6(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).version == 6
    except ValueError:
        return False


def _unmapped(address: str) -> str:
    """An IPv4 address as a dual-stack socket reports it (``::ffff:10.0.0.5``), as IPv4."""
    try:
        mapped = ipaddress.IPv6Address(address).ipv4_mapped
    except ValueError:
        return address
    return str(mapped) if mapped is not None else address


def _is_loopback(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AllowedHosts:
    """Which Host headers the reader answers to, besides the address a request came in on.

    ``names`` are host names the owner gave (any port), or ``name:port`` (that port only).
    """

    names: frozenset[str] = frozenset()
    with_ports: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def of(cls, given: Iterable[str]) -> AllowedHosts:
        names: set[str] = set()
        with_ports: set[tuple[str, int]] = set()
        for text in given:
            host = HostName.parse(text)
            if host is None:
                raise ValueError(f"{text!r} is not a host name (give a name, or name:port)")
            if host.port is None:
                names.add(host.name)
            else:
                with_ports.add((host.name, host.port))
        return cls(frozenset(names), frozenset(with_ports))

    def allows(self, host: HostName, server: tuple[str, int | None] | None, scheme: str) -> bool:
        """Whether a request with this Host, come in on `server` (address, port), is ours.

        >>> here = ("127.0.0.1", 8000)
        >>> hosts = AllowedHosts.of(["fics.example.org"])
        >>> [hosts.allows(HostName.parse(h), here, "http") for h in (
        ...     "127.0.0.1:8000", "localhost:8000", "evil.example:8000", "127.0.0.1:9000",
        ...     "fics.example.org", "fics.example.org:443")]
        [True, True, False, False, True, True]
        >>> hosts.allows(HostName.parse("10.0.0.5:80"), ("::ffff:10.0.0.5", 80), "http")
        True
        """
        if host.name in self.names:
            return True
        port = host.port if host.port is not None else (443 if scheme == "https" else 80)
        if (host.name, port) in self.with_ports:
            return True
        if server is None:
            return False
        address, server_port = server
        if server_port is not None and port != server_port:
            return False
        address = _unmapped(address.lower())
        if host.name == address:
            return True
        return _is_loopback(address) and host.name in LOOPBACK_NAMES


class HostCheck:
    """400 for a request whose Host is not this reader's (see the module's docstring).

    The answer for a (Host, address) pair is kept: a browser sends the same few again
    and again, and each costs a parse and an address lookup.
    """

    def __init__(self, app: ASGIApp, allowed: AllowedHosts, refuse: Refuse) -> None:
        self.app = app
        self.allowed = allowed
        self.refuse = refuse
        self._ours = functools.lru_cache(maxsize=HOSTS_KEPT)(self._decide)

    def _decide(self, given: str, server: tuple[str, int | None] | None, scheme: str) -> bool:
        host = HostName.parse(given)
        return host is not None and self.allowed.allows(host, server, scheme)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = [v.decode("latin-1") for k, v in scope["headers"] if k == b"host"]
        found = scope.get("server")  # a list, from some servers
        server = (str(found[0]), found[1]) if found else None
        if len(given) == 1 and self._ours(given[0], server, scope.get("scheme", "http")):
            await self.app(scope, receive, send)
            return
        message = (
            f"This reader answers only at {_address(server)} ({_named(given)}). "
            "To reach it by another name, start it with --allow-host NAME."
        )
        response = self.refuse(Request(scope), 400, "Wrong address", message)
        await response(scope, receive, send)


def _named(given: list[str]) -> str:
    if len(given) == 1:
        return f"the request named {given[0][:100]!r}"
    return "the request named no host" if not given else "the request named several hosts"


def _address(server: tuple[str, int | None] | None) -> str:
    if server is None:
        return "the address it listens on"
    address, port = server
    shown = f"[{address}]" if ":" in address else address
    return f"http://{shown}:{port}/" if port is not None else f"http://{shown}/"


class BodyLimit:
    """413 before the app for a declared length over the limit (400 for a length that is
    no number), 413 as soon as a body with no length passes it; any 413 closes the
    connection."""

    def __init__(self, app: ASGIApp, limit: int, refuse: Refuse) -> None:
        self.app = app
        self.limit = limit
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for value in (v for k, v in scope["headers"] if k == b"content-length"):
            shown = value[:30].decode("latin-1")
            if not value.isdigit():
                status, heading = 400, "That request is not right"
                message = f"The request's Content-Length ({shown!r}) is not a number of bytes."
            elif len(value) > 18 or int(value) > self.limit:
                status, heading = 413, "Too large"
                size = f"{int(value):,}" if len(value) <= 18 else shown
                message = (
                    f"The request's body is {size} bytes; this reader takes at most "
                    f"{self.limit:,} bytes."
                )
            else:
                continue
            response = self.refuse(Request(scope), status, heading, message)
            await response(scope, receive, _closing(send, status))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # a body of no declared length (chunked)
                    raise HTTPException(413)  # the app's handler says so, before more is read
            return message

        await self.app(scope, counted, _closing(send, 413))


def _closing(send: Send, status: int) -> Send:
    """`send`, with ``Connection: close`` added to a response of `status`: the rest of the
    body is not read (nor, after a length that is no number, could it be)."""

    async def closing(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == status:
            message["headers"] = [*message.get("headers", []), CLOSE]
        await send(message)

    return closing


class QueryCheck:
    """400 for a query string that `check` finds wrong (it says what), before the app."""

    def __init__(self, app: ASGIApp, check: Callable[[bytes], str | None], refuse: Refuse):
        self.app = app
        self.check = check
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wrong = self.check(scope.get("query_string", b"")) if scope["type"] == "http" else None
        if wrong is None:
            await self.app(scope, receive, send)
            return
        response = self.refuse(Request(scope), 400, "That address is not right", wrong)
        await response(scope, receive, send)


def guarded(
    app: ASGIApp,
    allowed: AllowedHosts,
    query_check: Callable[[bytes], str | None],
    refuse: Refuse,
) -> ASGIApp:
    """`app` inside the layers, in the order the module's docstring gives."""
    inner = QueryCheck(BodyLimit(app, MAX_BODY, refuse), query_check, refuse)
    return SecurityHeaders(HostCheck(inner, allowed, refuse))
