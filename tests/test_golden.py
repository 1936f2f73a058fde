"""Golden cases: one input file under tests/golden, one expectation file beside it, one test.

``NAME.EXT`` is rescued as found; ``NAME.expect.json`` says what the Work must hold.
Keys naming a Work field are compared exactly; the others are checks:

- ``contains`` / ``absent``: strings that must (not) appear in the body paragraphs' HTML
- ``paragraphs_include``: whole paragraphs that must be among the body's paragraphs
- ``paragraph_count``, ``scene_breaks``, ``chapter_titles``, ``encoding``
- ``repairs``: ``[kind, before, after]`` prefixes that must be among the repairs
- ``no_repairs``: the text needed no change at all
- ``diagnostic_kinds``: kinds that must be among the diagnostics
- ``epigraphs``, ``credits``: lists of partial dicts, in order
- ``notes_beginning_contains`` / ``notes_end_contains``: text found in the notes
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ficarchive import Work, rescue
from ficarchive.export import to_html

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.iterdir() if not p.name.endswith(".expect.json"))


def _known_failure(case: Path) -> str | None:
    expect = case.with_name(case.name.rsplit(".", 1)[0] + ".expect.json")
    reason = json.loads(expect.read_text("utf-8")).get("known_failure")
    return str(reason) if reason else None


# A case the structure labeller is known to read wrong says why in its "known_failure";
# the test is then a strict xfail, so it fails the day the case reads right.
GOLDEN_CASES = [
    pytest.param(c, id=c.name, marks=pytest.mark.xfail(reason=r, strict=True))
    if (r := _known_failure(c))
    else pytest.param(c, id=c.name)
    for c in CASES
]

WORK_FIELDS = {
    "title",
    "authors",
    "rating",
    "rating_source",
    "warnings",
    "fandoms",
    "relationships",
    "characters",
    "tags",
    "summary",
    "spoilers",
    "disclaimer",
    "challenge",
    "feedback",
    "archive_permission",
    "published",
    "end_mark",
    "looks_like_story",
}


def _expect(case: Path) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads(
        case.with_name(case.name.rsplit(".", 1)[0] + ".expect.json").read_text("utf-8")
    )
    return expected


def _check_fields(work: Work, expected: dict[str, Any]) -> None:
    data = work.to_dict()
    for key in WORK_FIELDS & expected.keys():
        assert data[key] == expected[key], key


def _check_body(work: Work, expected: dict[str, Any]) -> None:
    body = "\n".join(work.paragraphs)
    for text in expected.get("contains", []):
        assert text in body, f"missing from the body: {text!r}"
    for text in expected.get("absent", []):
        assert text not in body, f"should not be in the body: {text!r}"
    for paragraph in expected.get("paragraphs_include", []):
        assert paragraph in work.paragraphs, f"no paragraph that is exactly {paragraph!r}"
    if "paragraph_count" in expected:
        assert len(work.paragraphs) == expected["paragraph_count"]
    if "scene_breaks" in expected:
        assert work.scene_breaks == expected["scene_breaks"]
    if "chapter_titles" in expected:
        assert [c.title for c in work.chapters] == expected["chapter_titles"]


def _check_record(work: Work, expected: dict[str, Any]) -> None:
    if "encoding" in expected:
        assert work.source is not None and work.source.encoding == expected["encoding"]
    for wanted in expected.get("repairs", []):
        have = [(r.kind, r.before, r.after) for r in work.repairs]
        assert any(all(h.startswith(w) for h, w in zip(r, wanted, strict=False)) for r in have), (
            f"no repair {wanted} in {have}"
        )
    if expected.get("no_repairs"):
        assert work.repairs == ()
    kinds = {d.kind for d in work.diagnostics}
    for kind in expected.get("diagnostic_kinds", []):
        assert kind in kinds


def _check_parts(work: Work, expected: dict[str, Any]) -> None:
    data = work.to_dict()
    for name in ("epigraphs", "credits"):
        if name in expected:
            assert len(data[name]) == len(expected[name]), data[name]
            for have, want in zip(data[name], expected[name], strict=True):
                assert {k: have[k] for k in want} == want
    for position in ("beginning", "end"):
        notes = " ".join(data["notes"][position])
        for text in expected.get(f"notes_{position}_contains", []):
            assert text in notes


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden(case: Path, validate_work: Any) -> None:
    work = rescue(case.read_bytes(), case.name)
    expected = _expect(case)
    validate_work(work.to_dict())
    _check_fields(work, expected)
    _check_body(work, expected)
    _check_record(work, expected)
    _check_parts(work, expected)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_rescue_is_idempotent(case: Path) -> None:
    """Rescuing the HTML export of a rescued work gives back the same work."""
    work = rescue(case.read_bytes(), case.name)
    again = rescue(to_html(work).encode("utf-8"), "again.html")
    assert again.repairs == ()
    skip = {"repairs", "diagnostics", "source"}
    first = {k: v for k, v in work.to_dict().items() if k not in skip}
    second = {k: v for k, v in again.to_dict().items() if k not in skip}
    assert second == first
