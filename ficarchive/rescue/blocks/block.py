"""The block: what the HTML and plain-text readers both produce, and structure consumes.

A block is one paragraph-like thing as it stood on the page: a paragraph, a heading, a
rule, an image. Its ``html`` is sanitised inline HTML (the allowed tags of a Work
paragraph); its ``text`` the same with tags removed and ``<br>`` as newlines.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field, replace
from typing import Literal

BlockKind = Literal["para", "heading", "rule", "image"]

ALLOWED_INLINE = frozenset({"em", "strong", "u", "s", "br", "span"})

# A page title or a mail header longer than a mail line may be (RFC 5322: 998 characters)
# names no title or author: the hint read from it stops there (the text itself is kept
# whole where it was; this only bounds what the title and byline rules are tried on).
MAX_HINT_CHARS = 998

_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.I)


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    html: str = ""
    text: str = ""
    centered: bool = False
    strong: bool = False  # the whole block is bold
    emphasis: bool = False  # the whole block is italic
    level: int = 0  # heading level
    gap: int = 1  # blank lines before it (plain text), 1 in HTML
    preformatted: bool = False  # line breaks are the author's own (verse, lists)
    line: int = -1  # where the block starts in the decoded text (0-based), -1 unknown
    indent: int = 0  # columns before its first line (plain text)
    attrs: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.split("\n") if line.strip()]

    @property
    def words(self) -> int:
        return len(self.text.split())

    def evolve(self, **changes: object) -> Block:
        return replace(self, **changes)  # type: ignore[arg-type]


def para(text: str, **kw: object) -> Block:
    """A paragraph block from plain text (escaped; newlines become ``<br>``)."""
    html = "<br>".join(htmllib.escape(line, quote=False) for line in text.split("\n"))
    return Block("para", html=html, text=text, **kw)  # type: ignore[arg-type]


def html_to_text(fragment: str) -> str:
    """Inline HTML to plain text: ``<br>`` to newline, tags dropped, entities decoded."""
    return htmllib.unescape(_drop_tags(_BR.sub("\n", fragment)))


def _drop_tags(fragment: str) -> str:
    """``_TAG.sub("", fragment)`` in linear time: no tag ends after the last ``>``, so the
    regex is not tried there (each try at a ``<`` would scan to the end of the text).

    >>> _drop_tags("<em>a</em> < b <<")
    'a < b <<'
    """
    end = fragment.rfind(">") + 1
    return _TAG.sub("", fragment[:end]) + fragment[end:]


def split_html_lines(fragment: str) -> list[str]:
    """Split inline HTML at ``<br>``, keeping each line's markup."""
    return [part.strip() for part in _BR.split(fragment)]


def strip_tags(fragment: str) -> str:
    return htmllib.unescape(_drop_tags(fragment))
