"""Tag names made canonical, so that ``Spuffy``, ``Spike/Buffy`` and ``Buffy/Spike`` are one.

Each Work field that holds tags is a kind: fandom, relationship, character, warning,
freeform; the rating is a kind too. A tag's *key* is what two spellings of the same tag
share: case and spacing folded, the names of a relationship sorted, fandom abbreviations
expanded, and known nicknames (``tags/synonyms.json``) resolved. The archive stores one
tag per key, named by the first spelling it met, and finds it from any spelling.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ficarchive.tags.fandoms import canonical_fandom
from ficarchive.work import Work

KINDS = ("rating", "warning", "fandom", "relationship", "character", "freeform")

_SPACE = re.compile(r"\s+")
_RELATIONSHIP_SPLIT = re.compile(r"\s*(?:/|&|\bx\b)\s*")


@lru_cache(maxsize=1)
def _nicknames() -> dict[str, str]:
    text = resources.files("ficarchive.tags").joinpath("synonyms.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(text)
    return {k.lower(): v for k, v in data["relationship"].items()}


def canonical_name(kind: str, name: str) -> str:
    """The name a tag is shown under when this spelling is the first one seen.

    >>> canonical_name("relationship", "spuffy"), canonical_name("fandom", "btvs")
    ('Spike/Buffy', 'Buffy the Vampire Slayer')
    """
    name = _SPACE.sub(" ", name.strip())
    if kind == "fandom":
        return canonical_fandom(name)
    if kind == "relationship":
        return _nicknames().get(name.lower(), name)
    return name


def tag_key(kind: str, name: str) -> str:
    """What every spelling of one tag has in common.

    >>> tag_key("relationship", "Buffy/Spike") == tag_key("relationship", "Spike / buffy")
    True
    >>> tag_key("relationship", "Spuffy") == tag_key("relationship", "Spike/Buffy")
    True
    """
    name = canonical_name(kind, name).casefold()
    if kind == "relationship":
        return "/".join(sorted(p for p in _RELATIONSHIP_SPLIT.split(name) if p))
    return name


def work_tags(work: Work) -> list[tuple[str, str]]:
    """Every (kind, name) tag of a Work."""
    tags = [("rating", work.rating)]
    tags += [("warning", t) for t in work.warnings]
    tags += [("fandom", t) for t in work.fandoms]
    tags += [("relationship", t) for t in work.relationships]
    tags += [("character", t) for t in work.characters]
    tags += [("freeform", t) for t in work.tags]
    return [(kind, name) for kind, name in tags if name.strip()]


def tag_rows(work: Work) -> list[tuple[str, str, str]]:
    """(kind, key, name) of each distinct tag of a Work, as the archive stores them."""
    rows: dict[tuple[str, str], str] = {}
    for kind, name in work_tags(work):
        rows.setdefault((kind, tag_key(kind, name)), canonical_name(kind, name))
    return [(kind, key, name) for (kind, key), name in rows.items()]
