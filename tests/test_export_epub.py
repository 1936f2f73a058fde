"""EPUB export: the package, the reading order, determinism, and epubcheck on the corpus."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lxml.etree
import pytest

from ficarchive import BinaryInput, Work, rescue
from ficarchive.export.epub import ORNAMENT, book_id, to_epub
from ficarchive.work import Chapter, Epigraph, Notes, Section

BATCH = Path(__file__).resolve().parent / "epubcheck" / "Batch.java"
JAR_CANDIDATES = (Path("/usr/share/java/epubcheck.jar"),)
EPUBCHECK_WORKERS = 2
"""Two JVMs at a time: each checks its share of the books (one JVM start, ~1 s, each)."""

WORK = Work(
    title="Lantern & Stone",
    authors=("Jane Doe", "R. Roe"),
    rating="Mature",
    rating_source="R",
    fandoms=("Buffy the Vampire Slayer",),
    relationships=("Buffy/Spike",),
    characters=("Buffy", "Spike"),
    tags=("Angst",),
    summary="A night\n\nand a morning.",
    notes=Notes(("Thanks to <em>everyone</em>.",), ("More soon.",)),
    published="2004-03-02T10:00:00-08:00",
    epigraphs=(Epigraph("Ring the bells<br>that still can ring", "Leonard Cohen", "Anthem"),),
    chapters=(Chapter(None, (Section(("One <em>two</em>.", "Three")), Section(("Four",)))),),
    end_mark="The End",
    word_count=5,
)


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_mimetype_is_first_and_stored() -> None:
    data = to_epub(WORK)
    assert data[30:38] == b"mimetype" and data[38:58] == b"application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        first = book.infolist()[0]
        assert first.compress_type == zipfile.ZIP_STORED and not first.extra


def test_re_export_is_byte_identical_and_id_is_stable() -> None:
    assert to_epub(WORK) == to_epub(Work.from_json(WORK.to_json()))
    assert book_id(WORK) == book_id(WORK.evolve(repairs=(), diagnostics=()))
    assert book_id(WORK) != book_id(WORK.evolve(title="Other"))


def test_every_document_is_well_formed_xml() -> None:
    for name, data in _entries(to_epub(WORK)).items():
        if name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            lxml.etree.fromstring(data)


def test_package_metadata() -> None:
    opf = _entries(to_epub(WORK))["OEBPS/content.opf"].decode()
    for expected in (
        "<dc:title>Lantern &amp; Stone</dc:title>",
        '<dc:creator id="creator2">R. Roe</dc:creator>',
        "<dc:language>en</dc:language>",
        "<dc:subject>Buffy/Spike</dc:subject>",
        "<dc:description>A night\n\nand a morning.</dc:description>",
        "<dc:date>2004-03-02</dc:date>",
        '<meta property="dcterms:modified">2004-03-02T18:00:00Z</meta>',
    ):
        assert expected in opf


def test_reading_order_ornament_epigraph_and_one_shot_toc() -> None:
    entries = _entries(to_epub(WORK))
    chapter = entries["OEBPS/chapter-001.xhtml"].decode()
    assert chapter.index('class="epigraph beginning"') < chapter.index("One <em>two</em>.")
    assert f'<hr class="scene-break"/><p class="ornament" aria-hidden="true">{ORNAMENT}</p>' in (
        chapter
    )
    assert "that still can ring" in chapter and "<br/>" in chapter
    assert chapter.index("Four") < chapter.index("The End")
    nav = entries["OEBPS/nav.xhtml"].decode()
    assert '<a href="chapter-001.xhtml">Lantern &amp; Stone</a>' in nav
    assert "afterword.xhtml" in nav and "More soon." in entries["OEBPS/afterword.xhtml"].decode()


def test_epub_rescues_to_the_same_work() -> None:
    again = rescue(to_epub(WORK), "lantern.epub")
    skip = {"repairs", "diagnostics", "source", "word_count", "looks_like_story"}
    assert {k: v for k, v in again.to_dict().items() if k not in skip} == {
        k: v for k, v in WORK.to_dict().items() if k not in skip
    }
    assert again.source is not None and again.source.format == "epub"


def test_another_tools_epub2_is_read_from_its_spine() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr(
            "META-INF/container.xml",
            '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="content.opf"/></rootfiles></container>',
        )
        book.writestr(
            "content.opf",
            '<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Far Shore</dc:title>'
            "<dc:creator>Ann Writer</dc:creator></metadata><manifest>"
            '<item id="a" href="a.html" media-type="application/xhtml+xml"/>'
            '<item id="b" href="b.html" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="b"/><itemref idref="a"/></spine></package>',
        )
        page = '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{}</p></body></html>'
        book.writestr("a.html", page.format("The second page, where the story ends."))
        book.writestr("b.html", page.format("The first page, <i>where</i> it starts."))
    work = rescue(buffer.getvalue(), "far.epub")
    assert work.title == "Far Shore" and work.authors == ("Ann Writer",)
    text = " ".join(work.paragraphs)
    assert text.index("first page") < text.index("second page")
    assert "<em>where</em>" in text


def test_a_broken_epub_is_one_clear_error() -> None:
    data = b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/epub+zip" + b"\x00" * 40
    with pytest.raises(BinaryInput, match="this EPUB cannot be read"):
        rescue(data, "broken.epub")


# -- epubcheck over the corpus ---------------------------------------------------------


def _epubcheck_jar() -> Path:
    java = shutil.which("java")
    jar = next((j for j in JAR_CANDIDATES if j.is_file()), None)
    if java is None or jar is None:
        pytest.skip(
            "epubcheck is not installed (Debian: apt-get install epubcheck, which brings "
            "/usr/share/java/epubcheck.jar and Java); .ci/run installs it"
        )
    return jar


def _check(jar: Path, books: list[Path]) -> str:
    result = subprocess.run(
        ["java", "-cp", str(jar), str(BATCH), *map(str, books)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "JAVA_TOOL_OPTIONS": "-Xshare:auto"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


@pytest.mark.corpus
def test_epubcheck_passes_every_antennapedia_story(corpus: Path, tmp_path: Path) -> None:
    """0 fatals, 0 errors, 0 warnings from epubcheck on every story of the folder."""
    jar = _epubcheck_jar()
    books = []
    for path in sorted((corpus / "antennapedia-btvs").iterdir()):
        if not path.name.startswith("."):
            book = tmp_path / f"{path.stem}.epub"
            book.write_bytes(to_epub(rescue(path.read_bytes(), path.name)))
            books.append(book)
    shares = [books[n::EPUBCHECK_WORKERS] for n in range(EPUBCHECK_WORKERS)]
    with ThreadPoolExecutor(EPUBCHECK_WORKERS) as pool:
        output = "\n".join(pool.map(lambda share: _check(jar, share), shares))
    results = [line.split(" ", 4) for line in output.splitlines() if line.startswith("RESULT ")]
    assert len(results) == len(books)
    failing = [r[4] for r in results if r[1:4] != ["0", "0", "0"]]
    messages = [line for line in output.splitlines() if line.startswith(("ERROR", "WARNING"))]
    assert failing == [], "\n".join(messages[:20])


GOLDEN = Path(__file__).resolve().parent / "fixtures" / "export"


@pytest.mark.parametrize("entry", ["content.opf", "nav.xhtml", "toc.ncx", "preface.xhtml"])
def test_package_documents_match_golden(entry: str) -> None:
    """The package documents of an invented work, as kept in tests/fixtures/export.

    After a deliberate change, regenerate with FICARCHIVE_REGOLD=1 and review the diff."""
    from ficarchive.export.html import GENERATOR

    text = _entries(to_epub(WORK))[f"OEBPS/{entry}"].decode().replace(GENERATOR, "GENERATOR")
    golden = GOLDEN / f"lantern.{entry}"
    if os.environ.get("FICARCHIVE_REGOLD"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
