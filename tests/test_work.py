"""The Work model: JSON in and out, schema version, derived counts."""

from __future__ import annotations

from typing import Any

import pytest

from ficarchive import Chapter, Credit, Epigraph, Notes, Repair, Section, Source, Work


def _work() -> Work:
    return Work(
        title="Sound of Bells",
        authors=("Jo Quillon",),
        rating="Explicit",
        rating_source="NC-17",
        relationships=("Spike/Buffy",),
        notes=Notes(("Thanks for reading.",), ("More soon.",)),
        credits=(Credit("beta", "Lark"),),
        epigraphs=(Epigraph("Line one<br>line two", "The Paper Lanterns", "Harbour Song"),),
        chapters=(
            Chapter(None, (Section(("One.", "Two.")), Section(("Three.",)))),
            Chapter("Epilogue", (Section(("Four.",)),)),
        ),
        word_count=4,
        repairs=(Repair("control", "\\x00", "", 2),),
        source=Source("text", "utf-8", "0" * 64, "bells.txt", 12),
    )


def test_json_round_trip(validate_work: Any) -> None:
    work = _work()
    validate_work(work.to_dict())
    assert Work.from_json(work.to_json()) == work
    assert work.to_dict()["schema"] == 2


def test_derived_counts() -> None:
    work = _work()
    assert work.paragraphs == ("One.", "Two.", "Three.", "Four.")
    assert work.scene_breaks == 1


def test_other_schema_versions_are_refused() -> None:
    data = _work().to_dict()
    data["schema"] = 99
    with pytest.raises(ValueError, match="schema version"):
        Work.from_dict(data)


def test_rescuing_a_works_json_gives_the_work_back() -> None:
    """The same Work, but its source is the JSON file given, not the one it claims."""
    import hashlib
    from pathlib import Path

    from ficarchive import rescue

    story = Path(__file__).parent / "golden" / "usenet_post.txt"
    work = rescue(story.read_bytes(), story.name)
    data = work.to_json().encode("utf-8")
    again = rescue(data, "usenet_post.json")
    assert again.source is not None and again.source.sha256 == hashlib.sha256(data).hexdigest()
    assert again.evolve(source=work.source, diagnostics=work.diagnostics) == work
    assert again.diagnostics[: len(work.diagnostics)] == work.diagnostics
