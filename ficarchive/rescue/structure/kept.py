"""Nothing lost: every word rescue read out of the text is somewhere in the Work.

The story's own units go into its paragraphs whole; every other unit is read into a field,
a note or a diagnostic by the assembly. A field can hold less than its line (``Rating:``
given twice, a byline whose name is cut from a copyright notice), so after the Work is
made each unit that is not story is checked against the Work's text, and a unit with a
word the Work does not hold is kept as a ``kept`` diagnostic, as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.units import Unit
from ficarchive.work import Diagnostic, Work

_WORD = re.compile(r"[^\W_]+")
# Words a header line is written with around its value, not words of the value.
_FRAME = frozenset(
    {"by", "written", "author", "authors", "and", "the", "of", "a", "an", "c", "copyright"}
    | {"title", "story", "fic", "part", "chapter", "presents", "proudly", "productions"}
)


def _value_words(unit: Unit) -> list[str]:
    labelled = read_label(unit.text)
    text = labelled.value if labelled is not None else unit.text
    return [w for w in _WORD.findall(text.casefold()) if w not in _FRAME]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def keep_the_rest(work: Work, taken: list[Unit]) -> Work:
    """`work` with a diagnostic for each unit of `taken` a word of which it does not hold."""
    if not taken:
        return work
    data = work.to_dict()
    data["chapters"] = [c.title for c in work.chapters]  # the paragraphs hold story units
    held = {w for s in _strings(data) for w in _WORD.findall(html_to_text(s).casefold())}
    missing = [
        Diagnostic("kept", "a line rescue read a field from, as written", u.text)
        for u in taken
        if not u.is_gap and any(w not in held for w in _value_words(u))
    ]
    return work.evolve(diagnostics=(*work.diagnostics, *missing)) if missing else work
