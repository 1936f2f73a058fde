"""The archive's read boundary: stored Work JSON is checked before anything uses it.

A row written by an older or broken ficarchive, by hand, or damaged on disk may hold
``"word_count": "many"``, ``"chapters": 3`` or no JSON at all. `read_work` gives a `Work`
whose every field has the type the reader, the exports and search rely on, or raises
`DamagedWork` naming the work and the first field that is wrong, so one bad row is one
skipped work with a report line, never a crash of a page or a command. `check_work`
applies the same check before a Work is stored, so a bad one is refused at the door.

This is the only place that decides what a readable Work is; when `Work.from_dict`
validates strictly itself, `read_work` keeps only the catching.

>>> read_work('{"title": "Bells", "word_count": 3}', "work 1").title
'Bells'
>>> read_work('{"word_count": "many"}', "work 7")
Traceback (most recent call last):
...
ficarchive.errors.DamagedWork: work 7 is damaged: word_count is 'many', not a whole number
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from dataclasses import fields as dataclass_fields
from typing import Any

from ficarchive.errors import DamagedWork, InvalidWork
from ficarchive.work import (
    SCHEMA_VERSION,
    Credit,
    Diagnostic,
    Epigraph,
    Repair,
    Source,
    Work,
)

# A check returns None when the value is right, else what is wrong with it.
Check = Callable[[Any], str | None]

# Longest value quoted in a message, in characters.
QUOTED = 40


class _Wrong(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where} {what}")


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"is {_quote(value)}, not text"


def _maybe_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _whole(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    return f"is {_quote(value)}, not a whole number"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"is {_quote(value)}, not true or false"


def _position(value: Any) -> str | None:
    return None if value in ("beginning", "end") else f"is {_quote(value)}, not beginning or end"


@dataclass(frozen=True)
class Record:
    """What a JSON object must hold: a check for each field named (an absent field takes
    the Work's default). With `part`, the dataclass the object becomes: a key it has no
    field for is refused (it could not take it), and its fields without a default must
    be there; a field it has that is not named here is let through unchecked (a newer
    ficarchive's). Without it, unknown keys are ignored, as the Work ignores them."""

    fields: Mapping[str, Any]
    part: type | None = None
    required: tuple[str, ...] = ()
    nullable: bool = False  # null stands for none (the Work's source)

    def allowed(self) -> set[str] | None:
        return None if self.part is None else {f.name for f in dataclass_fields(self.part)}

    def needed(self) -> tuple[str, ...]:
        if self.part is None:
            return self.required
        bare = tuple(
            f.name
            for f in dataclass_fields(self.part)
            if f.default is MISSING and f.default_factory is MISSING
        )
        return (*bare, *self.required)


def _walk(value: Any, check: Any, where: str) -> None:
    """Raise `_Wrong` at the first part of `value` that `check` does not allow: `check`
    is a `Check`, a ``[check]`` (a list of such), or a `Record`."""
    if isinstance(check, list):
        if not isinstance(value, list):
            raise _Wrong(where, f"is {_quote(value)}, not a list")
        for i, item in enumerate(value):
            _walk(item, check[0], f"{where}[{i}]")
        return
    if isinstance(check, Record):
        if not (value is None and check.nullable):
            _record(value, check, where)
        return
    wrong = check(value)
    if wrong is not None:
        raise _Wrong(where, wrong)


def _record(value: Any, record: Record, where: str) -> None:
    if not isinstance(value, dict):
        raise _Wrong(where, f"is {_quote(value)}, not an object")
    allowed = record.allowed()
    for key, item in value.items():
        said = str(key) if str(key).isidentifier() else _quote(str(key))  # one line, bounded
        name = f"{where}.{said}" if where else said
        if key in record.fields:
            _walk(item, record.fields[key], name)
        elif allowed is not None and key not in allowed:
            raise _Wrong(name, "is not a field it can have")
    for key in record.needed():
        if key not in value:
            raise _Wrong(f"{where}.{key}" if where else key, "is missing")


_TEXTS = [_text]
_SOURCE = Record(
    {"format": _text, "encoding": _text, "sha256": _text, "name": _text, "size": _whole},
    Source,
    nullable=True,
)


# Every field of a Work's JSON that is checked, and what it must hold.
WORK_FIELDS: dict[str, Any] = {
    "schema": lambda v: None if v == SCHEMA_VERSION else f"is {_quote(v)}, not {SCHEMA_VERSION}",
    "title": _maybe_text,
    "authors": _TEXTS,
    "rating": _text,
    "rating_source": _maybe_text,
    "warnings": _TEXTS,
    "fandoms": _TEXTS,
    "relationships": _TEXTS,
    "characters": _TEXTS,
    "tags": _TEXTS,
    "summary": _maybe_text,
    "spoilers": _maybe_text,
    "disclaimer": _maybe_text,
    "notes": Record({"beginning": _TEXTS, "end": _TEXTS}),
    "credits": [Record({"role": _text, "name": _text}, Credit)],
    "challenge": _maybe_text,
    "feedback": _maybe_text,
    "archive_permission": _maybe_text,
    "published": _maybe_text,
    "language": _text,
    "epigraphs": [
        Record(
            {"text": _text, "author": _maybe_text, "work": _maybe_text, "position": _position},
            Epigraph,
        )
    ],
    "chapters": [
        Record(
            {
                "title": _maybe_text,
                "sections": [Record({"paragraphs": _TEXTS}, required=("paragraphs",))],
            }
        )
    ],
    "end_mark": _maybe_text,
    "word_count": _whole,
    "looks_like_story": _flag,
    "repairs": [
        Record({"kind": _text, "before": _text, "after": _text, "count": _whole}, Repair)
    ],
    "diagnostics": [
        Record({"kind": _text, "message": _text, "text": _maybe_text}, Diagnostic)
    ],
    "source": _SOURCE,
}
WORK = Record(WORK_FIELDS)


def problem(data: Any) -> str | None:
    """What is wrong with a Work's JSON value (parsed), or None when a Work can be made."""
    try:
        _record(data, WORK, "")
    except _Wrong as wrong:
        return str(wrong)
    return None


def read_work(text: str | bytes | None, what: str) -> Work:
    """The Work stored as `text`; `DamagedWork` (naming `what`, say ``work 7``) if the
    JSON cannot be parsed or a field has the wrong type."""
    if not isinstance(text, str | bytes):
        raise DamagedWork(f"{what} is damaged: its data is {_quote(text)}, not Work JSON")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, too deep
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DamagedWork(f"{what} is damaged: its data is not JSON ({reason})") from None
    wrong = problem(data)
    if wrong is not None:
        raise DamagedWork(f"{what} is damaged: {wrong}")
    try:
        return Work.from_dict(data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DamagedWork(f"{what} is damaged: {exc}") from None


def check_work(work: Work, name: str) -> None:
    """Refuse (`InvalidWork`) a Work that could not be read back once stored."""
    try:
        wrong = problem(work.to_dict())
    except (TypeError, ValueError, AttributeError, RecursionError) as exc:
        wrong = f"it cannot be written as JSON ({type(exc).__name__}: {exc})"
    if wrong is not None:
        raise InvalidWork(
            f"{name}: not stored, the Work is not valid: {wrong}; rescue the original file "
            "instead of its Work JSON"
        )
