"""What a scene break looks like: rules, divider images and lines of symbols.

>>> from ficarchive.rescue.blocks.block import para
>>> [is_divider(para(t)) for t in ("* * *", "~*~", "oOo", "xXx", "-----", "#", "Fin.")]
[True, True, True, True, True, True, False]
"""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import Block

# Longest line of symbols we still call a divider (some sites drew 80-column rules).
MAX_DIVIDER_CHARS = 90

_SYMBOLS = re.compile(r"^[\s*~#+=_\-.:·•°§¤◊♥♦♣♠★☆✦✧❖◆◇○●□■<>|/\\^`'\"()\[\]{}oOxX0@%&$!?]+$")
_LETTER_DIVIDERS = re.compile(
    r"^(?:o+O+o+|O+o+O+|x+X+x+|X+x+X+|[oO](?:\s*[oO]){2,}|"
    r"[xX](?:\s*[xX]){2,}|0(?:\s*0){2,})$"
)
_HAS_MARK = re.compile(r"[*~#+=_\-•°§¤◊♥♦♣♠★☆✦✧❖◆◇○●□■^oOxX0@%&]")


def is_divider(block: Block) -> bool:
    if block.kind == "rule":
        return True
    if block.kind == "image":
        from ficarchive.rescue.blocks.boilerplate import is_divider_image

        return is_divider_image(block) or not block.attrs.get("alt", "").strip()
    if block.kind not in ("para", "heading"):
        return False
    return is_divider_text(block.text)


def is_divider_text(text: str) -> bool:
    text = text.strip()
    if not text or len(text) > MAX_DIVIDER_CHARS or "\n" in text:
        return False
    if _LETTER_DIVIDERS.match(text.replace(" ", "")) or _LETTER_DIVIDERS.match(text):
        return True
    if not _SYMBOLS.match(text):
        return False
    # a line of symbols needs a divider mark, and is not just words in brackets or "..."
    core = re.sub(r"[oOxX0]", "", text)
    if not _HAS_MARK.search(text) or re.fullmatch(r"[.\s]+", text):
        return False
    return not (core.strip() == "" and not _LETTER_DIVIDERS.match(text.replace(" ", "")))
