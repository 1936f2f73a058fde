"""The archive's tags: every raw tag as written, the canonical tags works are found by, and
the wrangling decisions people make between them.

Each work's raw tags (`Work.raw_tags`, or its tag lists for a work made before they were
kept) are rows of ``raw_tags`` (kind, name as written, fandom context) linked by
``work_raw_tags``; what they wrangle to (`ficarchive.tags.wrangle`, a person's decision
first) are the canonical rows of ``tags`` linked by ``work_tags``, which search and facets
read. Every other spelling that reached a canonical tag is a row of ``tags`` too, with
``merger_id`` naming its canonical tag, so a search for ``Giles/Xander`` finds the works
tagged ``Rupert Giles/Xander Harris``; a spelling no work has is resolved through the
shipped table (``Spuffy``).
"""

from __future__ import annotations

import re

from ficarchive.tags.canon import shipped
from ficarchive.tags.wrangle import KINDS as TAG_KINDS
from ficarchive.tags.wrangle import Resolution, Target, marker, resolve
from ficarchive.work import RawTag, Work

KINDS = ("rating", *TAG_KINDS)

_SPACE = re.compile(r"\s+")


def tag_key(kind: str, name: str) -> str:
    """What two spellings of one tag share: case and spacing folded (nothing else: ``&``
    and ``/`` are different relationships, and names keep their order).

    >>> tag_key("relationship", "Rupert Giles /  Xander Harris")
    'rupert giles / xander harris'
    >>> tag_key("relationship", "Buffy/Spike") == tag_key("relationship", "Buffy & Spike")
    False
    """
    return _SPACE.sub(" ", marker(name)[1].strip()).casefold()


def filter_keys(kind: str, name: str) -> list[str]:
    """The keys a search filter may match: the name as given, then the canonical tag the
    shipped table resolves it to in any fandom it knows (``Spuffy``).

    >>> filter_keys("relationship", "Spuffy")
    ['spuffy', 'buffy summers/spike']
    """
    keys = [tag_key(kind, name)]
    if kind in ("rating", "warning"):
        return keys
    contexts = [""] + [f for f in shipped() if f]
    for fandom in contexts:
        found = resolve(RawTag(kind, name), [fandom] if fandom else [])
        if found.resolved:
            for target in found.targets:
                if target.kind == kind and tag_key(kind, target.name) not in keys:
                    keys.append(tag_key(kind, target.name))
            break
    return keys


def work_tags(work: Work) -> list[tuple[str, str]]:
    """Every (kind, canonical name) tag of a Work."""
    tags = [("rating", work.rating)]
    for kind, names in (
        ("warning", work.warnings),
        ("fandom", work.fandoms),
        ("relationship", work.relationships),
        ("character", work.characters),
        ("freeform", work.tags),
        ("category", work.categories),
    ):
        tags += [(kind, name) for name in names]
    return [(kind, name) for kind, name in tags if name.strip()]


def tag_rows(work: Work) -> list[tuple[str, str, str]]:
    """(kind, key, name) of each distinct canonical tag of a Work, as the archive stores them."""
    rows: dict[tuple[str, str], str] = {}
    for kind, name in work_tags(work):
        rows.setdefault((kind, tag_key(kind, name)), _SPACE.sub(" ", name.strip()))
    return [(kind, key, name) for (kind, key), name in rows.items()]


def synonym_rows(resolutions: list[Resolution]) -> list[tuple[str, str, str, str]]:
    """(kind, key, name as written, canonical key) of each raw spelling that differs from
    the canonical tag of its kind it reached: the rows that let any spelling be searched."""
    out: list[tuple[str, str, str, str]] = []
    for resolution in resolutions:
        if not resolution.resolved:
            continue
        kind = marker(resolution.raw.name)[0] or resolution.raw.kind
        same = [t for t in resolution.targets if t.kind == kind]
        if not same:
            continue
        key = tag_key(kind, resolution.raw.name)
        canonical = tag_key(kind, same[0].name)
        if key != canonical:
            out.append((kind, key, marker(resolution.raw.name)[1], canonical))
    return out


def targets_json(targets: tuple[Target, ...]) -> list[list[str]]:
    return [[t.kind, t.name] for t in targets]


def targets_of(data: list[list[str]]) -> tuple[Target, ...]:
    return tuple(Target(str(k), str(n)) for k, n in data)
