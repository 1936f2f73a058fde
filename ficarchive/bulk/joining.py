"""Works spanning pages: which files are parts of one story, and joining their Works.

The planning pass calls `read_page(key, head)` on every file — its name and its first
`HEAD_BYTES` only — and gets a `Page`: the group the file belongs to and its part number,
found from, in order:

- the name: ``viewstory.php?sid=12&chapter=3`` (eFiction; ``@`` for ``?`` as wget saves
  it on some systems), ``story_ch2.html``, ``story-chapter-2.htm``, ``part2.txt``;
- a Usenet or mailing-list ``Subject:`` with ``(2/7)``, ``[2/7]`` or ``Part 2 of 7``;
- next/previous links (``<a href="b.html">Next</a>``), joined into chains by the planner;
- the site's own pages: every HTML page's links are kept (`Page.links`, read by
  `links.read_links`) and read together by `site.read_site`, which finds the pages
  that list stories and the pages that list one story's chapters in order.

Pages that are mostly links (story lists, navigation) and error pages are not stories.

After each part is rescued, `join_works` makes one Work with the chapters in order; a
part that is missing is named in the Work's diagnostics (kind ``missing-part``), never
silently skipped.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl

from ficarchive.bulk.links import Link, PageFacts, looks_like_html, read_links
from ficarchive.work import Diagnostic, Repair, Source, Work

# An index page has at least this many links to other local pages...
INDEX_MIN_LINKS = 3
# ...and its link text is at least this share of its visible text (a story with a
# navigation bar is mostly prose: well under a tenth).
INDEX_LINK_SHARE = 0.35

_HTML_NAME = re.compile(r"\.(?:s?html?|xhtml|php|asp|aspx|jsp|cgi)(?:[?@].*)?$", re.I)
_VIEWSTORY = re.compile(r"^(?P<dir>(?:.*/)?)viewstory\.php[?@](?P<query>.*)$", re.I)
_CHAPTER_NAME = re.compile(
    r"^(?P<base>(?:.*[_\-. ])?)(?:chapter|chap|ch|part|pt)[_\-. ]?0*(?P<n>\d{1,4})"
    r"(?P<ext>\.[A-Za-z0-9]{1,5})?$",
    re.I,
)
_SUBJECT = re.compile(r"^Subject:[ \t]*(?P<subject>.+)$", re.M | re.I)
_FROM = re.compile(r"^From:[ \t]*(?P<sender>.+)$", re.M | re.I)
_PART_MARK = re.compile(
    r"[\(\[]\s*(?:part\s*)?(?P<n>\d{1,3})[a-z]?\s*(?:/|of)\s*(?P<total>\d{1,3})\s*[\)\]]"
    r"|\bpart\s+(?P<n2>\d{1,3})[a-z]?\s*(?:\(?of\s+|/\s*)(?P<total2>\d{1,3})\b",
    re.I,
)  # (2/7), [2/7], (2a/7): a post split in two; Part 2 of 7, Part 2/7
_REPLY = re.compile(r"^\s*(?:re|fwd?|aw)\s*:\s*", re.I)
_NEXT = re.compile(r"^\W*(?:next|continued|continue|forward|on to part)\b|^\W*(?:>>|»|→)\W*$", re.I)
_PREV = re.compile(r"^\W*(?:prev|previous|last part|earlier)\b|^\W*(?:<<|«|←)\W*$", re.I)
# Images by their first bytes (a counter or banner saved under a script's name).
_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


# What a file of the source is. Only stories are rescued: a story list's links give
# titles and authors (site.py), a database dump gives stories their chapters and metadata
# (efiction.py), site furniture (images, stylesheets, scripts, fonts, media) is skipped
# by its name or its first bytes, and an error page saved in place of a page is a site
# page; each is reported rather than failed. The site pass turns more pages into `SITE`.
STORY, INDEX, DATABASE, FURNITURE = "story", "index", "database", "furniture"  # `Page.role`
ERROR, SITE = "error", "site"
_FURNITURE = re.compile(
    r"\.(?P<ext>gif|jpe?g|jpe|png|bmp|ico|svg|webp|tiff?|css|js|woff2?|ttf|otf|eot"
    r"|mp3|wav|midi?|ogg|mp4|m4a|avi|mov|wmv|swf|flv)$",
    re.I,
)
_FURNITURE_KIND = {
    "css": "a stylesheet", "js": "a script", "woff": "a font", "woff2": "a font",
    "ttf": "a font", "otf": "a font", "eot": "a font", "swf": "a Flash file",
}  # fmt: skip
_MEDIA = {"mp3", "wav", "mid", "midi", "ogg", "mp4", "m4a", "avi", "mov", "wmv", "flv"}


def furniture(key: str) -> str | None:
    """What kind of site furniture the file `key` is by its name (None: maybe a story).

    >>> furniture("images/divider.GIF"), furniture("style.css"), furniture("story.html")
    ('an image', 'a stylesheet', None)
    """
    found = _FURNITURE.search(key)
    if found is None:
        return None
    ext = found["ext"].lower()
    return _FURNITURE_KIND.get(ext) or ("a sound or video file" if ext in _MEDIA else "an image")


def is_page_name(key: str) -> bool:
    """Whether a file's name says it is an HTML page or furniture, not a story in text.

    >>> is_page_name("x-story.html"), is_page_name("pic/a.gif"), is_page_name("x/a01.txt")
    (True, True, False)
    """
    return bool(_HTML_NAME.search(key)) or furniture(key) is not None


@dataclass(frozen=True)
class Page:
    """What the planning pass learns of one file from its name and head."""

    key: str
    group: str
    part: int = 1
    total: int | None = None
    next: str | None = None
    prev: str | None = None
    first: str | None = None  # the likely part 1 (``story.html`` beside ``story_ch2.html``)
    role: str = STORY
    html: bool = False
    facts: PageFacts | None = None  # an HTML page's title, links and by-line
    note: str | None = None  # what the file is, for the report (``an image``)

    @property
    def index(self) -> bool:
        return self.role == INDEX

    @property
    def links(self) -> tuple[Link, ...]:
        return self.facts.links if self.facts else ()


def read_page(key: str, head: bytes) -> Page:
    """The group and part of the file `key`, from its name and first bytes."""
    what = furniture(key) or ("an image" if head.startswith(_IMAGE_MAGIC) else None)
    if what is not None:
        return Page(key, key, role=FURNITURE, note=what)
    text = head.decode("latin-1")
    is_html = bool(_HTML_NAME.search(key)) or looks_like_html(text)
    has_links = is_html or "<a " in text[:20000].lower()
    facts = read_links(key, page_text(head)) if has_links else None
    if facts is not None and is_html and facts.error:
        return Page(key, key, role=ERROR, html=True, facts=facts, note=facts.error)
    page = _from_name(key) or _from_links(key, facts) or _from_subject(key, text)
    return replace(page or Page(key, key), html=is_html, facts=facts)


def page_text(head: bytes) -> str:
    """A page's bytes as text for its titles and labels: UTF-8 when they are (a head cut
    inside a character still is), else Windows-1252, as old pages were written.

    >>> page_text("Hoggish’s".encode()), page_text("Hoggish’s".encode("cp1252"))
    ('Hoggish’s', 'Hoggish’s')
    """
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return head[: exc.start].decode("utf-8")
    return head.decode("cp1252", errors="replace")


def _from_name(key: str) -> Page | None:
    folder, name = posixpath.split(key)
    prefix = folder + "/" if folder else ""
    view = _VIEWSTORY.match(key)
    if view is not None:
        query = dict(parse_qsl(html.unescape(view["query"])))
        if "sid" in query:
            chapter = query.get("chapter", "1")
            return Page(
                key, f"sid:{prefix}{query['sid']}", int(chapter) if chapter.isdigit() else 1
            )
    named = _CHAPTER_NAME.match(name)
    if named is None:
        return None
    base, ext = named["base"], named["ext"] or ""
    first = prefix + base.rstrip("_-. ") + ext if base.rstrip("_-. ") else None
    return Page(key, f"name:{prefix}{base}*{ext}", int(named["n"]), first=first)


def _from_subject(key: str, text: str) -> Page | None:
    subject = _SUBJECT.search(text[:8192])
    if subject is None:
        return None
    mark = _PART_MARK.search(subject["subject"])
    if mark is None:
        return None
    part = int(mark["n"] or mark["n2"])
    total = int(mark["total"] or mark["total2"])
    if not 0 < part <= total:
        return None
    title = _REPLY.sub("", subject["subject"][: mark.start()] + subject["subject"][mark.end() :])
    title = re.sub(r"\W+", " ", title).strip().lower()
    sender = _FROM.search(text[:8192])
    who = re.sub(r"\s+", " ", sender["sender"]).strip().lower() if sender else ""
    folder = posixpath.dirname(key)
    return Page(key, f"usenet:{folder}/{title}|{who}", part, total)


def parts_within(text: str) -> set[int]:
    """The part numbers the ``Subject:`` lines of a file mark: a file that holds every
    post of a story (``part 1 of 3`` ... ``part 3 (of 3)``) lacks none of them.

    >>> sorted(parts_within("Subject: Reins (part 1 of 3)\\n...\\nSubject: Reins part 2 (of 3)"))
    [1, 2]
    """
    found = set()
    for subject in _SUBJECT.finditer(text):
        mark = _PART_MARK.search(subject["subject"])
        if mark is not None:
            found.add(int(mark["n"] or mark["n2"]))
    return found


def _from_links(key: str, facts: PageFacts | None) -> Page | None:
    """A page that is mostly links (an index), or one with Next/Previous links."""
    if facts is None:
        return None
    local = facts.links
    if len(local) >= INDEX_MIN_LINKS and facts.link_chars >= INDEX_LINK_SHARE * max(
        facts.visible, 1
    ):
        return Page(key, key, role=INDEX)
    nxt = next((link.target for link in local if _NEXT.search(link.label)), None)
    prev = next((link.target for link in local if _PREV.search(link.label)), None)
    if nxt is None and prev is None:
        return None
    return Page(key, key, next=nxt, prev=None if prev == nxt else prev)


# -- joining the rescued parts ---------------------------------------------------------------


def join_works(parts: Sequence[tuple[str, Work]], missing: Sequence[str] = ()) -> Work:
    """One Work from the rescued parts of a story, in order; `missing` names lost parts.

    Metadata comes from the first part that has each field; chapters, repairs and
    diagnostics from every part in order. The source names the first file, and its hash
    covers every part's hash in order.
    """
    if len(parts) == 1 and not missing:
        return parts[0][1]
    first = parts[0][1]
    fields: dict[str, object] = {}
    for name in ("title", "rating_source", "summary", "spoilers", "disclaimer", "challenge"):
        fields[name] = next((getattr(w, name) for _, w in parts if getattr(w, name)), None)
    for name in ("authors", "warnings", "fandoms", "relationships", "characters", "tags"):
        fields[name] = next((getattr(w, name) for _, w in parts if getattr(w, name)), ())
    rating = next((w.rating for _, w in parts if w.rating != "Not Rated"), first.rating)
    chapters = tuple(c for _, w in parts for c in w.chapters)
    notes = [
        Diagnostic("joined", f"part {i} of this work is {name}", name)
        for i, (name, _) in enumerate(parts, start=1)
    ]
    notes += [Diagnostic("missing-part", f"{m} is missing from the source", m) for m in missing]
    digest = hashlib.sha256("".join(w.source.sha256 for _, w in parts if w.source).encode())
    size = sum(w.source.size for _, w in parts if w.source)
    source = (  # a capture's URL and place are the first part's
        replace(first.source, sha256=digest.hexdigest(), name=parts[0][0], size=size)
        if first.source
        else Source("text", "utf-8", digest.hexdigest(), parts[0][0], size)
    )
    return first.evolve(
        **fields,
        rating=rating,
        chapters=chapters,
        epigraphs=tuple(e for _, w in parts for e in w.epigraphs),
        end_mark=parts[-1][1].end_mark,
        word_count=sum(w.word_count for _, w in parts),
        looks_like_story=any(w.looks_like_story for _, w in parts),
        repairs=_sum_repairs([r for _, w in parts for r in w.repairs]),
        diagnostics=(*(d for _, w in parts for d in w.diagnostics), *notes),
        source=source,
    )


def _sum_repairs(repairs: list[Repair]) -> tuple[Repair, ...]:
    counts: dict[tuple[str, str, str], int] = {}
    for r in repairs:
        counts[(r.kind, r.before, r.after)] = counts.get((r.kind, r.before, r.after), 0) + r.count
    return tuple(Repair(k, b, a, n) for (k, b, a), n in counts.items())


def apply_hints(
    work: Work, title: str | None, authors: Sequence[str], via: str | None = None
) -> Work:
    """Fill a missing title or author from the site's listing page `via`; a
    disagreement is only noted."""
    page = f"the site's listing {via}" if via else "a story-list page"
    changes: dict[str, object] = {}
    notes: list[Diagnostic] = []
    if title and not work.title:
        changes["title"] = title
        notes.append(Diagnostic("guess", f"title taken from {page}", title))
    elif title and work.title and title.casefold() != work.title.casefold():
        notes.append(Diagnostic("index-title", f"{page} names it differently", title))
    if authors and not work.authors:
        changes["authors"] = tuple(authors)
        notes.append(Diagnostic("guess", f"author taken from {page}", ", ".join(authors)))
    if not changes and not notes:
        return work
    return work.evolve(**changes, diagnostics=(*work.diagnostics, *notes))


def apply_site(work: Work, title: str | None, authors: Sequence[str], via: str) -> Work:
    """The title and authors the site gives a story it lists on a page of its own (its
    chapters, in order): the site's record of the story, as an eFiction database is,
    so it wins over the first file's header (often a chapter's); what the file said is
    kept in the diagnostic (kind ``site``)."""
    changes: dict[str, object] = {}
    notes: list[Diagnostic] = []
    if title and title != work.title:
        changes["title"] = title
        said = f"; the first file says “{work.title}”" if work.title else ""
        notes.append(Diagnostic("site", f"title from the site's listing of {via}{said}", title))
    if authors and tuple(authors) != work.authors:
        changes["authors"] = tuple(authors)
        said = f"; the first file says {', '.join(work.authors)}" if work.authors else ""
        names = ", ".join(authors)
        notes.append(Diagnostic("site", f"authors from the site's listing of {via}{said}", names))
    if not changes:
        return work
    return work.evolve(**changes, diagnostics=(*work.diagnostics, *notes))
