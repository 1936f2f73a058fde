"""What one HTML page of a mirror says about other files: its links, in order, each with
its label and the author the page names beside it; its title; whether it is an error page.

The planning pass reads this from every page (`read_links`) and keeps it in the plan's
``links`` table; `site.py` then reads the site's structure from all of them together
(which pages list stories, which page is one story's list of chapters). Nothing here
knows one site's markup: it reads what old archive pages share —

- a link's label is its text; a link whose label or target is an e-mail address is a
  contact, not a story;
- an entry's author is named ``by NAME`` after its link, or above a run of entries as a
  name set apart (``<b>``, ``<strong>``, a heading) and followed by an e-mail link, or in
  a line ``By NAME`` / ``Stories by NAME``, the way listings by author are laid out;
- an error page (a 404 saved in place of the page, a mirroring tool's "not in archive")
  has a title or first heading saying so, and little else.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

# An error page says so in its title or first heading and has at most this much visible
# text (Apache's and IIS's pages are a few hundred characters; a mirroring tool's, with
# its explanations, under two thousand).
ERROR_PAGE_CHARS = 3000
# Characters between an author's name and the e-mail link that follows it (a space and
# a parenthesis, or a line break and some tags).
NAME_TO_EMAIL = 80
# An author's name names the entries of the list that opens within this many characters
# after it, up to that list's end; with no list there, those up to the next name.
NAME_TO_LIST = 400

_ANCHOR = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']?([^\"'\s>]+)[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_HIDDEN = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_HEADING = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]\s*>", re.I | re.S)
_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body|title|frameset)\b", re.I)
_SKIP_LINK = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#|//)", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_ERROR = re.compile(
    r"\b(?:40[034]|410|50[03])\b|\bnot\s+found\b|\bforbidden\b|\bno\s+such\s+(?:file|page)\b"
    r"|\bnot\s+(?:in\s+(?:the\s+)?archive|archived|available)\b"
    r"|\bpage\s+(?:cannot|could\s+not|can't)\s+be\s+(?:found|displayed)\b",
    re.I,
)
# A name set apart and followed by an e-mail link: ``<b>Abrelle</b> (<a href="mailto:``.
_NAMED = re.compile(
    r"<(?P<tag>b|strong|h[1-6]|big)\b[^>]*>\s*(?:<[^>]+>\s*)*(?P<name>[^<>]{2,80}?)\s*"
    r"(?:<[^>]+>\s*)*</(?P=tag)\s*>",
    re.I,
)
_BY_LINE = re.compile(
    r"(?:^|[>\n])\s*(?i:by|written\s+by|author\s*:)[\s:]+(?P<name>[A-Z][^<>\n(]{1,60}?)"
    r"\s*(?=\(|<|\n|$)",
)
_BY_AFTER = re.compile(r"^\s*(?:<[^>]+>\s*)*(?:,\s*)?by\s+(?:<a[^>]*>)?\s*([^<\n,(]{2,60})", re.I)
_PAGE_AUTHOR = re.compile(
    r"(?i:stories|fiction|fics?|fanfic|works|writings)\s+(?i:by|of)\s+([A-Z][^<\n|:]{1,50})"
    r"|([A-Z][^<\n|:]{1,40})['’]s\s+(?i:stories|fiction|fics?|fanfic|works)",
)
_LIST_OPEN = re.compile(r"<(ul|ol|dl|table)\b", re.I)
_AND = re.compile(r"^[\s(),.:;-]*(?:and|&amp;|&|,)?[\s(),.:;-]*$", re.I)
_JOINED = re.compile(r"^[\s(),.:;-]*(?:and|&amp;|&)[\s(),.:;-]*$", re.I)  # co-authors


@dataclass(frozen=True)
class Link:
    """One local link of a page: where it goes, its text, and who the page says wrote it."""

    target: str
    label: str
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageFacts:
    """What the planning pass keeps of one HTML page."""

    title: str | None
    links: tuple[Link, ...]
    visible: int  # characters of visible text (scripts, styles and comments left out)
    link_chars: int  # of which inside local links
    error: str | None = None  # the title of an error page
    byline: tuple[str, ...] = ()  # the page's own ``By NAME``: one story's page names its author


def looks_like_html(text: str) -> bool:
    """Whether the first bytes of a file are HTML, whatever its name.

    >>> looks_like_html("<!DOCTYPE HTML PUBLIC>"), looks_like_html("Chapter 1\\n")
    (True, False)
    """
    return _HTML.search(text[:2048]) is not None


def plain(fragment: str) -> str:
    """Visible text of an HTML fragment, on one line."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def resolve(key: str, href: str) -> str | None:
    """The key an ``href`` of the page `key` points to (None: another site, an anchor).

    >>> resolve("s/list.html", "../x/a%20b.txt#top"), resolve("a.html", "mailto:x@y.z")
    ('x/a b.txt', None)
    """
    href = html.unescape(href).split("#", 1)[0]
    if not href or _SKIP_LINK.match(href):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(key), unquote(href)))
    return None if target.startswith("..") else target.lstrip("/")


def _email_follows(text: str, end: int) -> bool:
    """Whether an e-mail link follows position `end` closely (a name's address)."""
    link = _ANCHOR.search(text, end, end + NAME_TO_EMAIL + 500)
    if link is None or link.start() - end > NAME_TO_EMAIL:
        return False
    email = link[1].lower().startswith("mailto:") or _EMAIL.search(plain(link[2]))
    return bool(email) and _AND.match(plain(text[end : link.start()])) is not None


def _authors_before(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """(position, names) of each author mark above entries: a name set apart followed by
    an e-mail link, or a ``By NAME`` line; a name set apart right after one, joined by
    ``and`` or ``&``, is a co-author (with or without an address)."""
    found = [(m.start(), m.end(), plain(m["name"]), _email_follows(text, m.end()))
             for m in _NAMED.finditer(text)]  # fmt: skip
    found += [(m.start(), m.end(), plain(m["name"]), True) for m in _BY_LINE.finditer(text)]
    found.sort()
    grouped: list[tuple[int, tuple[str, ...]]] = []
    last_end = -1
    for start, end, name, marked in found:
        joined = grouped and _JOINED.match(plain(_ANCHOR.sub(" ", text[last_end:start])))
        if joined and name and name not in grouped[-1][1]:
            grouped[-1] = (grouped[-1][0], (*grouped[-1][1], name))
        elif marked and name:
            grouped.append((start, (name,)))
        else:
            continue
        last_end = end
    return grouped


def _scopes(
    text: str, marks: list[tuple[int, tuple[str, ...]]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, names) of each author mark: the list that follows it, or up to the
    next mark."""
    scopes = []
    for n, (start, names) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(text)
        opened = _LIST_OPEN.search(text, start, min(end, start + NAME_TO_LIST))
        if opened is not None:
            close = text.lower().find(f"</{opened[1].lower()}", opened.end())
            end = min(end, close) if close >= 0 else end
        scopes.append((start, end, names))
    return scopes


def _page_author(title: str | None, text: str) -> str | None:
    """``Stories by NAME`` in the page's title or first heading: every entry is theirs."""
    heading = _HEADING.search(text)
    for said in (title, plain(heading[1]) if heading else None):
        found = _PAGE_AUTHOR.search(said or "")
        if found:
            return (found[1] or found[2]).strip()
    return None


def _error(title: str | None, text: str, visible: int) -> str | None:
    heading = _HEADING.search(text)
    for said in (title, plain(heading[1]) if heading else None):
        if said and visible <= ERROR_PAGE_CHARS and _ERROR.search(said):
            return said
    return None


def read_links(key: str, text: str) -> PageFacts:
    """The links, title and kind of the HTML page `key` (its text decoded as Latin-1)."""
    body = _HIDDEN.sub(" ", text)
    title_match = _TITLE.search(body)
    title = plain(title_match[1]) or None if title_match else None
    marks = _authors_before(body)
    scopes = _scopes(body, marks)
    page_author = _page_author(title, body)
    links: list[Link] = []
    link_chars = 0
    mark = 0
    for found in _ANCHOR.finditer(body):
        target = resolve(key, found[1])
        if target is None or target == key:
            continue
        label = plain(found[2])
        link_chars += len(label)
        if _EMAIL.fullmatch(label) or _EMAIL.fullmatch(posixpath.basename(target)):
            continue  # a contact address, even when written as a relative link
        while mark < len(scopes) and scopes[mark][0] < found.start():
            mark += 1
        by = _BY_AFTER.match(body[found.end() : found.end() + 200])
        if by:
            authors: tuple[str, ...] = (plain(by[1]),)
        elif mark and found.start() < scopes[mark - 1][1]:
            authors = scopes[mark - 1][2]
        else:
            authors = (page_author,) if page_author else ()
        links.append(Link(target, label, authors))
    visible = len(plain(body))
    byline = tuple(n for _, names in marks[:1] for n in names)
    return PageFacts(title, tuple(links), visible, link_chars, _error(title, body, visible), byline)
