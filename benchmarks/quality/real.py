"""Gold for the real collections, and the scores of one rescued Work against it.

Two kinds of gold, kept apart because they come from different people:

* **The collection's own metadata**: the `.descs` lines of usenet-startrek, textfiles-stories
  and textfiles-sf, and tmffa's listing pages (`gold.json`). They name a title and authors
  (and, for usenet, whether a file is fan fiction). They were written by an archivist, not
  read off the file, so a field is scored only where the file itself gives it: the gold
  title's words appear in the file's first `TOP_LINES` or last `BOTTOM_LINES` non-blank
  lines (an author likewise).
* **Hand annotations** (`training/annotations/*.jsonl`, see `training/annotate.py`): every
  line of a sample of each collection given its part by a reader. They give the title and
  authors as the file gives them, whether it is a story, where the body starts and ends,
  its scene breaks, chapter headings and end mark.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.quality.corpus import corpus_dir
from benchmarks.quality.usenet import FAN_FICTION_PREFIX, gold_for, parse_description
from training.annotate import ANNOTATIONS, line_labels, parse_runs, raw_lines

COLLECTIONS = ("usenet-startrek", "tmffa", "textfiles-stories", "textfiles-sf")
#: Where a file "gives" a title or an author: its first and last non-blank lines.
TOP_LINES = 60
BOTTOM_LINES = 20
#: Body start and end are right when the first (last) words of the story proper are the
#: first (last) words of the rescued body: this many words, or the whole line if shorter.
EDGE_WORDS = 8

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")
_DESC_PREFIX = re.compile(
    r"^(?:fan\s*fi\w*ction|fiction|story|script|poem|poetry|parody|humou?r|short\s+story)\s*:\s*",
    re.I,
)


def fold(text: str | None) -> str:
    """Case, width, quotes and spacing folded; edge quotes and stray end punctuation cut."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = re.sub(r"\s+([:;,.!?])", r"\1", " ".join(text.split()))
    return text.strip(" \"'*_~-=:,;")


def words(text: str | None) -> list[str]:
    import html

    plain = html.unescape(_TAG.sub(" ", text or ""))
    return _WORD.findall(unicodedata.normalize("NFKC", plain).casefold())


def _contains(haystack: list[str], needle: list[str]) -> bool:
    if not needle:
        return False
    n = len(needle)
    first = needle[0]
    return any(
        haystack[i] == first and haystack[i : i + n] == needle for i in range(len(haystack) - n + 1)
    )


# -- gold ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Annotation:
    story: bool
    title: str | None
    authors: tuple[str, ...]
    labels: tuple[str | None, ...]  # a label a raw line
    lines: tuple[str, ...]  # the raw lines (read from the corpus, never stored)

    def first(self, label: str) -> int | None:
        return next((i for i, lab in enumerate(self.labels) if lab == label), None)

    def body_lines(self) -> list[int]:
        """Lines of the story proper that have words (a rule inside the body has none)."""
        return [i for i, lab in enumerate(self.labels) if lab == "body" and words(self.lines[i])]

    @property
    def body_start(self) -> list[str]:
        lines = self.body_lines()
        return words(self.lines[lines[0]])[:EDGE_WORDS] if lines else []

    @property
    def body_end(self) -> list[str]:
        lines = self.body_lines()
        return words(self.lines[lines[-1]])[-EDGE_WORDS:] if lines else []

    def _runs(self, label: str) -> list[tuple[int, int]]:
        """(first, last) line of each stretch of `label`; blank lines do not end a stretch."""
        runs: list[tuple[int, int]] = []
        inside = False
        for i, lab in enumerate(self.labels):
            if not self.lines[i].strip():
                continue
            if lab == label:
                if inside:
                    runs[-1] = (runs[-1][0], i)
                else:
                    runs.append((i, i))
                inside = True
            else:
                inside = False
        return runs

    @property
    def chapters(self) -> int:
        """Chapters: each chapter heading, plus one when the story starts before the first."""
        headings = self._runs("chapter")
        body = self.body_lines()
        if not headings:
            return 1 if body else 0
        return len(headings) + (1 if body and body[0] < headings[0][0] else 0)

    @property
    def scene_breaks(self) -> int:
        """Breaks between two body stretches of one chapter (runs collapsed)."""
        count = 0
        previous: str | None = None
        pending = False
        for i, lab in enumerate(self.labels):
            if lab is None or (not self.lines[i].strip() and lab != "break"):
                continue
            if lab == "break":
                pending = previous == "body"
            elif lab == "body":
                if pending:
                    count += 1
                pending = False
                previous = "body"
            elif lab in ("chapter", "end", "back"):
                pending = False
                previous = lab
        return count

    @property
    def end_mark(self) -> list[str] | None:
        first = self.first("end")
        return words(self.lines[first]) if first is not None else None


@dataclass(frozen=True)
class RealGold:
    collection: str
    file: str
    title: str | None  # the collection's metadata
    authors: tuple[str, ...]
    is_story: bool | None
    title_given: bool  # the file itself gives the metadata title
    authors_given: bool
    annotation: Annotation | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return corpus_dir() / self.collection / self.file


def _given(lines: Sequence[str], value: str | None) -> bool:
    key = words(value)
    if not key:
        return False
    kept = [line for line in lines if line.strip()]
    edge = [w for line in [*kept[:TOP_LINES], *kept[-BOTTOM_LINES:]] for w in words(line)]
    return _contains(edge, key)


def _descs(collection: str) -> dict[str, str]:
    path = corpus_dir() / collection / ".descs"
    out: dict[str, str] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        name, _, desc = line.strip().partition(" ")
        if name and (corpus_dir() / collection / name).is_file():
            out[name] = desc.strip()
    return out


def _desc_fields(
    collection: str, name: str, desc: str
) -> tuple[str | None, tuple[str, ...], bool | None]:
    if collection == "usenet-startrek":
        gold = gold_for(name, desc)
        title, authors = parse_description(desc) if gold.is_story is not False else (None, ())
        return title, authors, gold.is_story
    title, authors = parse_description(_DESC_PREFIX.sub("", desc))
    if FAN_FICTION_PREFIX.match(desc):
        return title, authors, True
    return title, authors, None


@cache
def annotations(collection: str) -> dict[str, dict[str, Any]]:
    path = ANNOTATIONS / f"{collection}.jsonl"
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            out[str(entry["file"])] = entry
    return out


def _annotation(entry: dict[str, Any], lines: list[str]) -> Annotation:
    labels = line_labels(parse_runs(str(entry.get("runs") or "")), len(lines))
    return Annotation(
        story=bool(entry["story"]),
        title=entry.get("title") or None,
        authors=tuple(entry.get("authors") or ()),
        labels=tuple(labels),
        lines=tuple(lines),
    )


def _tmffa() -> Iterable[tuple[str, str | None, tuple[str, ...], bool | None]]:
    gold = json.loads((corpus_dir() / "tmffa" / "gold.json").read_text(encoding="utf-8"))
    works = {w["key"]: w for w in gold["works"]}
    for name, place in sorted(gold["files"].items()):
        if not (corpus_dir() / "tmffa" / name).is_file():
            continue
        work = works.get(place["work"], {})
        yield name, work.get("title"), tuple(work.get("authors") or ()), True


def real_gold(collection: str) -> list[RealGold]:
    """Every scorable file of a real collection, with its metadata and annotation."""
    if collection == "tmffa":
        rows = list(_tmffa())
    else:
        rows = [(n, *_desc_fields(collection, n, d)) for n, d in sorted(_descs(collection).items())]
    notes = annotations(collection)
    out = []
    for name, title, authors, is_story in rows:
        lines = raw_lines(corpus_dir() / collection / name)
        entry = notes.get(name)
        annotation = _annotation(entry, lines) if entry else None
        if annotation is not None and is_story is None:
            is_story = annotation.story
        out.append(
            RealGold(
                collection,
                name,
                title,
                authors,
                is_story,
                title_given=_given(lines, title),
                authors_given=bool(authors) and all(_given(lines, a) for a in authors),
                annotation=annotation,
            )
        )
    return out


# -- scores ----------------------------------------------------------------------------------
def same_title(found: str | None, gold: str | None) -> bool:
    return bool(found) and bool(gold) and fold(found) == fold(gold)


def same_authors(found: Sequence[str], gold: Sequence[str]) -> bool:
    return sorted(fold(a) for a in found) == sorted(fold(a) for a in gold)


def starts_with(found: list[str], gold: list[str]) -> bool:
    return bool(gold) and found[: len(gold)] == gold


def ends_with(found: list[str], gold: list[str]) -> bool:
    return bool(gold) and found[-len(gold) :] == gold


def score(work: Any, gold: RealGold) -> dict[str, bool | None]:
    """Each field right (True), wrong (False) or not scored here (None)."""
    scores: dict[str, bool | None] = {}
    story = bool(work.looks_like_story) if work is not None else False
    scores["story"] = None if gold.is_story is None else story == gold.is_story
    meta_story = gold.is_story is not False
    scores["title"] = (
        same_title(work.title if work else None, gold.title)
        if gold.title_given and meta_story
        else None
    )
    scores["authors"] = (
        same_authors(work.authors if work else (), gold.authors)
        if gold.authors_given and meta_story
        else None
    )
    note = gold.annotation
    if note is None or not note.story:
        return scores
    if note.title:
        scores["title (annotated)"] = same_title(work.title if work else None, note.title)
    if note.authors:
        scores["authors (annotated)"] = same_authors(work.authors if work else (), note.authors)
    paragraphs = list(work.paragraphs) if work is not None else []
    scores["body start"] = starts_with(words(paragraphs[0]) if paragraphs else [], note.body_start)
    scores["body end"] = ends_with(words(paragraphs[-1]) if paragraphs else [], note.body_end)
    scores["scene breaks"] = work is not None and work.scene_breaks == note.scene_breaks
    scores["chapters"] = work is not None and len(work.chapters) == note.chapters
    gold_end = note.end_mark
    found_end = words(work.end_mark) if work is not None and work.end_mark else None
    scores["end mark"] = (gold_end is None and found_end is None) or (
        gold_end is not None and found_end is not None and gold_end == found_end
    )
    return scores


FIELDS = (
    "story",
    "title",
    "authors",
    "title (annotated)",
    "authors (annotated)",
    "body start",
    "body end",
    "scene breaks",
    "chapters",
    "end mark",
)
