"""Page furniture that is not the story: navigation, counters, mailto links, web rings.

Each removed block goes into diagnostics with its text, so nothing is lost; e-mail
addresses found in removed blocks are returned as a feedback hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.rescue.blocks.block import Block, html_to_text, split_html_lines
from ficarchive.rescue.log import RescueLog

# A block is navigation when links make up this share of its text and it is short.
NAV_LINK_SHARE = 0.6
NAV_MAX_WORDS = 16
# A bar of links ("A | B | C") is navigation whatever its words, when links are nearly
# all of its text.
NAV_BAR_LINK_SHARE = 0.8
_NAV_SEPARATOR = re.compile(r"[|·•»]|\]\s*\[")
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
    r"^\s*\(?\d+\s+comments?\)?\s*$|add\s+to\s+memories|tell\s+a\s+friend|free\s+counter|"
    r"^\W*\d[\d,.]*\s+(?:hits|visitors|visits|page\s*views)\W*$|"
    r"^\W*(?:hits|visitors|visits)\s*:?\s*\d[\d,.]*\W*$)",
    re.I,
)
_FURNITURE_IMAGE = re.compile(
    r"counter|hitcount|webring|ring|banner|button|email|mail|home|back|next|prev|arrow|logo|"
    r"guestbook|award|spacer|blank|pixel|clear\.gif|stat|track",
    re.I,
)
_DIVIDER_IMAGE = re.compile(r"line|divid|bar|hr|sep|rule|break|border|scene|orna|flour|swirl", re.I)
# Reader comments are looked for only in the last part of a page.
COMMENTS_AFTER_SHARE = 0.4
_COMMENTS = re.compile(
    r"leave\s+a\s+comment|post\s+a\s+(?:new\s+)?comment|add\s+(?:a\s+)?comment|"
    r"^\s*\(?\d+\s+comments?\)?\s*(?:\||$)|\|\s*\d+\s+comments?\b|reply\s*\|\s*thread",
    re.I,
)
_JOURNAL_ROOT = re.compile(
    r"^https?://(?:[\w-]+\.(?:livejournal\.com|dreamwidth\.org|insanejournal\.com|"
    r"journalfen\.net|deadjournal\.com)|(?:www\.)?(?:livejournal\.com|dreamwidth\.org)/users/"
    r"[\w-]+)/?$",
    re.I,
)
_BYLINE = re.compile(r"^\s*(?:written\s+)?by\s+\S", re.I)
# An address starts where a run of its characters starts (the look-behind): tried at every
# character of a long word, the regex scanned the rest of the word each time (quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Furniture:
    blocks: list[Block]
    emails: list[str] = field(default_factory=list)
    journal: str | None = None  # the journal a LiveJournal-style post was posted in


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
        if any(_BYLINE.match(line) for line in block.lines) or (
            ":" in block.text and "mailto:" in block.attrs.get("hrefs", "")
        ):
            return False  # "by <a href=mailto:…>me</a>", "Feedback: me@…" are front matter
        if links >= NAV_BAR_LINK_SHARE * letters and _NAV_SEPARATOR.search(block.text):
            return True  # a bar of links: "Recent Entries | Friends | User Info"
        return bool(_NAV_WORDS.search(block.text)) or "mailto:" in block.attrs.get("hrefs", "")
    return False


def _comments_start(blocks: list[Block]) -> int:
    """Index where a page's reader comments begin (after the story), or len(blocks)."""
    first = int(len(blocks) * COMMENTS_AFTER_SHARE)
    for i in range(first, len(blocks)):
        if (
            blocks[i].kind in ("para", "heading")
            and blocks[i].words <= PHRASE_MAX_WORDS
            and (_COMMENTS.search(blocks[i].text))
        ):
            return i
    return len(blocks)


def _journal_name(block: Block) -> str | None:
    """The journal's name heading of a LiveJournal-style page (its link is the journal)."""
    if block.kind != "heading" or block.words > 3:
        return None
    hrefs = block.attrs.get("hrefs", "").split()
    links = int(block.attrs.get("link_chars", "0") or 0)
    if len(hrefs) == 1 and _JOURNAL_ROOT.match(hrefs[0]) and links >= len(block.text.strip()):
        return block.text.strip()
    return None


def _without_furniture_lines(block: Block, log: RescueLog) -> Block:
    """A block of several lines keeps its lines that are not page furniture."""
    if block.kind != "para" or "<br>" not in block.html:
        return block
    html_lines = split_html_lines(block.html)
    keep = []
    for line in html_lines:
        text = html_to_text(line)
        if len(text.split()) <= PHRASE_MAX_WORDS and _FURNITURE.search(text):
            log.note("boilerplate", "page furniture (counter, navigation or post footer)", text)
        else:
            keep.append(line)
    if len(keep) == len(html_lines):
        return block
    html = "<br>".join(keep)
    return block.evolve(html=html, text=html_to_text(html))


def furniture_reasons(blocks: list[Block]) -> tuple[list[str | None], str | None]:
    """Why each block looks like page furniture (None: it does not), and the journal's
    name when the page is a LiveJournal-style post."""
    reasons: list[str | None] = []
    journal: str | None = None
    comments = _comments_start(blocks)
    for n, block in enumerate(blocks):
        reason = None
        name = _journal_name(block) if journal is None else None
        if n >= comments:
            reason = "reader comments after the story"
        elif name:
            journal, reason = name, "journal name heading"
        elif block.kind == "image" and _furniture_image(block):
            reason = f"image {block.attrs.get('src', '')!r} is page furniture"
        elif _navigation(block):
            reason = "navigation links"
        elif (
            block.kind in ("para", "heading")
            and "\n" not in block.text
            and block.words <= PHRASE_MAX_WORDS
            and (_FURNITURE.search(block.text))
        ):
            reason = "page furniture (counter, navigation or post footer)"
        reasons.append(reason)
    return reasons, journal


def remove(blocks: list[Block], log: RescueLog) -> Furniture:
    kept: list[Block] = []
    emails: list[str] = []
    reasons, journal = furniture_reasons(blocks)
    for block, reason in zip(blocks, reasons, strict=True):
        if reason is None:
            kept.append(_without_furniture_lines(block, log))
            continue
        hrefs = block.attrs.get("hrefs", "")
        emails.extend(_EMAIL.findall(hrefs) or _EMAIL.findall(block.text))
        log.note("boilerplate", reason, block.text or block.attrs.get("src", ""))
    return Furniture(kept, emails, journal)
