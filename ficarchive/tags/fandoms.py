"""Canonical fandom names (the Archive of Our Own's), with the abbreviations and spellings
old archives used for them (``fandoms.json``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

_FOLD = re.compile(r"[\s_]+|(?<=\w)-(?=\w)")


def fold(name: str) -> str:
    """What two spellings of one name share: case, spaces, hyphens and underscores folded.

    >>> fold("Doctor-Who"), fold("helios_hyperion"), fold("  Buffy   Summers ")
    ('doctor who', 'helios hyperion', 'buffy summers')
    """
    return _FOLD.sub(" ", name.strip()).strip().casefold()


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, str]:
    data = json.loads(resources.files("ficarchive.tags").joinpath("fandoms.json").read_text())
    table: dict[str, str] = {}
    for canonical, synonyms in data.items():
        table[fold(canonical)] = canonical
        for synonym in synonyms:
            table[fold(synonym)] = canonical
    return table


class _Known:
    """The canonical fandom names, as a container (loaded on first use)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _synonyms().get(fold(name)) == name


KNOWN_FANDOMS = _Known()


def known_fandom(name: str) -> str | None:
    """The canonical name of a fandom we know, else None.

    >>> known_fandom("f:doctor-who".split(":")[1]), known_fandom("Mystery Show") is None
    ('Doctor Who', True)
    """
    return _synonyms().get(fold(name))


def canonical_fandom(name: str) -> str:
    """The canonical name of a fandom, or the name as given when we do not know it.

    >>> canonical_fandom("btvs"), canonical_fandom("TNG"), canonical_fandom("Blake's 7")
    ('Buffy the Vampire Slayer (TV)', 'Star Trek: The Next Generation', "Blake's 7")
    """
    key = " ".join(name.split())
    return known_fandom(key) or key
