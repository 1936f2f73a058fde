"""Open Doors-style tables for a mass import into AO3: authors, stories, chapters as CSV.

Open Doors moves whole archives into the Archive of Our Own from three tables, one row
per author, story and chapter, keyed by id. The columns here follow its final tables;
values are already in AO3's names and limits (`ficarchive.export.ao3.ao3_fields`).

Open Doors' tables hold HTML where AO3 takes HTML: the chapter text (built by
`ficarchive.export.html`, so only what the reader's allow-list lets through) and the
story's summary, notes and end notes (`HTML_COLUMNS`: the one-line text AO3's limits
left, escaped, so ``<page 2>`` or a note that spoke of ``<script>`` stays text). Every
other column is plain text, written as the Work holds it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from html import escape

from ficarchive.export import html as parts
from ficarchive.export.ao3 import Ao3Fields, chapter_file
from ficarchive.work import Chapter, Work

AUTHOR_COLUMNS = ("id", "name", "email")
STORY_COLUMNS = (
    "id",
    "title",
    "summary",
    "notes",
    "end_notes",
    "author_id",
    "coauthor_ids",
    "rating",
    "date",
    "warnings",
    "fandoms",
    "relationships",
    "characters",
    "tags",
    "language",
    "word_count",
    "url",
)
CHAPTER_COLUMNS = ("id", "position", "title", "text", "story_id", "url")
HTML_COLUMNS = {"stories": ("summary", "notes", "end_notes"), "chapters": ("text",)}
"""The columns whose cells are HTML; the rest are plain text."""


@dataclass
class OpenDoorsTables:
    """The three tables, filled one work at a time."""

    authors: dict[str, int] = field(default_factory=dict)
    stories: list[dict[str, object]] = field(default_factory=list)
    chapters: list[dict[str, object]] = field(default_factory=list)

    def _author(self, name: str) -> int:
        return self.authors.setdefault(name, len(self.authors) + 1)

    def add(self, story_id: int, work: Work, fields: Ao3Fields, folder: str) -> None:
        """One work: its story row and one row a chapter (text as HTML)."""
        ids = [self._author(a) for a in work.authors] or [self._author("Anonymous")]
        self.stories.append(
            {
                "id": story_id,
                "title": fields.title,
                "summary": escape(fields.summary, quote=False),
                "notes": escape(fields.notes, quote=False),
                "end_notes": escape(fields.end_notes, quote=False),
                "author_id": ids[0],
                "coauthor_ids": ",".join(map(str, ids[1:])),
                "rating": fields.rating,
                "date": (work.published or "")[:10],
                "warnings": ", ".join(fields.warnings),
                "fandoms": ", ".join(fields.fandoms),
                "relationships": ", ".join(fields.relationships),
                "characters": ", ".join(fields.characters),
                "tags": ", ".join(fields.tags),
                "language": work.language,
                "word_count": work.word_count,
                "url": f"{folder}/{chapter_file(0)}",
            }
        )
        chapters = work.chapters or (Chapter(),)
        for n, chapter in enumerate(chapters):
            body = parts.opening(work) if n == 0 else []
            body += parts.chapter_html(Chapter(None, chapter.sections))
            if n == len(chapters) - 1:
                body += parts.closing(work)
            self.chapters.append(
                {
                    "id": len(self.chapters) + 1,
                    "position": n + 1,
                    "title": chapter.title or "",
                    "text": "\n".join(body),
                    "story_id": story_id,
                    "url": f"{folder}/{chapter_file(n)}",
                }
            )

    def csv_files(self) -> dict[str, str]:
        """File name -> CSV text, with a header row each."""
        authors = [{"id": i, "name": n, "email": ""} for n, i in self.authors.items()]
        return {
            "authors.csv": _csv(AUTHOR_COLUMNS, authors),
            "stories.csv": _csv(STORY_COLUMNS, self.stories),
            "chapters.csv": _csv(CHAPTER_COLUMNS, self.chapters),
        }


def _csv(columns: tuple[str, ...], rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
