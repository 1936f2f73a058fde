"""eFiction dumps: a ``stories/`` folder read with the site's MySQL dump beside it.

The site under tests/fixtures/bulk/efiction-site is invented: a dump
(backup/tidesite.sql, mysqldump style, a Windows-1252 byte in one title) of three
stories. Story 1 has chapters 10 and 11 on disk, listed out of order, and chapter 13 held
only in the database; story 2 has chapter 20 on disk and chapter 21 nowhere; story 3 has
no chapter anywhere. stories/2/99.txt is a file the database does not know.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ficarchive.bulk import bulk_rescue, read_report, read_works, sqldump
from ficarchive.bulk.efiction import gunzipped, is_dump
from ficarchive.bulk.sqldump import DumpError, rows

SITE = Path(__file__).resolve().parent / "fixtures" / "bulk" / "efiction-site"
DUMP = "backup/tidesite.sql"


def _closing_words(work: dict[str, Any]) -> list[str]:
    """The word naming each chapter's text (``That was the ebb-one chapter``)."""
    return [c["sections"][-1]["paragraphs"][-1].split()[3] for c in work["chapters"]]


def _run(source: Path | str, out: Path) -> dict[str, Any]:
    summary = bulk_rescue(str(source), str(out), jobs=1)
    works = {r["key"]: r for r in read_works(str(out)).to_pylist()}
    report = read_report(str(out)).to_pylist()
    return {"summary": summary, "works": works, "report": report}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _run(SITE, tmp_path_factory.mktemp("efiction") / "out")


# -- the dump reader ----------------------------------------------------------------------------


def test_values_come_back_as_mysql_wrote_them() -> None:
    dump = (
        b"/*!40101 SET NAMES latin1 */;\n-- a comment; with a semicolon\n# another\n"
        b"CREATE TABLE IF NOT EXISTS `db`.`x_t` (\n  `a` int, `b` text, `c` blob,\n"
        b"  PRIMARY KEY (`a`), KEY `b` (`b`(10))\n) ENGINE=MyISAM;\n"
        b"INSERT INTO `x_t` VALUES (-3,'it''s; (not) \\\"over\\\"\\n\\\\',0x4142),"
        b"(4.5,NULL,_binary 'z'),(1e3,'\\0\\Z\\%',0x);\n"
        b"INSERT IGNORE INTO x_t (c, a) VALUES ('first', 7);\n"
    )
    found = [r.values for r in rows(iter([dump]))]
    assert found == [
        {"a": -3, "b": b'it\'s; (not) "over"\n\\', "c": b"AB"},
        {"a": 4.5, "b": None, "c": b"z"},
        {"a": 1000.0, "b": b"\0\x1a\\%", "c": b""},
        {"c": b"first", "a": 7},
    ]
    assert {r.table for r in rows(iter([dump]))} == {"x_t"}


def test_a_dump_cut_inside_a_value_is_an_error() -> None:
    with pytest.raises(DumpError, match="inside a quoted value"):
        list(rows(iter([b"INSERT INTO t VALUES (1,'never clo", b"sed"])))


_VALUE = st.one_of(
    st.none(),
    st.integers(-(2**40), 2**40),
    st.binary(max_size=40),
    st.text(max_size=20).map(lambda t: t.encode()),
)


def _literal(value: Any) -> bytes:
    """A value as mysqldump writes it."""
    if value is None:
        return b"NULL"
    if isinstance(value, int):
        return str(value).encode()
    escapes = {b"\\": b"\\\\", b"'": b"\\'", b"\0": b"\\0", b"\n": b"\\n", b"\r": b"\\r"}
    return b"'" + b"".join(escapes.get(bytes([c]), bytes([c])) for c in value) + b"'"


@given(
    st.lists(st.lists(_VALUE, min_size=3, max_size=3), min_size=1, max_size=6),
    st.lists(st.integers(1, 400), max_size=8),
)
@example([[b"';", None, 1], [b"\\", b"--", -5]], [1, 2, 3])
@example([[None, None, b'""']], [])  # found by Hypothesis: "" is not an escape in '…'
def test_any_values_survive_any_cut_of_the_stream(table: list[list[Any]], cuts: list[int]) -> None:
    dump = b"CREATE TABLE `t` (`a` text, `b` text, `c` text);\nINSERT INTO `t` VALUES "
    dump += b",".join(b"(" + b",".join(_literal(v) for v in row) + b")" for row in table)
    dump += b";\n"
    pieces, at = [], 0
    for cut in sorted(cuts):
        pieces.append(dump[at:cut])
        at = max(at, cut)
    pieces.append(dump[at:])
    assert [list(r.values.values()) for r in rows(iter(pieces))] == table


def test_mysql_s_other_literals_and_ansi_names() -> None:
    dump = b'INSERT INTO "t" ("a", "b", "c", "d") VALUES (X\'4142\', b\'101\', N\'x\', 2);'
    assert [r.values for r in rows(iter([dump]))] == [{"a": b"AB", "b": 5, "c": b"x", "d": 2}]


def test_a_dump_cut_inside_a_row_is_an_error() -> None:
    with pytest.raises(DumpError, match="ends inside a row of t"):
        list(rows(iter([b"INSERT INTO t VALUES (1,'a'),(2,"])))


def test_an_unclosed_quote_does_not_read_the_rest_of_the_dump_into_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sqldump, "MAX_STATEMENT_BYTES", 1000)
    chunks = iter([b"INSERT INTO t VALUES ('never closed", *([b"x" * 100] * 10_000)])
    with pytest.raises(DumpError, match="longer than"):
        list(rows(chunks))
    assert len(list(chunks)) > 9_000  # it stopped reading early


def test_gzip_members_are_all_read_and_a_cut_one_is_an_error() -> None:
    two = gzip.compress(b"first ") + gzip.compress(b"second")
    assert b"".join(gunzipped(iter([two[:7], two[7:]]))) == b"first second"
    with pytest.raises(EOFError, match="cut short"):
        b"".join(gunzipped(iter([two[:-9]])))


def test_any_sql_dump_is_a_database_never_a_story() -> None:
    head = (SITE / DUMP).read_bytes()[:4096]
    assert is_dump(DUMP, head)
    assert is_dump("site.sql.gz", gzip.compress(head))
    assert not is_dump("stories/1/10.txt", head)
    assert is_dump("shop.sql", b"-- MySQL dump 10.13\nCREATE TABLE `orders` (`id` int);")
    assert not is_dump("notes.sql", b"Dear diary: today I wrote a story about SQL.")


# -- a whole site -------------------------------------------------------------------------------


def test_chapter_files_are_joined_in_the_database_s_order(site: dict[str, Any]) -> None:
    row = site["works"]["stories/1/10.txt"]
    assert row["files"] == ["stories/1/10.txt", "stories/1/11.txt", f"{DUMP}#chapter=13"]
    work = json.loads(row["work_json"])
    assert _closing_words(work) == ["ebb-one", "flood-two", "slack-three"]
    assert [c["title"] for c in work["chapters"]] == ["Ebb", "Flood", "Slack Water"]


def test_the_database_gives_the_story_its_metadata(site: dict[str, Any]) -> None:
    row = site["works"]["stories/1/10.txt"]
    work = json.loads(row["work_json"])
    assert row["title"] == "Lanterns at Low Tide"
    assert row["authors"] == ["Marisol Vey", "Petra Quill"]  # the co-author from its table
    assert (row["rating"], work["rating_source"]) == ("Explicit", "NC-17")
    assert row["characters"] == ["Willow Rosenberg", "Tara Maclay"]
    assert row["fandoms"] == ["Buffy the Vampire Slayer (TV)"]  # category "BtVS"
    assert row["tags"] == ["Harbour Towns", "Angst", "Romance"]
    assert work["summary"] == "Two witches wait out a very long tide."
    assert work["notes"]["beginning"] == [
        "Written for the harbour challenge.",
        "Thanks to Petra for the <strong>beta</strong>.",
    ]
    assert work["published"] == "2004-05-01"
    assert row["looks_like_story"]  # its chapters alone are too short to read as a story
    noted = {
        d["message"].split(" from ")[0] for d in work["diagnostics"] if d["kind"] == "efiction"
    }
    assert {"title", "authors", "rating", "characters", "summary", "story notes"} <= noted


def test_windows_1252_text_in_the_database_is_read_as_such(site: dict[str, Any]) -> None:
    assert site["works"]["stories/2/20.txt"]["title"] == "The Cartographer’s Apprentice"


def test_chapters_and_stories_the_source_lacks_are_reported(site: dict[str, Any]) -> None:
    row = site["works"]["stories/2/20.txt"]
    assert row["missing_parts"] == [
        "chapter 2 of 2 “Second Sheet” (stories/2/21.txt) of “The Cartographer’s "
        f"Apprentice” (story 2 of {DUMP})"
    ]
    reasons = {(r["file"], r["kind"]): r["reason"] for r in site["report"]}
    assert "story 3 “Nothing Survived”" in reasons[(DUMP, "missing-part")]
    assert "none of its 1 chapter(s)" in reasons[(DUMP, "missing-part")]
    assert "eFiction database dump (stories: 3, chapters: 6)" in reasons[(DUMP, "index")]
    assert reasons[("stories/2/20.txt", "missing-part")] == row["missing_parts"][0]


def test_the_dump_is_no_story_and_unknown_files_stand_alone(site: dict[str, Any]) -> None:
    assert set(site["works"]) == {"stories/1/10.txt", "stories/2/20.txt", "stories/2/99.txt"}
    alone = json.loads(site["works"]["stories/2/99.txt"]["work_json"])
    assert _closing_words(alone) == ["orphan-page"]
    assert not any(d["kind"] == "efiction" for d in alone["diagnostics"])


def test_text_held_in_the_database_is_kept_as_an_original(site: dict[str, Any]) -> None:
    originals = site["works"]["stories/1/10.txt"]["originals"]
    assert originals[0] == (SITE / "stories/1/10.txt").read_bytes()
    assert originals[2].startswith(b"The slack-three light") and b"\r\n" in originals[2]


def test_a_zipped_and_gzipped_site_gives_the_same_works(
    tmp_path: Path, site: dict[str, Any]
) -> None:
    folder = tmp_path / "site"
    shutil.copytree(SITE, folder)
    dump = folder / DUMP
    (folder / (DUMP + ".gz")).write_bytes(gzip.compress(dump.read_bytes()))
    dump.unlink()
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    again = _run(archive, tmp_path / "out")
    first = site["works"]["stories/1/10.txt"]
    row = again["works"]["stories/1/10.txt"]
    assert row["files"][2] == f"{DUMP}.gz#chapter=13"
    assert (row["title"], row["authors"], row["chapters"]) == (
        first["title"],
        first["authors"],
        first["chapters"],
    )


def test_a_broken_dump_is_reported_and_the_chapters_still_rescued(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    shutil.copytree(SITE, folder)
    whole = (folder / DUMP).read_bytes()
    (folder / DUMP).write_bytes(whole[: whole.index(b"Two witches") + 5])  # cut in a value
    result = _run(folder, tmp_path / "out")
    failed = [r for r in result["report"] if r["kind"] == "failed"]
    assert [r["file"] for r in failed] == [DUMP]
    assert "cannot be read" in failed[0]["reason"] and "one by one" in failed[0]["reason"]
    assert len(result["works"]) == 4  # every chapter file a work of its own


def test_a_data_only_dump_is_read_in_efiction_3_s_column_order(tmp_path: Path) -> None:
    """``mysqldump --no-create-info`` names no columns: eFiction 3's order is assumed."""
    site = tmp_path / "site"
    (site / "stories" / "4").mkdir(parents=True)
    for chapid in (40, 41):
        shutil.copy(SITE / "stories/1/10.txt", site / "stories" / "4" / f"{chapid}.txt")
    (site / "data.sql").write_bytes(
        b"INSERT INTO `efic_authors` VALUES (4,'Ines Darrow','','','','','',NULL);\n"
        b"INSERT INTO `efic_stories` VALUES (9,'Salt Roads','A summary.','','0',NULL,'0',"
        b"'0','2003-02-01 00:00:00',NULL,4,NULL,'0','1','1','0',90,0,0,0,'0');\n"
        b"INSERT INTO `efic_chapters` VALUES (41,'Second',2,'',NULL,NULL,'1',45,0,0,9,4,0),"
        b"(40,'First',1,'',NULL,NULL,'1',45,0,0,9,4,0);\n"
    )
    result = _run(site, tmp_path / "out")
    (row,) = result["works"].values()
    assert (row["title"], row["authors"]) == ("Salt Roads", ["Ines Darrow"])
    assert row["files"] == ["stories/4/40.txt", "stories/4/41.txt"]
    assert [c["title"] for c in json.loads(row["work_json"])["chapters"]] == ["First", "Second"]


def _site(folder: Path, dump: bytes, chapters: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    (folder / "site.sql").write_bytes(dump)
    for name, word in chapters.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        text = (SITE / "stories/1/10.txt").read_text().replace("ebb-one", word)
        (folder / name).write_text(text)


def test_quoted_ids_a_co_author_flag_and_a_unix_date(tmp_path: Path) -> None:
    """phpMyAdmin quotes every value; eFiction 3.5 keeps `coauthors` as a flag (the
    coauthors table names them) and `date` as a Unix time; rating 9 is not in the table."""
    dump = (
        b"INSERT INTO `fanfiction_authors` (`uid`, `penname`) VALUES ('1', 'Site Admin'),"
        b" ('2', 'Ana Reyes'), ('3', 'Bo Lind');\n"
        b"INSERT INTO `fanfiction_coauthors` (`sid`, `uid`) VALUES ('5', '3');\n"
        b"INSERT INTO `fanfiction_stories` (`sid`, `title`, `uid`, `coauthors`, `date`, `rid`)"
        b" VALUES ('5', 'Quiet Harbour', '2', '1', '1083412800', '9');\n"
        b"INSERT INTO `fanfiction_chapters` (`chapid`, `sid`, `uid`, `inorder`, `title`) VALUES"
        b" ('51', '5', '2', '2', 'Two'), ('50', '5', '2', '1', 'One');\n"
    )
    _site(tmp_path / "site", dump, {"stories/2/50.txt": "one-a", "stories/2/51.txt": "two-b"})
    (row,) = _run(tmp_path / "site", tmp_path / "out")["works"].values()
    work = json.loads(row["work_json"])
    assert (row["title"], row["authors"]) == ("Quiet Harbour", ["Ana Reyes", "Bo Lind"])
    assert _closing_words(work) == ["one-a", "two-b"]
    assert (work["published"], row["rating"], work["rating_source"]) == (
        "2004-05-01", "Not Rated", None,
    )  # fmt: skip


def test_chapter_ids_repeat_across_sites_and_each_file_finds_its_own(tmp_path: Path) -> None:
    """Two sites of one collection, both with a chapter 10: the nearest dump whose
    chapter 10 is by the file's author takes it."""
    for site, uid, title in (("a", 1, "Alpha"), ("b", 2, "Beta")):
        dump = (
            f"INSERT INTO `fanfiction_stories` (`sid`, `title`, `uid`) VALUES"
            f" (1, '{title}', {uid});"
            f"INSERT INTO `fanfiction_chapters` (`chapid`, `sid`, `uid`, `inorder`) VALUES"
            f" (10, 1, {uid}, 1);"
        ).encode()
        _site(tmp_path / "c" / site, dump, {f"stories/{uid}/10.txt": f"{site}-text"})
    works = _run(tmp_path / "c", tmp_path / "out")["works"]
    assert {k: r["title"] for k, r in works.items()} == {
        "a/stories/1/10.txt": "Alpha",
        "b/stories/2/10.txt": "Beta",
    }


def test_one_install_a_dump_the_other_is_named(tmp_path: Path) -> None:
    dump = (
        b"INSERT INTO `fanfiction_stories` (`sid`, `title`, `uid`) VALUES (1, 'Kept', 1);"
        b"INSERT INTO `fanfiction_chapters` (`chapid`, `sid`, `uid`, `inorder`) VALUES (10,1,1,1);"
        b"INSERT INTO `old_fanfiction_stories` (`sid`, `title`, `uid`) VALUES (1, 'Old', 1);"
    )
    _site(tmp_path / "site", dump, {"stories/1/10.txt": "kept"})
    result = _run(tmp_path / "site", tmp_path / "out")
    assert [r["title"] for r in result["works"].values()] == ["Kept"]
    (note,) = [r["reason"] for r in result["report"] if r["kind"] == "index"]
    assert "(stories: 1, chapters: 1)" in note and "old_fanfiction_*" in note


def test_a_sql_file_of_another_program_is_skipped(tmp_path: Path) -> None:
    _site(tmp_path / "site", b"CREATE TABLE `orders` (`id` int);\n", {"story.txt": "plain"})
    result = _run(tmp_path / "site", tmp_path / "out")
    assert list(result["works"]) == ["story.txt"]
    assert [(r["file"], r["kind"]) for r in result["report"]] == [("site.sql", "skipped")]


def test_a_tar_source_unpacks_a_dump_of_any_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ficarchive.bulk import sources

    archive = tmp_path / "site.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(SITE / DUMP, DUMP)
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 100)  # the dump is far over a story's size
    sources.TarSource(str(archive)).unpack(tmp_path / "unpacked")
    assert (tmp_path / "unpacked" / DUMP).read_bytes() == (SITE / DUMP).read_bytes()


def test_two_backups_of_one_site_are_not_a_flood_of_missing_stories(tmp_path: Path) -> None:
    """The first dump listed takes the chapters; the other says, in one line, that its
    stories were read from there."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    older = "backup/tidesite-older.sql"  # listed first: it takes the chapters
    shutil.copy(site / DUMP, site / older)
    result = _run(site, tmp_path / "out")
    assert sorted(result["works"]) == ["stories/1/10.txt", "stories/2/20.txt", "stories/2/99.txt"]
    assert result["works"]["stories/1/10.txt"]["files"][2] == f"{older}#chapter=13"
    second = [(r["kind"], r["reason"]) for r in result["report"] if r["file"] == DUMP]
    assert second[1:] == [
        (
            "index",
            f"{DUMP}: 3 of its stories are stories of {older} too (the same chapters); "
            "read from there (two copies of one site?)",
        )
    ]  # story 3, in neither, is reported once: by the first dump
    lost = [r["reason"] for r in result["report"] if r["kind"] == "missing-part"]
    assert len(lost) == 2 and all(older in why for why in lost)
