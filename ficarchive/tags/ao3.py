"""The Archive of Our Own's fixed tags, by the names it stores them under, and its limits.

AO3 shows two of its warnings under other names (``Creator Chose Not To Use Archive
Warnings`` is stored as ``Choose Not To Use Archive Warnings``); its importer and Open
Doors take only the stored names and turn anything else into an Additional Tag.
"""

from __future__ import annotations

import re

RATINGS = ("Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit")

CHOSE_NOT_TO_WARN = "Choose Not To Use Archive Warnings"
NO_WARNINGS_APPLY = "No Archive Warnings Apply"
VIOLENCE = "Graphic Depictions Of Violence"
DEATH = "Major Character Death"
NONCON = "Rape/Non-Con"
UNDERAGE = "Underage Sex"
WARNINGS = (CHOSE_NOT_TO_WARN, VIOLENCE, DEATH, NO_WARNINGS_APPLY, NONCON, UNDERAGE)
DISPLAY_NAMES = {
    CHOSE_NOT_TO_WARN: "Creator Chose Not To Use Archive Warnings",
    NO_WARNINGS_APPLY: "No Archive Warnings Apply",
}

CATEGORIES = ("Gen", "F/M", "M/M", "F/F", "Multi", "Other")

# AO3's limits (otwarchive's ArchiveConfig, as the importer and Open Doors apply them).
TITLE_MAX = 255
SUMMARY_MAX = 1250
NOTES_MAX = 5000
TAG_MAX = 150
"""One tag's name, at most."""
TAGS_PER_WORK_MAX = 75
"""Fandoms, relationships, characters and additional tags together."""
CHAPTER_CONTENT_MAX = 510_000
"""Characters of one chapter's text."""
CHAPTERS_MAX = 199
"""Chapters of one imported work: fewer than 200."""

_QUALIFIED = re.compile(
    r"\b(?:mild|minor|implied|implicit|referenced|references?\s+to|mentions?\s+of|mentioned|"
    r"past|off[- ]?screen|non[- ]?graphic|brief|discussion\s+of|threat\s+of|attempted|"
    r"fake|faked|temporary|of\s+a\s+minor|minor\s+character|oc|ocs)\b",
    re.I,
)
_WARNING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CHOSE_NOT_TO_WARN, re.compile(r"\bcho(?:o)?se\s+not\s+to\b|\bcreator\s+chose\b", re.I)),
    (
        NO_WARNINGS_APPLY,
        re.compile(
            r"^(?:none|no\s+warnings?(?:\s+apply)?|n/?a|nothing|no\s+archive\s+warnings?.*)$", re.I
        ),
    ),
    (VIOLENCE, re.compile(r"\b(?:violen(?:ce|t)|gore|gory|torture|graphic\s+depictions?)\b", re.I)),
    (DEATH, re.compile(r"\b(?:major\s+)?character\s+death\b|\bmcd\b|\bdeath\s*fic\b", re.I)),
    (NONCON, re.compile(r"\brape\b|\bnon[- ]?con(?:sensual)?\b", re.I)),
    (UNDERAGE, re.compile(r"\bunderage\b", re.I)),
)


def ao3_warning(written: str) -> str | None:
    """The AO3 warning a warning as written means, or None when it is none of them (it is
    then an Additional Tag). A qualified warning (``mild violence``, ``implied rape``,
    ``death of a minor OC``) is not the archive warning: those warn of the thing itself.

    >>> ao3_warning("character death"), ao3_warning("death of a minor OC")
    ('Major Character Death', None)
    >>> ao3_warning("graphic violence"), ao3_warning("mild violence"), ao3_warning("none")
    ('Graphic Depictions Of Violence', None, 'No Archive Warnings Apply')
    >>> ao3_warning("Creator Chose Not To Use Archive Warnings"), ao3_warning("dub-con")
    ('Choose Not To Use Archive Warnings', None)
    """
    text = " ".join(written.split()).strip(" .;:")
    for name in WARNINGS:
        if text.casefold() in (name.casefold(), DISPLAY_NAMES.get(name, name).casefold()):
            return name
    if text.casefold() == "underage":
        return UNDERAGE
    for name, pattern in _WARNING_PATTERNS:
        if pattern.search(text):
            if name in (VIOLENCE, DEATH, NONCON, UNDERAGE) and _QUALIFIED.search(text):
                return None
            return name
    return None


_CATEGORY_WORDS = {
    "gen": "Gen",
    "general": "Gen",
    "none": "Gen",
    "no pairing": "Gen",
    "f/m": "F/M",
    "m/f": "F/M",
    "het": "F/M",
    "m/m": "M/M",
    "slash": "M/M",
    "f/f": "F/F",
    "femslash": "F/F",
    "femmeslash": "F/F",
    "multi": "Multi",
    "multiple": "Multi",
    "other": "Other",
}


def ao3_category(written: str) -> str | None:
    """The AO3 category a site's category or pairing word names.

    >>> ao3_category("Het"), ao3_category("slash"), ao3_category("Angst")
    ('F/M', 'M/M', None)
    """
    return _CATEGORY_WORDS.get(" ".join(written.split()).casefold().strip(" ."))
