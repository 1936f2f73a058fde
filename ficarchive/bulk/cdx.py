"""CDX and CDXJ indexes of web archive files: every capture's URL, time, status and place.

A crawl often keeps an index beside its WARCs: ``wget --warc-cdx`` writes a CDX file
(`` CDX a b a m s k r M V g u``: a first line naming the fields), Heritrix and pywb's
``cdx-indexer`` the classic 11-field CDX, pywb and ``cdxj-indexer`` CDXJ (``SURT
TIMESTAMP {json}``), and a WACZ holds one in ``indexes/``. Read here, it stands in for
scanning the WARCs: the planning pass reads only the records it needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ficarchive.bulk.warc import warc_date

# The fields of a CDX line by letter (the first line ``CDX …`` names the order).
_LETTERS = {
    "a": "url", "b": "date", "m": "mime", "s": "status", "k": "digest", "r": "redirect",
    "V": "offset", "v": "offset", "S": "length", "g": "filename", "N": "key",
}  # fmt: skip
# Heritrix's and pywb's CDX without a first line: N b a m s k r M S V g.
_DEFAULT = ["N", "b", "a", "m", "s", "k", "r", "M", "S", "V", "g"]
INDEX_SUFFIXES = (".cdx", ".cdx.gz", ".cdxj", ".cdxj.gz")


@dataclass(frozen=True)
class Line:
    """One capture an index lists."""

    url: str
    date: str  # 14 digits
    mime: str | None
    status: int | None
    digest: str | None
    offset: int
    length: int | None  # None: the index does not say (wget's CDX)
    filename: str
    redirect: str | None = None

    @property
    def revisit(self) -> bool:
        return self.mime == "warc/revisit"


def parse(lines: Iterator[str]) -> Iterator[Line | str]:
    """Each capture of an index's lines, and for each line that cannot be read, the
    reason (a string)."""
    fields = _DEFAULT
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if line.lstrip().startswith("CDX "):
            fields = line.split()[1:]
            continue
        try:
            found = _cdxj(line) if line.rstrip().endswith("}") else _cdx(line, fields)
        except (ValueError, KeyError, TypeError) as exc:
            yield f"line {number}: {exc}"
            continue
        if found is not None:
            yield found


def _number(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def _cdxj(line: str) -> Line | None:
    _key, date, data = line.split(" ", 2)
    found = json.loads(data)
    offset = _number(found.get("offset"))
    if offset is None or "filename" not in found:
        return None
    return Line(
        str(found["url"]), warc_date(date), found.get("mime"), _number(found.get("status")),
        found.get("digest"), offset, _number(found.get("length")), str(found["filename"]),
        found.get("redirect") or None,
    )  # fmt: skip


def _cdx(line: str, fields: list[str]) -> Line | None:
    values = line.split(" ")
    named = {_LETTERS[f]: v for f, v in zip(fields, values, strict=False) if f in _LETTERS}
    if len(values) < len(fields):
        raise ValueError(f"{len(values)} fields, where the index names {len(fields)}")
    offset = _number(named.get("offset"))
    if offset is None or not named.get("filename"):
        return None

    def given(name: str) -> str | None:
        value = named.get(name, "-")
        return None if value in ("-", "") else value

    return Line(
        named["url"], warc_date(named.get("date")), given("mime"), _number(given("status")),
        given("digest"), offset, _number(given("length")), named["filename"],
        given("redirect"),
    )  # fmt: skip
