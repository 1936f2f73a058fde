"""What rescue collected as written, made into the Work's AO3-shaped fields.

`finish_work(work, meta)` is called where the pipeline builds the Work: it keeps every
raw tag and wrangles them to canonical tags and categories, parses the published and
updated dates (keeping the text as written beside them), reads the series and whether
the work is complete, and takes the language from the label or, without one, from the
text. Calling it twice gives the same Work.
"""

from __future__ import annotations

import re
from typing import Protocol

from ficarchive.metadata.dates import parse_date
from ficarchive.metadata.language import SAMPLE_CHARACTERS, detect_language, language_code
from ficarchive.metadata.series import parse_series
from ficarchive.metadata.status import parse_status
from ficarchive.tags.wrangle import KIND_OF_LIST, apply, text_evidence, wrangle_tags
from ficarchive.work import Diagnostic, RawTag, Work

_MARKUP = re.compile(r"<[^>]+>")


class Collected(Protocol):
    """What `finish_work` reads of the metadata rescue collected (its ``Meta``)."""

    published: str | None
    updated: str | None
    status: str | None
    series: str | None
    url: str | None
    language: str
    language_written: str | None
    raw_tags: list[RawTag]
    recorded: set[tuple[str, str]]
    tags_wrangled: bool
    categories: list[str]
    dates_as_written: dict[str, str | None]


def finish_work(work: Work, meta: Collected) -> Work:
    """The Work with raw and canonical tags, ISO dates, series, status and language."""
    notes: list[Diagnostic] = []
    changes: dict[str, object] = {}
    for name in ("published", "updated"):
        if name in meta.dates_as_written:  # ISO already, the text as written beside it
            changes[name] = getattr(meta, name)
            changes[f"{name}_as_written"] = meta.dates_as_written[name]
        else:
            changes.update(_date(name, getattr(meta, name), notes))
    if meta.series:
        changes["series"] = parse_series(meta.series)
    if meta.status:
        changes["complete"] = parse_status(meta.status)
    if meta.url:
        changes["url"] = meta.url.strip()
    changes["language"] = _language(work, meta, notes)
    work = work.evolve(**changes)
    if meta.tags_wrangled:
        work = work.evolve(raw_tags=tuple(meta.raw_tags), categories=tuple(meta.categories))
    else:
        work = _wrangled(work, _raw_tags(work, meta), notes)
    known = set(work.diagnostics)
    extra = tuple(d for d in notes if d not in known)
    return work.evolve(diagnostics=work.diagnostics + extra) if extra else work


def _date(name: str, written: str | None, notes: list[Diagnostic]) -> dict[str, object]:
    if not written or not written.strip():
        return {name: None}
    found = parse_date(written)
    if found is None:
        notes.append(Diagnostic("date", f"{name}: no date could be read", written))
    elif found.ambiguous:
        notes.append(
            Diagnostic(
                "date",
                f"{name}: read month first, as {found.iso} (day and month could swap)",
                written,
            )
        )
    return {name: found.iso if found else None, f"{name}_as_written": written.strip()}


def _language(work: Work, meta: Collected, notes: list[Diagnostic]) -> str:
    if meta.language_written:
        code = language_code(meta.language_written)
        if code:
            return code
        notes.append(
            Diagnostic(
                "language", "the language label names no language known here", meta.language_written
            )
        )
    if meta.tags_wrangled or meta.language != "en":
        return meta.language
    found = detect_language(_opening(work))
    if found is None:
        return meta.language
    if found.code != meta.language:
        notes.append(
            Diagnostic(
                "language", f"detected from the text: {found.code} (p={found.probability:.2f})"
            )
        )
    return found.code


def _opening(work: Work) -> str:
    """The body text without markup, as much as language detection reads of it."""
    parts: list[str] = []
    size = 0
    for paragraph in work.paragraphs:
        if size >= SAMPLE_CHARACTERS:
            break
        parts.append(_MARKUP.sub(" ", paragraph))
        size += len(parts[-1]) + 1
    return "\n".join(parts)


def _raw_tags(work: Work, meta: Collected) -> tuple[RawTag, ...]:
    """The tags as written; list items that came by another way are raw tags as they are.
    A Work finished once already has them."""
    if work.raw_tags:
        return work.raw_tags
    raws = list(dict.fromkeys(meta.raw_tags))
    for list_name, kind in KIND_OF_LIST.items():
        for item in getattr(work, list_name):
            if (list_name, item) not in meta.recorded and RawTag(kind, item) not in raws:
                raws.append(RawTag(kind, item))
    return tuple(raws)


def _wrangled(work: Work, raws: tuple[RawTag, ...], notes: list[Diagnostic]) -> Work:
    resolutions = wrangle_tags(raws, text_evidence(work))
    left = [r.raw for r in resolutions if not r.resolved]
    if left:
        shown = ", ".join(f"{r.name} ({r.kind})" for r in left[:20])
        more = f" and {len(left) - 20} more" if len(left) > 20 else ""
        notes.append(
            Diagnostic(
                "wrangling", f"{len(left)} tags kept as written, for wrangling: {shown}{more}"
            )
        )
    return apply(work, resolutions)
