"""EPUBs in and out: a FanFicFare-shaped and an AO3-shaped EPUB keep every metadata field
their package and title page or preface carry (the preface is not a chapter), and our
own EPUB export writes them back so that rescuing it gives the same fields."""

from __future__ import annotations

import io
import zipfile

import pytest

from ficarchive.export.epub import to_epub
from ficarchive.rescue import rescue
from ficarchive.work import SeriesPart, Work

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
PROSE = "<p>" + "Giles set the kettle on and waited for the water to boil, thinking. " * 8 + "</p>"


def _epub(opf_meta: str, pages: dict[str, str]) -> bytes:
    items = "".join(
        f'<item id="p{n}" href="{name}" media-type="application/xhtml+xml"/>'
        for n, name in enumerate(pages)
    )
    spine = "".join(f'<itemref idref="p{n}"/>' for n in range(len(pages)))
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" '
        f'xmlns:opf="http://www.idpf.org/2007/opf">{opf_meta}</metadata><manifest>{items}'
        f"</manifest><spine>{spine}</spine></package>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        book.writestr("META-INF/container.xml", CONTAINER)
        book.writestr("content.opf", opf)
        for name, body in pages.items():
            book.writestr(
                name,
                '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                f"<title>x</title></head>{body}</html>",
            )
    return out.getvalue()


def fanficfare_epub() -> bytes:
    meta = (
        '<dc:identifier id="id">fanficfare-uid:ao3-u1-s2</dc:identifier>'
        "<dc:title>Sound of Bells</dc:title><dc:creator>Jane Doe</dc:creator>"
        "<dc:language>en</dc:language>"
        '<dc:date opf:event="publication">2012-05-01</dc:date>'
        '<dc:date opf:event="modification">2012-06-02</dc:date>'
        '<meta name="calibre:series" content="Watcher\'s Child"/>'
        '<meta name="calibre:series_index" content="3.00"/>'
        "<dc:description>Giles hears bells.</dc:description>"
        "<dc:subject>Angst</dc:subject><dc:source>https://archiveofourown.org/works/2</dc:source>"
    )
    title_page = (
        '<body class="fff_titlepage"><h3><a href="https://archiveofourown.org/works/2">Sound of '
        'Bells</a> by <a class="authorlink" href="u">Jane Doe</a></h3><div>'
        "<b>Series:</b> Watcher's Child [3]<br/>"
        "<b>Category:</b> Buffy the Vampire Slayer (TV)<br/>"
        "<b>Genre:</b> Angst, Hurt/Comfort, M/M<br/>"
        "<b>Language:</b> English<br/>"
        "<b>Characters:</b> Rupert Giles, Xander Harris<br/>"
        "<b>Relationships:</b> Rupert Giles/Xander Harris<br/>"
        "<b>Status:</b> In-Progress<br/>"
        "<b>Published:</b> 2012-05-01<br/><b>Updated:</b> 2012-06-02<br/>"
        "<b>Rating:</b> Mature<br/><b>Warnings:</b> No Archive Warnings Apply<br/>"
        "<b>Chapters:</b> 1/?<br/><b>Summary:</b> Giles hears bells.<br/></div></body>"
    )
    chapter = f'<body class="fff_chapter"><h3 class="fff_chapter_title">Matins</h3>{PROSE}</body>'
    return _epub(meta, {"OEBPS/title_page.xhtml": title_page, "OEBPS/file0001.xhtml": chapter})


def ao3_epub() -> bytes:
    meta = (
        '<dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>Sound of Bells</dc:title>'
        "<dc:creator>Jane Doe</dc:creator><dc:language>en</dc:language>"
        "<dc:publisher>Archive of Our Own</dc:publisher>"
    )
    preface = (
        '<body><div class="meta"><dl class="tags">'
        '<dt class="rating">Rating:</dt><dd class="rating"><a>Mature</a></dd>'
        "<dt>Archive Warning:</dt><dd><a>No Archive Warnings Apply</a></dd>"
        "<dt>Category:</dt><dd><a>M/M</a></dd>"
        "<dt>Fandom:</dt><dd><a>Buffy the Vampire Slayer (TV)</a></dd>"
        "<dt>Relationship:</dt><dd><a>Rupert Giles/Xander Harris</a></dd>"
        "<dt>Character:</dt><dd><a>Rupert Giles</a>, <a>Xander Harris</a></dd>"
        "<dt>Additional Tags:</dt><dd><a>Angst</a>, <a>Hurt/Comfort</a></dd>"
        "<dt>Language:</dt><dd>English</dd>"
        "<dt>Series:</dt><dd>Part 3 of <a>Watcher's Child</a></dd>"
        "<dt>Stats:</dt><dd>Published: 2012-05-01 Updated: 2012-06-02 Words: 120 "
        "Chapters: 1/?</dd></dl>"
        '<h1>Sound of Bells</h1><div class="byline">by <a rel="author">Jane Doe</a></div>'
        '<p>Summary</p><blockquote class="userstuff"><p>Giles hears bells.</p></blockquote>'
        "</div></body>"
    )
    chapter = f'<body><div class="meta group"><h2 class="heading">Matins</h2></div>{PROSE}</body>'
    return _epub(
        meta, {"Sound_of_Bells_split_000.xhtml": preface, "Sound_of_Bells_split_001.xhtml": chapter}
    )


def _fields(work: Work) -> dict[str, object]:
    return {
        "title": work.title,
        "authors": work.authors,
        "rating": work.rating,
        "warnings": work.warnings,
        "fandoms": work.fandoms,
        "categories": work.categories,
        "relationships": work.relationships,
        "characters": work.characters,
        "tags": tuple(t for t in work.tags if t != "M/M"),
        "summary": work.summary,
        "published": work.published,
        "updated": work.updated,
        "series": work.series,
        "complete": work.complete,
        "language": work.language,
    }


EXPECTED = {
    "title": "Sound of Bells",
    "authors": ("Jane Doe",),
    "rating": "Mature",
    "warnings": ("No Archive Warnings Apply",),
    "fandoms": ("Buffy the Vampire Slayer (TV)",),
    "categories": ("M/M",),
    "relationships": ("Rupert Giles/Xander Harris",),
    "characters": ("Rupert Giles", "Xander Harris"),
    "tags": ("Angst", "Hurt/Comfort"),
    "summary": "Giles hears bells.",
    "published": "2012-05-01",
    "updated": "2012-06-02",
    "series": (SeriesPart("Watcher's Child", 3),),
    "complete": False,
    "language": "en",
}


@pytest.mark.parametrize("make", [fanficfare_epub, ao3_epub], ids=["fanficfare", "ao3"])
def test_an_epub_keeps_every_field_and_round_trips(make: object) -> None:
    work = rescue(make(), "bells.epub")  # type: ignore[operator]
    assert _fields(work) == EXPECTED
    assert len(work.chapters) == 1 and "Series" not in " ".join(work.paragraphs)
    again = rescue(to_epub(work), "again.epub")
    assert _fields(again) == _fields(work)
    assert again.raw_tags == work.raw_tags


def test_our_epub_carries_series_dates_source_and_rating_for_calibre() -> None:
    work = Work(
        title="Bells",
        authors=("Jo",),
        rating="Mature",
        warnings=("Major Character Death",),
        series=(SeriesPart("Legacies", 2),),
        published="1998-06-12",
        updated="1998-07-01",
        url="http://example.org/bells.html",
        language="de",
    )
    with zipfile.ZipFile(io.BytesIO(to_epub(work))) as book:
        opf = book.read("OEBPS/content.opf").decode()
    for part in (
        '<meta property="belongs-to-collection" id="series1">Legacies</meta>',
        '<meta refines="#series1" property="group-position">2</meta>',
        '<meta name="calibre:series" content="Legacies"/>',
        '<meta name="calibre:series_index" content="2.0"/>',
        "<dc:date>1998-06-12</dc:date>",
        "1998-07-01T00:00:00Z",
        "<dc:source>http://example.org/bells.html</dc:source>",
        "<dc:subject>Mature</dc:subject>",
        "<dc:subject>Major Character Death</dc:subject>",
        "<dc:language>de</dc:language>",
    ):
        assert part in opf
