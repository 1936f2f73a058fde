"""Every real story of the shared corpus: rescued, valid, and stable under re-rescue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ficarchive import Work, rescue
from ficarchive.export import to_html, to_markdown
from ficarchive.export.epub import to_epub

SKIP = {"repairs", "diagnostics", "source"}


def _stories(corpus: Path) -> list[Path]:
    return sorted(
        p
        for folder in ("antennapedia-btvs", "usenet-startrek")
        for p in (corpus / folder).iterdir()
        if not p.name.startswith(".")
    )


def _fields(work: Work) -> dict[str, Any]:
    return {k: v for k, v in work.to_dict().items() if k not in SKIP}


@pytest.mark.corpus
def test_every_story_rescues_validates_and_round_trips(corpus: Path, validate_work: Any) -> None:
    """Rescue -> JSON Schema; HTML export -> rescue gives the same Work with no repairs;
    the Markdown and EPUB exports read back the same too; Work JSON round-trips."""
    problems: list[str] = []
    for path in _stories(corpus):
        work = rescue(path.read_bytes(), path.name)
        validate_work(work.to_dict())
        if Work.from_json(work.to_json()) != work:
            problems.append(f"{path.name}: JSON round trip")
        again = rescue(to_html(work).encode("utf-8"), path.name + ".html")
        if again.repairs or _fields(again) != _fields(work):
            problems.append(f"{path.name}: HTML export does not rescue to the same Work")
        markdown = rescue(to_markdown(work).encode("utf-8"), path.name + ".md")
        if _fields(markdown) != _fields(work):
            problems.append(f"{path.name}: Markdown export does not rescue to the same Work")
        epub = rescue(to_epub(work), path.name + ".epub")
        if epub.repairs or _fields(epub) != _fields(work):
            problems.append(f"{path.name}: EPUB export does not rescue to the same Work")
    assert problems == []
