"""Markdown with a YAML header: the shape of an author's own archive and of our export.

The YAML keys of a Work are read as they are; the common keys of static-site archives
(``author``, ``pairing``, ``tags`` with ``c:``/``p:``/``f:`` prefixes) are mapped to
Work fields. Keys we do not know are kept in diagnostics.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ficarchive.rescue.blocks.block import Block
from ficarchive.rescue.blocks.html import html_to_blocks
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.structure.meta import TEXT_FIELDS, Meta
from ficarchive.tags.ratings import map_rating
from ficarchive.work import RATINGS, Credit, Epigraph

# libyaml's loader when PyYAML was built with it (the wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD = MarkdownIt("commonmark", {"html": True, "typographer": False})
_IGNORED = frozenset(
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
        "language",
    }
)


def has_front_matter(text: str) -> bool:
    return bool(_FRONT.match(text))


def read_markdown(text: str, meta: Meta, log: RescueLog) -> list[Block]:
    match = _FRONT.match(text)
    body = text
    data: object = None
    if match:
        try:
            data = yaml.load(match.group(1), Loader=_YAML_LOADER)
        except yaml.YAMLError as exc:
            log.note("front-matter", f"YAML header could not be read ({exc.__class__.__name__})")
            data = None
        if isinstance(data, dict):
            apply_yaml(data, meta, log)
            body = text[match.end() :]
            meta.structured = True
    blocks, _ = html_to_blocks(_MD.render(body), log)
    return blocks


def apply_yaml(data: dict[str, Any], meta: Meta, log: RescueLog) -> None:
    for key, value in data.items():
        if value in (None, "", []):
            continue
        name = str(key).lower()
        if not _apply(name, value, meta) and name not in _IGNORED:
            log.note("front-matter", f"YAML key {key!r} kept here, not a Work field", str(value))


def _apply(name: str, value: Any, meta: Meta) -> bool:
    items = value if isinstance(value, list) else [value]
    if name == "title":
        meta.set_title(str(value))
    elif name in ("author", "authors"):
        for item in items:
            meta.add_author(str(item))
    elif name == "rating":
        meta.rating = str(value) if value in RATINGS else map_rating(str(value))
        if value not in RATINGS:
            meta.rating_source = meta.rating_source or str(value)
    elif name == "rating_source":
        meta.rating_source = str(value)
    elif name in ("pairing", "pairings", "relationships"):
        meta.assign("relationships", ", ".join(map(str, items)), "")
    elif name in ("characters", "fandoms", "warnings"):
        getattr(meta, name).extend(str(i) for i in items if str(i) not in getattr(meta, name))
    elif name == "tags":
        for item in items:
            meta.add_tag(str(item))
    elif name in TEXT_FIELDS or name == "end_mark":
        setattr(meta, name, str(value).strip())
    elif name == "notes":
        _notes(value, meta)
    elif name == "credits":
        meta.credits.extend(Credit(str(c["role"]), str(c["name"])) for c in items)
    elif name == "epigraphs":
        meta.epigraphs.extend(Epigraph(**e) for e in items)
    elif name == "looks_like_story":
        meta.verdict = bool(value)
    else:
        return False
    return True


def _notes(value: Any, meta: Meta) -> None:
    """Notes as sanitised paragraphs: links and other page markup reduced to text."""
    if isinstance(value, dict):
        meta.notes_beginning.extend(_paragraphs(value.get("beginning", [])))
        meta.notes_end.extend(_paragraphs(value.get("end", [])))
    else:
        meta.notes_beginning.extend(_paragraphs(value if isinstance(value, list) else [value]))


def _paragraphs(values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        blocks, _ = html_to_blocks(f"<div>{value}</div>", RescueLog())
        out.extend(b.html for b in blocks if b.html)
    return out
