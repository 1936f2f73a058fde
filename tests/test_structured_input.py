"""Structured input is checked before it is used: YAML headers of Markdown stories, Work
JSON (files and `Work.from_dict(strict=True)`) and EPUB packages. Wrong shapes become a
diagnostic (YAML) or one clear line (a Work JSON, a broken EPUB), never a traceback; a
Work JSON's own source hash is never trusted.

Golden cases are data files in tests/fixtures/structured/; Hypothesis checks the
invariants (any YAML value: no traceback and a valid Work; any damage to a Work: our
validator and the ``jsonschema`` package agree).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficarchive import BinaryInput, rescue
from ficarchive.archive import Archive
from ficarchive.errors import InvalidWork
from ficarchive.export.epub import to_epub
from ficarchive.schema import check_keywords, problems, work_schema
from ficarchive.work import (
    Chapter,
    Credit,
    Diagnostic,
    Epigraph,
    Notes,
    Repair,
    Section,
    Source,
    Work,
)

FIXTURES = Path(__file__).parent / "fixtures" / "structured"
POSTGRES = os.environ.get("FICARCHIVE_TEST_POSTGRES")
BODY = (
    "The bells rang over the harbour all night, and nobody in the town could sleep.\n\n"
    "In the morning the keeper climbed the stairs again and counted every one of them."
)


def _markdown(header: str) -> bytes:
    return f"---\n{header}---\n\n{BODY}\n".encode()


# -- YAML headers ------------------------------------------------------------------------------

YAML_CASES = yaml.safe_load((FIXTURES / "yaml_headers.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", YAML_CASES, ids=[c["name"] for c in YAML_CASES])
def test_yaml_header_golden_cases(case: dict[str, Any]) -> None:
    work = rescue(_markdown(case["header"]), "story.md")
    data = work.to_dict()
    for key, value in case["expect"].items():
        assert data[key] == value, key
    found = [d for d in work.diagnostics if d.kind in ("front-matter", "sanitised")]
    for message, kept in case["notes"]:
        assert any(message in d.message and kept in (d.text or "") for d in found), (
            message,
            [(d.message, d.text) for d in found],
        )
    assert len(found) == len(case["notes"]), [d.message for d in found]
    assert "counted every one of them" in work.paragraphs[-1]  # the story is still read
    Work.from_dict(data, strict=True)


_YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2030, 1, 1)),
)
_YAML_VALUES = st.recursive(
    _YAML_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["role", "name", "text", "author", "work", "position", "beginning", "end", "x"]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
_KEYS = [
    "title", "author", "authors", "rating", "rating_source", "pairing", "relationships",
    "characters", "fandoms", "warnings", "tags", "summary", "spoilers", "disclaimer",
    "challenge", "feedback", "archive_permission", "published", "end_mark", "notes",
    "credits", "epigraphs", "looks_like_story", "language", "word_count", "other",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_KEYS), _YAML_VALUES, min_size=1, max_size=6))
def test_any_yaml_header_gives_a_valid_work_and_the_story(header: dict[str, Any]) -> None:
    text = yaml.safe_dump(header, allow_unicode=True, sort_keys=False)
    work = rescue(_markdown(text), "story.md")
    Work.from_dict(work.to_dict(), strict=True)
    assert "counted every one of them" in work.paragraphs[-1]


# -- Work JSON: the schema and the strict reader -------------------------------------------------


def valid_work() -> Work:
    return Work(
        title="Sound of Bells",
        authors=("Jo Quillon",),
        rating="Mature",
        tags=("Angst",),
        notes=Notes(("Thanks to <em>Lark</em>.",), ("More soon.",)),
        credits=(Credit("beta", "Lark"),),
        epigraphs=(Epigraph("Ring the bells<br>that still can ring", "Leonard Cohen"),),
        chapters=(Chapter(None, (Section(("One bell rang.",)), Section(("Then two.",)))),),
        word_count=5,
        repairs=(Repair("control", "\\x00", "", 2),),
        diagnostics=(Diagnostic("story", "a story"),),
        source=Source("text", "utf-8", "0" * 64, "bells.txt", 12),
    )


def _damage(data: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for path, value in case.get("set", {}).items():
        *parents, last = path.split(".")
        target: Any = out
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    for path in case.get("delete", []):
        *parents, last = path.split(".")
        target = out
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        del target[last]
    return out


DAMAGED = json.loads((FIXTURES / "damaged_works.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", DAMAGED, ids=[c["name"] for c in DAMAGED])
def test_a_damaged_work_is_one_error_naming_the_field(
    case: dict[str, Any], validate_work: Any
) -> None:
    data = _damage(valid_work().to_dict(), case)
    with pytest.raises(InvalidWork) as raised:
        Work.from_dict(data, strict=True)
    message = str(raised.value)
    assert case["error"] in message and "\n" not in message
    assert raised.value.problems[0] == case["error"]
    with pytest.raises(jsonschema.ValidationError):
        validate_work(data)
    with pytest.raises(InvalidWork, match="not a valid Work: ") as raised:
        rescue(json.dumps(data).encode("utf-8"), "bells.json")
    assert case["error"] in str(raised.value)


def test_strict_reading_gives_back_the_same_work() -> None:
    work = valid_work()
    assert Work.from_dict(work.to_dict(), strict=True) == work
    assert Work.from_json(work.to_json(), strict=True) == work
    data = {**work.to_dict(), "word_count": 5.0}
    assert Work.from_dict(data, strict=True).word_count == 5
    assert isinstance(Work.from_dict(data, strict=True).word_count, int)


def test_strict_reading_of_text_that_is_not_json() -> None:
    for text in ('{"schema": 1, "title": "x"', "[" * 100_000, "nope"):
        with pytest.raises(InvalidWork, match="not a Work JSON: it is not JSON"):
            Work.from_json(text, strict=True)


def test_the_validator_knows_every_keyword_of_the_schema() -> None:
    check_keywords(work_schema())
    with pytest.raises(ValueError, match="format"):
        check_keywords({"properties": {"x": {"type": "string", "format": "email"}}})


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += _paths(item, (*prefix, n))
    return found


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_validator_agrees_with_jsonschema(data: st.DataObject, validate_work: Any) -> None:
    """Damage a Work anywhere (replace a value, drop a key, add one): both say the same."""
    work = valid_work().to_dict()
    path = data.draw(st.sampled_from(_paths(work)))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    value = data.draw(_JSON_VALUES)
    damaged: Any = copy.deepcopy(work)
    if not path:
        damaged = value if action == "replace" else damaged
    else:
        parent = damaged
        for part in path[:-1]:
            parent = parent[part]
        if action == "replace":
            parent[path[-1]] = value
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=5))] = value
    try:
        validate_work(damaged)
        valid = True
    except jsonschema.ValidationError:
        valid = False
    assert (problems(damaged) == []) == valid
    if valid:
        rebuilt = Work.from_dict(damaged, strict=True)
        validate_work(rebuilt.to_dict())
    else:
        with pytest.raises(InvalidWork):
            Work.from_dict(damaged, strict=True)


# -- Work JSON files: rescued as their text says, the hash of the bytes given -----------------


def test_a_work_json_is_rescued_with_the_hash_of_its_own_bytes() -> None:
    story = Path(__file__).parent / "golden" / "usenet_post.txt"
    original = rescue(story.read_bytes(), story.name)
    data = original.to_json().encode("utf-8")
    work = rescue(data, "usenet_post.json")
    assert work.source is not None and original.source is not None
    assert work.source.sha256 == hashlib.sha256(data).hexdigest() != original.source.sha256
    assert (work.source.size, work.source.format) == (len(data), "json")
    said = [d for d in work.diagnostics if d.kind == "json-source"]
    assert len(said) == 1 and original.source.sha256 in said[0].message
    assert work.evolve(source=original.source, diagnostics=original.diagnostics) == original
    again = rescue(work.to_json().encode("utf-8"), "again.json")
    assert [d.kind for d in again.diagnostics] == [d.kind for d in work.diagnostics]


def test_a_work_json_is_not_trusted_for_its_html_or_its_word_count() -> None:
    work = valid_work().evolve(
        chapters=(Chapter(None, (Section(("Hi<script>alert(1)</script> there.",)),)),),
        word_count=10**9,
    )
    rescued = rescue(work.to_json().encode("utf-8"), "hostile.json")
    assert rescued.paragraphs == ("Hi there.",) and rescued.word_count == 2
    kinds = {d.kind: d for d in rescued.diagnostics}
    assert kinds["sanitised"].text == "Hi<script>alert(1)</script> there."
    assert "the file said 1000000000" in kinds["word-count"].message


def test_read_work_json_uses_the_source_it_is_given() -> None:
    """What the pipeline can pass: the Source of the bytes the text came from."""
    from ficarchive.rescue.blocks.ours import read_work_json

    given = Source("text", "cp1252", "1" * 64, "bells.json", 99)
    work = read_work_json(valid_work().to_json(), given)
    assert work is not None and work.source == Source("json", "cp1252", "1" * 64, "bells.json", 99)
    with pytest.raises(InvalidWork, match=r"^bells\.json: not a valid Work: chapters: "):
        read_work_json(json.dumps({**valid_work().to_dict(), "chapters": 3}), given)


def test_a_truncated_work_json_is_one_line() -> None:
    text = valid_work().to_json()
    with pytest.raises(InvalidWork, match="starts like a Work JSON but is not JSON"):
        rescue(text[: len(text) // 2].encode("utf-8"), "cut.json")


def test_json_lines_of_works_are_one_line_saying_so() -> None:
    line = valid_work().to_json(indent=None)
    with pytest.raises(InvalidWork, match="JSON Lines"):
        rescue(f"{line}\n{line}\n".encode(), "many.jsonl")


def test_other_json_is_still_rescued_as_text() -> None:
    work = rescue(b'{"name": "a config file", "schema": "not ours"}\n', "config.json")
    assert work.source is not None and work.source.format == "text"


def test_cli_rescue_and_add_of_a_damaged_work_json(run_cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "a-damaged.json").write_text(
        json.dumps({**valid_work().to_dict(), "chapters": 3}), encoding="utf-8"
    )
    (folder / "b-story.md").write_bytes(_markdown("title: Bells\ncredits: 5\n"))
    result = run_cli("rescue", folder / "a-damaged.json")
    assert result.exit_code == 2
    assert "chapters: a list was expected, not a number (3)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    archive = tmp_path / "a.sqlite"
    result = run_cli("add", folder, "--archive", archive)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "1 added" in result.output and "1 failed" in result.output
    assert "a-damaged.json: not a valid Work: chapters:" in " ".join(result.output.split())
    listed = run_cli("list", "--archive", archive)
    assert "Bells" in listed.output


def test_a_work_json_and_its_story_both_land(run_cli: Any, tmp_path: Path) -> None:
    """A Work JSON claiming the real story's hash no longer hides the story."""
    story = tmp_path / "night_watch.txt"
    story.write_bytes((Path(__file__).parent / "golden" / "usenet_post.txt").read_bytes())
    claimed = rescue(story.read_bytes(), story.name)
    forged = tmp_path / "night_watch.json"
    forged.write_text(claimed.evolve(title="Not The Story").to_json(), encoding="utf-8")
    archive = tmp_path / "a.sqlite"
    assert run_cli("add", forged, "--archive", archive).exit_code == 0
    assert run_cli("add", story, "--archive", archive).exit_code == 0
    listed = run_cli("list", "--archive", archive).output
    assert "Not The Story" in listed and "Night Watch" in listed
    for work_id, path in ((1, forged), (2, story)):
        shown = run_cli("show", work_id, "--archive", archive, "--original", "-")
        assert shown.exit_code == 0 and shown.stdout_bytes == path.read_bytes()
    again = run_cli("add", story, forged, "--archive", archive).output
    assert "0 added, 2 already in the archive" in again


@pytest.fixture(params=["sqlite", "postgres"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "postgres":
        if not POSTGRES:
            pytest.skip("set FICARCHIVE_TEST_POSTGRES=postgresql://… to test PostgreSQL (CI does)")
        store = Archive.open(POSTGRES)
        store.reset_for_tests()  # type: ignore[attr-defined]
    else:
        store = Archive.open(tmp_path / "archive.sqlite")
    yield store
    store.close()


def test_on_either_backend_a_forged_hash_hides_nothing(archive: Any) -> None:
    story = (Path(__file__).parent / "golden" / "usenet_post.txt").read_bytes()
    forged = rescue(story, "night_watch.txt").evolve(title="Not The Story").to_json().encode()
    first = archive.add(forged, "night_watch.json")
    second = archive.add(story, "night_watch.txt")
    assert (first.status, second.status) == ("added", "added") and first.id != second.id
    assert archive.original(first.id).data == forged
    assert archive.original(second.id).data == story
    assert archive.original(second.id).sha256 == hashlib.sha256(story).hexdigest()
    assert archive.add(story, "again.txt").status == "unchanged"


# -- EPUB packages ------------------------------------------------------------------------------


def _rebuilt(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The EPUB with some members replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as book, zipfile.ZipFile(out, "w") as new:
        for info in book.infolist():
            if info.filename in changes:
                continue
            new.writestr(info, book.read(info))
        for name, member in changes.items():
            if member is not None:
                new.writestr(name, member)
    return out.getvalue()


def _package(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read("OEBPS/content.opf").decode("utf-8")


EPUB = to_epub(valid_work())
OPF = _package(EPUB)


def _opf_with(old: str, new: str) -> bytes:
    return OPF.replace(old, new).encode("utf-8")


_HREF = 'href="chapter-001.xhtml"'
BROKEN_PACKAGES = {
    "no rootfile": (
        {"META-INF/container.xml": _opf_with("package", "nothing")},
        "names no package file",
    ),
    "no package": (
        {"OEBPS/content.opf": None},
        "names 'OEBPS/content.opf', which the book does not hold",
    ),
    "not a package": (
        {"OEBPS/content.opf": b"<html><body>not a package</body></html>"},
        "OEBPS/content.opf is not an OPF package document",
    ),
    "missing chapter": (
        {"OEBPS/chapter-001.xhtml": None},
        "'chapter-001' is 'OEBPS/chapter-001.xhtml', not in the book",
    ),
    "outside": (
        {"OEBPS/content.opf": _opf_with(_HREF, 'href="../../etc/passwd"')},
        "points outside the book ('../../etc/passwd')",
    ),
    "url": (
        {"OEBPS/content.opf": _opf_with(_HREF, 'href="http://example.com/x"')},
        "points outside the book ('http://example.com/x')",
    ),
    "no href": (
        {"OEBPS/content.opf": _opf_with(_HREF + " ", "")},
        "the manifest item 'chapter-001' has no href",
    ),
}


@pytest.mark.parametrize(
    ("changes", "message"), BROKEN_PACKAGES.values(), ids=list(BROKEN_PACKAGES)
)
def test_a_broken_epub_package_is_one_line_naming_it(
    changes: dict[str, bytes | None], message: str
) -> None:
    with pytest.raises(BinaryInput) as raised:
        rescue(_rebuilt(EPUB, changes), "book.epub")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_percent_escaped_hrefs_are_read() -> None:
    with zipfile.ZipFile(io.BytesIO(EPUB)) as book:
        chapter = book.read("OEBPS/chapter-001.xhtml")
    opf = OPF.replace('href="chapter-001.xhtml"', 'href="Chapter%20One.xhtml#start"')
    book = _rebuilt(
        EPUB,
        {"OEBPS/content.opf": opf.encode(), "OEBPS/chapter-001.xhtml": None,
         "OEBPS/Chapter One.xhtml": chapter},
    )  # fmt: skip
    assert rescue(book, "book.epub").paragraphs == valid_work().paragraphs
