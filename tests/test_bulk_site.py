"""Bulk rescue of a whole old archive site: its own pages say which files make a story.

tests/fixtures/bulk/archive is an invented dead archive, laid out as such sites were: a
front page, listings by author (``stories-a-m.html``) with a navigation ring, a "new"
page linking the latest chapter directly, a page per multi-part story listing its text
files in order (``s-lantern.html``: names that do not sort in story order; ``s-tide.html``:
one chapter a 404 page saved under the chapter's name, one not in the mirror), two files
a listing names as two stories though their text says "Part 1" and "Part 2" of one, a
poll, an image caption page, a 404 page saved from a broken e-mail link, a counter image
under a script's name, and files outside the site's pages in sequence by name: three
parts of one story (``k.01``…``k.03``) and two stories of two authors (``fic1``, ``fic2``).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ficarchive.bulk import bulk_rescue, read_report, read_works
from ficarchive.bulk.links import read_links
from ficarchive.bulk.sequences import continues, numbered, split_runs
from ficarchive.bulk.site import Entry, chapter_evidence, title_of
from ficarchive.work import Chapter, Work

ARCHIVE = Path(__file__).resolve().parent / "fixtures" / "bulk" / "archive"
FILES = sorted(p.relative_to(ARCHIVE).as_posix() for p in ARCHIVE.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("site") / "out"
    bulk_rescue(str(ARCHIVE), str(out), jobs=2)
    works = {r["key"]: r for r in read_works(str(out)).to_pylist()}
    report = read_report(str(out)).to_pylist()
    return {"out": out, "works": works, "report": report}


def _diagnostics(row: dict[str, Any], kind: str) -> list[str]:
    return [d["message"] for d in json.loads(row["work_json"])["diagnostics"] if d["kind"] == kind]


def _chapters(row: dict[str, Any]) -> list[str | None]:
    return [c["title"] for c in json.loads(row["work_json"])["chapters"]]


# -- the whole site ---------------------------------------------------------------------------


def test_a_story_s_page_joins_its_files_in_the_site_s_order(site: dict[str, Any]) -> None:
    lantern = site["works"]["t/lantern-one.txt"]
    assert lantern["files"] == ["t/lantern-one.txt", "t/lantern-two.txt", "t/lantern-fin.txt"]
    assert lantern["group"] == "page:s-lantern.html"
    assert (lantern["title"], lantern["authors"]) == ("The Lantern Keeper", ["Mara Finch"])
    assert _chapters(lantern) == ["Part 1: Dusk", "Part 2: Night", "Part 3: Dawn"]


def test_the_site_names_a_story_its_files_do_not(site: dict[str, Any]) -> None:
    tide = site["works"]["t/tide01.txt"]
    assert (tide["title"], tide["authors"]) == ("Low Tide", ["Tom Reed", "Ivy Lane"])
    assert _diagnostics(tide, "site") == [
        "title from the site's listing of s-tide.html",  # the files have none
        "authors from the site's listing of s-tide.html",
    ]
    assert _chapters(tide) == ["Chapter 1", "Chapter 4"]


def test_a_chapter_lost_or_saved_as_a_404_page_is_a_missing_part(site: dict[str, Any]) -> None:
    tide = site["works"]["t/tide01.txt"]
    assert tide["files"] == ["t/tide01.txt", "t/tide04.txt"]
    assert tide["missing_parts"] == [
        "chapter 2 of 4 “Chapter 2” (t\\tide02.txt, an error page saved in its place) of the "
        "story listed on s-tide.html",
        "chapter 3 of 4 “Chapter 3” (t/tide03.txt, not in the mirror) of the story listed on "
        "s-tide.html",
    ]


def test_files_a_listing_names_as_two_stories_stay_two(site: dict[str, Any]) -> None:
    """Their text says Part 1 and Part 2 of "Ember"; the listing lists "Ember" and "The
    Ash Year" as two stories, and the site's word wins over names in sequence."""
    works = site["works"]
    assert works["t/ember1.txt"]["files"] == ["t/ember1.txt"]
    assert works["t/ember2.txt"]["files"] == ["t/ember2.txt"]
    assert _diagnostics(works["t/ember2.txt"], "index-title") == [
        "the site's listing stories-a-m.html names it differently"
    ]


def test_files_in_sequence_by_name_join_where_their_text_agrees(site: dict[str, Any]) -> None:
    works = site["works"]
    marsh = works["t/k.01"]
    assert marsh["files"] == ["t/k.01", "t/k.02", "t/k.03"]
    assert _diagnostics(marsh, "sequence") == [
        "t/k.02 joined as the next part of t/k.01: the same title; the same author; "
        "its numbering goes on (1, then 2)",
        "t/k.03 joined as the next part of t/k.02: the same title; the same author; "
        "its numbering goes on (2, then 3)",
    ]
    assert works["t/fic1"]["files"] == ["t/fic1"] and works["t/fic2"]["files"] == ["t/fic2"]
    assert _diagnostics(works["t/fic2"], "sequence") == [
        "kept apart from t/fic1, the file before it by name: titles differ (“The Imp”); "
        "authors differ"
    ]


def test_the_site_s_own_pages_are_reported_as_site_pages(site: dict[str, Any]) -> None:
    kinds = {r["file"]: r["kind"] for r in site["report"] if r["kind"] != "missing-part"}
    pages = [f for f in FILES if f.endswith(".html") or f in ("nobody@example.invalid",)]
    assert {f: kinds.get(f) for f in pages} == {f: "site-page" for f in pages}
    assert kinds["t\\tide02.txt"] == "site-page"  # the 404 page saved as a chapter
    assert kinds["counter.cgi@id=3"] == kinds["pic/lamp.gif"] == "skipped"
    reasons = {r["file"]: r["reason"] for r in site["report"]}
    assert reasons["s-lantern.html"] == (
        "s-lantern.html: the page of one story's 3 chapters, joined in its order into the "
        "work t/lantern-one.txt, not a story"
    )
    assert reasons["stories-a-m.html"] == "stories-a-m.html: a list of 5 stories, not a story"
    assert "“404 Not Found”" in reasons["nobody@example.invalid"]


def test_every_file_of_the_site_is_a_work_or_a_report_row(site: dict[str, Any]) -> None:
    in_works = [f for row in site["works"].values() for f in row["files"]]
    reported = {r["file"] for r in site["report"] if r["kind"] != "missing-part"}
    assert len(in_works) == len(set(in_works)) and not set(in_works) & reported
    assert sorted({*in_works, *reported}) == FILES
    assert len(site["works"]) == 8


# -- pieces ---------------------------------------------------------------------------------


def test_a_listing_s_entries_carry_their_authors() -> None:
    page = read_links("list.html", (ARCHIVE / "stories-a-m.html").read_text())
    authors = {link.target: link.authors for link in page.links}
    assert authors["t/ember1.txt"] == ("Mara Finch",)
    assert authors["s-tide.html"] == ("Tom Reed", "Ivy Lane")  # "and <b>Ivy Lane</b>"
    assert "nobody@example.invalid" not in authors  # an address, not a story
    by_line = read_links("s.html", (ARCHIVE / "s-lantern.html").read_text())
    assert by_line.byline == ("Mara Finch",) and by_line.title == "The Lantern Keeper"


@pytest.mark.parametrize(
    ("title", "text", "error"),
    [
        ("404 Not Found", "<h1>Not Found</h1>", "404 Not Found"),
        ("Not in Archive", "<p>This page was not archived.</p>", "Not in Archive"),
        ("The Archive", "<h1>Page cannot be found</h1>", "Page cannot be found"),
        ("Not Found", "<p>" + "A long story about a lost dog. " * 200 + "</p>", None),
        ("Lost and Found", "<p>Chapter one.</p>", None),
    ],
)
def test_error_pages_say_so_in_their_title_and_little_else(
    title: str, text: str, error: str | None
) -> None:
    page = read_links("p.html", f"<html><head><title>{title}</title></head><body>{text}</body>")
    assert page.error == error


def _entries(*pairs: tuple[str, str]) -> list[Entry]:
    return [Entry(n, t, label, "", 0, False, 1) for n, (t, label) in enumerate(pairs)]


def test_chapters_are_read_from_labels_or_continuing_names() -> None:
    chapters = _entries(("x/turnp1.txt", "Part 1"), ("x/senshi1.txt", "Part 2"))
    names = _entries(("m/teacup-carrot.txt", "Carrot"), ("m/teacup-washu.txt", "Washu"))
    stories = _entries(("a/poker.txt", "Poker Night"), ("a/veggie.txt", "Veggie Muyo!"),
                       ("a/zen.txt", "Zen"))  # fmt: skip
    assert chapter_evidence(chapters) == chapter_evidence(names) == 1.0
    assert chapter_evidence(stories) == 0.0
    assert title_of("Back to the Main Page") is None and title_of("Part 3") is None


def _work(title: str | None, authors: tuple[str, ...] = (), *chapters: str | None) -> Work:
    return Work(title=title, authors=authors, chapters=tuple(Chapter(c) for c in chapters))


@pytest.mark.parametrize(
    ("before", "after", "join"),
    [
        (_work("The Salt Marsh", ("Wren Hale",)), _work("The Salt Marsh", ("Wren Hale",)), True),
        # one title with its part marks, the next read wrongly: the numbering says so
        (_work("Nigel, part one", ("Dave",), "Chapter one"),
         _work("News saved at 22 May 89", ("kelly > kelvin",), "Chapter II"), True),
        (_work(None, (), "Chapter 3"), _work(None, (), "Chapter 4"), True),
        (_work("The Plan", ("Shannon C",)), _work("Remembering", ("Kristin F",)), False),
        (_work("Experiment", ("Ed Davis",)), _work("Ouija Warning", ("Ed Davis",)), False),
        (_work(None, ("Ed Davis",)), _work(None, ("Ed Davis",)), False),  # one author's two
        (_work("Trek", (), "Chapter 34"), _work("Trek", (), "Chapter 1"), False),  # anew
    ],
)  # fmt: skip
def test_files_in_sequence_join_only_when_their_works_agree(
    before: Work, after: Work, join: bool
) -> None:
    assert continues(before, after).join is join


def test_a_work_that_is_no_story_is_not_joined_by_name() -> None:
    reviews = [_work("The Year in Review", ("ron",)).evolve(looks_like_story=False)] * 2
    runs = split_runs([("st_nov88.txt", reviews[0]), ("st_nov89.txt", reviews[1])])
    assert [[k for k, _ in run] for run in runs] == [["st_nov88.txt"], ["st_nov89.txt"]]


@pytest.mark.parametrize(
    ("key", "sequence", "n", "letter"),
    [
        ("t/k.07", "t/k|", 7, ""),
        ("t/alk1.b", "t/alk1@|", 0, "b"),
        ("x/guyver_muyo02.txt", "x/guyver_muyo|.txt", 2, ""),
        ("l/aikan1a.txt", "l/aikan|.txt", 1, "a"),
        ("bookem.1", "bookem|", 1, ""),
        ("bookem2", "bookem|", 2, ""),
    ],
)
def test_names_in_sequence(key: str, sequence: str, n: int, letter: str) -> None:
    found = numbered(key)
    assert found is not None and (found.sequence, found.n, found.letter) == (sequence, n, letter)


def _groups(tmp_path: Path, files: dict[str, str]) -> dict[str, list[str]]:
    from ficarchive.bulk import open_source
    from ficarchive.bulk.plan import Plan

    for name, text in files.items():
        (tmp_path / "site" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "site" / name).write_text(text)
    plan = Plan(tmp_path / "plan.sqlite")
    plan.build(open_source(str(tmp_path / "site")))
    groups = {t.keys[0]: list(t.keys) for t in plan.pending()}
    plan.close()
    return groups


def test_a_sequence_is_cut_where_its_numbers_jump(tmp_path: Path) -> None:
    files = {n: "A story.\n" for n in ("snapped.txt", "snapped2.txt", "snapped3.txt",
                                       "ql_0493.txt", "ql_1193.txt")}  # fmt: skip
    groups = _groups(tmp_path, files)
    assert groups["snapped.txt"] == ["snapped.txt", "snapped2.txt", "snapped3.txt"]
    assert groups["ql_0493.txt"] == ["ql_0493.txt"] and groups["ql_1193.txt"] == ["ql_1193.txt"]


def test_a_plan_of_another_version_is_refused(tmp_path: Path) -> None:
    from ficarchive.bulk.plan import Plan, PlanInUse

    path = tmp_path / "OUT" / "_bulk" / "plan.sqlite"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT)")
        old.execute("INSERT INTO meta VALUES ('source', 'site/')")
    with pytest.raises(PlanInUse, match="planned by another version of ficarchive"):
        Plan(path)


def test_on_a_text_site_only_an_html_page_listed_under_its_author_is_a_story(
    tmp_path: Path,
) -> None:
    titles = ["The Well", "Winter Roads", "Salt", "The Ferry", "Low Hills", "Ash", "Rooks",
              "Tallow", "Cold Lake", "The Mill"]  # fmt: skip
    entries = "".join(f'<li><a href="t/{n}.txt">{t}</a>' for n, t in enumerate(titles))
    listing = f"""<html><head><title>Stories</title></head><body>
    <p><b>Ann Reed</b> (<a href="mailto:ann@example.invalid">ann@example.invalid</a>)
    <ul>{entries}<li><a href="tale.html">A Tale Told in HTML</a></ul>
    <p><a href="about.html">About this site</a></p></body></html>"""
    prose = "<html><body><p>" + "She walked to the well and drew the water. " * 40 + "</p>"
    files = {f"t/{n}.txt": f"{t}\n" for n, t in enumerate(titles)}
    files |= {"list.html": listing, "tale.html": prose, "about.html": prose}
    stories = sorted([*(f"t/{n}.txt" for n in range(len(titles))), "tale.html"])
    assert sorted(_groups(tmp_path, files)) == stories  # about.html: the site's own page


def test_links_find_files_saved_under_another_case_or_slash(tmp_path: Path) -> None:
    page = """<html><head><title>Drift</title></head><body><p>By Ann Reed</p><ul>
    <li><a href="T/Drift1.TXT">Part 1</a><li><a href="t\\drift2.txt">Part 2</a>
    <li><a href="t/drift3.txt">Part 3</a></ul></body></html>"""
    files = {"drift.html": page, "t/drift1.txt": "Drift\n", "t/drift2.txt": "Two\n",
             "t/drift3.txt": "Three\n"}  # fmt: skip
    assert _groups(tmp_path, files) == {"t/drift1.txt": ["t/drift1.txt", "t/drift2.txt",
                                                         "t/drift3.txt"]}  # fmt: skip


def test_a_story_s_contents_page_on_a_site_of_html_stories(tmp_path: Path) -> None:
    """Its chapters link back to it and it links Home: it is still one story's page."""
    prose = "<p>" + "He lit the lamp and she watched the moor from the window. " * 30 + "</p>"
    back = '<p><a href="index.html">Contents</a> <a href="../index.html">Home</a></p>'
    files = {
        "index.html": '<html><head><title>Stories by Mara Finch</title></head><body><ul>'
        '<li><a href="lamp/index.html">The Lamp</a><li><a href="ember.html">Ember</a>'
        '<li><a href="ash.html">Ash</a></ul></body></html>',
        "lamp/index.html": '<html><head><title>The Lamp</title></head><body><h1>The Lamp</h1>'
        '<ol><li><a href="three.html">Chapter 1: Dusk</a><li><a href="one.html">Chapter 2: '
        'Night</a><li><a href="two.html">Chapter 3: Dawn</a></ol>'
        '<a href="../index.html">Home</a></body></html>',
        **{f"lamp/{n}.html": f"<html><body>{prose}{back}</body></html>"
           for n in ("one", "two", "three")},
        "ember.html": f"<html><body>{prose}</body></html>",
        "ash.html": f"<html><body>{prose}</body></html>",
    }  # fmt: skip
    assert _groups(tmp_path, files) == {
        "lamp/three.html": ["lamp/three.html", "lamp/one.html", "lamp/two.html"],
        "ember.html": ["ember.html"],
        "ash.html": ["ash.html"],
    }
