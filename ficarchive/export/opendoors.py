"""Open Doors' tables for a mass import into AO3, exactly as its scripts make them.

Open Doors (the OTW's project for moving dead archives to AO3) loads an archive into its
final tables (``create-open-doors-tables.sql`` in otwcode/open-doors-code): ``authors``,
``stories``, ``chapters`` and ``story_links`` (works that live off-site, imported as
bookmarks), with a tag-wrangling sheet mapping every original tag to the recommended AO3
tags. `OpenDoorsTables` fills the same tables, column for column, and writes them as CSV
files named after the tables, with ``tags.csv`` in the columns of Open Doors' sheet.

`checks` runs the audits Open Doors runs on those tables before an import
(``08-Check-ODAP-Tables.py``): too many tags, summaries of 1,250 characters or more, notes
of 5,000 or more, chapters over 500,000 bytes, stories of 200 chapters or more, empty
chapters, author names that are empty or ``-``, and author e-mails that are empty or
``mailto:`` links. Each failure is one line naming the story.

HTML columns (chapter text, summary, notes) hold clean HTML or escaped text: the chapter
text is built by `ficarchive.export.html` (the reader's allow-list); summary and notes
are the one-line texts AO3's limits left, escaped. Every other column is plain text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from html import escape

from ficarchive.export import html as parts
from ficarchive.export.ao3 import Ao3Fields
from ficarchive.tags.wrangle import LIST_OF_KIND, raw_tags_of, text_evidence, wrangle_tags
from ficarchive.work import Chapter, Work

AUTHOR_COLUMNS = ("id", "name", "email", "imported", "do_not_import", "to_delete")
STORY_COLUMNS = (
    "id",
    "title",
    "summary",
    "notes",
    "author_id",
    "rating",
    "date",
    "updated",
    "categories",
    "tags",
    "warnings",
    "fandoms",
    "characters",
    "relationships",
    "language_code",
    "url",
    "imported",
    "do_not_import",
    "ao3_url",
    "import_notes",
    "coauthor_id",
)
LINK_COLUMNS = (*STORY_COLUMNS[:-2], "broken_link", "import_notes")
CHAPTER_COLUMNS = (
    "id",
    "position",
    "title",
    "author_id",
    "text",
    "date",
    "story_id",
    "notes",
    "url",
)
TAG_COLUMNS = (
    "Original Tag ID",
    "Original Tag",
    "Original Tag Type",
    "Original Parent Tag",
    "Related Fandom",
    "Recommended AO3 Tag",
    "Recommended AO3 Type",
    "Recommended AO3 Category (for relationships)",
    "Original Tag Description",
    "TW Notes",
)
"""The tag-wrangling sheet's columns, as Open Doors' step 04 reads them back."""
HTML_COLUMNS = {"stories": ("summary", "notes"), "chapters": ("text", "notes")}
"""The columns whose cells are HTML; the rest are plain text."""

# Open Doors' checks (08-Check-ODAP-Tables.py), with the numbers it uses.
MAX_TAGS = 75
SUMMARY_BELOW = 1250
NOTES_BELOW = 5000
CHAPTER_BYTES = 500_000
CHAPTERS_BELOW = 200
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TYPE = {**LIST_OF_KIND, "freeform": "tags"}


@dataclass(frozen=True)
class Problem:
    """One failed Open Doors check, by story (``story_id`` 0: an author's row)."""

    story_id: int
    title: str
    check: str
    message: str

    def line(self) -> str:
        return f"story {self.story_id} ({self.title}): {self.check}: {self.message}"


@dataclass
class _Author:
    id: int
    name: str
    email: str = ""


@dataclass
class OpenDoorsTables:
    """Open Doors' final tables, filled one work at a time."""

    authors: dict[str, _Author] = field(default_factory=dict)
    stories: list[dict[str, object]] = field(default_factory=list)
    story_links: list[dict[str, object]] = field(default_factory=list)
    chapters: list[dict[str, object]] = field(default_factory=list)
    tags: dict[tuple[str, str, str], dict[str, object]] = field(default_factory=dict)

    def _author(self, name: str, email: str = "") -> int:
        author = self.authors.setdefault(name, _Author(len(self.authors) + 1, name))
        if email and not author.email:
            author.email = email
        return author.id

    def add(self, story_id: int, work: Work, fields: Ao3Fields, folder: str = "") -> None:
        """One work: a story row (a story_links row for a work that is only a link
        elsewhere), one chapter row a chapter, and its tags in the sheet."""
        email = _email(work.feedback)
        ids = [self._author(a, email if n == 0 else "") for n, a in enumerate(work.authors)]
        ids = ids or [self._author("Anonymous", email)]
        notes = _import_notes(work, fields, len(ids))
        row: dict[str, object] = {
            "id": story_id,
            "title": fields.title,
            "summary": _below(escape(fields.summary, quote=False), SUMMARY_BELOW),
            "notes": _below(escape(_all_notes(fields), quote=False), NOTES_BELOW),
            "author_id": ids[0],
            "rating": fields.rating,
            "date": _datetime(work.published),
            "updated": _datetime(work.updated),
            "categories": ", ".join(fields.categories),
            "tags": ", ".join(fields.tags),
            "warnings": ", ".join(fields.warnings),
            "fandoms": ", ".join(fields.fandoms),
            "characters": ", ".join(fields.characters),
            "relationships": ", ".join(fields.relationships),
            "language_code": (work.language or "en")[:5],
            "url": work.url or "",
            "imported": 0,
            "do_not_import": 0,
            "ao3_url": "",
            "import_notes": "; ".join(notes)[:1024],
        }
        self._tags(work)
        if not work.chapters and work.url:
            self.story_links.append({**row, "broken_link": 0})
            return
        self.stories.append({**row, "coauthor_id": ids[1] if len(ids) > 1 else 0})
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
                    "author_id": ids[0],
                    "text": "\n".join(body),
                    "date": _datetime(work.published),
                    "story_id": story_id,
                    "notes": "",
                    "url": work.url or "" if n == 0 else "",
                }
            )

    def _tags(self, work: Work) -> None:
        """Every raw tag in the sheet once (by tag, type and fandom), with what it wrangles to."""
        raws = raw_tags_of(work)
        for resolution in wrangle_tags(raws, text_evidence(work)):
            raw = resolution.raw
            key = (raw.kind, raw.name, resolution.fandom)
            if key in self.tags:
                continue
            names = [t.name for t in resolution.targets]
            kinds = [_TYPE[t.kind] for t in resolution.targets]
            categories = [t.name for t in resolution.targets if t.kind == "category"]
            self.tags[key] = {
                "Original Tag ID": len(self.tags) + 1,
                "Original Tag": raw.name,
                "Original Tag Type": _TYPE.get(raw.kind, "tags"),
                "Original Parent Tag": resolution.fandom,
                "Related Fandom": resolution.fandom or ", ".join(work.fandoms[:1]),
                "Recommended AO3 Tag": ", ".join(names),
                "Recommended AO3 Type": ", ".join(kinds),
                "Recommended AO3 Category (for relationships)": ", ".join(categories),
                "Original Tag Description": "",
                "TW Notes": "" if resolution.resolved else "not resolved: kept as written",
            }

    def author_rows(self) -> list[dict[str, object]]:
        return [
            {
                "id": a.id,
                "name": a.name,
                "email": a.email,
                "imported": 0,
                "do_not_import": 0,
                "to_delete": 0,
            }
            for a in self.authors.values()
        ]

    def csv_files(self) -> dict[str, str]:
        """File name -> CSV text, with a header row each: the four tables and the sheet."""
        return {
            "authors.csv": _csv(AUTHOR_COLUMNS, self.author_rows()),
            "stories.csv": _csv(STORY_COLUMNS, self.stories),
            "story_links.csv": _csv(LINK_COLUMNS, self.story_links),
            "chapters.csv": _csv(CHAPTER_COLUMNS, self.chapters),
            "tags.csv": _csv(TAG_COLUMNS, list(self.tags.values())),
        }

    def checks(self) -> list[Problem]:
        """Open Doors' audits of its final tables, one line a failure, by story."""
        found: list[Problem] = []
        titles = {int(str(s["id"])): str(s["title"]) for s in self.stories}
        for story in self.stories:
            found += _story_checks(story)
        counts: dict[int, int] = {}
        for chapter in self.chapters:
            story_id = int(str(chapter["story_id"]))
            counts[story_id] = counts.get(story_id, 0) + 1
            text = str(chapter["text"] or "")
            if not text:
                found.append(
                    Problem(
                        story_id,
                        titles.get(story_id, ""),
                        "empty chapter",
                        f"chapter {chapter['position']} has no text",
                    )
                )
            if len(text.encode("utf-8")) > CHAPTER_BYTES:
                found.append(
                    Problem(
                        story_id,
                        titles.get(story_id, ""),
                        "chapter too long",
                        f"chapter {chapter['position']} is over 500,000 bytes: split it",
                    )
                )
        for story_id, n in counts.items():
            if n >= CHAPTERS_BELOW:
                found.append(
                    Problem(
                        story_id,
                        titles[story_id],
                        "too many chapters",
                        f"{n} chapters; Open Doors imports fewer than 200",
                    )
                )
        found += self._author_checks(titles)
        return sorted(found, key=lambda p: (p.story_id, p.check))

    def _author_checks(self, titles: dict[int, str]) -> list[Problem]:
        found: list[Problem] = []
        by_author: dict[int, list[int]] = {}
        for story in self.stories:
            for column in ("author_id", "coauthor_id"):
                author_id = int(str(story[column] or 0))
                if author_id:
                    by_author.setdefault(author_id, []).append(int(str(story["id"])))
        for author in self.authors.values():
            problems = []
            if author.name.strip() in ("", "-"):
                problems.append(("author name", f"author {author.id} has no usable name"))
            if not author.email or author.email.lower().startswith("mailto:"):
                problems.append(
                    (
                        "author e-mail",
                        f"{author.name} (author {author.id}) has no e-mail "
                        "address: Open Doors needs one to invite them",
                    )
                )
            for story_id in by_author.get(author.id, []):
                found += [Problem(story_id, titles[story_id], c, m) for c, m in problems]
        return found


def _story_checks(story: dict[str, object]) -> list[Problem]:
    story_id, title = int(str(story["id"])), str(story["title"])
    found: list[Problem] = []
    commas = sum(
        str(story[c] or "").count(",") for c in ("categories", "characters", "fandoms", "tags")
    )
    if commas + 4 > MAX_TAGS:
        found.append(
            Problem(
                story_id,
                title,
                "too many tags",
                f"categories, characters, fandoms and tags may be at most {MAX_TAGS}",
            )
        )
    for column, below in (("summary", SUMMARY_BELOW), ("notes", NOTES_BELOW)):
        length = len(str(story[column] or ""))
        if length >= below:
            found.append(
                Problem(
                    story_id,
                    title,
                    f"{column} too long",
                    f"{length:,} characters; Open Doors takes fewer than {below:,}",
                )
            )
    return found


def _below(text: str, limit: int) -> str:
    """HTML text under `limit` characters, cut at a word (never inside an entity)."""
    if len(text) < limit:
        return text
    cut = text[: limit - 2].rsplit(" ", 1)[0]
    cut = re.sub(r"&[#\w]*$", "", cut)
    return cut.rstrip() + "…"


def _all_notes(fields: Ao3Fields) -> str:
    if fields.end_notes:
        return f"{fields.notes} End notes: {fields.end_notes}".strip()
    return fields.notes


def _import_notes(work: Work, fields: Ao3Fields, authors: int) -> list[str]:
    notes = [
        f"{c.field} was {c.length:,} (AO3 allows {c.limit:,}): {c.action}" for c in fields.cuts
    ]
    for name in ("published", "updated"):
        value = getattr(work, name)
        if value and len(value) < 10:
            written = getattr(work, f"{name}_as_written")
            notes.append(f"{name} is known only as {written!r}: the date column has its first day")
    if authors > 2:
        notes.append(f"co-authors beyond the second: {', '.join(work.authors[2:])}")
    series = "; ".join(f"{s.name}" + (f" part {s.part}" if s.part else "") for s in work.series)
    if series:
        notes.append(f"series: {series}")
    return notes


def _datetime(iso: str | None) -> str:
    """An ISO date as MySQL's datetime; a year or month alone is its first day."""
    if not iso:
        return ""
    padded = (iso + "-01-01")[:10] if len(iso) == 4 else (iso + "-01")[:10]
    return f"{padded} 00:00:00"


def _email(value: str | None) -> str:
    """The e-mail address a feedback line gives, if it gives one.

    >>> _email("Feedback to <mailto:jo@example.edu>, please"), _email("on my LJ")
    ('jo@example.edu', '')
    """
    found = _EMAIL.search(value or "")
    return found.group() if found else ""


def _csv(columns: tuple[str, ...], rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
