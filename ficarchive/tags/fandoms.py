"""Canonical fandom names, with the abbreviations old archives used for them."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    data = json.loads(resources.files("ficarchive.tags").joinpath("fandoms.json").read_text())
    table: dict[str, str] = {}
    for canonical, synonyms in data.items():
        table[canonical.lower()] = canonical
        for synonym in synonyms:
            table[synonym.lower()] = canonical
    return table


class _Known:
    """The canonical fandom names, as a container (loaded on first use)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _synonyms().get(name.lower()) == name


KNOWN_FANDOMS = _Known()


def canonical_fandom(name: str) -> str:
    """The canonical name of a fandom, or the name as given when we do not know it.

    >>> canonical_fandom("btvs"), canonical_fandom("TNG"), canonical_fandom("Blake's 7")
    ('Buffy the Vampire Slayer', 'Star Trek: The Next Generation', "Blake's 7")
    """
    key = " ".join(name.split())
    return _synonyms().get(key.lower(), key)
