"""The Work JSON Schema (``work.schema.json``, kept in the repo) and a small validator for
the part of JSON Schema it uses.

`problems(data)` checks a decoded JSON value against the schema and says, for each value
that does not fit, where it is and what was expected::

    chapters[0].sections: a list was expected, not a number (3)

The validator knows only the keywords the schema file uses (listed in `KEYWORDS`); a
schema that grew another keyword is refused when loaded, so it can never be half
checked. The test suite checks it agrees with the ``jsonschema`` package on many
damaged Works. (Run-time validation does not need that package: this is one walk over
the value, in plain Python, fast enough to check every stored row as it is read.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "title",
        "description",
        "type",
        "const",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "minItems",
        "minimum",
        "maximum",
        "pattern",
    }
)
"""The JSON Schema keywords this validator understands (the ones the schema uses)."""

MAX_PROBLEMS = 20
"""At most this many problems are listed: a file with thousands says the first ones."""

_KINDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "a mapping",
}


@cache
def work_schema() -> dict[str, Any]:
    """The Work JSON Schema, read once from the package and checked for known keywords."""
    text = resources.files("ficarchive").joinpath("schema/work.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    check_keywords(schema)
    return schema


def check_keywords(schema: dict[str, Any], where: str = "") -> None:
    """Raise ValueError if the schema uses a keyword `problems` does not understand."""
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise ValueError(f"schema{where}: keywords {sorted(unknown)} are not supported")
    for name, sub in schema.get("properties", {}).items():
        check_keywords(sub, f"{where}.{name}")
    if isinstance(schema.get("items"), dict):
        check_keywords(schema["items"], f"{where}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        check_keywords(schema["additionalProperties"], f"{where}.*")


def problems(data: Any, schema: dict[str, Any] | None = None) -> list[str]:
    """What in `data` does not fit the schema (the Work schema by default), first ones
    first, at most `MAX_PROBLEMS`; an empty list when it fits.

    >>> problems({"schema": 1})[:2]
    ['title: missing', 'authors: missing']
    >>> problems({"word_count": "many"}, {"properties": {"word_count": {"type": "integer"}}})
    ["word_count: a whole number was expected, not text ('many')"]
    """
    found: list[str] = []
    for problem in _walk(data, schema if schema is not None else work_schema(), ""):
        found.append(problem)
        if len(found) >= MAX_PROBLEMS:
            break
    return found


def describe(value: Any) -> str:
    """A value's kind and a short view of it, for a message.

    >>> describe(3), describe("many"), describe([1, 2]), describe(None)
    ('a number (3)', "text ('many')", 'a list of 2', 'null')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:39] + "…"
        return f"text ({short!r})"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _walk(value: Any, schema: dict[str, Any], path: str) -> Iterator[str]:
    here = path or "the Work"
    if "type" in schema and not _is_type(value, schema["type"]):
        yield f"{here}: {_expected(schema['type'])} was expected, not {describe(value)}"
        return
    if "const" in schema and not _same(value, schema["const"]):
        yield f"{here}: {schema['const']!r} was expected, not {describe(value)}"
        return
    if "enum" in schema and not any(_same(value, v) for v in schema["enum"]):
        choices = ", ".join(repr(v) for v in schema["enum"])
        yield f"{here}: one of {choices} was expected, not {describe(value)}"
        return
    if isinstance(value, dict):
        yield from _walk_object(value, schema, path)
    elif isinstance(value, list | tuple):
        yield from _walk_array(value, schema, path)
    elif isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield f"{here}: {describe(value)} does not match {schema['pattern']}"
    elif _is_number(value) and "minimum" in schema and value < schema["minimum"]:
        yield f"{here}: at least {schema['minimum']} was expected, not {value!r}"
    elif _is_number(value) and "maximum" in schema and value > schema["maximum"]:
        yield f"{here}: at most {schema['maximum']} was expected, not {value!r}"


def _walk_object(value: dict[Any, Any], schema: dict[str, Any], path: str) -> Iterator[str]:
    prefix = f"{path}." if path else ""
    properties: dict[str, Any] = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            yield f"{prefix}{name}: missing"
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            yield from _walk(item, properties[name], f"{prefix}{name}")
        elif extra is False:
            yield f"{prefix}{name}: not a field here"
        elif isinstance(extra, dict):
            yield from _walk(item, extra, f"{prefix}{name}")


def _walk_array(
    value: list[Any] | tuple[Any, ...], schema: dict[str, Any], path: str
) -> Iterator[str]:
    if "minItems" in schema and len(value) < schema["minItems"]:
        yield f"{path}: at least {schema['minItems']} items were expected, not {len(value)}"
    items = schema.get("items")
    if isinstance(items, dict):
        for n, item in enumerate(value):
            yield from _walk(item, items, f"{path}[{n}]")


def _is_type(value: Any, kind: str | list[str]) -> bool:
    if isinstance(kind, list):
        return any(_is_type(value, k) for k in kind)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "object":
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if kind == "integer":
        return isinstance(value, int) or value.is_integer()
    return kind == "number"


def _same(value: Any, expected: Any) -> bool:
    """JSON equality: ``true`` is not ``1``, and ``1.0`` is ``1``."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    comparable = type(value) is type(expected) or (_is_number(value) and _is_number(expected))
    return bool(comparable and value == expected)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _expected(kind: str | list[str]) -> str:
    kinds = kind if isinstance(kind, list) else [kind]
    return " or ".join(_KINDS.get(k, k) for k in kinds)
