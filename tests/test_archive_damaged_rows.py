"""One damaged stored work never takes the archive down.

A row whose Work JSON has the wrong types, or is no JSON at all, is left out of every
listing with a report line, refused in one line where it is asked for by id, and can
still give back its original and be removed; the rest of the archive reads on, on
both backends, in the library, the command line and the reader.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficarchive.archive import Archive
from ficarchive.archive.records import Prepared
from ficarchive.archive.validate import WORK_FIELDS, read_work
from ficarchive.errors import DamagedWork, InvalidWork
from ficarchive.export import to_html, to_markdown
from ficarchive.export.epub import to_epub
from ficarchive.rescue import rescue
from ficarchive.web import create_app
from ficarchive.work import Work

GOLDEN = Path(__file__).parent / "golden"
STORIES = {
    "bells.txt": "Title: Sound of Bells\nAuthor: Jo Quillon\n\n"
    "The bells were running late that night, and the lamps were lit along the quay.\n",
    "lantern.txt": "Title: Lantern Song\nAuthor: Ana Brightwater\n\n"
    "Giles lit the lantern and counted the books on the shelf, one by one, slowly.\n",
    "kettle.txt": "Title: The Kettle\nAuthor: Rosa Mendel\n\n"
    "The kettle sang in the kitchen while the snow came down over the harbour roofs.\n",
}


def _fill(archive: Any) -> dict[str, int]:
    return {name: archive.add(text.encode(), name).id for name, text in STORIES.items()}


def _set_json(archive: Any, work_id: int, text: str) -> None:
    """Overwrite a work's stored JSON, as a bug, a hand edit or a bad disk could."""
    with archive._write():
        archive._run(
            archive._sql("UPDATE works SET work_json = {p} WHERE id = {p}"), (text, work_id)
        )


def _changed(archive: Any, work_id: int, **fields: Any) -> str:
    data = json.loads(
        archive._run(archive._sql("SELECT work_json FROM works WHERE id = {p}"), (work_id,))[0][0]
    )
    return json.dumps({**data, **fields})


DAMAGE = {
    "word_count a string": lambda a, i: _changed(a, i, word_count="many"),
    "chapters not a list": lambda a, i: _changed(a, i, chapters=3),
    "a paragraph a number": lambda a, i: _changed(
        a, i, chapters=[{"title": None, "sections": [{"paragraphs": [1]}]}]
    ),
    "authors a string": lambda a, i: _changed(a, i, authors="Jo Quillon"),
    "an unknown credit field": lambda a, i: _changed(a, i, credits=[{"role": "beta", "x": 1}]),
    "not JSON": lambda a, i: '{"title": "Sound of',
    "a JSON list": lambda a, i: "[1, 2, 3]",
    "nested too deep": lambda a, i: "[" * 100_000 + "]" * 100_000,
    "a number too long": lambda a, i: "9" * 5000,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_work_is_left_out_and_the_rest_read_on(archive: Any, damage: str) -> None:
    ids = _fill(archive)
    bad = ids["lantern.txt"]
    _set_json(archive, bad, DAMAGE[damage](archive, bad))
    reported: list[DamagedWork] = []
    listed = [s.id for s in archive.works(sort="id", on_damaged=reported.append)]
    assert listed == [ids["bells.txt"], ids["kettle.txt"]]
    assert len(reported) == 1 and str(reported[0]).startswith(f"work {bad} is damaged")
    with pytest.raises(DamagedWork, match=rf"work {bad} is damaged.*--original") as error:
        archive.get(bad)
    assert "\n" not in str(error.value)
    # what does not need the Work JSON still works: originals, history, search, removal
    assert archive.original(bad).data == STORIES["lantern.txt"].encode()
    assert archive.history(bad) == []
    assert [h.id for h in archive.search("lantern").hits] == [bad]  # columns are intact
    assert archive.get(ids["kettle.txt"]).work.title == "The Kettle"
    archive.remove(bad)
    assert archive.count() == 2 and not archive.exists(bad)


def test_damaged_columns_leave_a_search_hit_out(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive.sqlite")
    ids = _fill(archive)
    with archive._write():  # SQLite keeps text in an INTEGER column: a hand edit could
        archive.conn.execute(
            "UPDATE works SET word_count = 'many' WHERE id = ?", (ids["bells.txt"],)
        )
        archive.conn.execute("UPDATE works SET authors = '{' WHERE id = ?", (ids["kettle.txt"],))
    found = archive.search("the", sort="date")
    assert [h.id for h in found.hits] == [ids["lantern.txt"]]


def test_a_work_with_wrong_types_is_refused_before_it_is_stored(archive: Any) -> None:
    bad = Work(title="Bells", word_count="many")  # type: ignore[arg-type]
    with pytest.raises(InvalidWork, match="word_count is 'many', not a whole number"):
        archive.add_work(bad)
    worse = Work(title="Bells", chapters=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidWork, match="chapters is 3, not a list"):
        archive.add_work(worse)
    assert archive.count() == 0


def test_an_edit_of_the_wrong_type_is_refused(archive: Any) -> None:
    work_id = _fill(archive)["bells.txt"]
    with pytest.raises(InvalidWork, match="authors is 5, not a list"):
        archive.edit(work_id, {"authors": 5})
    with pytest.raises(InvalidWork, match="looks_like_story"):
        archive.edit(work_id, {"looks_like_story": "yes"})
    assert archive.history(work_id) == [] and archive.get(work_id).work.authors == ("Jo Quillon",)


# -- the command line and the reader -------------------------------------------------------


@pytest.fixture
def damaged_archive(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "archive.sqlite"
    archive = Archive.open(path)
    ids = _fill(archive)
    _set_json(archive, ids["lantern.txt"], _changed(archive, ids["lantern.txt"], word_count="many"))
    archive.close()
    return path, ids


def test_commands_skip_a_damaged_work_with_a_report_line(
    damaged_archive: tuple[Path, dict[str, int]], run_cli: Any, tmp_path: Path
) -> None:
    path, ids = damaged_archive
    bad = ids["lantern.txt"]
    listed = run_cli("list", "--archive", path)
    assert listed.exit_code == 0
    assert "Sound of Bells" in listed.stdout and "The Kettle" in listed.stdout
    assert f"skipped: work {bad} is damaged: word_count is 'many'" in listed.stderr
    assert "ficarchive check" in listed.stderr
    shown = run_cli("show", bad, "--archive", path)
    assert shown.exit_code == 1 and len(shown.stderr.strip().splitlines()) == 1
    assert f"work {bad} is damaged" in shown.stderr
    original = run_cli("show", bad, "--archive", path, "--original", "-")
    assert original.exit_code == 0 and original.stdout == STORIES["lantern.txt"]
    exported = run_cli("export", "--all", "-f", "html", "-o", tmp_path / "out", "--archive", path)
    assert exported.exit_code == 1 and "1 damaged works were not exported" in exported.stderr
    assert len(list((tmp_path / "out").glob("*.html"))) == 2
    edited = run_cli("edit", bad, "--title", "x", "--archive", path)
    assert edited.exit_code == 1 and "is damaged" in edited.stderr
    removed = run_cli("remove", bad, "--yes", "--archive", path)
    assert removed.exit_code == 0 and "damaged" in removed.stderr
    assert run_cli("list", "--archive", path).stderr.startswith("2 works")


def test_the_reader_skips_a_damaged_work(damaged_archive: tuple[Path, dict[str, int]]) -> None:
    path, ids = damaged_archive
    bad = ids["lantern.txt"]
    client = TestClient(create_app(path), raise_server_exceptions=True)
    home = client.get("/")
    assert home.status_code == 200 and "The Kettle" in home.text and "Lantern Song" not in home.text
    assert client.get("/search", params={"q": "kettle"}).status_code == 200
    listed = client.get("/api/works").json()
    assert sorted(w["id"] for w in listed["works"]) == sorted([ids["bells.txt"], ids["kettle.txt"]])
    page = client.get(f"/works/{bad}")
    assert page.status_code == 500 and "This work is damaged" in page.text
    assert "content-security-policy" in page.headers
    api = client.get(f"/api/works/{bad}")
    assert api.status_code == 500 and "word_count" in api.json()["detail"]
    assert client.get(f"/works/{ids['kettle.txt']}").status_code == 200


# -- the check itself ----------------------------------------------------------------------

def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    _containers,
    max_leaves=12,
)
GOOD = Work(title="Bells", authors=("Jo",), word_count=3).to_dict()


def _used_everywhere(work: Work) -> None:
    """What the reader, search and the exports do with a stored work: none may fail."""
    assert Work.from_json(work.to_json()) == work
    Prepared.of(work)
    to_html(work)
    to_markdown(work)
    to_epub(work)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(sorted(WORK_FIELDS)), value=JSON_VALUES)
def test_a_stored_work_is_either_usable_or_damaged(field: str, value: Any) -> None:
    text = json.dumps({**GOOD, field: value})
    try:
        work = read_work(text, "work 1")
    except DamagedWork as damaged:
        assert str(damaged).startswith("work 1 is damaged") and "\n" not in str(damaged)
        return
    _used_everywhere(work)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES)
def test_any_json_at_all_is_a_usable_work_or_damaged(value: Any) -> None:
    try:
        work = read_work(json.dumps(value), "work 2")
    except DamagedWork:
        return
    _used_everywhere(work)


def test_every_golden_work_reads_back_as_it_was(validate_work: Any) -> None:
    """No false alarm: a Work as rescue makes it is never taken for a damaged one."""
    for path in sorted(GOLDEN.iterdir()):
        if path.suffix in (".txt", ".html", ".md"):
            work = rescue(path.read_bytes(), path.name)
            validate_work(work.to_dict())
            assert read_work(work.to_json(), path.name) == work


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"a_field_of_a_newer_ficarchive": [1, 2]}, None),  # ignored, as Work.from_dict does
        ({"chapters": [{"title": None, "sections": [{"paragraphs": []}], "x": 1}]}, None),
        ({"credits": [{"role": "beta"}]}, "credits[0].name is missing"),
        ({"credits": [{"role": "beta", "name": "Rosa", "x": 1}]}, "credits[0].x is not a field"),
        ({"chapters": [{"sections": [{}]}]}, "chapters[0].sections[0].paragraphs is missing"),
        ({"source": {"format": "text"}}, "source.encoding is missing"),
        ({"source": None, "notes": {"beginning": ["<em>a</em>"]}}, None),
        ({"word_count": True}, "word_count is True, not a whole number"),
        ({"epigraphs": [{"text": "x", "position": "middle"}]}, "not beginning or end"),
    ],
)
def test_what_a_stored_work_may_hold(fields: dict[str, Any], wrong: str | None) -> None:
    text = json.dumps({**GOOD, **fields})
    if wrong is None:
        assert read_work(text, "work 3").title == "Bells"
    else:
        with pytest.raises(DamagedWork, match=re.escape(wrong)):
            read_work(text, "work 3")
