"""The close of a story: end marks (``The End``, ``Fin``, ``*END*``) and the notes after."""

from __future__ import annotations

import re

from ficarchive.rescue.blocks import Block
from ficarchive.rescue.dividers import is_divider
from ficarchive.rescue.labels import read_label
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.meta import Meta

# The end mark is looked for among this many blocks at the end.
END_WINDOW = 15

END_MARK = re.compile(
    r"^[\s*~_\-=.:()\[\]<>#+•]*(?P<mark>the\s+end|fin|finis|end|owari|end\s+of\s+story|"
    r"the\s+end\s*\?)[\s*~_\-=.:!?()\[\]<>#+•]*$",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_END_NOTE = re.compile(r"^\s*(?:\(?a/n\b|author'?s'?\s+notes?\b|notes?\s*:|end\s+notes?\b)",
                       re.I)
_FEEDBACK = re.compile(r"\b(?:feedback|comments?|e-?mail\s+me|let\s+me\s+know|write\s+(?:to\s+)?me|"
                       r"love\s+to\s+hear)", re.I)


def read_footer(body: list[Block], meta: Meta, log: RescueLog) -> list[Block]:
    """Take the end mark and end notes off the end of `body` into `meta`."""
    body = _drop_trailing_dividers(body)
    for k in range(len(body) - 1, max(len(body) - END_WINDOW, 0) - 1, -1):
        match = END_MARK.match(body[k].text) if body[k].kind != "image" else None
        if match and "\n" not in body[k].text.strip():
            meta.end_mark = _canonical(body[k].text)
            for block in body[k + 1:]:
                if not is_divider(block):
                    _end_note(block, meta)
            return _drop_trailing_dividers(body[:k])
    while body and _looks_like_end_note(body[-1]):
        _end_note(body[-1], meta, first=True)
        body = _drop_trailing_dividers(body[:-1])
    if meta.notes_end:
        log.note("footer", f"{len(meta.notes_end)} closing blocks read as end notes")
    return body


def _canonical(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip("*~_-=.:()[]<>#+• ")).strip()


def _drop_trailing_dividers(body: list[Block]) -> list[Block]:
    while body and is_divider(body[-1]):
        body = body[:-1]
    return body


def _looks_like_end_note(block: Block) -> bool:
    text = block.text.strip()
    if block.kind not in ("para", "heading") or not text:
        return False
    if _END_NOTE.match(text):
        return True
    labelled = read_label(block.lines[0]) if block.lines else None
    if labelled and labelled.field in ("feedback", "notes", "disclaimer", "archive_permission"):
        return True
    return len(text.split()) <= 40 and bool(_EMAIL.search(text)) and bool(_FEEDBACK.search(text))


def _end_note(block: Block, meta: Meta, first: bool = False) -> None:
    labelled = read_label(block.lines[0]) if block.lines else None
    if labelled and labelled.field in ("feedback", "archive_permission", "disclaimer"):
        meta.assign(labelled.field, labelled.value, labelled.label)
        if len(block.lines) == 1:
            return
    if first:
        meta.notes_end.insert(0, block.html)
    else:
        meta.notes_end.append(block.html)
