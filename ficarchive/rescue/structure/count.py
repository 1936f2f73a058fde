"""The word count of a Work, as AO3 counts words."""

from __future__ import annotations

import re

from ficarchive.rescue.blocks.block import html_to_text

_WORD_TOKEN = re.compile(r"[^\s\w]*\w\S*")


def count_words(paragraphs: list[str]) -> int:
    """Words as AO3 counts them: whitespace-separated runs with a letter or digit."""
    return len(_WORD_TOKEN.findall(html_to_text("\n".join(paragraphs))))
