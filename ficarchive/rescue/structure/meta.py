"""The metadata a rescue collects on its way to a Work, and how each field is filled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ficarchive.rescue.blocks.block import html_to_text
from ficarchive.rescue.structure.labels import NOTE_LABELS, credit_role, split_list
from ficarchive.tags.ao3 import ao3_category
from ficarchive.tags.fandoms import canonical_fandom
from ficarchive.tags.ratings import NOT_RATED, map_rating
from ficarchive.work import Confidence, Credit, Epigraph, RawTag

_PREFIXES = {"c": "characters", "p": "relationships", "f": "fandoms", "w": "warnings"}
_TITLE_PREFIX = re.compile(
    r"^(?:\[(?:new\s+)?(?:fic|fanfic|ficlet|drabble|story)\]\s*|(?:new\s+)?(?:fic|fanfic|ficlet|"
    r"drabble|story)\s*[:]\s*)",
    re.I,
)
_DECORATION = re.compile(r"^[\s\-=*~#+•]+|[\s\-=*~#+•]+$")
_LIST_FIELDS = ("fandoms", "relationships", "characters", "tags", "warnings")
_KIND = {
    "fandoms": "fandom",
    "relationships": "relationship",
    "characters": "character",
    "tags": "freeform",
    "warnings": "warning",
}
TEXT_FIELDS = (
    "summary",
    "spoilers",
    "disclaimer",
    "challenge",
    "feedback",
    "archive_permission",
    "published",
    "updated",
    "status",
    "series",
    "url",
)
_CATEGORY_LABELS = frozenset({"category", "categories"})
_NOT_A_RELATIONSHIP = frozenset(
    {"gen", "none", "n/a", "na", "no pairing", "no pairings", "nothing", "-", "general"}
)
_NAME = r"[@\w][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
_CREDIT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("beta", re.compile(rf"\bbeta(?:[- ]?read(?:er|ing)?|'?d|ed)?\s*(?:by|:)\s*({_NAME})", re.I)),
    (
        "beta",
        re.compile(
            rf"\bthanks?(?:\s+you)?(?:\s+(?:so\s+much|again|also))?\s+(?:go(?:es)?\s+)?to\s+({_NAME}"
            rf"(?:\s*(?:,|and|&)\s*{_NAME})*)\s+for\s+(?:the\s+|her\s+|his\s+|their\s+|a\s+)?(?:quick\s+)?"
            r"(?:beta|betaing|beta-?reading|read-?through|editing|look(?:ing)?\s+(?:it\s+)?over)",
            re.I,
        ),
    ),
    ("artist", re.compile(rf"\b(?:art|banner|cover|illustrations?)\s+(?:by|:)\s*({_NAME})", re.I)),
    ("website", re.compile(rf"\b(?:archived|hosted)\s+(?:at|by)\s+({_NAME})", re.I)),
)
_CHALLENGE = re.compile(
    r"(?:\bin\s+response\s+to\b|\bwritten\s+for\b|\bfor\s+the\b[^.]{0,80}\b(?:challenge|prompt|"
    r"ficathon|fest|exchange|meme)\b|\b(?:challenge|prompt|ficathon|kink[- ]meme)\b)[^.!?]*[.!?]?",
    re.I,
)


@dataclass
class Meta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    rating: str = NOT_RATED
    rating_source: str | None = None
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str | None = None
    spoilers: str | None = None
    disclaimer: str | None = None
    challenge: str | None = None
    feedback: str | None = None
    archive_permission: str | None = None
    published: str | None = None
    notes_beginning: list[str] = field(default_factory=list)
    notes_end: list[str] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    epigraphs: list[Epigraph] = field(default_factory=list)
    end_mark: str | None = None
    guesses: list[str] = field(default_factory=list)
    subject: str | None = None
    language: str = "en"
    # As written, made into Work fields by `ficarchive.metadata.finish_work`:
    updated: str | None = None
    status: str | None = None
    series: str | None = None  # several series are joined by "; "
    url: str | None = None
    language_written: str | None = None
    raw_tags: list[RawTag] = field(default_factory=list)  # every tag exactly as written
    categories: list[str] = field(default_factory=list)  # AO3 categories, when given as such
    dates_as_written: dict[str, str | None] = field(default_factory=dict)  # dates already ISO
    recorded: set[tuple[str, str]] = field(default_factory=set)  # (list, item) from raw tags
    tags_wrangled: bool = False  # the lists are canonical already (our own export)
    structured: bool = False  # the metadata came from a YAML header
    verdict: bool | None = None  # story or not, when the source says so
    confidence: Confidence | None = None  # how sure a first rescue was (our own exports)
    body_started: bool = False
    weak_author: bool = False  # the author so far is a nickname beside an e-mail address
    expect_author: bool = False  # a "Written by" line alone: the next line is the name

    @property
    def found(self) -> bool:
        return bool(
            self.title
            or self.authors
            or self.rating_source
            or self.summary
            or self.relationships
            or self.disclaimer
            or self.notes_beginning
        )

    def value_of(self, name: str) -> object:
        if name == "notes":
            return self.notes_beginning
        if name == "author":
            return self.authors
        return getattr(self, name, None)

    def set_title(self, text: str) -> None:
        title = _TITLE_PREFIX.sub("", text.strip()).strip()
        title = _DECORATION.sub("", title).strip().strip('"“”_').strip()
        title = re.sub(r"\s+", " ", title)
        if title:
            self.title = title

    def add_author(self, text: str) -> None:
        """Add the authors a byline names; one named only beside an e-mail address
        ("jo@example.edu (Jo)") gives way to the first full byline after it."""
        weak = "@" in text
        if self.weak_author and not weak:
            self.authors.clear()
        self.weak_author = weak if not self.authors or self.weak_author else False
        text = _EMAIL_PAREN.sub("", text)
        text = re.sub(r"\s*(?:[-,(]\s*)?(?:copyright|\(c\)|©).*$", "", text, flags=re.I)
        text = re.sub(r"[\s,]*\(?\b(?:19|20)\d\d\)?\s*$", "", text)
        initial = re.search(r"\s[A-Z]\.[\s\"')\]>]*$", text)  # "Kristina V." keeps its stop
        text = text.strip(' .,-()<>[]"') + ("." if initial else "")
        for part in re.split(r"\s*(?:&|\band\b|,)\s*", text):
            name = part.strip(" .")
            if re.search(r"\s[A-Z]$", name) and part.rstrip().endswith("."):
                name += "."  # an initial keeps its stop ("Kristina V.")
            if name and name.lower() not in (a.lower() for a in self.authors):
                self.authors.append(name)

    def assign(self, name: str, value_html: str, label: str) -> None:
        text = html_to_text(value_html).strip()
        if name == "title":
            self.set_title(text)
        elif name == "author":
            self.add_author(text)
        elif name == "rating":
            if text and self.rating_source is None:
                self.rating_source = text
                self.rating = map_rating(text)
        elif name == "tags":
            for tag in re.split(r"\s*,\s*", text):
                if label in _CATEGORY_LABELS and ao3_category(tag):
                    self.raw_tags.append(RawTag("category", tag.strip()))
                else:
                    self.add_tag(tag)
        elif name == "series":
            if text:
                self.series = f"{self.series}; {text}" if self.series else text
        elif name == "language":
            self.language_written = self.language_written or text or None
        elif name in _LIST_FIELDS:
            self._extend(name, text)
        elif name in TEXT_FIELDS:
            self._set_text(name, text)
        elif name == "credits":
            self._credits(label, text)
            if value_html:
                prefix = "" if label in ("thanks", "thanks to", "thank you") else f"{label}: "
                self.notes_beginning.append(
                    prefix.capitalize() + value_html if prefix else value_html
                )
        elif name == "notes" and value_html:
            self.notes_beginning.append(
                value_html
                if label in NOTE_LABELS or not label
                else f"{label.capitalize()}: {value_html}"
            )

    def append(self, name: str, value_html: str) -> None:
        """A continuation line of a field already started."""
        if name == "notes":
            self.notes_beginning.append(value_html)
        elif name in TEXT_FIELDS:
            self._set_text(name, html_to_text(value_html).strip())
        elif name in _LIST_FIELDS:
            self._extend(name, html_to_text(value_html))
        elif name == "credits":
            self.notes_beginning.append(value_html)

    def add_tag(self, tag: str) -> None:
        """A tag; ``c:``, ``p:``, ``f:`` and ``w:`` prefixes (a common journal habit) say
        it is a character, pairing, fandom or warning."""
        prefix, sep, rest = tag.strip().partition(":")
        field = _PREFIXES.get(prefix.lower()) if sep else None
        if tag.strip():
            self.raw_tags.append(RawTag(_KIND[field or "tags"], tag.strip()))
        if field is None:
            if tag.strip() and tag.strip() not in self.tags:
                self.tags.append(tag.strip())
                self.recorded.add(("tags", tag.strip()))
            return
        if field == "fandoms":
            rest = canonical_fandom(rest)
        if field == "relationships" and _not_a_relationship(rest):
            return
        items: list[str] = getattr(self, field)
        if rest.lower() not in (i.lower() for i in items):
            items.append(rest)
            self.recorded.add((field, rest))

    def _extend(self, name: str, text: str) -> None:
        items: list[str] = getattr(self, name)
        for item in split_list(text):
            self.raw_tags.append(RawTag(_KIND[name], item))
            if name == "relationships" and _not_a_relationship(item):
                continue
            if name == "fandoms":
                item = canonical_fandom(item)
            if item.lower() not in (i.lower() for i in items):
                items.append(item)
                self.recorded.add((name, item))

    def _set_text(self, name: str, text: str) -> None:
        if not text:
            return
        current = getattr(self, name)
        setattr(self, name, f"{current} {text}" if current else text)

    def _credits(self, label: str, text: str) -> None:
        role = credit_role(label)
        for part in split_list(text):
            person = re.split(r"\s+for\s+", part)[0].strip()
            if person and len(person.split()) <= 4:
                self._add_credit(role, person)

    def _add_credit(self, role: str, name: str) -> None:
        name = name.strip(" .,;:")
        if name and all(c.name.lower() != name.lower() for c in self.credits):
            self.credits.append(Credit(role, name))

    def finish(self) -> None:
        """Credits and challenge found in the prose of the notes."""
        notes = [html_to_text(n) for n in (*self.notes_beginning, *self.notes_end)]
        for text in notes:
            for role, pattern in _CREDIT_PATTERNS:
                for match in pattern.finditer(text):
                    for name in re.split(r"\s*(?:,|\band\b|&)\s*", match.group(1)):
                        if name and name.lower() not in ("the", "my", "a", "all"):
                            self._add_credit(role, name)
            if self.challenge is None:
                found = _CHALLENGE.search(text)
                if found:
                    self.challenge = found.group().strip()


def _not_a_relationship(item: str) -> bool:
    """``gen``, ``none (gen)``, ``n/a``: no pairing.

    >>> _not_a_relationship("none (gen)"), _not_a_relationship("Giles/Buffy")
    (True, False)
    """
    words = re.findall(r"[\w/]+", item.lower())
    return item.lower() in _NOT_A_RELATIONSHIP or (
        bool(words) and all(w in _NOT_A_RELATIONSHIP or w == "pairing" for w in words)
    )


# issue 13: catastrophic on long runs of spaces, quadratic on long words; tried only where
# an address (with its spaces and brackets) can start, the spaces taken whole. The same
# matches but for a second address glued to the first ("a@b.c+d@e.f": one, not two).
_EMAIL_PAREN = re.compile(
    r"(?:(?<!\s)(?=\s)|(?![\s\w.+-])|(?<![\w.+-])(?=[\w.+-])|(?=mailto:))"
    r"\s*+[(<\[]?\s*+(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*+[)>\]]?"
)
