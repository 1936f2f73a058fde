"""`Label: value` lines of a story header, and the Work field each label means.

Old headers spell the same label many ways (``Rated``, ``Rating``, ``Classification``);
this table is where those spellings live. A label not in the table is not a header line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.rescue.blocks.block import html_to_text

FIELD_BY_LABEL: dict[str, str] = {}


def _labels(field: str, *names: str) -> None:
    for name in names:
        FIELD_BY_LABEL[name] = field


_labels("title", "title", "story title", "story", "fic title", "name of story", "titled")
_labels(
    "author",
    "author",
    "authors",
    "author name",
    "writer",
    "written by",
    "by",
    "pen name",
    "penname",
    "posted by",
    "name",
)
_labels("rating", "rating", "rated", "ratings", "classification", "rate", "content rating")
_labels(
    "relationships",
    "pairing",
    "pairings",
    "relationship",
    "relationships",
    "ship",
    "ships",
    "pairing(s)",
    "couple",
    "couples",
    "romance",
)
_labels("characters", "characters", "character", "character(s)", "main characters", "featuring")
_labels("fandoms", "fandom", "fandoms", "series", "show", "universe", "crossover")
_labels(
    "spoilers",
    "spoilers",
    "spoiler",
    "spoiler warning",
    "spoiler warnings",
    "timeline",
    "time line",
    "setting",
    "set",
    "season",
    "spoilers and timeline",
)
_labels("summary", "summary", "description", "synopsis", "blurb", "short summary")
_labels("disclaimer", "disclaimer", "disclaimers", "legal", "legal stuff", "standard disclaimer")
# Labels that mean "the author's note" itself (other notes labels keep their label).
NOTE_LABELS = frozenset(
    {
        "notes",
        "note",
        "author's notes",
        "authors notes",
        "author's note",
        "authors note",
        "author notes",
        "a/n",
        "an",
        "a.n.",
        "a/n's",
    }
)
_labels(
    "notes",
    *sorted(NOTE_LABELS),
    "notes and thanks",
    "author's comments",
    "comments",
    "acknowledgements",
    "acknowledgments",
    "dedication",
    "dedicated to",
    "written",
    "word count",
    "words",
    "length",
)
_labels(
    "credits",
    "beta",
    "betas",
    "beta reader",
    "beta readers",
    "beta'd by",
    "betaed by",
    "beta read by",
    "thanks",
    "thanks to",
    "thank you",
    "special thanks",
    "beta-reader",
    "art",
    "artist",
    "banner",
    "cover art",
)
_labels(
    "challenge",
    "challenge",
    "prompt",
    "written for",
    "challenge response",
    "for",
    "request",
    "requested by",
    "fic for",
    "gift for",
    "prompts",
)
_labels(
    "feedback",
    "feedback",
    "e-mail",
    "email",
    "contact",
    "comments to",
    "send feedback to",
    "feedback to",
    "mail",
    "e-mail address",
    "email address",
)
_labels(
    "archive_permission",
    "archive",
    "archiving",
    "archive permission",
    "archived at",
    "distribution",
    "permission to archive",
    "archive rights",
)
_labels(
    "warnings",
    "warning",
    "warnings",
    "content warning",
    "content warnings",
    "archive warning",
    "archive warnings",
    "warnings/spoilers",
)
_labels(
    "tags",
    "genre",
    "genres",
    "category",
    "categories",
    "keywords",
    "tags",
    "type",
    "kinks",
    "kink",
    "themes",
    "additional tags",
)
_labels(
    "published",
    "posted",
    "date posted",
    "published",
    "first posted",
    "date written",
    "completed",
    "date",
    "posted on",
)
_labels("updated", "updated", "last updated", "date updated", "updated on", "revised")
_labels("status", "status", "complete", "story status", "wip")
_labels("language", "language", "lang", "sprache", "langue", "idioma", "lingua", "taal")
_labels("url", "url", "story url", "original url", "permalink", "link to story")

# "Series" never meant the fandom in old headers: it is the work's series (and part).
_labels("series", "series", "part of", "series name", "part of series", "part of the series")
# Sequel lines are notes.
_labels(
    "notes", "sequel to", "prequel to", "follows", "follow-up to", "companion to", "series notes"
)
_labels(
    "disclaimer",
    "notice",
    "copyright",
    "copyright notice",
    "legal notice",
    "copyright/disclaimer",
    "copyright/disclaimer notice",
)
# LiveJournal's post footer: kept in diagnostics, not the Work.
_labels(
    "journal",
    "current mood",
    "current music",
    "current location",
    "mood",
    "music",
    "location",
    "listening to",
)

# Possessive (\s*+) where what follows cannot start with a space: the same matches, but a
# line with a long run of spaces no longer tries every way of sharing it among the \s*
# (issue 13: a line "x", 4,000 spaces, "y" took 3 s, a line of tabs minutes).
_LABEL = re.compile(
    r"^\s*+[*_~\[(]*+\s*+([A-Za-z][A-Za-z/'’.() -]{0,30}?)\s*+[*_\])]*+\s*+[:=]\s*+(.*)$"
)
_CREDIT_ROLES = {"art": "artist", "artist": "artist", "banner": "artist", "cover art": "artist"}


@dataclass(frozen=True)
class Labelled:
    field: str
    label: str
    value: str


def read_label(line: str) -> Labelled | None:
    """The field a ``Label: value`` line fills, or None when it is not a header line.

    >>> read_label("Pairing: Spike/Buffy")
    Labelled(field='relationships', label='pairing', value='Spike/Buffy')
    >>> read_label("He said: no.") is None
    True
    """
    match = _LABEL.match(line)
    if not match:
        return None
    label = match.group(1).strip().lower().replace("’", "'")
    label = re.sub(r"\s+", " ", label)
    field = FIELD_BY_LABEL.get(label)
    if field is None:
        return None
    return Labelled(field, label, match.group(2).strip())


def credit_role(label: str) -> str:
    return _CREDIT_ROLES.get(label, "beta" if "beta" in label else "thanks")


def split_list(value: str) -> list[str]:
    """A comma-, semicolon- or ``and``-separated list, without empty items.

    >>> split_list("Spike/Buffy, Giles/Jenny and Willow/Tara")
    ['Spike/Buffy', 'Giles/Jenny', 'Willow/Tara']
    """
    parts = re.split(r"\s*(?:[,;]|\band\b)\s*", value)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def value_html(line_html: str) -> str:
    """The value part of a labelled line, keeping its inline markup."""
    text = html_to_text(line_html)
    label_end = text.find(":") if ":" in text else text.find("=")
    prefix = text[: label_end + 1]
    html = line_html
    for _char in prefix:  # walk past the label, skipping tags
        while html.startswith("<"):
            html = html[html.find(">") + 1 :]
        html = html[1:] if html else html
    html = re.sub(r"^(?:\s|</(?:strong|em|u)>)+", "", html)
    return html.strip()
