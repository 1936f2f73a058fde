"""Series lines as old pages, AO3 and FanFicFare write them, to (name, part).

``Series: Watcher's Child, Part 3``, ``Part 3 of the Watcher's Child series``, ``Part 3
of Watcher's Child`` (AO3's preface), ``Watcher's Child [3]`` (FanFicFare),
``Watcher's Child #3``, ``Watcher's Child (part three)``, ``Book II of Legacies``. Several
series are separated by ``;``. A name with no number is a series with no part.
"""

from __future__ import annotations

import re

from ficarchive.work import SeriesPart

_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ],
        start=1,
    )
}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}
_NUMBER = r"(\d{1,4}|[ivxl]{1,6}|" + "|".join(_WORDS) + r")"
_UNIT = r"(?:part|book|story|installment|instalment|episode|volume|vol\.?|no\.?|number)"
_PART_OF = re.compile(rf"^\s*{_UNIT}\s+{_NUMBER}\s+(?:of\s+(?:\d+\s+in\s+)?|in\s+)(.+?)\s*$", re.I)
_TRAILING = re.compile(
    rf"^\s*(.+?)[\s,:;-]*(?:\[\s*{_NUMBER}\s*\]|\(\s*(?:{_UNIT}\s+)?{_NUMBER}\s*\)|#\s*{_NUMBER}|"
    rf",?\s+{_UNIT}\s+{_NUMBER})\s*$",
    re.I,
)
_SERIES_WORD = re.compile(r"^(?:the\s+)?(.+?)(?:\s+(?:series|saga|cycle|verse|arc))?$", re.I)


def parse_series(text: str) -> tuple[SeriesPart, ...]:
    """Each series the text names, with its part where it says one.

    >>> parse_series("Part 3 of the Watcher's Child series")
    (SeriesPart(name="Watcher's Child", part=3),)
    >>> parse_series("Helios Hyperion [2]; Legacies, Book II")
    (SeriesPart(name='Helios Hyperion', part=2), SeriesPart(name='Legacies', part=2))
    >>> parse_series("helios_hyperion")
    (SeriesPart(name='helios_hyperion', part=None),)
    """
    found: list[SeriesPart] = []
    for piece in re.split(r"\s*;\s*|\s*\n\s*", text):
        part = _one(piece.strip(" .\t"))
        if part is not None and part not in found:
            found.append(part)
    return tuple(found)


def _one(text: str) -> SeriesPart | None:
    if not text:
        return None
    match = _PART_OF.match(text)
    if match:
        return _named(match.group(2), _number(match.group(1)))
    match = _TRAILING.match(text)
    if match:
        number = next(g for g in match.groups()[1:] if g)
        return _named(match.group(1), _number(number))
    return _named(text, None)


def _named(name: str, part: int | None) -> SeriesPart | None:
    name = name.strip(" ,:;-\"'“”")
    if part is not None or name.lower().startswith("the ") or name.lower().endswith(" series"):
        inner = _SERIES_WORD.match(name)
        if inner and name.lower().endswith((" series", " saga", " cycle", " verse", " arc")):
            name = inner.group(1)
    name = " ".join(name.split())
    return SeriesPart(name, part) if name else None


def _number(text: str) -> int | None:
    """``3``, ``three``, ``III`` as 3.

    >>> _number("III"), _number("twelve"), _number("iv"), _number("07")
    (3, 12, 4, 7)
    """
    lowered = text.lower().rstrip(".")
    if lowered.isdigit():
        return int(lowered)
    if lowered in _WORDS:
        return _WORDS[lowered]
    total, previous = 0, 0
    for char in reversed(lowered):
        value = _ROMAN.get(char)
        if value is None:
            return None
        total += -value if value < previous else value
        previous = max(previous, value)
    return total or None
