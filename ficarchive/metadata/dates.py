"""Dates as old pages wrote them, to ISO 8601 dates.

``Posted: June 12, 1998``, ``12 Jun 1998``, ``Fri, 12 Jun 1998 10:31:00 -0400`` (a Usenet
``Date:``), ``1998-06-12T10:31:00-07:00``, ``6/12/98``, ``12.06.1998``, ``12. Juni 1998``:
each is the ISO date ``1998-06-12``; ``June 1998`` is ``1998-06`` and ``Summer 1998``
``1998`` (ISO's reduced precision: nothing is invented). The text as written is always
kept beside the date (the Work's ``published_as_written``), so a wrong reading can be
seen and corrected.

A date with slashes and two small numbers (``6/12/98``) is read month first, as the
American sites of the old fannish web wrote them, and marked `ambiguous`; with dots or a
day over 12 it is read day first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
"""Years outside these are not dates of a story (a page count, a word count)."""

TWO_DIGIT_PIVOT = 50
"""A two-digit year below this is 20xx (``'03``), from it 19xx (``'98``)."""

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv enero ene gennaio genn januar jänner januari janeiro",
        "february feb febr fevrier février fevr févr febrero febbraio februar februari fevereiro",
        "march mar mars marzo märz maerz maart março marco",
        "april apr avril abril aprile",
        "may mai mayo maggio mei maio",
        "june jun juin junio giugno juni junho",
        "july jul juillet juil julio luglio juli julho",
        "august aug aout août agosto augustus",
        "september sep sept septembre septiembre settembre setembro",
        "october oct octobre octubre ottobre oktober okt outubro",
        "november nov novembre noviembre novembro",
        "december dec decembre décembre diciembre dicembre dezember dez dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º)?\.?"
_YEAR = r"(?P<year>\d{4}|'\d{2})"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "iso",
        re.compile(r"(?<!\d)(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    ),
    ("mdy-name", re.compile(rf"(?<![\w]){_MONTH}\s+{_DAY},?\s+(?:de\s+)?{_YEAR}(?!\d)", re.I)),
    (
        "dmy-name",
        re.compile(
            rf"(?<![\w\d]){_DAY}\s*(?:de\s+|of\s+)?{_MONTH},?\s+(?:de\s+)?{_YEAR}(?!\d)", re.I
        ),
    ),
    (
        "numeric",
        re.compile(
            r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?![\d])"
        ),
    ),
    ("month-year", re.compile(rf"(?<![\w]){_MONTH},?\s+{_YEAR}(?!\d)", re.I)),
    ("year", re.compile(r"(?<![\d\w])(?P<year>(?:19|20)\d\d)(?![\d\w])")),
)


@dataclass(frozen=True)
class FoundDate:
    """An ISO date (``1998-06-12``, or ``1998-06`` / ``1998`` when that is all the text
    says), and whether the order of day and month was a guess."""

    iso: str
    ambiguous: bool = False


def parse_date(text: str) -> FoundDate | None:
    """The first date the text gives, or None when it gives none.

    >>> parse_date("Posted: June 12, 1998 at 10:30pm").iso
    '1998-06-12'
    >>> parse_date("Fri, 12 Jun 1998 10:31:00 -0400").iso, parse_date("12. Juni 1998").iso
    ('1998-06-12', '1998-06-12')
    >>> parse_date("2006-06-04T12:30:00-07:00").iso, parse_date("Summer 1998").iso
    ('2006-06-04', '1998')
    >>> parse_date("6/12/98"), parse_date("13/12/98").iso, parse_date("12.06.1998").iso
    (FoundDate(iso='1998-06-12', ambiguous=True), '1998-12-13', '1998-06-12')
    >>> parse_date("chapter 3 of 7") is None
    True
    """
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            found = _read(kind, match)
            if found is not None:
                return found
    return None


def _read(kind: str, match: re.Match[str]) -> FoundDate | None:
    year = _year(match.group("year"))
    if year is None:
        return None
    if kind == "year":
        return FoundDate(f"{year:04d}")
    if kind == "numeric":
        return _numeric(match, year)
    month_text = match.group("month")
    month = _MONTHS.get(month_text.lower()) if not month_text.isdigit() else int(month_text)
    if month is None or not 1 <= month <= 12:
        return None
    if kind == "month-year":
        return FoundDate(f"{year:04d}-{month:02d}")
    # a day the month does not have (February 30) leaves the month, not a guess
    return _complete(year, month, int(match.group("day"))) or FoundDate(f"{year:04d}-{month:02d}")


def _numeric(match: re.Match[str], year: int) -> FoundDate | None:
    first, second = int(match.group("a")), int(match.group("b"))
    if match.group("sep") == "." or first > 12:
        return _complete(year, second, first)  # day first: 12.06.1998, 13/12/98
    found = _complete(year, first, second)
    if found is None:
        return None
    return FoundDate(found.iso, ambiguous=second <= 12 and first != second)


def _complete(year: int, month: int, day: int) -> FoundDate | None:
    try:
        return FoundDate(date(year, month, day).isoformat())
    except ValueError:
        return None


def _year(text: str) -> int | None:
    digits = text.lstrip("'")
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < TWO_DIGIT_PIVOT else 1900
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None
