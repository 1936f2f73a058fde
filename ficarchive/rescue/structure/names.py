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
>>> read_byline("A series of Tenchi-Muyo! songfics, by Keiichi Masaki").names
('Keiichi Masaki',)
>>> read_byline("By Ann Li (ann@aol.com) and Jo Ray (jo@aol.com)").names
('Ann Li', 'Jo Ray')
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
    r"\s*[<(\[]?\s*(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+.*$|\s+(?:https?://|www\.).*$|"
    r"\s+(?i:e-?mail\b|mail\s+(?:me\s+)?(?:to|at)\b|contact\b).*$"
)
# What a byline puts in brackets after the name is about it, not part of it: an address
# written out ("(swhiddon.viptx.net)"), a date, a handle's story ("(My battle.net name)").
_ASIDE = re.compile(r"\s*[(<\[][^()<>\[\]]*[)>\]]?\s*$")
_BY = re.compile(r"^\W*(?:(?:[\w'’-]+\s+){0,4}?)by[:,\s]\s*(?P<name>\S.*?)\s*$", re.I)
# "A series of Tenchi-Muyo! songfics, by X", "Quantum Cabbit (...) By, X", "(By X)": the
# last "by" of a longer line, taken only when what follows it reads as a name.
_BY_LAST = re.compile(r"^.*[\s,(]by[:,\s]\s*(?P<name>[^()]+?)\)?[\s.]*$", re.I)
# An address in brackets beside each name: "X (x@aol.com) and Y (y@aol.com)".
_BRACKETED_ADDRESS = re.compile(r"\s*[<(\[]\s*(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*[>)\]]")
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
    text = _BRACKETED_ADDRESS.sub("", " ".join(text.split())) or text
    return _names(_ADDRESS.sub("", text).strip(' "“”'))


def _names(text: str) -> tuple[str, ...]:
    found = []
    for part in _SPLIT.split(text):
        part = _ASIDE.sub("", _AKA.sub("", part)) or part
        name = _HONORIFIC.sub("", part).strip(" .")
        cleaned = clean_name(name) if name else None
        if cleaned and re.search(r"\s[A-Z]$", cleaned):
            cleaned += "."  # an initial keeps its stop ("Andrew S.")
        if cleaned and re.search(r"[^\W\d_].*[^\W\d_]", cleaned) and len(cleaned.split()) <= 5:
            found.append(cleaned)
    return tuple(found)


def without_addresses(text: str) -> str:
    """`text` without the e-mail addresses and links after a name ("X (x@aol.com)")."""
    return _ADDRESS.sub("", _BRACKETED_ADDRESS.sub("", text)).strip()


def ends_with_byline(text: str) -> bool:
    """Whether the line's last "by" is followed by a name ("A songfic by X", "(By X)")."""
    late = _BY_LAST.match(text)
    if late is None:
        return False
    return looks_like_name(_TAIL.sub("", without_addresses(late.group("name"))))


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
    text = _BRACKETED_ADDRESS.sub("", text) or text
    labelled = read_label(text)
    if labelled is not None and labelled.field == "author" and labelled.value:
        value = labelled.value
        return Byline(_names(_address_only(value) or _ADDRESS.sub("", value)), LABELLED)
    by = _BY.match(text)
    if by:
        name = by.group("name")
        name = _address_only(name) or _TAIL.sub("", _ADDRESS.sub("", name))
        return Byline(_names(name), BY)
    late = _BY_LAST.match(text)
    if late:
        name = _TAIL.sub("", _ADDRESS.sub("", late.group("name")))
        if looks_like_name(name):
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
