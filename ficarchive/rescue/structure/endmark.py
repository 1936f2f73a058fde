"""End marks (``The End``, ``Fin``, ``*END*``) written the same way whatever their dress."""

from __future__ import annotations

import re


def canonical_end_mark(text: str) -> str:
    """``*~*The End*~*`` -> ``The End``."""
    return re.sub(r"\s+", " ", text.strip().strip("*~_-=.:()[]<>#+• ")).strip()
