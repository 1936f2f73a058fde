"""An EPUB (3 or 2) unpacked into one HTML page for the rest of the pipeline.

The spine's documents are read in order and their bodies joined. Our own export
(`ficarchive.export.epub`) carries the same markup as our HTML export, so the page
built from it is read back field by field (`ficarchive.rescue.blocks.ours`); any other EPUB
becomes an ordinary page, with the package's title and creators as header lines.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from html import escape
from typing import Any

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
    rootfile = container.find(".//{*}rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("META-INF/container.xml names no package file")
    opf_path = str(rootfile.get("full-path"))
    package = lxml.etree.fromstring(_read(book, opf_path, MAX_PACKAGE_BYTES, name), _XML)
    base = posixpath.dirname(opf_path)
    documents = _spine(package, base)
    size = sum(book.getinfo(path).file_size for path in documents)
    if size > MAX_UNPACKED_BYTES:
        raise InputTooLarge(
            f"{name}: the EPUB unpacks to {size / 2**20:.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 2**20} MB a single story may be; rescue its .xhtml "
            "files one by one"
        )
    generator: str | None = None
    bodies: list[str] = []
    for path in documents:
        body, found = _body(_read(book, path, MAX_UNPACKED_BYTES, name))
        generator = generator or found
        bodies.append(body)
    head = ['<meta charset="utf-8">']
    if generator:
        head.append(f'<meta name="generator" content="{escape(generator)}">')
    else:
        bodies.insert(0, _header_lines(package))
    page = f"<!DOCTYPE html>\n<html><head>{''.join(head)}</head><body>\n"
    return (page + "\n".join(bodies) + "\n</body></html>\n").encode("utf-8")


def _spine(package: Any, base: str) -> list[str]:
    """The paths, inside the zip, of the spine's text documents in reading order."""
    manifest = {
        item.get("id"): item
        for item in package.iter(f"{_OPF}item")
        if item.get("media-type") in _XHTML_TYPES
    }
    paths: list[str] = []
    for ref in package.iter(f"{_OPF}itemref"):
        item = manifest.get(ref.get("idref"))
        if item is None or "nav" in (item.get("properties") or "").split():
            continue
        paths.append(posixpath.normpath(posixpath.join(base, str(item.get("href")))))
    if not paths:
        raise ValueError("the package's spine lists no text documents")
    return paths


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


def _header_lines(package: Any) -> str:
    """Another tool's EPUB: its package title and creators as the header lines rescue reads."""
    lines: list[str] = []
    for tag, label in (("title", "Title"), ("creator", "Author")):
        for element in package.iter(f"{_DC}{tag}"):
            value = " ".join("".join(element.itertext()).split())
            if value:
                lines.append(f"<p>{label}: {escape(value, quote=False)}</p>")
                break
    return "\n".join(lines)
