"""Pages saved from the Wayback Machine, back to the page that was captured: text -> text.

A page replayed by the Internet Archive's Wayback Machine (and saved by a browser, or
crawled from it) carries what the Archive adds around the captured page:

- its replay scripts and stylesheets at the top of the head (``bundle-playback.js``,
  ``wombat.js``, ``__wm.init(…)``, ``banner-styles.css``…, up to ``<!-- End Wayback
  Rewrite JS Include -->``), or at the end of older replays (``sWayBackCGI``);
- the toolbar, between ``<!-- BEGIN WAYBACK TOOLBAR INSERT -->`` and ``<!-- END WAYBACK
  TOOLBAR INSERT -->`` (its calendar, "About this capture", "COLLECTED BY"…);
- the closing comments (``FILE ARCHIVED ON … AND RETRIEVED FROM THE INTERNET ARCHIVE``,
  ``playback timings (ms)``), and a browser's ``<!-- saved from url=(…)… -->``;
- every link rewritten to go through the Archive: ``/web/20030412000000/http://…``,
  ``https://web.archive.org/web/20030412000000im_/http://…``.

`unwrap` takes each of these out (each removal a ``wayback`` diagnostic; links are a
``wayback link`` repair per rewritten prefix, counted) and reads the captured page's
address and capture time from the replay (``__wm.wombat("URL", "TIMESTAMP", …)``, the
saved-from comment, the archived-on comment), for the Work's source. Links go back to
what they were relative to the page (``ch2.html``) where they point beside it or below
it, else to the original absolute address. A page with none of these marks (an ``id_``
raw capture is the page as it was served) is returned as it is, so it rescues to the
same Work as the captured page itself.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypedDict
from urllib.parse import urlsplit

from ficarchive.rescue.decoding.decode import Decoded
from ficarchive.rescue.log import RescueLog

# Characters of a removed block's visible text kept in its diagnostic (the toolbar's
# calendar and "About this capture" text run to a few thousand).
NOTE_CHARS = 300

_MARKS = re.compile(
    r"BEGIN WAYBACK TOOLBAR INSERT|Wayback Rewrite JS Include|__wm\.(?:init|wombat)\("
    r"|JAVASCRIPT APPENDED BY WAYBACK MACHINE|sWayBackCGI"
    r"|saved from url=\(\d+\)https?://(?:web|wayback)\.archive\.org/web/",
    re.I,
)
_TOOLBAR = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->\s?",
    re.I | re.S,
)
# The Archive's own scripts and stylesheets, by what they load or run.
_ARCHIVE_ASSET = (
    r"(?:/_static/|web-static\.archive\.org|archive\.org/includes/"
    r"|(?:^|/)(?:bundle-playback|playback\.bundle|wombat|wbhack|athena|ruffle|bundle-video"
    r"|video-embed-rewriter|jwplayer|banner-styles|iconochive)[.\w-]*\.(?:js|css)\b)"
)
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>\s?", re.I | re.S)
_LINK = re.compile(r"<link\b(?P<attrs>[^>]*)>\s?", re.I)
_SRC = re.compile(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.I)
_ARCHIVE_CODE = re.compile(
    r"__wm\.|archive_analytics|_wmVideos_|__wbhack|WB_wombat|RufflePlayer|sWayBackCGI", re.I
)
_INCLUDE_MARK = re.compile(r"<!--\s*(?:Start|End) Wayback Rewrite JS Include\s*-->\s?", re.I)
_COMMENTS = re.compile(
    r"<!--(?:(?!-->).)*?(?:FILE ARCHIVED ON|playback timings \(ms\)|SOME LINK HREF'S ON THIS PAGE"
    r"|saved from url=\(\d+\)https?://(?:web|wayback)\.archive\.org/)(?:(?!-->).)*-->\s?",
    re.I | re.S,
)
_WOMBAT = re.compile(r"""__wm\.wombat\(\s*["']([^"']+)["']\s*,\s*["'](\d{4,14})["']""")
_SAVED_FROM = re.compile(
    r"saved from url=\(\d+\)https?://(?:web|wayback)\.archive\.org/web/(\d{4,14})[a-z]{0,2}_?/"
    r"([^\s>]+?)\s*-->",
    re.I,
)
_CGI = re.compile(r"""sWayBackCGI\s*=\s*["']https?://[^"']*?/web/(\d{4,14})""", re.I)
_ARCHIVED_ON = re.compile(
    r"FILE ARCHIVED ON (?:(\d{14})|(\d{1,2}:\d{2}:\d{2} [A-Z][a-z]{2} \d{1,2}, \d{4}))", re.I
)
# A link through the Archive: its prefix (host optional), the timestamp and the original.
_REWRITTEN = re.compile(
    r"(?P<prefix>(?:(?:https?:)?//(?:web|wayback)\.archive\.org)?/web/(?P<ts>\d{1,14})"
    r"(?:[a-z]{2}_)?/)(?P<url>(?:https?:/?/|//)?[^\s\"'<>()]+)",
    re.I,
)
_ATTR_URL = re.compile(
    r"""(?P<lead>\b(?:href|src|action|background|data|poster|longdesc|usemap)\s*=\s*["']?"""
    r"""|url\(\s*["']?)(?P<value>(?:(?:https?:)?//(?:web|wayback)\.archive\.org)?/web/\d{1,14}"""
    r"""(?:[a-z]{2}_)?/[^\s"'<>()]+)""",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")


class CaptureFields(TypedDict, total=False):
    """The `ficarchive.work.Source` fields a Wayback page gives."""

    url: str
    captured: str


@dataclass(frozen=True)
class Unwrapped:
    """A page without what the Wayback Machine added, and what it said of the capture."""

    text: str
    url: str | None = None
    captured: str | None = None  # ISO 8601, UTC

    @property
    def fields(self) -> CaptureFields:
        found = CaptureFields()
        if self.url:
            found["url"] = self.url
        if self.captured:
            found["captured"] = self.captured
        return found


def is_wayback(text: str) -> bool:
    """Whether a page carries the Wayback Machine's replay marks.

    >>> is_wayback('<script>__wm.init("https://web.archive.org/web");</script>')
    True
    >>> is_wayback('<a href="/web/20030412000000/http://a.com/">an old link</a>')
    False
    """
    return _MARKS.search(text) is not None


def iso_time(stamp: str) -> str | None:
    """A Wayback timestamp (``YYYYMMDDhhmmss``, or a prefix of it) as ISO 8601 in UTC.

    >>> iso_time("20030412153000"), iso_time("2003"), iso_time("20031399000000")
    ('2003-04-12T15:30:00Z', '2003-01-01T00:00:00Z', None)
    """
    digits = (stamp + "0101000000"[max(len(stamp) - 4, 0) :])[:14] if len(stamp) >= 4 else ""
    try:
        when = datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def original_url(url: str) -> tuple[str, str | None] | None:
    """(original URL, ISO capture time) of an address through the Wayback Machine, or None.

    >>> original_url("https://web.archive.org/web/20030412000000im_/http://a.com/x.gif")
    ('http://a.com/x.gif', '2003-04-12T00:00:00Z')
    >>> original_url("/web/2003/a.com/") is None, original_url("http://a.com/web/1/") is None
    (False, True)
    """
    found = _REWRITTEN.match(url)
    if found is None:
        return None
    return _absolute(found["url"]), iso_time(found["ts"])


def _absolute(url: str) -> str:
    """``http:/a.com`` (a slash lost on the way) and ``a.com/x`` as full addresses."""
    if url.startswith("//"):
        return "http:" + url
    fixed = re.sub(r"^(https?):/(?!/)", r"\1://", url, flags=re.I)
    return fixed if re.match(r"^https?://", fixed, re.I) else "http://" + fixed


def relative_to(target: str, page: str | None) -> str:
    """`target` as the page `page` would link it: relative beside or below the page's
    folder on the same site, else `target` itself.

    >>> relative_to("http://a.com/fic/ch2.html", "http://a.com/fic/ch1.html")
    'ch2.html'
    >>> relative_to("http://a.com/img/x.gif", "http://a.com/fic/ch1.html")
    'http://a.com/img/x.gif'
    """
    if page is None:
        return target
    there, here = urlsplit(target), urlsplit(page)
    if (there.scheme, there.netloc.lower()) != (here.scheme, here.netloc.lower()):
        return target
    folder = posixpath.dirname(here.path) + "/"
    if not there.path.startswith(folder) or there.path == folder:
        return target
    rest = there.path[len(folder) :]
    query = f"?{there.query}" if there.query else ""
    fragment = f"#{there.fragment}" if there.fragment else ""
    return rest + query + fragment


def _visible(fragment: str) -> str:
    without = _SCRIPT.sub(" ", re.sub(r"<style\b.*?</style\s*>", " ", fragment, flags=re.I | re.S))
    words = " ".join(_TAG.sub(" ", without).split())
    return words if len(words) <= NOTE_CHARS else words[: NOTE_CHARS - 1] + "…"


def _capture(text: str) -> tuple[str | None, str | None]:
    """The captured page's address and ISO capture time, as the replay gives them."""
    url = stamp = None
    wombat = _WOMBAT.search(text)
    if wombat:
        url, stamp = wombat[1], iso_time(wombat[2])
    saved = _SAVED_FROM.search(text)
    if saved:
        url = url or _absolute(saved[2])
        stamp = stamp or iso_time(saved[1])
    cgi = _CGI.search(text)
    if cgi and not stamp:
        stamp = iso_time(cgi[1])
    archived = _ARCHIVED_ON.search(text)
    if archived and not stamp:
        stamp = iso_time(archived[1]) if archived[1] else _long_date(archived[2])
    return url, stamp


def _long_date(said: str) -> str | None:
    try:
        return datetime.strptime(said, "%H:%M:%S %b %d, %Y").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def _is_archive_script(attrs: str, body: str) -> bool:
    src = _SRC.search(attrs)
    if src:
        return re.search(_ARCHIVE_ASSET, src[1], re.I) is not None
    return _ARCHIVE_CODE.search(body) is not None


def _remove_assets(text: str, log: RescueLog) -> str:
    removed: list[str] = []

    def script(found: re.Match[str]) -> str:
        if not _is_archive_script(found["attrs"], found["body"]):
            return found[0]
        src = _SRC.search(found["attrs"])
        removed.append(src[1] if src else "inline: " + " ".join(found["body"].split())[:60])
        return ""

    def link(found: re.Match[str]) -> str:
        href = _SRC.search(found["attrs"])
        if href is None or re.search(_ARCHIVE_ASSET, href[1], re.I) is None:
            return found[0]
        removed.append(href[1])
        return ""

    text = _LINK.sub(link, _SCRIPT.sub(script, text))
    text, marks = _INCLUDE_MARK.subn("", text)
    if removed or marks:
        log.note(
            "wayback",
            f"the scripts and stylesheets the Wayback Machine adds to replay a page were "
            f"removed ({len(removed)})",
            "\n".join(removed) or None,
        )
    return text


def _remove_comments(text: str, log: RescueLog) -> str:
    for found in reversed(list(_COMMENTS.finditer(text))):
        said = " ".join(found[0].removeprefix("<!--").strip().removesuffix("-->").split())
        log.note("wayback", "a comment the Wayback Machine (or the browser saving it) added "
                 "was removed", said[:NOTE_CHARS])  # fmt: skip
        text = text[: found.start()] + text[found.end() :]
    return text


def _unrewrite_links(text: str, page: str | None, log: RescueLog) -> str:
    prefixes: dict[str, int] = {}

    def back(found: re.Match[str]) -> str:
        rewritten = _REWRITTEN.match(found["value"])
        if rewritten is None:
            return found[0]
        prefixes[rewritten["prefix"]] = prefixes.get(rewritten["prefix"], 0) + 1
        return found["lead"] + relative_to(_absolute(rewritten["url"]), page)

    text = _ATTR_URL.sub(back, text)
    for prefix, count in prefixes.items():
        log.repair("wayback link", prefix, "", count)
    return text


def unwrap_text(text: str, log: RescueLog) -> Unwrapped:
    """`text` without the Wayback Machine's additions, each recorded in `log`."""
    if not is_wayback(text):
        return Unwrapped(text)
    url, captured = _capture(text)
    for found in reversed(list(_TOOLBAR.finditer(text))):
        log.note("wayback", "the Wayback Machine's toolbar was removed", _visible(found[0]))
        text = text[: found.start()] + text[found.end() :]
    text = _remove_assets(text, log)
    text = _remove_comments(text, log)
    text = _unrewrite_links(text, url, log)
    where = f" of {url}" if url else ""
    when = f" captured {captured}" if captured else ""
    log.note("wayback", f"a page saved from the Wayback Machine: the capture{where}{when}", url)
    return Unwrapped(text, url, captured)


def unwrap(decoded: Decoded, log: RescueLog) -> tuple[Decoded, CaptureFields]:
    """The pipeline's step: a decoded page without the Wayback Machine's additions, and
    the `Source` fields of the capture (none for any other page)."""
    page = unwrap_text(decoded.text, log)
    if page.text is decoded.text:
        return decoded, page.fields
    return replace(decoded, text=page.text), page.fields
