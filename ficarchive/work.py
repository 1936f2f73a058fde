"""The one domain model: a `Work` and its parts.

Every stage of ficarchive speaks in these frozen dataclasses. `Work.to_dict()` gives
the JSON shape described by ``ficarchive/schema/work.schema.json`` and
`Work.from_dict()` reads it back, so a Work survives any number of round trips.
``Work.from_dict(data, strict=True)`` (and ``from_json(text, strict=True)``) first checks
the data against that schema and raises `ficarchive.errors.InvalidWork`, naming the field,
for anything that does not fit: use it for every Work that comes from outside this
process (a file, a stored row, a request).

Paragraphs are sanitised HTML fragments (``em``, ``strong``, ``u``, ``s``, ``br`` and
``span lang``); everything else is plain text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ficarchive.errors import InvalidWork
from ficarchive.schema import problems

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
"""Work JSON versions `Work.from_dict` reads. Version 2 added raw tags, categories, series,
complete, updated, the dates as written and the URL; ``published`` became an ISO date. A
version 1 Work reads as it was, its ``published`` text parsed (and kept as written)."""

RATINGS = (
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
    "Not Rated",
)

Position = Literal["beginning", "end"]


@dataclass(frozen=True)
class Section:
    """A run of paragraphs between two scene breaks."""

    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chapter:
    title: str | None = None
    sections: tuple[Section, ...] = ()

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for s in self.sections for p in s.paragraphs)


@dataclass(frozen=True)
class Epigraph:
    text: str
    author: str | None = None
    work: str | None = None
    position: Position = "beginning"


@dataclass(frozen=True)
class Credit:
    role: str
    name: str


@dataclass(frozen=True)
class Notes:
    beginning: tuple[str, ...] = ()
    end: tuple[str, ...] = ()


@dataclass(frozen=True)
class Repair:
    """One kind of change made to the text, with how often it was made."""

    kind: str
    before: str
    after: str
    count: int = 1


@dataclass(frozen=True)
class Diagnostic:
    """Something removed, guessed or noticed, and why."""

    kind: str
    message: str
    text: str | None = None


@dataclass(frozen=True)
class Confidence:
    """How sure rescue is of what it inferred: a calibrated probability of being right for
    each field it read from the text (``title``, ``authors``, ``body_start``, ``body_end``),
    for every scene break and for every chapter boundary, in reading order."""

    fields: dict[str, float] = field(default_factory=dict)
    breaks: tuple[float, ...] = ()
    chapters: tuple[float, ...] = ()

    def lowest(self) -> tuple[str, float] | None:
        """The least sure thing of all, as (what, probability)."""
        found = [*self.fields.items()]
        found += [(f"scene break {n}", p) for n, p in enumerate(self.breaks, 1)]
        found += [(f"chapter {n + 1}", p) for n, p in enumerate(self.chapters, 1)]
        return min(found, key=lambda item: item[1]) if found else None


@dataclass(frozen=True)
class RawTag:
    """A tag exactly as the source wrote it (``c:giles``, ``Giles/Xander``), and the kind
    of tag the source said it is: ``fandom``, ``relationship``, ``character``,
    ``warning``, ``category`` or ``freeform``. The Work's tag lists hold the canonical
    tags these were wrangled to (`ficarchive.tags.wrangle`)."""

    kind: str
    name: str


@dataclass(frozen=True)
class SeriesPart:
    """The work's place in a series: the series' name as written and its part number."""

    name: str
    part: int | None = None


@dataclass(frozen=True)
class Source:
    """The bytes a Work was rescued from. A page rescued from a web archive (a WARC, ARC
    or WACZ capture) or saved from the Wayback Machine also says where and when it was
    captured: `url`, `captured` (ISO 8601, UTC), and for a capture read from a web
    archive file, that file (`warc_file`) and its record's byte offset (`warc_offset`).
    These are left out of the JSON when unknown, so other Works read and write as before.
    """

    format: str
    encoding: str
    sha256: str
    name: str
    size: int = 0
    url: str | None = None
    captured: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None


# The `Source` fields the JSON leaves out when they are None (a Work from a plain file).
_CAPTURE_FIELDS = ("url", "captured", "warc_file", "warc_offset")


@dataclass(frozen=True)
class Work:
    title: str | None = None
    authors: tuple[str, ...] = ()
    rating: str = "Not Rated"
    rating_source: str | None = None
    warnings: tuple[str, ...] = ()
    fandoms: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None
    spoilers: str | None = None
    disclaimer: str | None = None
    notes: Notes = field(default_factory=Notes)
    credits: tuple[Credit, ...] = ()
    challenge: str | None = None
    feedback: str | None = None
    archive_permission: str | None = None
    published: str | None = None
    published_as_written: str | None = None
    updated: str | None = None
    updated_as_written: str | None = None
    complete: bool | None = None
    series: tuple[SeriesPart, ...] = ()
    categories: tuple[str, ...] = ()
    raw_tags: tuple[RawTag, ...] = ()
    url: str | None = None
    language: str = "en"
    epigraphs: tuple[Epigraph, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    end_mark: str | None = None
    word_count: int = 0
    looks_like_story: bool = True
    repairs: tuple[Repair, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    source: Source | None = None
    confidence: Confidence | None = None

    # -- convenience -------------------------------------------------------------
    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Every body paragraph in reading order."""
        return tuple(p for c in self.chapters for p in c.paragraphs)

    @property
    def scene_breaks(self) -> int:
        """Scene breaks inside chapters (chapter boundaries are not counted)."""
        return sum(max(len(c.sections) - 1, 0) for c in self.chapters)

    def evolve(self, **changes: Any) -> Work:
        return replace(self, **changes)

    # -- JSON ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema": SCHEMA_VERSION}
        data.update(_plain(self))
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, strict: bool = False) -> Work:
        """The Work a `to_dict` gave. With `strict`, `data` is checked against the JSON
        Schema first: anything that does not fit (a missing key, a wrong type anywhere,
        an unknown field) raises `InvalidWork` naming the field, before anything is built.
        Without it, the shape is trusted (for dicts this program made itself)."""
        if strict:
            data = checked(data)
        version = data.get("schema", SCHEMA_VERSION)
        if version not in READABLE_VERSIONS:
            raise ValueError(f"unsupported Work schema version {version!r}")
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        if version == 1:
            values.update(_version_1_dates(values))
        for name in _TAG_LISTS:
            if name in values:
                values[name] = tuple(values[name])
        if "raw_tags" in values:
            values["raw_tags"] = tuple(RawTag(**t) for t in values["raw_tags"])
        if "series" in values:
            values["series"] = tuple(SeriesPart(**s) for s in values["series"])
        if "notes" in values:
            notes = values["notes"] or {}
            values["notes"] = Notes(tuple(notes.get("beginning", ())), tuple(notes.get("end", ())))
        if "credits" in values:
            values["credits"] = tuple(Credit(**c) for c in values["credits"])
        if "epigraphs" in values:
            values["epigraphs"] = tuple(Epigraph(**e) for e in values["epigraphs"])
        if "chapters" in values:
            values["chapters"] = tuple(
                Chapter(
                    c.get("title"),
                    tuple(Section(tuple(s["paragraphs"])) for s in c.get("sections", ())),
                )
                for c in values["chapters"]
            )
        if "repairs" in values:
            values["repairs"] = tuple(Repair(**r) for r in values["repairs"])
        if "diagnostics" in values:
            values["diagnostics"] = tuple(Diagnostic(**d) for d in values["diagnostics"])
        if values.get("source") is not None:
            values["source"] = Source(**values["source"])
        if values.get("confidence") is not None:
            found = values["confidence"]
            values["confidence"] = Confidence(
                dict(found.get("fields", {})),
                tuple(found.get("breaks", ())),
                tuple(found.get("chapters", ())),
            )
        return cls(**values)

    @classmethod
    def from_json(cls, text: str | bytes, *, strict: bool = False) -> Work:
        """The Work in a `to_json` text; with `strict`, text that is not JSON raises
        `InvalidWork` too."""
        if not strict:
            return cls.from_dict(json.loads(text))
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise InvalidWork(f"not a Work JSON: it is not JSON ({_json_error(exc)})") from None
        return cls.from_dict(data, strict=True)


_TAG_LISTS = (
    "authors",
    "warnings",
    "fandoms",
    "relationships",
    "characters",
    "tags",
    "categories",
)


def _version_1_dates(values: dict[str, Any]) -> dict[str, Any]:
    """A version 1 ``published`` was the text as written: parsed, and kept beside.

    >>> _version_1_dates({"published": "June 12, 1998"})
    {'published': '1998-06-12', 'published_as_written': 'June 12, 1998'}
    """
    from ficarchive.metadata.dates import parse_date

    written = values.get("published")
    if not isinstance(written, str) or "published_as_written" in values:
        return {}
    found = parse_date(written)
    return {"published": found.iso if found else None, "published_as_written": written}


def checked(data: Any) -> dict[str, Any]:
    """`data` if it fits the Work JSON Schema (whole numbers written ``3.0`` made ``3``),
    else `InvalidWork` naming the first fields that do not.

    >>> checked({**Work().to_dict(), "word_count": "many"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ficarchive.errors.InvalidWork: not a valid Work: word_count: a whole number was ...
    """
    found = problems(data)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise InvalidWork(
            f"not a valid Work: {found[0]}{more}; re-export it with "
            "`ficarchive rescue --json`, or rescue the story's original file",
            problems=tuple(found),
        )
    return _whole_numbers(data)


def _whole_numbers(data: dict[str, Any]) -> dict[str, Any]:
    """The integers JSON may write as ``3.0`` (which the schema allows) as ints."""
    out = dict(data, word_count=int(data["word_count"]))
    if any(isinstance(r["count"], float) for r in out["repairs"]):
        out["repairs"] = [{**r, "count": int(r["count"])} for r in out["repairs"]]
    source = out.get("source")
    for name in ("size", "warc_offset"):
        if source is not None and isinstance(source.get(name), float):
            out["source"] = source = {**source, name: int(source[name])}
    return out


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def _plain(value: Any) -> Any:
    """Dataclasses to dicts and tuples to lists, recursively, so the result is plain JSON.

    (`dataclasses.asdict` deep-copies every string on the way; this does not, and is
    several times faster on a long story.)
    """
    if isinstance(value, str) or value is None or isinstance(value, int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES.setdefault(type(value), tuple(f.name for f in fields(value)))
    if isinstance(value, Source):
        return {n: getattr(value, n) for n in names
                if n not in _CAPTURE_FIELDS or getattr(value, n) is not None}  # fmt: skip
    return {name: _plain(getattr(value, name)) for name in names}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
