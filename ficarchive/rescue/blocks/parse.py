"""A page parsed by lxml with nothing lost to its nesting.

lxml's parser gives up on a page nested deeper than its limit, and keeps none of the text
past the point where it gave up: old pages open a ``<font>``, a ``<div>`` or a ``<b>`` on
every paragraph and never close one. `parse_page` parses with the text-size limits
lifted (a 12 MB paragraph otherwise comes back empty), then, for a page nested deeper
than `MAX_DEPTH`, again with the layout tags set aside, then with every tag that can nest
set aside (emphasis and links too, each kind counted as a repair). A page still too deep
after that is read as plain text by the caller (`TooDeep`). Each step is noted in the
log, so the flattening is on record and no word is lost to it.
"""

from __future__ import annotations

import html as htmllib
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

from ficarchive.rescue.blocks.markup import replace_tags, strip_markup
from ficarchive.rescue.log import RescueLog

# The parser must keep at least this share of the page's letters, or we parse again flat.
PARSED_TEXT_SHARE = 0.97
MAX_DEPTH = 256
"""The deepest nesting read as it is: lxml's default limit, where it used to drop the
rest of the page; the block reader walks the tree recursively, so deeper is flattened."""

# `huge_tree`: no cap on the size of one text node (10 MB) or on the depth (we cap it).
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_LAYOUT_TAG = re.compile(
    r"</?(?:font|div|center|blockquote|span|table|tbody|tr|td|th)\b[^>]*>", re.I
)
_ANY_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
_BREAK_TAG = re.compile(r"<(?:p|br|div|h[1-6]|li|tr|hr|blockquote|center)\b[^>]*>", re.I)
# What the last flattening keeps: tags that never nest, and those whose content is no text.
_FLAT_KEEP = frozenset(
    {"p", "br", "hr", "img", "script", "style", "html", "head", "body", "title", "meta"}
    | {"option", "textarea", "iframe", "link", "base"}
)


class TooDeep(Exception):
    """Even with every nesting tag set aside the page is too deep to read as HTML."""


def letters(text: str) -> int:
    return len(_SPACE.sub("", text))


def depth(root: Any) -> int:
    """How deep the tree nests (the root is 1)."""
    deepest = level = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        level += 1 if event == "start" else -1
        deepest = max(deepest, level)
    return deepest


def document(text: str | bytes) -> Any:
    return lxml.html.document_fromstring(text, parser=_PARSER)


def parse_page(text: str, log: RescueLog) -> Any:
    """The page's tree, flattened as far as it must be for every word to be read.

    Raises `TooDeep` when even the flattest reading nests too deep, and whatever
    ``lxml.html.document_fromstring`` raises for a page it cannot parse at all.
    """
    root = document(text)
    expected = letters(htmllib.unescape(strip_markup(text)))
    found = letters(etree.tostring(root, method="text", encoding="unicode"))
    deepest = depth(root)
    if found >= expected * PARSED_TEXT_SHARE and deepest <= MAX_DEPTH:
        return root
    why = (
        f"{deepest} deep, more than {MAX_DEPTH}"
        if deepest > MAX_DEPTH
        else f"{found} of {expected} letters"
    )
    log.note(
        "html-depth",
        f"the page nests its tags too deep to read as it is ({why}); "
        "layout tags (font, div, center, blockquote, span, table) were set aside",
    )
    flat = replace_tags(_LAYOUT_TAG, " ", text)
    root = document(flat)
    if depth(root) <= MAX_DEPTH:
        return root
    deepest = depth(root)
    for names in (_left_open(flat), None):  # first the tags left open, then every one
        flatter, removed = _without_nesting_tags(flat, names)
        if not removed:
            continue
        log.note(
            "html-depth",
            f"the page still nests {deepest} deep without its layout tags: "
            + (f"the tags it leaves open ({', '.join(sorted(names))})" if names else
               "every tag that can nest (emphasis, links, lists, headings)")
            + " were set aside too, and their words kept",
        )  # fmt: skip
        for tag, count in sorted(removed.items()):
            log.repair("html-depth", f"<{tag}>", "", count)
        root = document(flatter)
        deepest = depth(root)
        if deepest <= MAX_DEPTH:
            return root
        flat = flatter
    raise TooDeep(f"nested {deepest} deep with only paragraph tags left")


def _tag_names(text: str) -> Iterator[tuple[str, bool]]:
    end = text.rfind(">") + 1
    for match in _ANY_TAG.finditer(text, 0, end):
        yield match.group(1).lower(), match.group().startswith("</")


def _left_open(text: str) -> frozenset[str]:
    """The tags opened far more often than closed, most first, until the rest could not
    nest deeper than half `MAX_DEPTH` between them."""
    balance: Counter[str] = Counter()
    for name, closing in _tag_names(text):
        if name not in _FLAT_KEEP:
            balance[name] += -1 if closing else 1
    chosen: set[str] = set()
    rest = sum(n for n in balance.values() if n > 0)
    for name, open_ in balance.most_common():
        if rest <= MAX_DEPTH // 2 or open_ <= 0:
            break
        chosen.add(name)
        rest -= open_
    return frozenset(chosen)


def _without_nesting_tags(text: str, names: frozenset[str] | None) -> tuple[str, Counter[str]]:
    """The tags of `names` (None: every tag outside `_FLAT_KEEP`) taken out, a space in
    the place of each, and how many of each name were opened."""
    removed: Counter[str] = Counter()

    def drop(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        if name in _FLAT_KEEP or (names is not None and name not in names):
            return match.group()
        if not match.group().startswith("</"):
            removed[name] += 1
        return " "

    end = text.rfind(">") + 1  # no tag ends after the last ">": not tried there
    return _ANY_TAG.sub(drop, text[:end]) + text[end:], removed


def as_plain_text(text: str) -> str:
    """A page as plain text, for when it cannot be read as HTML: paragraph-like tags as
    blank lines, other markup (scripts and comments too) taken out, entities decoded."""
    broken = replace_tags(_BREAK_TAG, "\n\n", text)
    return htmllib.unescape(strip_markup(broken))
