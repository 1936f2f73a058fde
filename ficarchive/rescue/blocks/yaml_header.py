"""A Markdown story's YAML header, checked field by field before it is used.

Each key a Work knows has a shape: one line of text (``title``, ``rating``, ``summary``,
...), a list of texts or one (``authors``, ``tags``, ``characters``, ...), notes (text, a
list of texts, or ``beginning:``/``end:`` lists), credits (``role:``/``name:`` mappings)
and epigraphs (``text:`` with ``author:``, ``work:``, ``position:``). What our own
Markdown export writes since Work schema 2 reads back too: ``raw_tags`` (``kind:``/``name:``
mappings; with them the tag lists are canonical already and are taken as they are),
``categories``, ``series`` (``name:``/``part:`` mappings, or a line of text),
``complete``, ``updated``, ``url``, ``language`` and the dates as written
(``published_as_written``, ``updated_as_written``). YAML decides types
by how a value is written (``credits: 5`` is a number, ``title: [a, b]`` a list), so a
value of the wrong shape is not used: it becomes a ``front-matter`` diagnostic holding
the value, and the rest of the header and the story are read as usual. Epigraph texts
are HTML and pass the reader's allow-list; what that removes is a diagnostic too.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from ficarchive.rescue.blocks.html import html_to_blocks
from ficarchive.rescue.blocks.ours import confidence_of
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.meta import TEXT_FIELDS, Meta
from ficarchive.sanitise import clean_fragment, loses_something
from ficarchive.schema import describe
from ficarchive.tags.ao3 import ao3_category
from ficarchive.tags.ratings import map_rating
from ficarchive.tags.wrangle import KINDS
from ficarchive.work import RATINGS, Credit, Epigraph, RawTag

IGNORED = frozenset(
    {
        "idtag",
        "layout",
        "permalink",
        "slug",
        "id",
        "schema",
        "source",
        "word_count",
        "repairs",
        "diagnostics",
    }
)
"""Keys of static-site archives and of our own export that carry nothing to read."""

_SCALARS = (str, int, float, datetime.date)  # bool is an int; dates are YAML's own
_POSITIONS = ("beginning", "end")

Problems = list[tuple[str, Any]]
"""What could not be used: (what was wrong, the value it was wrong about)."""
Reader = Callable[[Any, Meta, RescueLog], Problems]
"""Reads one key's value into the Meta; returns what it could not use."""


def apply_yaml(data: dict[Any, Any], meta: Meta, log: RescueLog) -> None:
    """Read every key of the header into `meta`; note unknown keys and wrong shapes."""
    keys = {str(key).lower() for key in data}
    # our own export: the lists hold canonical tags, wrangled from the raw tags beside them
    meta.tags_wrangled = "raw_tags" in keys
    if meta.tags_wrangled:  # its dates are ISO already, each beside the text as written
        for name in ("published", "updated"):
            if name in keys or f"{name}_as_written" in keys:
                meta.dates_as_written[name] = None
    for key, value in data.items():
        if value is None or (isinstance(value, str | list) and not value):
            continue
        name = str(key).lower()
        reader = _READERS.get(name) or (_one_text(name) if name in _ONE_TEXT else None)
        if reader is None:
            if name not in IGNORED:
                message = f"YAML key {key!r} kept here, not a Work field"
                log.note("front-matter", message, str(value))
            continue
        for problem, bad in reader(value, meta, log):
            message = f"YAML key {key!r}: {problem}; kept here, not used"
            log.note("front-matter", message, _shown(bad))


def _shown(value: Any) -> str:
    """A value as the header held it, for a diagnostic (nothing is lost)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _text(value: Any) -> str | None:
    """A YAML scalar as text (``title: 1984`` is a number to YAML), else None."""
    return str(value) if isinstance(value, _SCALARS) else None


def _texts(value: Any, problems: Problems) -> list[str]:
    """One text or a list of them; items that are not text are problems."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _text(item)
        if text is None:
            problems.append((f"text or a list of texts was expected, not {describe(item)}", item))
        else:
            out.append(text)
    return out


def _one_text(name: str) -> Reader:
    def read(value: Any, meta: Meta, log: RescueLog) -> Problems:
        text = _text(value)
        if text is None:
            return [(f"one line of text was expected, not {describe(value)}", value)]
        _set_text(name, text, meta)
        return []

    return read


def _set_text(name: str, text: str, meta: Meta) -> None:
    if name == "title":
        meta.set_title(text)
    elif name == "rating":
        meta.rating = text if text in RATINGS else map_rating(text)
        if text not in RATINGS:
            meta.rating_source = meta.rating_source or text
    elif name == "rating_source":
        meta.rating_source = text
    else:
        setattr(meta, name, text.strip())


def _authors(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    for item in _texts(value, problems):
        meta.add_author(item)
    return problems


def _relationships(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    items = _texts(value, problems)
    if meta.tags_wrangled:
        meta.relationships.extend(i for i in items if i not in meta.relationships)
    elif items:
        meta.assign("relationships", ", ".join(items), "")
    return problems


def _list_field(name: str) -> Reader:
    def read(value: Any, meta: Meta, log: RescueLog) -> Problems:
        problems: Problems = []
        kept = getattr(meta, name)
        kept.extend(i for i in _texts(value, problems) if i not in kept)
        return problems

    return read


def _tags(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    for item in _texts(value, problems):
        if not meta.tags_wrangled:
            meta.add_tag(item)  # c:, p:, f: and w: prefixes say which list
        elif item not in meta.tags:
            meta.tags.append(item)
    return problems


def _categories(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    for item in _texts(value, problems):
        if meta.tags_wrangled:
            meta.categories.extend([item] if item not in meta.categories else [])
        elif ao3_category(item):
            meta.raw_tags.append(RawTag("category", item.strip()))
        else:
            meta.add_tag(item)
    return problems


def _raw_tags(value: Any, meta: Meta, log: RescueLog) -> Problems:
    """Our export's raw tags, as written: they replace any the lists were read as."""
    problems: Problems = []
    raws: list[RawTag] = []
    for item in _mappings(value, "a list of kind:/name: mappings", problems):
        _extra_keys(item, ("kind", "name"), "a raw tag", problems)
        kind, name = _text(item.get("kind")), _text(item.get("name"))
        if kind in KINDS and name is not None:
            raws.append(RawTag(kind, name))
        else:
            kinds = ", ".join(KINDS)
            problems.append((f"a raw tag has a kind ({kinds}) and a name", item))
    meta.raw_tags = raws
    return problems


def _series(value: Any, meta: Meta, log: RescueLog) -> Problems:
    """A line of text (``Part 3 of Watcher's Child``) or our export's ``name:``/``part:``
    mappings, kept as written for `ficarchive.metadata.parse_series`."""
    problems: Problems = []
    if not isinstance(value, list | dict):
        return _one_text("series")(value, meta, log)
    names: list[str] = []
    for item in _mappings(value, "a series name or name:/part: mappings", problems):
        _extra_keys(item, ("name", "part"), "a series", problems)
        name, part = _text(item.get("name")), item.get("part")
        if name is None or not (part is None or isinstance(part, int)) or part is True:
            problems.append(("a series has a name and a whole-number part", item))
            continue
        names.append(f"{name} [{part}]" if part is not None else name)
    if names:
        meta.series = "; ".join(filter(None, (meta.series, *names)))
    return problems


def _complete(value: Any, meta: Meta, log: RescueLog) -> Problems:
    if not isinstance(value, bool):
        return [(f"true or false was expected, not {describe(value)}", value)]
    meta.status = "complete" if value else "in progress"
    return []


def _language(value: Any, meta: Meta, log: RescueLog) -> Problems:
    text = _text(value)
    if text is None:
        return [(f"one line of text was expected, not {describe(value)}", value)]
    meta.language_written = text.strip() or None
    return []


def _as_written(name: str) -> Reader:
    """``published_as_written``: the date as the story wrote it, beside the ISO date."""

    def read(value: Any, meta: Meta, log: RescueLog) -> Problems:
        text = _text(value)
        if text is None:
            return [(f"one line of text was expected, not {describe(value)}", value)]
        meta.dates_as_written[name] = text
        return []

    return read


def _looks_like_story(value: Any, meta: Meta, log: RescueLog) -> Problems:
    if not isinstance(value, bool):
        return [(f"true or false was expected, not {describe(value)}", value)]
    meta.verdict = value
    return []


def _confidence(value: Any, meta: Meta, log: RescueLog) -> Problems:
    """How sure a first rescue was (our Markdown export keeps it)."""
    meta.confidence = confidence_of(value)
    if meta.confidence is None:
        return [("fields, breaks and chapters of probabilities were expected", value)]
    return []


def _notes(value: Any, meta: Meta, log: RescueLog) -> Problems:
    """Notes as sanitised paragraphs: links and other page markup reduced to text."""
    problems: Problems = []
    if isinstance(value, dict):
        for key, part in value.items():
            if key in _POSITIONS:
                target = meta.notes_beginning if key == "beginning" else meta.notes_end
                target.extend(_paragraphs(_note_texts(part, problems)))
            else:
                problems.append((f"notes have beginning: and end:, not {key!r}", {key: part}))
    else:
        meta.notes_beginning.extend(_paragraphs(_note_texts(value, problems)))
    return problems


def _note_texts(value: Any, problems: Problems) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif item is not None:
            problems.append((f"a note should be text, not {describe(item)}", item))
    return out


def _paragraphs(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        blocks, _ = html_to_blocks(f"<div>{value}</div>", RescueLog())
        out.extend(b.html for b in blocks if b.html)
    return out


def _mappings(value: Any, what: str, problems: Problems) -> list[dict[Any, Any]]:
    """A list of mappings (or one); anything else is a problem."""
    items = value if isinstance(value, list) else [value]
    out: list[dict[Any, Any]] = []
    for item in items:
        if isinstance(item, dict):
            out.append(item)
        else:
            problems.append((f"{what} was expected, not {describe(item)}", item))
    return out


def _credits(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    for item in _mappings(value, "a list of role:/name: mappings", problems):
        _extra_keys(item, ("role", "name"), "a credit", problems)
        role, name = _text(item.get("role")), _text(item.get("name"))
        if role is not None and name is not None:
            meta.credits.append(Credit(role, name))
            continue
        key = "role" if role is None else "name"
        wrong = f"should be text, not {describe(item[key])}" if key in item else "is missing"
        problems.append((f"a credit's {key} {wrong}", item))
    return problems


def _extra_keys(
    item: dict[Any, Any], known: tuple[str, ...], what: str, problems: Problems
) -> None:
    """Keys a mapping should not have: noted (with their values), the rest still read."""
    extra = {k: v for k, v in item.items() if k not in known}
    if extra:
        keys = ", ".join(f"{k}:" for k in known)
        problems.append((f"{what} has {keys} only", extra))


def _epigraphs(value: Any, meta: Meta, log: RescueLog) -> Problems:
    problems: Problems = []
    for item in _mappings(value, "a list of text:/author:/work:/position: mappings", problems):
        _extra_keys(item, ("text", "author", "work", "position"), "an epigraph", problems)
        problem = _epigraph_problem(item)
        if problem:
            problems.append((problem, item))
            continue
        text = clean_fragment(item["text"])
        if loses_something(item["text"], text):
            log.note(
                "sanitised",
                "an epigraph's markup a Work may not hold (script, handlers, links, other "
                "tags) was removed",
                item["text"],
            )
        author, work = _text(item.get("author")), _text(item.get("work"))
        meta.epigraphs.append(Epigraph(text, author, work, item.get("position", "beginning")))
    return problems


def _epigraph_problem(item: dict[Any, Any]) -> str | None:
    if "text" not in item:
        return "an epigraph's text is missing"
    if not isinstance(item["text"], str):
        return f"an epigraph's text should be text, not {describe(item['text'])}"
    for key in ("author", "work"):
        if item.get(key) is not None and _text(item[key]) is None:
            return f"an epigraph's {key} should be text, not {describe(item[key])}"
    if item.get("position", "beginning") not in _POSITIONS:
        wrong = describe(item["position"])
        return f"an epigraph's position should be beginning or end, not {wrong}"
    return None


_ONE_TEXT = frozenset({"title", "rating", "rating_source", "end_mark", *TEXT_FIELDS})
_READERS: dict[str, Reader] = {
    "author": _authors,
    "authors": _authors,
    "pairing": _relationships,
    "pairings": _relationships,
    "relationships": _relationships,
    "characters": _list_field("characters"),
    "fandoms": _list_field("fandoms"),
    "warnings": _list_field("warnings"),
    "tags": _tags,
    "categories": _categories,
    "raw_tags": _raw_tags,
    "series": _series,
    "complete": _complete,
    "language": _language,
    "published_as_written": _as_written("published"),
    "updated_as_written": _as_written("updated"),
    "notes": _notes,
    "credits": _credits,
    "epigraphs": _epigraphs,
    "looks_like_story": _looks_like_story,
    "confidence": _confidence,
}
