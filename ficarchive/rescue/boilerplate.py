"""Page furniture that is not the story: navigation, counters, mailto links, web rings.

Each removed block goes into diagnostics with its text, so nothing is lost; e-mail
addresses found in removed blocks are returned as a feedback hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.rescue.blocks import Block
from ficarchive.rescue.log import RescueLog

# A block is navigation when links make up this share of its text and it is short.
NAV_LINK_SHARE = 0.6
NAV_MAX_WORDS = 16
# A block matched by a furniture phrase is only removed when it is this short.
PHRASE_MAX_WORDS = 14

_NAV_WORDS = re.compile(
    r"\b(?:back|return|home|index|next|prev(?:ious)?|main|fiction|stories|fics?|archive|"
    r"menu|top|contents|chapters?|links?|e-?mail|feedback|guestbook|site|page|author|"
    r"up|go|more|list)\b",
    re.I,
)
_FURNITURE = re.compile(
    r"(?:\b(?:back|return|go)\s+to\s+(?:the\s+|my\s+)?(?:main\s+)?(?:fic(?:tion)?s?|stories|"
    r"index|home|top|archive|menu|contents|site|author|page|list|library|\w+\s+(?:fic|fiction|"
    r"stories|index|page))\b|you\s+are\s+visitor|visitors?\s+since|hits?\s+since|"
    r"this\s+page\s+(?:has\s+been\s+visited|was\s+last)|hit\s+counter|counter\s*:|"
    r"last\s+(?:updated|modified)\s*:|best\s+viewed\s+(?:with|in|at)|"
    r"sign\s+(?:my|the)\s+guestbook|view\s+(?:my\s+)?guestbook|web\s*ring|powered\s+by|"
    r"site\s+(?:design|meter)|current\s+(?:mood|music|location)\s*:|leave\s+a\s+comment|"
    r"^\s*\(?\d+\s+comments?\)?\s*$|add\s+to\s+memories|tell\s+a\s+friend|free\s+counter)",
    re.I,
)
_FURNITURE_IMAGE = re.compile(
    r"counter|hitcount|webring|ring|banner|button|email|mail|home|back|next|prev|arrow|logo|"
    r"guestbook|award|spacer|blank|pixel|clear\.gif|stat|track", re.I
)
_DIVIDER_IMAGE = re.compile(r"line|divid|bar|hr|sep|rule|break|border|scene|orna|flour|swirl",
                            re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Furniture:
    blocks: list[Block]
    emails: list[str] = field(default_factory=list)


def is_divider_image(block: Block) -> bool:
    attrs = block.attrs
    name = f"{attrs.get('src', '')} {attrs.get('alt', '')}"
    if _DIVIDER_IMAGE.search(name):
        return True
    try:
        width, height = int(attrs.get("width") or 0), int(attrs.get("height") or 0)
    except ValueError:
        return False
    return width > 0 and height > 0 and width >= 6 * height


def _furniture_image(block: Block) -> bool:
    src = block.attrs.get("src", "") + " " + block.attrs.get("alt", "")
    return bool(_FURNITURE_IMAGE.search(src)) and not is_divider_image(block)


def _navigation(block: Block) -> bool:
    if block.kind != "para" or block.words > NAV_MAX_WORDS:
        return False
    links = int(block.attrs.get("link_chars", "0") or 0)
    letters = len(block.text.replace(" ", "").replace("\n", ""))
    if links and letters and links >= NAV_LINK_SHARE * letters:
        if "mailto:" in block.attrs.get("hrefs", "") and ":" in block.text:
            return False  # "Feedback: me@example.com" is a front-matter line
        return bool(_NAV_WORDS.search(block.text)) or "mailto:" in block.attrs.get("hrefs", "")
    return False


def remove(blocks: list[Block], log: RescueLog) -> Furniture:
    kept: list[Block] = []
    emails: list[str] = []
    for block in blocks:
        reason = None
        if block.kind == "image" and _furniture_image(block):
            reason = f"image {block.attrs.get('src', '')!r} is page furniture"
        elif _navigation(block):
            reason = "navigation links"
        elif block.kind in ("para", "heading") and block.words <= PHRASE_MAX_WORDS and (
            _FURNITURE.search(block.text)
        ):
            reason = "page furniture (counter, navigation or post footer)"
        if reason is None:
            kept.append(block)
            continue
        hrefs = block.attrs.get("hrefs", "")
        emails.extend(_EMAIL.findall(hrefs) or _EMAIL.findall(block.text))
        log.note("boilerplate", reason, block.text or block.attrs.get("src", ""))
    return Furniture(kept, emails)
