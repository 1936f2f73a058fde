"""The canonical-name tables the project ships: characters by their AO3 names within each
fandom it has seen (with gender, for AO3's categories, and the short names and nicknames
old sites used), relationship nicknames (``Spuffy``), and common additional tags.

`characters.json` holds, per fandom, ``characters`` (canonical name → ``gender`` ``f``,
``m`` or ``x`` and ``synonyms``) and ``relationships`` (canonical name → nicknames);
``shared`` holds what every fandom has (original characters). `freeforms.json` maps an
additional tag's canonical name to the spellings it was written in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ficarchive.tags.fandoms import fold

_DISAMBIGUATION = re.compile(r"\s+\([^)]*\)\s*$")


@dataclass(frozen=True)
class Character:
    name: str
    gender: str = "x"  # f, m, or x (not one or the other, or not known)
    fandom: str = ""

    @property
    def short(self) -> str:
        """The name as a relationship tag writes it: without its fandom in brackets.

        >>> Character("Spike (Buffy the Vampire Slayer)").short
        'Spike'
        """
        return _DISAMBIGUATION.sub("", self.name)

    @property
    def original(self) -> bool:
        return self.name.startswith("Original ")


@dataclass
class FandomCanon:
    """One fandom's characters and relationship nicknames, found by folded name."""

    fandom: str
    by_name: dict[str, Character] = field(default_factory=dict)
    relationships: dict[str, str] = field(default_factory=dict)
    characters: list[Character] = field(default_factory=list)

    def add(self, character: Character, synonyms: Iterable[str] = ()) -> None:
        if any(c.name == character.name for c in self.characters):
            return
        self.characters.append(character)
        for spelling in (character.name, character.short, *synonyms):
            self.by_name.setdefault(fold(spelling), character)


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("ficarchive.tags").joinpath(name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def shipped() -> dict[str, FandomCanon]:
    """The shipped table, per canonical fandom name (``""`` for what every fandom has)."""
    data = _data("characters.json")
    out: dict[str, FandomCanon] = {}
    sections: dict[str, Any] = {"": data["shared"], **data["fandoms"]}
    for fandom, section in sections.items():
        canon = FandomCanon(fandom)
        for name, info in section["characters"].items():
            synonyms = [str(s) for s in info.get("synonyms", ())]
            canon.add(Character(name, str(info.get("gender", "x")), fandom), synonyms)
        for relationship, spellings in section.get("relationships", {}).items():
            for spelling in (relationship, *spellings):
                canon.relationships[fold(spelling)] = relationship
        out[fandom] = canon
    return out


@cache
def freeforms() -> dict[str, str]:
    """Folded spelling → canonical additional tag."""
    table: dict[str, str] = {}
    for canonical, spellings in _data("freeforms.json").items():
        for spelling in (canonical, *spellings):
            table[fold(str(spelling))] = canonical
    return table
