"""No script in any export: hostile works (tests/hostile_works.py) exported in every
format, each file checked as bytes against an allow-list of the elements and attributes
its kind of file may hold, and opened in Debian's headless Chromium, where nothing may
run, open a dialog, log, or fetch anything.

The works come three ways: built directly (as a hand edit or another tool could store
them), read from a Work JSON, and rescued from a Markdown story whose YAML header holds
the payloads. A control page with the payloads left raw shows that both checks see a
script when there is one.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import nh3
import pytest
import yaml
from fastapi.testclient import TestClient
from hostile_works import MARKER, PAYLOADS, hostile_markdown, hostile_work
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ficarchive import rescue
from ficarchive.archive import Archive
from ficarchive.export import to_epub, to_html, to_markdown
from ficarchive.export.ao3 import import_pages
from ficarchive.export.opendoors import HTML_COLUMNS, OpenDoorsTables
from ficarchive.sanitise import STORY_TAGS, clean_fragment
from ficarchive.web import create_app
from ficarchive.web.formats import FORMATS
from ficarchive.work import Work

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]

# What our pages put around story HTML, and the story tags themselves.
PAGE_TAGS = {
    *STORY_TAGS,
    "html", "head", "meta", "title", "style", "link", "body", "main", "header", "h1",
    "h2", "p", "dl", "dt", "dd", "ul", "li", "section", "blockquote", "cite", "div",
    "article", "hr", "footer", "nav", "ol", "a",
}  # fmt: skip
PAGE_ATTRIBUTES = {
    "class", "lang", "xml:lang", "id", "href", "charset", "name", "content", "rel",
    "type", "data-source", "data-looks-like-story", "aria-hidden", "hidden", "epub:type",
    # what Work schema 2 keeps for reading back: a raw tag's kind, a date as written, a
    # series' name and part (inert data, escaped like every value)
    "data-kind", "data-written", "data-name", "data-part",
}  # fmt: skip
OPF_VOCABULARY = {
    "package", "metadata", "manifest", "item", "spine", "itemref", "meta", "identifier",
    "title", "language", "creator", "subject", "description", "date", "source",
    "ncx", "head", "docTitle", "text", "navMap", "navPoint", "navLabel", "content",
    "container", "rootfiles", "rootfile",
}  # fmt: skip
OPF_ATTRIBUTES = {
    "id", "href", "media-type", "properties", "idref", "toc", "version",
    "unique-identifier", "xml:lang", "refines", "property", "scheme", "name", "content",
    "playOrder", "src", "full-path",
}  # fmt: skip
_TAGS_THAT_RUN = (
    r"<\s*/?\s*(?:script|iframe|svg|math|object|embed|img|input|details|base|form|frame"
    r"|textarea|template)\b|<\s*meta\b[^>]*http-equiv"
)
FORBIDDEN = re.compile(_TAGS_THAT_RUN, re.I)
# In Markdown, a "<" after an odd number of backslashes is a literal "<", not markup.
FORBIDDEN_IN_MARKDOWN = re.compile(rf"(?:^|[^\\])(?:\\\\)*(?:{_TAGS_THAT_RUN})", re.I | re.M)
_NAMESPACES = {
    "http://www.w3.org/XML/1998/namespace": "xml:",
    "http://www.idpf.org/2007/ops": "epub:",
}
_OWN_NAMESPACES = (
    "http://www.w3.org/1999/xhtml",
    "http://www.idpf.org/2007/opf",
    "http://purl.org/dc/elements/1.1/",
    "http://www.daisy.org/z3986/2005/ncx/",
    "urn:oasis:names:tc:opendocument:xmlns:container",
)


@dataclass
class Exported:
    """Every file the exports wrote for one work, by kind, and the pages to open."""

    folder: Path
    files: dict[str, list[Path]] = field(default_factory=dict)
    pages: list[Path] = field(default_factory=list)

    def add(self, kind: str, path: Path, *, open_it: bool = False) -> None:
        self.files.setdefault(kind, []).append(path)
        if open_it:
            self.pages.append(path)


def _write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _page(fragments: list[str]) -> str:
    return (
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        + "\n".join(f"<div>{f}</div>" for f in fragments)
        + "</body></html>"
    )


def export_everything(work: Work, folder: Path) -> Exported:
    """Every export of the work, written under `folder` as a user would get them."""
    out = Exported(folder)
    out.add("html", _write(folder / "story.html", to_html(work)), open_it=True)
    with zipfile.ZipFile(io.BytesIO(to_epub(work))) as book:
        for name in book.namelist():
            path = _write(folder / "epub" / name, book.read(name))
            kind = {".xhtml": "xhtml", ".opf": "xml", ".ncx": "xml", ".xml": "xml"}.get(
                path.suffix, "other"
            )
            out.add(kind, path, open_it=kind == "xhtml")
    markdown = to_markdown(work)
    out.add("markdown", _write(folder / "story.md", markdown))
    header, body = _split_markdown(markdown)
    rendered = MarkdownIt("commonmark", {"html": True}).render(body)
    out.add("html", _write(folder / "markdown-body.html", _page([rendered])), open_it=True)
    notes = [*header.get("notes", {}).get("beginning", []), *header.get("notes", {}).get("end", [])]
    html_fields = notes + [e["text"] for e in header.get("epigraphs", [])]
    out.add("html", _write(folder / "markdown-header.html", _page(html_fields)), open_it=True)
    pages, fields = import_pages(work)
    for name, text in pages.items():
        path = _write(folder / "ao3" / name, text)
        out.add("html" if name.endswith(".html") else "other", path, open_it=name.endswith(".html"))
    tables = OpenDoorsTables()
    tables.add(1, work, fields, "ao3")
    cells: list[str] = []
    for name, text in tables.csv_files().items():
        out.add("csv", _write(folder / "opendoors" / name, text))
        table = name.removesuffix(".csv")
        for row in csv.DictReader(io.StringIO(text)):
            cells += [row[column] for column in HTML_COLUMNS.get(table, ())]
    out.add("html", _write(folder / "opendoors-cells.html", _page(cells)), open_it=True)
    return out


def _split_markdown(text: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"\A---\n(.*?\n)---\n", text, re.S)
    assert match, "the Markdown export starts with a YAML header"
    return yaml.safe_load(match.group(1)), text[match.end() :]


# -- the allow-list ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["<em>", "</em>", "<script>", "</script>", "x y", "&amp;", "&nbsp;", "\xa0", "<", ">",
     "<span lang='fr' onclick='y()'>", "</span>", "<!--", "-->", "<br>", "<img src=x>", '"']
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_PIECES, max_size=12).map("".join)))
def test_clean_fragment_is_the_allow_list_and_settles(text: str) -> None:
    cleaned = clean_fragment(text)
    assert cleaned == nh3_reference(text)
    assert clean_fragment(cleaned) == cleaned


def nh3_reference(text: str) -> str:
    """The allow-list written out with nh3 directly, no short cut."""
    tags = {"em", "strong", "u", "s", "br", "span"}
    found = nh3.clean(
        text, tags=tags, attributes={"span": {"lang"}}, url_schemes=set(), link_rel=None
    )
    return found.replace("&nbsp;", "\xa0")


# -- the bytes ------------------------------------------------------------------------------


def _name(qualified: str) -> str:
    """``{namespace}local`` as ``prefix:local`` for the namespaces attributes use."""
    if qualified.startswith("{"):
        namespace, local = qualified[1:].split("}", 1)
        return _NAMESPACES.get(namespace, "{" + namespace + "}") + local
    return qualified


def markup_problems(root: Any, tags: set[str], attributes: set[str]) -> list[str]:
    html = tags is PAGE_TAGS
    """Elements and attributes outside the allow-list, handlers, and URLs with a scheme."""
    found: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments are not markup a browser runs
        tag = element.tag
        if tag.startswith("{"):
            namespace, tag = tag[1:].split("}", 1)
            if namespace not in _OWN_NAMESPACES:
                found.append(f"element {tag} in {namespace}")
        if tag not in tags:
            found.append(f"element <{tag}>")
        for key, value in element.attrib.items():
            name = _name(key)
            if name not in attributes or name.lower().startswith("on"):
                found.append(f"attribute {name} on <{tag}>")
            if name in ("href", "src") and re.match(r"\s*[a-z][a-z0-9+.-]*:", value, re.I):
                found.append(f"{name}={value!r} on <{tag}>")
        if html and tag == "meta" and set(element.attrib) - {"charset", "name", "content"}:
            found.append(f"<meta {dict(element.attrib)}>")
        if (
            html
            and tag == "link"
            and (element.get("rel"), element.get("href")) != ("stylesheet", "style.css")
        ):
            found.append(f"<link {dict(element.attrib)}>")
    return found


def file_problems(kind: str, path: Path) -> list[str]:
    """What in one exported file could run, or is not on that kind of file's allow-list."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    raw = [f"{path.name}: {m.group(0)!r} in the bytes" for m in FORBIDDEN.finditer(text)]
    if kind == "html":
        root = lxml.html.document_fromstring(data)
        return raw + [
            f"{path.name}: {p}" for p in markup_problems(root, PAGE_TAGS, PAGE_ATTRIBUTES)
        ]
    if kind in ("xhtml", "xml"):
        try:
            root = lxml.etree.fromstring(data)
        except lxml.etree.XMLSyntaxError as exc:
            return [*raw, f"{path.name}: not well-formed XML ({exc})"]
        if kind == "xml":
            found = markup_problems(root, OPF_VOCABULARY, OPF_ATTRIBUTES)
            return [f"{path.name}: {p}" for p in found]
        return raw + [
            f"{path.name}: {p}" for p in markup_problems(root, PAGE_TAGS, PAGE_ATTRIBUTES)
        ]
    if kind == "markdown":
        _, body = _split_markdown(text)
        return [f"{path.name} (body): {m.group(0)!r}" for m in FORBIDDEN_IN_MARKDOWN.finditer(body)]
    return []


def export_problems(out: Exported) -> list[str]:
    return [
        p for kind, paths in out.files.items() for path in paths for p in file_problems(kind, path)
    ]


# -- the works --------------------------------------------------------------------------------

SOURCES = ("work", "work-json", "markdown")


def hostile(source: str) -> Work:
    if source == "work":
        return hostile_work()
    if source == "work-json":
        return rescue(hostile_work().to_json().encode("utf-8"), "hostile.json")
    return rescue(hostile_markdown().encode("utf-8"), "hostile.md")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exported]:
    folder = tmp_path_factory.mktemp("hostile-exports")
    return {source: export_everything(hostile(source), folder / source) for source in SOURCES}


@pytest.mark.parametrize("source", SOURCES)
def test_no_export_holds_markup_that_could_run(exported: dict[str, Exported], source: str) -> None:
    out = exported[source]
    assert export_problems(out) == []
    assert sum(len(paths) for paths in out.files.values()) >= 14
    story = (out.folder / "story.html").read_text()
    for words in ("Plain words come first.", "Still here at the end.", "Second chapter words."):
        assert words in story


@pytest.mark.parametrize("source", ("work-json", "markdown"))
def test_rescued_hostile_works_hold_only_clean_html(source: str) -> None:
    work = hostile(source)
    fragments = [*work.paragraphs, *work.notes.beginning, *work.notes.end]
    fragments += [e.text for e in work.epigraphs]
    assert fragments and all(clean_fragment(f) == f for f in fragments)
    kept = {"Plain words come first.", "Still here at the end.", "Second chapter words."}
    assert kept <= set(work.paragraphs)


@pytest.mark.xfail(
    strict=True,
    reason="blocks/html.py: lxml reads <embed> in a body as holding what follows it, and "
    "_DROP_TAGS drops it with that text (a page with background music loses its story)",
)
def test_rescued_markdown_keeps_the_text_after_an_embed() -> None:
    story = 'First words here.\n\n<embed src="tune.mid">\n\nStill here at the end.\n'
    assert "Still here at the end." in rescue(story.encode("utf-8"), "tune.md").paragraphs


def test_plain_text_is_kept_as_the_author_wrote_it(exported: dict[str, Exported]) -> None:
    """Tag-like text in a plain field is text: escaped in the pages, data in the header."""
    work = hostile_work()
    header, _ = _split_markdown((exported["work"].folder / "story.md").read_text())
    assert header["title"] == work.title and header["tags"] == list(work.tags)
    story = lxml.html.parse(str(exported["work"].folder / "story.html")).getroot()
    assert story.find(".//h1").text_content() == work.title
    assert story.find(".//title").text_content() == work.title


def test_the_checks_see_a_script_when_there_is_one(tmp_path: Path) -> None:
    control = _write(tmp_path / "control.html", _page([p.format(f="control") for p in PAYLOADS]))
    assert any("script" in p for p in file_problems("html", control))
    assert any("onerror" in p or "<img>" in p for p in file_problems("html", control))


def test_downloads_are_the_exports_and_sandboxed(tmp_path: Path) -> None:
    location = tmp_path / "archive.sqlite"
    with Archive.open(location) as archive:
        work_id = archive.add_work(hostile_work()).id
        stored = archive.get(work_id).work
    with TestClient(create_app(location)) as client:
        for name, found in FORMATS.items():
            response = client.get(f"/works/{work_id}/download/{name}")
            assert response.status_code == 200
            assert response.content == found.body(stored)
            assert "sandbox" in response.headers.get_list("content-security-policy")
            assert response.headers["content-disposition"].startswith("attachment;")


# -- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


# Every event a handler could wait for, fired at every element once the page has loaded.
_PROVOKE = """() => {
  for (const el of document.querySelectorAll('*')) {
    for (const kind of ['mouseover', 'mouseenter', 'mousedown', 'mouseup', 'focus',
                        'pointerdown', 'toggle', 'animationstart']) {
      el.dispatchEvent(new Event(kind, {bubbles: true}));
    }
    if (el.focus) el.focus();
  }
}"""


def what_ran(context: Any, page_path: Path, folder: Path) -> list[str]:
    """Open one file in Chromium, provoke every element, and say what ran or was fetched."""
    page = context.new_page()
    ran: list[str] = []
    page.on("dialog", lambda d: (ran.append(f"dialog {d.message!r}"), d.dismiss()))
    page.on("console", lambda m: ran.append(f"console {m.text!r}") if "PWNED" in m.text else None)

    def fetched(request: Any) -> None:
        url = request.url
        if not (url.startswith("file://") and url[7:].startswith(str(folder))):
            ran.append(f"fetched {url[:80]}")

    page.on("request", fetched)
    page.goto(page_path.as_uri(), wait_until="load")
    page.evaluate(_PROVOKE)
    page.wait_for_timeout(100)
    for frame in page.frames:
        value = frame.evaluate(
            f"() => window.{MARKER} === undefined ? null : String(window.{MARKER})"
        )
        if value is not None:
            ran.append(f"{MARKER} = {value!r} in {frame.url[:60]}")
    text = page.locator("body").inner_text()
    page.close()
    return ran if text.strip() else [*ran, "the page showed nothing"]


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own profile state), script allowed as by default."""
    opened = browser.new_context(java_script_enabled=True)
    yield opened
    opened.close()


@pytest.mark.parametrize("source", SOURCES)
def test_nothing_runs_in_chromium(context: Any, exported: dict[str, Exported], source: str) -> None:
    out = exported[source]
    assert len(out.pages) >= 8
    ran = {
        page.relative_to(out.folder).as_posix(): what_ran(context, page, out.folder)
        for page in out.pages
    }
    assert {name: found for name, found in ran.items() if found} == {}


def test_chromium_sees_a_script_when_there_is_one(context: Any, tmp_path: Path) -> None:
    control = _write(tmp_path / "control.html", _page([p.format(f="control") for p in PAYLOADS]))
    ran = what_ran(context, control, tmp_path)
    assert any(MARKER in r for r in ran) and any("dialog" in r for r in ran), ran
