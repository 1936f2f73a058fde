"""An EPUB (3 or 2) unpacked into one HTML page for the rest of the pipeline.

The spine's documents are read in order and their bodies joined. Our own export
(`ficarchive.export.epub`) carries the same markup as our HTML export, so the page
built from it is read back field by field (`ficarchive.rescue.blocks.ours`); any other EPUB
becomes an ordinary page, with the package's title and creators as header lines.

The package is checked before it is used: the container must name a package file the
book holds, the package must be an OPF ``package``, and every spine entry must name a
manifest item whose ``href`` (a URL: percent-escapes decoded, ``#fragment`` dropped)
stays inside the book and is there. Anything else is one line saying which entry is
wrong (`BinaryInput`), never a traceback.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from html import escape
from typing import Any
from urllib.parse import unquote

import lxml.etree

from ficarchive.errors import BinaryInput, InputTooLarge
from ficarchive.rescue.blocks.parse import document

MEDIA_TYPE = b"application/epub+zip"
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
"""The spine's documents, unpacked, may be no bigger than one story file may be
(`ficarchive.rescue.decoding.sniff.MAX_INPUT_BYTES`): a zip bomb is refused, not expanded."""
MAX_PACKAGE_BYTES = 4 * 1024 * 1024
"""``META-INF/container.xml`` and the package (OPF) file: a few KB in a real book, 100 KB
for a thousand chapters."""
MAX_RATIO = 100
"""Unpacked size over packed size of one member above `RATIO_FROM_BYTES`: XHTML packs
three to ten times; a hundred times is a file made to unpack big (a zip bomb)."""
RATIO_FROM_BYTES = 1024 * 1024

_XML = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=True
)  # huge_tree: no text lost past 256 levels or in a text over 10 MB (issue 13)
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XHTML_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")
_DROP_CLASSES = ("ornament",)
"""Elements of our export that are drawing, not text (the scene-break ornament)."""


def is_epub(data: bytes) -> bool:
    """A zip whose ``mimetype`` entry says EPUB (first, as the standard asks, or anywhere)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    if data[30:38] == b"mimetype" and data[38:58] == MEDIA_TYPE:
        return True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return book.read("mimetype").strip() == MEDIA_TYPE
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def epub_to_html(data: bytes, name: str) -> bytes:
    """The book's spine as one UTF-8 HTML page, with the generator its documents name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return _unpack(book, name)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, lxml.etree.LxmlError) as exc:
        raise BinaryInput(
            f"{name}: this EPUB cannot be read ({exc.__class__.__name__}: {exc}); "
            "check it with epubcheck, or rescue the .xhtml files inside"
        ) from None


def _read(book: zipfile.ZipFile, path: str, limit: int, name: str) -> bytes:
    """One member's bytes, refused before it is unpacked when it would be over `limit`
    or unpack `MAX_RATIO` times its packed size (the sizes the zip declares bound what
    `zipfile` unpacks: it stops there and fails the CRC)."""
    info = book.getinfo(path)
    if info.file_size > limit:
        raise InputTooLarge(
            f"{name}: {path} in the EPUB unpacks to {info.file_size / 2**20:.1f} MB, more "
            f"than the {limit / 2**20:g} MB such a file may be; check where the book came from"
        )
    packed = max(info.compress_size, 1)
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * packed:
        raise InputTooLarge(
            f"{name}: {path} in the EPUB unpacks {info.file_size // packed:,} times its "
            f"packed size (more than {MAX_RATIO}: a zip bomb); check where the book came from"
        )
    return book.read(path)


def _unpack(book: zipfile.ZipFile, name: str) -> bytes:
    container = lxml.etree.fromstring(
        _read(book, "META-INF/container.xml", MAX_PACKAGE_BYTES, name), _XML
    )
    opf_path = _package_path(container, book)
    package = lxml.etree.fromstring(_read(book, opf_path, MAX_PACKAGE_BYTES, name), _XML)
    if package is None or not isinstance(package.tag, str) or package.tag != f"{_OPF}package":
        raise ValueError(f"{opf_path} is not an OPF package document")
    base = posixpath.dirname(opf_path)
    documents = _spine(package, base, book)
    size = sum(book.getinfo(path).file_size for path in documents)
    if size > MAX_UNPACKED_BYTES:
        raise InputTooLarge(
            f"{name}: the EPUB unpacks to {size / 2**20:.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 2**20} MB a single story may be; rescue its .xhtml "
            "files one by one"
        )
    generator: str | None = None
    bodies: list[str] = []
    preface: dict[str, str] = {}
    for path in documents:
        data = _read(book, path, MAX_UNPACKED_BYTES, name)
        found_preface = _preface_fields(data, path)
        if found_preface is not None:  # a tool's title page or AO3's preface: metadata
            preface.update({k: v for k, v in found_preface.items() if k not in preface})
            continue
        body, found = _body(data)
        generator = generator or found
        bodies.append(body)
    head = ['<meta charset="utf-8">']
    if generator:
        head.append(f'<meta name="generator" content="{escape(generator)}">')
    else:
        bodies.insert(0, _header_lines(package, preface))
    page = f"<!DOCTYPE html>\n<html><head>{''.join(head)}</head><body>\n"
    return (page + "\n".join(bodies) + "\n</body></html>\n").encode("utf-8")


def _package_path(container: Any, book: zipfile.ZipFile) -> str:
    """The package file the container names, checked to be in the book."""
    rootfile = container.find(".//{*}rootfile") if container is not None else None
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("META-INF/container.xml names no package file")
    path = str(rootfile.get("full-path"))
    if path not in book.namelist():
        raise ValueError(f"META-INF/container.xml names {path!r}, which the book does not hold")
    return path


def _spine(package: Any, base: str, book: zipfile.ZipFile) -> list[str]:
    """The paths, inside the zip, of the spine's text documents in reading order."""
    manifest = {
        item.get("id"): item
        for item in package.iter(f"{_OPF}item")
        if item.get("media-type") in _XHTML_TYPES
    }
    held = set(book.namelist())
    paths: list[str] = []
    for ref in package.iter(f"{_OPF}itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or "nav" in (item.get("properties") or "").split():
            continue
        path = _member(base, item.get("href"), ref.get("idref"))
        if path not in held:
            raise ValueError(f"the spine's item {ref.get('idref')!r} is {path!r}, not in the book")
        paths.append(path)
    if not paths:
        raise ValueError("the package's spine lists no text documents")
    return paths


def _member(base: str, href: str | None, idref: str | None) -> str:
    """A manifest ``href`` as the name of a zip member: a relative URL, inside the book.

    >>> _member("OEBPS", "Text/Chapter%201.xhtml#start", "c1")
    'OEBPS/Text/Chapter 1.xhtml'
    """
    if not href:
        raise ValueError(f"the manifest item {idref!r} has no href")
    path = unquote(href.split("#", 1)[0])
    joined = posixpath.normpath(posixpath.join(base, path))
    if "://" in href or path.startswith("/") or joined == ".." or joined.startswith("../"):
        raise ValueError(f"the manifest item {idref!r} points outside the book ({href!r})")
    return joined


def _body(data: bytes) -> tuple[str, str | None]:
    """A document's body as HTML markup, and the generator it names."""
    try:
        root = lxml.etree.fromstring(data, _XML)
    except lxml.etree.XMLSyntaxError:
        root = None
    if root is None:
        root = document(data)
    _plain_names(root)
    generator = next(
        (m.get("content") for m in root.iter("meta") if m.get("name") == "generator"), None
    )
    body = root.find(".//body")
    if body is None:
        return "", generator
    for element in list(body.iter()):
        classes = (element.get("class") or "").split()
        if any(c in classes for c in _DROP_CLASSES) and element.getparent() is not None:
            _drop(element)
    inner = [escape(body.text or "", quote=False)]
    inner += [lxml.etree.tostring(child, encoding="unicode", method="html") for child in body]
    return "".join(inner), generator


def _plain_names(root: Any) -> None:
    """XHTML's namespace taken off tags, and namespaced attributes (epub:type) dropped."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        element.tag = lxml.etree.QName(element).localname
        for key in [k for k in element.attrib if k.startswith("{")]:
            del element.attrib[key]
    lxml.etree.cleanup_namespaces(root)


def _drop(element: Any) -> None:
    """Remove an element but keep its tail text where it was."""
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


# A title page's or preface's labels (FanFicFare's, AO3's), as the header labels rescue
# reads. FanFicFare's "Category" is the story's fandom on every site it reads.
_PREFACE_LABELS = {
    "title": "Title",
    "author": "Author",
    "rating": "Rating",
    "archive warning": "Archive Warning",
    "archive warnings": "Archive Warning",
    "warnings": "Archive Warning",
    "category": "Fandom",
    "fandom": "Fandom",
    "fandoms": "Fandom",
    "ao3 categories": "Category",
    "categories": "Category",
    "relationship": "Pairing",
    "relationships": "Pairing",
    "ships": "Pairing",
    "character": "Characters",
    "characters": "Characters",
    "genre": "Additional Tags",
    "freeform tags": "Additional Tags",
    "additional tags": "Additional Tags",
    "language": "Language",
    "series": "Series",
    "status": "Status",
    "published": "Published",
    "updated": "Updated",
    "completed": "Updated",
    "summary": "Summary",
    "notes": "Notes",
    "story url": "URL",
}
_AO3_STATS = re.compile(r"(Published|Updated|Completed|Chapters):\s*(\S+)")


def _preface_fields(data: bytes, path: str) -> dict[str, str] | None:
    """The fields of a title page (FanFicFare's ``title_page.xhtml``, its contents and log
    pages) or of AO3's download preface, by header label; None for any other document."""
    try:
        root = document(data)
    except (lxml.etree.LxmlError, ValueError):
        return None
    _plain_names(root)
    body = root.find(".//body")
    classes = (body.get("class") or "") if body is not None else ""
    name = posixpath.basename(path).lower()
    if (
        "fff_tocpage" in classes
        or "fff_logpage" in classes
        or name in ("toc_page.xhtml", "log_page.xhtml")
    ):
        return {}
    if "fff_titlepage" in classes or name == "title_page.xhtml":
        return _fanficfare_fields(root)
    if root.xpath(".//div[contains(@class, 'meta')]//dl[contains(@class, 'tags')]"):
        return _ao3_fields(root)
    return None


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _fanficfare_fields(root: Any) -> dict[str, str]:
    """``<b>Label:</b> value<br/>`` lines (or table cells) of FanFicFare's title page."""
    fields: dict[str, str] = {}
    for bold in root.iter("b"):
        label = _text(bold).rstrip(":").strip().lower()
        value: list[str] = [bold.tail or ""]
        sibling = bold.getnext()
        while sibling is not None and sibling.tag not in ("br", "b"):
            value.append(_text(sibling) + (sibling.tail or ""))
            sibling = sibling.getnext()
        if not value[0].strip() and bold.getparent() is not None and bold.getparent().tag == "td":
            cell = bold.getparent().getnext()
            value = [_text(cell)] if cell is not None else value
        text = " ".join("".join(value).split())
        if label in _PREFACE_LABELS and text:
            fields.setdefault(_PREFACE_LABELS[label], text)
    heading = root.find(".//h3")
    if heading is not None:
        links = heading.findall("a")
        if links:
            fields.setdefault("Title", _text(links[0]))
            if links[0].get("href"):
                fields.setdefault("URL", str(links[0].get("href")))
        authors = [_text(a) for a in links[1:]]
        if authors:
            fields.setdefault("Author", ", ".join(authors))
    return fields


def _ao3_fields(root: Any) -> dict[str, str]:
    """AO3's download preface: ``dt``/``dd`` tags, title, byline, summary and notes."""
    fields: dict[str, str] = {}
    for dt in root.iter("dt"):
        label = _text(dt).rstrip(":").strip().lower()
        dd = dt.getnext()
        if dd is None or dd.tag != "dd":
            continue
        if label == "stats":
            for key, value in _AO3_STATS.findall(_text(dd)):
                if key == "Chapters":
                    fields.setdefault("Status", value)
                else:
                    fields.setdefault(_PREFACE_LABELS[key.lower()], value)
            continue
        items = [_text(a) for a in dd.iter("a")] if label != "series" else []
        value = ", ".join(i for i in items if i) or _text(dd)
        named = "Category" if label in ("category", "categories") else _PREFACE_LABELS.get(label)
        if named and value:
            fields.setdefault(named, value)
    heading = root.find(".//h1")
    if heading is not None:
        fields.setdefault("Title", _text(heading))
    for byline in root.xpath(".//div[contains(@class, 'byline')]"):
        fields.setdefault("Author", ", ".join(_text(a) for a in byline.iter("a")) or _text(byline))
    for label in ("Summary", "Notes"):
        for p in root.xpath(f".//p[normalize-space(.) = '{label}']"):
            quote = p.getnext()
            if quote is not None and quote.tag == "blockquote":
                fields.setdefault(label, _text(quote))
    return fields


def _header_lines(package: Any, preface: dict[str, str] | None = None) -> str:
    """Another tool's EPUB: the title page's fields, then the package metadata for what it
    lacks, as the header lines rescue reads."""
    fields = dict(preface or {})
    for tag, label in (
        ("title", "Title"),
        ("creator", "Author"),
        ("description", "Summary"),
        ("language", "Language"),
        ("source", "URL"),
    ):
        values = [" ".join("".join(e.itertext()).split()) for e in package.iter(f"{_DC}{tag}")]
        values = [v for v in values if v]
        if values and label not in fields:
            fields[label] = ", ".join(values) if label == "Author" else values[0]
    for date in package.iter(f"{_DC}date"):
        event = date.get(f"{_OPF}event") or date.get("event") or "publication"
        named = {"publication": "Published", "modification": "Updated"}.get(event)
        if named and named not in fields and (date.text or "").strip():
            fields[named] = date.text.strip()
    meta = {m.get("name"): m.get("content") for m in package.iter(f"{_OPF}meta") if m.get("name")}
    if meta.get("calibre:series") and "Series" not in fields:
        index = (meta.get("calibre:series_index") or "").split(".")[0]
        fields["Series"] = (
            f"{meta['calibre:series']} [{index}]" if index else meta["calibre:series"]
        )
    lines = [f"<p>{label}: {escape(value, quote=False)}</p>" for label, value in fields.items()]
    return "\n".join(lines)
