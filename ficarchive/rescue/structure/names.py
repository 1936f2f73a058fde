"""A byline read for the names it gives, and how plainly it gives them.

A header may hold several lines the labeller calls bylines: ``X Productions Proudly
Presents``, ``by X``, ``Author: X <x@aol.com>``, a copyright line, a signature ``--X``.
Each is read here into names (addresses, studio words, rights holders and honorifics
taken off) and a *strength*, how plainly the line says who wrote the story; the assembly
takes the names of the plainest one.

>>> read_byline("Author: Pug dcruz@ctron.com web address not yet available.")
Byline(names=('Pug',), strength=4)
>>> read_byline("By, Clayton Overstreet").names, read_byline("--Douglas B. Killings").names
(('Clayton Overstreet',), ('Douglas B. Killings',))
>>> read_byline("By Spacegirlmimi@aol.com").names, read_byline("Msting by:Hellknight").names
(('Spacegirlmimi',), ('Hellknight',))
>>> read_byline("SEION PRODUCTIONS , TOHO LDC and PIONEER LDC PRESENT....").names
('SEION',)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.rescue.structure.bylines import clean_name
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.words import looks_like_name

# How plainly a line names the author.
LABELLED, BY, NOTICE, BARE = 4, 3, 2, 1

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ADDRESS = re.compile(
    r"\s*[<(\[]?\s*(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+.*$|\s+(?:https?://|www\.).*$"
)
_BY = re.compile(r"^\W*(?:(?:[\w'’-]+\s+){0,4}?)by[:,\s]\s*(?P<name>\S.*?)\s*$", re.I)
_PRESENTS = re.compile(
    r"^(?P<name>.+?)\s*(?:productions?\s+)?(?:proudly\s+|unfortunately\s+)?(?:presents?|"
    r"presentation)\b.*$",
    re.I,
)
_COPYRIGHT = re.compile(
    r"^.*?(?:copyright|copr\.|\(c\)|©)\s*(?:\d{4}(?:\s*[-,]\s*\d{2,4})?\s*,?\s*)?(?:by\s+)?"
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})",
    re.I,
)
_SIGNATURE = re.compile(r"^\s*(?:--+|—|–|~+|-)\s*(?P<name>\S.*?)\s*$")
_AKA = re.compile(r"\s*[(\[]?\s*\ba\.?k\.?a\.?\b.*$", re.I)
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|dr|prof)\.?\s+(?=\S)", re.I)
_SPLIT = re.compile(r"\s*(?:,|&|\band\b|;)\s*", re.I)
_TAIL = re.compile(r"\s*(?:[,;]\s*(?:19|20)\d\d\b.*|\s+\(?(?:19|20)\d\d\)?\s*$|;.*$)")


@dataclass(frozen=True)
class Byline:
    names: tuple[str, ...]
    strength: int


def names_in(text: str) -> tuple[str, ...]:
    """The people a name field gives (a From: header's name, a journal's owner), cleaned
    as a byline's names are."""
    return _names(_ADDRESS.sub("", " ".join(text.split())).strip(" \"“”"))


def _names(text: str) -> tuple[str, ...]:
    found = []
    for part in _SPLIT.split(text):
        name = _HONORIFIC.sub("", _AKA.sub("", part)).strip(" .")
        cleaned = clean_name(name) if name else None
        if cleaned and re.search(r"\s[A-Z]$", cleaned):
            cleaned += "."  # an initial keeps its stop ("Andrew S.")
        if cleaned and re.search(r"[^\W\d_].*[^\W\d_]", cleaned) and len(cleaned.split()) <= 5:
            found.append(cleaned)
    return tuple(found)


def _address_only(text: str) -> str | None:
    """The user name of a byline that is only an e-mail address."""
    match = _EMAIL.fullmatch(text.strip(" <>()[]"))
    return match.group().split("@", 1)[0] if match else None


# "All rights reserved" after a notice's names, or its first word before the line wraps.
_RIGHTS = re.compile(r"[.,;]?\s*\ball\s+rights\b.*$|\.\s+all\s*$", re.I)


def read_byline(text: str) -> Byline:
    """The names a byline line gives, and how plainly (0: none found).

    >>> read_byline("(c) 1993 by Eric Klien. All rights reserved").names
    ('Eric Klien',)
    """
    text = _RIGHTS.sub("", " ".join(text.split())) or text
    labelled = read_label(text)
    if labelled is not None and labelled.field == "author" and labelled.value:
        value = labelled.value
        return Byline(_names(_address_only(value) or _ADDRESS.sub("", value)), LABELLED)
    by = _BY.match(text)
    if by:
        name = by.group("name")
        name = _address_only(name) or _TAIL.sub("", _ADDRESS.sub("", name))
        return Byline(_names(name), BY)
    presents = _PRESENTS.match(text)
    if presents:
        return Byline(_names(presents.group("name")), NOTICE)
    notice = _COPYRIGHT.match(text)
    if notice:
        return Byline(_names(notice.group("name")), NOTICE)
    signed = _SIGNATURE.match(text)
    if signed and looks_like_name(_ADDRESS.sub("", signed.group("name"))):
        return Byline(_names(_ADDRESS.sub("", signed.group("name"))), BARE)
    alone = _address_only(text)
    if alone:
        return Byline((alone,), BARE)
    bare = _ADDRESS.sub("", text).strip(" ()<>")
    if bare and looks_like_name(bare):
        return Byline(_names(bare), BARE)
    return Byline((), 0)
