"""A Work as an EPUB 3 book, written directly with `zipfile`; epubcheck passes it clean.

The book is the HTML export cut into files, in the same order and with the same markup
(`ficarchive.export.html` builds both), so `ficarchive.rescue` reads it back to the same
Work:

- ``preface.xhtml``: the AO3-like preface (title, byline, tags, summary, notes, credits);
- ``chapter-001.xhtml`` …: one file a chapter, the beginning epigraphs before the first,
  the end mark and end epigraphs after the last; a scene break is an ``<hr>`` followed by
  a visible ornament (``p.ornament``, hidden from screen readers);
- ``afterword.xhtml``: end notes, feedback, archive permission (when there are any);
- ``nav.xhtml`` (EPUB 3) and ``toc.ncx`` (for EPUB 2 readers): preface, every chapter
  (a one-shot gets one entry), afterword.

Re-exporting the same Work gives the same bytes: every zip entry has the same fixed
timestamp, the identifier is a UUID5 of the Work's content, and ``dcterms:modified`` is
the story's own publication date (or a fixed date when it has none), never the clock.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

import lxml.etree
import lxml.html

from ficarchive.export import html as parts
from ficarchive.work import Work

MEDIA_TYPE = "application/epub+zip"
ORNAMENT = "⁂"
"""Drawn under each scene break: text, so every reader shows it (CSS ``::after`` on
``<hr>`` is ignored by Adobe's engine and older Kindles)."""

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry: fixed, so re-exports are byte-identical."""
FIXED_MODIFIED = "1980-01-01T00:00:00Z"
"""``dcterms:modified`` for a work with no publication date: the same fixed moment."""

UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "ficarchive:epub")
"""The namespace of ficarchive's book identifiers (UUID5 of the Work's content)."""

_CONTENT_SKIP = ("repairs", "diagnostics", "source", "confidence")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_ANY = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_XHTML_NS = "http://www.w3.org/1999/xhtml"

STYLE = """@charset "utf-8";
body { margin: 0 4%; font-family: Georgia, "Iowan Old Style", "Palatino Linotype", serif;
  line-height: 1.45; widows: 2; orphans: 2; }
h1.title { font-size: 1.8em; line-height: 1.2; text-align: center; margin: 1.5em 0 .3em;
  page-break-after: avoid; }
p.byline { text-align: center; font-style: italic; margin: 0 0 2em; text-indent: 0; }
dl.tags { font-size: .9em; margin: 0 0 1.5em; padding: .5em 0;
  border-top: 1px solid; border-bottom: 1px solid; }
dl.tags dt { font-weight: bold; float: left; clear: left; margin-right: .5em; }
dl.tags dd { margin: 0 0 .3em 0; }
dl.tags ul { list-style: none; margin: 0; padding: 0; display: inline; }
dl.tags li { display: inline; }
dl.tags li + li:before { content: ", "; }
section h2, nav h1 { font-size: 1em; text-transform: uppercase; letter-spacing: .08em;
  margin: 1.5em 0 .5em; }
blockquote { margin: 1em 2em; }
blockquote.verse p { text-indent: 0; text-align: left; }
.epigraph { margin: 2em 10% 2em 15%; font-style: italic; }
.epigraph p.attribution { text-align: right; font-style: normal; text-indent: 0; }
h2.chapter-title { text-align: center; margin: 2em 0 1.5em; page-break-after: avoid; }
.userstuff p { margin: 0; text-indent: 1.5em; text-align: justify; }
.userstuff p:first-child, .userstuff p.ornament + p { text-indent: 0; }
hr.scene-break { border: 0; height: 0; margin: 0; }
p.ornament { text-align: center; text-indent: 0; margin: .8em 0; }
p.end-mark { text-align: center; font-variant: small-caps; margin: 2em 0; text-indent: 0; }
.afterword { font-size: .9em; }
nav ol { list-style: none; padding: 0; }
"""


@dataclass(frozen=True)
class Page:
    """One content document of the book: its file, its label in the contents, its body."""

    name: str
    label: str
    body: str
    kind: str


_SINCE_V2 = frozenset(
    {
        "published_as_written",
        "updated",
        "updated_as_written",
        "complete",
        "series",
        "categories",
        "raw_tags",
        "url",
    }
)


def book_id(work: Work) -> str:
    """A stable identifier: the same Work (whatever file it came from) gives the same id.
    A work without the fields Work schema 2 added keeps the id it had before them."""
    data = {
        k: v
        for k, v in work.to_dict().items()
        if k not in _CONTENT_SKIP and not (k in _SINCE_V2 and v in (None, []))
    }
    data["schema"] = 1
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()
    return f"urn:uuid:{uuid.uuid5(UUID_NAMESPACE, digest)}"


def to_xhtml(fragment: str) -> str:
    """An HTML fragment as well-formed XHTML: parsed by lxml, serialised as XML.

    >>> to_xhtml('<p>She <em>ran</em> &amp; hid<br>there</p><hr class="scene-break">')
    '<p>She <em>ran</em> &amp; hid<br/>there</p><hr class="scene-break"/>'
    """
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    text = escape(root.text or "", quote=False)
    return text + "".join(
        lxml.etree.tostring(child, encoding="unicode", method="xml") for child in root
    )


def pages(work: Work) -> list[Page]:
    """The content documents in reading order."""
    verdict = str(work.looks_like_story).lower()
    sure = parts.confidence_attribute(work)
    wrap = f'<main class="work" data-looks-like-story="{verdict}"{sure}>'
    out = [Page("preface.xhtml", "Preface", wrap + "".join(parts.preface(work)), "frontmatter")]
    chapters = work.chapters or ()
    count = max(len(chapters), 1)
    for n in range(count):
        body = parts.opening(work) if n == 0 else []
        if chapters:
            body += parts.chapter_html(chapters[n])
        if n == count - 1:
            body += parts.closing(work)
        html = "".join(body).replace(parts.SCENE_BREAK, _SCENE_BREAK)
        label = _chapter_label(work, n)
        out.append(Page(f"chapter-{n + 1:03d}.xhtml", label, wrap + html, "bodymatter"))
    after = parts.afterword(work)
    if after:
        out.append(Page("afterword.xhtml", "Afterword", wrap + "".join(after), "backmatter"))
    return [Page(p.name, p.label, to_xhtml(p.body + "</main>"), p.kind) for p in out]


_SCENE_BREAK = f'{parts.SCENE_BREAK}<p class="ornament" aria-hidden="true">{ORNAMENT}</p>'


def _chapter_label(work: Work, index: int) -> str:
    chapters = work.chapters
    if index < len(chapters) and chapters[index].title:
        return str(chapters[index].title)
    if len(chapters) <= 1:
        return work.title or "Story"
    return f"Chapter {index + 1}"


def _a(text: str) -> str:
    return escape(text, quote=True)


def _document(work: Work, title: str, body: str, *, epub_type: str = "") -> str:
    lang = _a(work.language or "en")
    kind = f' epub:type="{epub_type}"' if epub_type else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{_XHTML_NS}" xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n<meta charset="utf-8"/>\n'
        f'<meta name="generator" content="{_a(parts.GENERATOR)}"/>\n'
        f"<title>{_a(title)}</title>\n"
        '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
        f"<body{kind}>\n{body}\n</body>\n</html>\n"
    )


def _nav(work: Work, book: list[Page]) -> str:
    items = "".join(f'<li><a href="{p.name}">{_a(p.label)}</a></li>' for p in book)
    start = next(p.name for p in book if p.kind == "bodymatter")
    body = (
        f'<nav epub:type="toc" id="toc"><h1>Contents</h1><ol>{items}</ol></nav>\n'
        '<nav epub:type="landmarks" id="landmarks" hidden="hidden"><h1>Landmarks</h1><ol>'
        f'<li><a epub:type="bodymatter" href="{start}">Start of the story</a></li></ol></nav>'
    )
    return _document(work, "Contents", body)


def _ncx(work: Work, book: list[Page], identifier: str) -> str:
    points = "".join(
        f'<navPoint id="nav-{n}" playOrder="{n}"><navLabel><text>{_a(p.label)}</text>'
        f'</navLabel><content src="{p.name}"/></navPoint>'
        for n, p in enumerate(book, 1)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{_a(identifier)}"/>'
        '<meta name="dtb:depth" content="1"/><meta name="dtb:totalPageCount" content="0"/>'
        '<meta name="dtb:maxPageNumber" content="0"/></head>\n'
        f"<docTitle><text>{_a(work.title or 'Untitled')}</text></docTitle>\n"
        f"<navMap>{points}</navMap>\n</ncx>\n"
    )


def _dates(work: Work) -> tuple[str | None, str]:
    """``dc:date`` (the ISO publication date, as precise as the story says) and
    ``dcterms:modified`` (the last update, else the publication day, in UTC; the fixed date
    when neither is a whole day), never the clock."""
    published = (work.published or "").strip() or None
    if published and not _DATE_ANY.match(published[:10]):
        published = None
    for day in (work.updated, work.published):
        if day and _DATE.match(day[:10]):
            return (published or "")[:10] or None, _moment(day)
    return published, FIXED_MODIFIED


def _moment(day: str) -> str:
    """A date, or a date and time (a version 1 Work's), as ``dcterms:modified`` in UTC."""
    try:
        moment = datetime.fromisoformat(day)
    except ValueError:
        return f"{day[:10]}T00:00:00Z"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subjects(work: Work) -> list[str]:
    """calibre's tags: rating, warnings, categories, then fandoms, relationships,
    characters and additional tags."""
    seen: list[str] = []
    values = (work.rating, *work.warnings, *work.categories, *work.fandoms)
    for value in (*values, *work.relationships, *work.characters, *work.tags):
        if value and value not in seen:
            seen.append(value)
    return seen


def _series(work: Work) -> list[str]:
    """EPUB 3 collections, and calibre's own series (the first series) for calibre."""
    out: list[str] = []
    for n, series in enumerate(work.series, 1):
        out.append(
            f'<meta property="belongs-to-collection" id="series{n}">{_a(series.name)}</meta>'
        )
        out.append(f'<meta refines="#series{n}" property="collection-type">series</meta>')
        if series.part is not None:
            out.append(f'<meta refines="#series{n}" property="group-position">{series.part}</meta>')
    if work.series:
        first = work.series[0]
        out.append(f'<meta name="calibre:series" content="{_a(first.name)}"/>')
        index = f"{first.part or 1}.0"
        out.append(f'<meta name="calibre:series_index" content="{index}"/>')
    return out


def _metadata(work: Work, identifier: str) -> str:
    lang = _a(work.language or "en")
    out = [
        f'<dc:identifier id="uid">{_a(identifier)}</dc:identifier>',
        f"<dc:title>{_a(work.title or 'Untitled')}</dc:title>",
        f"<dc:language>{lang}</dc:language>",
    ]
    for n, author in enumerate(work.authors, 1):
        out.append(f'<dc:creator id="creator{n}">{_a(author)}</dc:creator>')
        out.append(f'<meta refines="#creator{n}" property="role" scheme="marc:relators">aut</meta>')
    out += [f"<dc:subject>{_a(s)}</dc:subject>" for s in _subjects(work)]
    if work.summary:
        out.append(f"<dc:description>{_a(work.summary)}</dc:description>")
    if work.url:
        out.append(f"<dc:source>{_a(work.url)}</dc:source>")
    date, modified = _dates(work)
    if date:
        out.append(f"<dc:date>{date}</dc:date>")
    out.append(f'<meta property="dcterms:modified">{modified}</meta>')
    out += _series(work)
    out.append(f'<meta name="generator" content="{_a(parts.GENERATOR)}"/>')
    return "\n".join(out)


def _package(work: Work, book: list[Page], identifier: str) -> str:
    items = [
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>',
        '<item id="css" href="style.css" media-type="text/css"/>',
    ]
    items += [
        f'<item id="{p.name[:-6]}" href="{p.name}" media-type="application/xhtml+xml"/>'
        for p in book
    ]
    spine = "".join(f'<itemref idref="{p.name[:-6]}"/>' for p in book)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" '
        f'xml:lang="{_a(work.language or "en")}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"{_metadata(work, identifier)}\n</metadata>\n"
        f"<manifest>\n{chr(10).join(items)}\n</manifest>\n"
        f'<spine toc="ncx">{spine}</spine>\n</package>\n'
    )


CONTAINER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    '<rootfiles><rootfile full-path="OEBPS/content.opf" '
    'media-type="application/oebps-package+xml"/></rootfiles>\n</container>\n'
)


def to_epub(work: Work) -> bytes:
    """The whole Work as EPUB 3 bytes; the same Work always gives the same bytes."""
    identifier = book_id(work)
    book = pages(work)
    files = [
        ("META-INF/container.xml", CONTAINER),
        ("OEBPS/content.opf", _package(work, book, identifier)),
        ("OEBPS/nav.xhtml", _nav(work, book)),
        ("OEBPS/toc.ncx", _ncx(work, book, identifier)),
        ("OEBPS/style.css", STYLE),
    ]
    files += [(f"OEBPS/{p.name}", _document(work, p.label, p.body, epub_type=p.kind)) for p in book]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book_zip:
        _add(book_zip, "mimetype", MEDIA_TYPE.encode("ascii"), zipfile.ZIP_STORED)
        for name, text in files:
            _add(book_zip, name, text.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _add(book: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = method
    info.create_system = 3  # Unix, whatever machine exports
    info.external_attr = 0o644 << 16
    book.writestr(info, data, compress_type=method, compresslevel=6 if method else None)
