"""The searchable text of a Work: title, authors, summary, notes and the story itself."""

from __future__ import annotations

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.work import Work


def fts_fields(work: Work) -> dict[str, str]:
    """Plain text for each indexed column (tags are searched by filter, not by words)."""
    notes = [*work.notes.beginning, *work.notes.end]
    return {
        "title": work.title or "",
        "authors": " ".join(work.authors),
        "summary": work.summary or "",
        "notes": html_to_text("\n".join(notes)),
        "text": html_to_text("\n".join(work.paragraphs)),
    }
