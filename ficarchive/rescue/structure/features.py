"""Features of each unit for the structure labeller: what the old rules saw, as evidence.

The rules that used to decide (a ``Label: value`` line, a ``by X`` line, a divider, a
chapter heading, an end mark, a disclaimer's wording, page furniture) are each one feature
here; so are the unit's shape (length, case, indentation, centring, its last character),
where it stands (units from the start and from the end, prose before and after it), what
the page says about itself (its ``<title>``, the post's ``Subject:``, the file's name) and
the same few features of its neighbours. The labeller weighs them; nothing here decides.

Every feature is binary (a name with value 1), so a model file is a list of names and
weights that can be read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ficarchive.rescue.blocks.boilerplate import is_divider_image
from ficarchive.rescue.structure.bylines import BY_ALONE, BYLINE, bare_name
from ficarchive.rescue.structure.dividers import is_divider_text
from ficarchive.rescue.structure.labels import read_label
from ficarchive.rescue.structure.sections import chapter_heading_text
from ficarchive.rescue.structure.units import Unit
from ficarchive.rescue.words import looks_like_name, zipf
from ficarchive.tags.fandoms import KNOWN_FANDOMS, canonical_fandom

Features = dict[str, float]

# Units this close to the start or the end get every feature (headers run to a few dozen
# lines, footers to fewer); in between, only what a break, a heading or an end mark can
# look like (a long story's middle is body, breaks and headings).
FRONT_UNITS = 60
BACK_UNITS = 40
# A unit of more words than this is prose-sized: the cue phrases of a header line are not
# looked for in it beyond its first sentence.
SHORT_WORDS = 12
# A capitalised word in this many of the document's prose units is one of its names.
NAME_SHARED_COUNT = 4
# ...and not a common word capitalised at the start of a sentence ("The", "She"): Zipf.
COMMON_ZIPF = 4.5
# The first word of a unit this short is a feature of its own ("by", "chapter", "fin").
# A prose unit's cues are looked for in its opening this long.
PROSE_HEAD = 300
# A unit whose text is at least this share link text is mostly links.
LINK_SHARE = 0.6
CUE_WORD_MAX_WORDS = 8

_WORD_BUCKETS = (0, 1, 2, 3, 5, 8, 12, 20, 40)
_POSITION_BUCKETS = (0, 1, 2, 3, 4, 5, 8, 12, 20, 35, 60)
_PROSE_BUCKETS = (0, 1, 2, 3)

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b\S+\.(?:com|org|net|edu)\b", re.I)
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-2]\d)\b")
_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.I,
)
_COPYRIGHT = re.compile(r"\bcopyright\b|\bcopr\.|\(c\)|©", re.I)
_PRESENTS = re.compile(r"\b(?:presents?|presentation|productions?|proudly)\b", re.I)
_TITLE_BY = re.compile(r"^.{2,80}?,?\s+by\s+\S", re.I)
_AKA = re.compile(r"\ba\.?k\.?a\.?\b", re.I)
_BY_INSIDE = re.compile(r"\b(?:by|written|story|author|authors)\b", re.I)
_DISCLAIMER = re.compile(
    r"\b(?:disclaimer|belong(?:s|ing)?\s+to|propert(?:y|ies)\s+of|owned\s+by|own(?:s|ed)?\s+by|"
    r"infringe\w*|not\s+mine|don'?t\s+own|do\s+not\s+own|no\s+money|no\s+profit|"
    r"trademark|copyright(?:ed)?\s+(?:by|to|of)|used\s+without\s+permission|sue\b)",
    re.I,
)
_NOTE = re.compile(
    r"^\W*(?:a/n|a\.n\.|author'?s'?\s+notes?|notes?|pre-?notes?|dedicat\w*|thanks|"
    r"acknowledg\w*|special\s+thanks|p\.?s\.?)\b",
    re.I,
)
_THANKS = re.compile(r"\b(?:thanks?|thank\s+you|beta|betaed|beta-?read|dedicat\w*)\b", re.I)
_FEEDBACK = re.compile(
    r"\b(?:feedback|comments?|flames?|c&c|e-?mail\s+me|let\s+me\s+know|write\s+(?:to\s+)?me|"
    r"love\s+to\s+hear|reviews?)\b",
    re.I,
)
_WARNING = re.compile(r"\b(?:warning|spoilers?|rated|rating|lemon|lime|nc-?17|violence)\b", re.I)
_SUMMARY = re.compile(
    r"\b(?:summary|synopsis|in\s+which|takes\s+place|set\s+(?:after|during))\b", re.I
)
_SEQUEL = re.compile(
    r"\b(?:sequel|prequel|part\s+\w+\s+of|series|previous(?:ly)?|last\s+time|recap)\b", re.I
)
_END = re.compile(
    r"^[\s*~_\-=.:()\[\]<>#+•]*(?:the\s+end|fin|finis|end|owari|the\s+end\s*\??|"
    r"end\s+of\s+(?:story|part|chapter|act|episode|book|section)(?:\s+\w+)?|"
    r"end\s+(?:part|chapter|act|episode|book|section)(?:\s+\w+)?|"
    r"to\s+be\s+continued|continued|tbc|more\s+to\s+come|next\s*:)[\s*~_\-=.:!?()\[\]<>#+•]*"
    r"(?:\w+[\s.!?]*)?$",
    re.I,
)
_CONTINUED = re.compile(
    r"\b(?:to\s+be\s+continued|continued\s+in|continues\s+in|next\s+part)\b", re.I
)
_CHAPTER_WORD = re.compile(
    r"^\W*(?:chapter|chap\.|ch\.|part|book|act|scene|section|episode|volume|vol\.|prologue|"
    r"epilogue|interlude|teaser|afterword|foreword|intermission|conclusion)\b",
    re.I,
)
_NUMBER_ONLY = re.compile(
    r"^\W*(?:\d{1,3}|[ivxlc]{1,7}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|"
    r"twelve)\W*$",
    re.I,
)
_ATTRIBUTION = re.compile(r"^\s*(?:--+|—|–|~+|-)\s*\S")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|my|me|mine)\b")
_SECOND_PERSON = re.compile(r"\byou(?:r|'re|'ll)?\b", re.I)
_PART_OF = re.compile(
    r"\b(?:part|chapter|episode)\s*\d+|\(\s*\d+\s*(?:/|of)\s*\d+\s*\)|\d+\s*/\s*\d+", re.I
)
_FURNITURE = re.compile(
    r"\b(?:back\s+to|return\s+to|home\s*page|next\s+chapter|previous\s+chapter|visitors?|hits?\s+"
    r"since|counter|guestbook|web\s*ring|powered\s+by|best\s+viewed|last\s+(?:updated|modified)|"
    r"bbs|sysop|baud|v\.32|downloaded|uploaded|keyed\s+in|shareware|all\s+rights\s+reserved|"
    r"free\s+e-?mail|get\s+your|leave\s+a\s+comment|comments?\s*\(\d+\))\b",
    re.I,
)
_PHONE = re.compile(r"\(\d{3}\)\s*\d{3}-\d{4}|\b\d{3}-\d{3}-\d{4}\b")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
_CUE_WORD = re.compile(r"^[\W_]*([A-Za-z][A-Za-z'’]*)")
_REPEATED_CHAR = re.compile(r"^(.)\1{3,}$")
# Words an author uses talking about the story, not words of the story itself.
_TALK = (
    "story stories fic fics fanfic fanfiction chapter chapters sequel prequel series episode "
    "episodes reader readers reading enjoy wrote write writing written feedback review reviews "
    "comment comments character characters canon spoiler spoilers beta thanks sorry hope idea "
    "ideas version posted post part parts author authors fan fans anime manga crossover season "
    "plot"
)
AUTHOR_TALK_WORDS = frozenset(_TALK.split())


def author_talk(text: str) -> int:
    """How many words of `text` an author uses talking about the story (`AUTHOR_TALK_WORDS`)."""
    return sum(1 for w in _LOWER_WORD.findall(text.lower()) if w in AUTHOR_TALK_WORDS)


_DIALOGUE = re.compile(r"[\"“][^\"”]{3,}[\"”]")
_LOWER_WORD = re.compile(r"[a-z]+")
_NAME_WORD = re.compile(r"\b[A-Z][a-z]{2,}\b")
_SPEAKER = re.compile(r"^[A-Z][A-Z0-9 .'’-]{1,24}(?:\s*\([^)]*\))?\s*:\s*\S")
_UPPER_NAME = re.compile(r"^[A-Z][A-Z .'’-]{1,24}(?:\s*\((?:V\.?O|O\.?S|CONT'D)[^)]*\))?$")
_SPACED_LETTERS = re.compile(r"^(?:[A-Za-z]\s){3,}[A-Za-z]$")


@dataclass(frozen=True)
class Context:
    """What the document says about itself, beside its units."""

    hint_titles: tuple[str, ...] = ()  # <title>, Subject: lines
    hint_names: tuple[str, ...] = ()  # From: names
    file_words: frozenset[str] = frozenset()  # words of the file's name
    usual_gap: int = 1
    html: bool = False
    furniture: tuple[str, ...] = ()  # a block: why the furniture rules would remove it ("")


def _bucket(value: int, buckets: tuple[int, ...]) -> str:
    """The largest bucket edge not above `value`, as a feature value."""
    k = bisect_right(buckets, value)
    return str(buckets[k - 1] if k else buckets[0])


def _fold(text: str) -> str:
    return " ".join(_WORD.findall(text.casefold()))


_CAPITAL_WORD = re.compile(r"(?:^|\s)[A-Z]")
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.S)


def _shape(text: str) -> dict[str, bool]:
    words = text.count(" ") + 1 if text else 0
    caps = len(_CAPITAL_WORD.findall(text))
    return {
        "upper": text.isupper() and bool(_LETTERS.search(text)),
        "titlecase": words > 0 and caps >= 0.75 * words,
        "lower_start": text[:1].islower(),
        "q_start": text[:1] in "\"“'‘«",
        "q_both": text[:1] in "\"“'‘«" and text.rstrip(".,!?")[-1:] in "\"”'’»",
        "sentence_end": bool(_SENTENCE_END.search(text)),
        "colon_end": text.endswith(":"),
        "comma_end": text.endswith((",", ";")),
        "digit": bool(_DIGIT.search(text)),
        "paren": text[:1] in "([<{",
    }


def _end_class(text: str) -> str:
    last = text.rstrip()[-1:] if text.strip() else ""
    if not last:
        return "none"
    if last.isalnum():
        return "alnum"
    return {".": "dot", "!": "bang", "?": "q", ":": "colon", ",": "comma", ";": "comma"}.get(
        last, "quote" if last in "\"”'’" else "sym"
    )


def _fandom(text: str) -> bool:
    core = text.strip(" .:-*~")
    if not core or len(core.split()) > 6:
        return False
    name = canonical_fandom(core)
    return name.lower() != core.lower() or name in KNOWN_FANDOMS


def _hint_match(text: str, hints: tuple[str, ...]) -> str | None:
    folded = _fold(text)
    if not folded:
        return None
    for hint in hints:
        other = _fold(hint)
        if not other:
            continue
        if folded == other:
            return "eq"
        if len(folded.split()) >= 2 and (
            f" {folded} " in f" {other} " or f" {other} " in f" {folded} "
        ):
            return "in"
    return None


def _file_match(text: str, file_words: frozenset[str]) -> bool:
    if not file_words:
        return False
    words = {w for w in _fold(text).split() if len(w) >= 3}
    return len(words & file_words) >= max(1, min(2, len(words)))


def _prose_features(text: str, names: Counter[str], f: Features) -> None:
    """What kind of prose: the author talking about the story, or the story itself."""
    talk = author_talk(text)
    f[f"talk={_bucket(talk, (0, 1, 2, 4))}"] = 1
    if _DIALOGUE.search(text):
        f["dialogue"] = 1
    found = _NAME_WORD.findall(text)
    if found:
        shared = sum(1 for w in found if names[w] >= NAME_SHARED_COUNT)
        f[f"names_shared={_bucket(int(4 * shared / len(found)), (0, 1, 2, 3))}"] = 1


def own_features(
    unit: Unit, context: Context, full: bool, names: Counter[str] | None = None
) -> Features:
    """The features of one unit seen alone (`names`: how often each capitalised word
    appears in the document, so prose that shares the story's names can be told apart)."""
    f: Features = {}
    if unit.is_gap:
        f["gap_unit"] = 1
        f[f"gap={min(unit.gap, 5)}"] = 1
        f[f"gap-usual={min(unit.gap - context.usual_gap, 4)}"] = 1
        f[f"usual={min(context.usual_gap, 3)}"] = 1
        return f
    text = unit.text.strip()
    words = len(text.split())
    _layout(unit, context, words, text, f)
    if unit.source.kind in ("rule", "image"):
        return f
    if words > SHORT_WORDS:
        if _SENTENCE_END.search(text):
            f["prose"] = 1
        if full:
            _prose(text[:PROSE_HEAD], unit, names, f)
        return f
    if full:
        _short(text, unit, context, words, f)
    else:
        _middle(text, unit, words, f)
    return f


def _layout(unit: Unit, context: Context, words: int, text: str, f: Features) -> None:
    """How the unit stands on the page: its kind, length, markup, gap and indent."""
    block = unit.source
    # a paragraph that is only a divider (* * *, ~*~) is a kind of its own, not prose
    marks = block.kind == "para" and words <= SHORT_WORDS and is_divider_text(text)
    f["k=mark" if marks else f"k={block.kind}"] = 1
    f[f"w={_bucket(words, _WORD_BUCKETS)}"] = 1
    f[f"end={_end_class(text)}"] = 1
    if block.kind == "heading":
        f[f"h={min(block.level, 4)}"] = 1
    for name, on in (("centred", block.centered), ("strong", block.strong)):
        if on:
            f[name] = 1
    if block.emphasis:
        f["emphasis"] = 1
    if unit.parts > 1:
        f["multiline"] = 1
        last = unit.part == unit.parts - 1
        f["part_first" if unit.part == 0 else "part_last" if last else "part_mid"] = 1
    f[f"gap={min(unit.gap, 4)}"] = 1
    if unit.block < len(context.furniture) and context.furniture[unit.block]:
        f[f"furn={context.furniture[unit.block]}"] = 1
    if unit.gap > context.usual_gap:
        f["gap>usual"] = 1
    if not context.html:
        f[f"indent={_bucket(block.indent, (0, 1, 5, 10, 20))}"] = 1
    if block.kind == "rule":
        f["rule"] = 1
    elif block.kind == "image":
        f["image"] = 1
        if is_divider_image(block):
            f["divider_image"] = 1
        if block.attrs.get("alt", "").strip():
            f["image_alt"] = 1


# (feature, pattern, gate) looked for in the opening of every unit near the document's
# edges; the pattern is only run when one of its gate strings is in the lower-cased text
# (a substring test costs a fraction of a regular-expression scan).
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CUES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("by_word", _BY_INSIDE, ("by", "written", "story", "author")),
    ("copyright", _COPYRIGHT, ("copyright", "copr", "(c)", "©")),
    ("presents", _PRESENTS, ("present", "production", "proud")),
    ("email", _EMAIL, ("@",)),
    ("url", _URL, ("http", "www", ".com", ".org", ".net", ".edu")),
    ("year", _YEAR, ("19", "20")),
    ("date", _MONTH, (*_MONTHS, "/")),
    (
        "disclaim",
        _DISCLAIMER,
        (
            "disclaim",
            "belong",
            "propert",
            "own",
            "infring",
            "mine",
            "money",
            "profit",
            "trademark",
            "copyright",
            "permission",
            "sue",
        ),
    ),
    ("thanks", _THANKS, ("thank", "beta", "dedicat")),
    (
        "feedback",
        _FEEDBACK,
        ("feedback", "comment", "flame", "c&c", "mail", "let me know", "write", "hear", "review"),
    ),
    ("warning_word", _WARNING, ("warning", "spoiler", "rat", "lemon", "lime", "nc", "violen")),
    ("summary_word", _SUMMARY, ("summary", "synopsis", "which", "takes place", "set ")),
    (
        "sequel_word",
        _SEQUEL,
        ("sequel", "prequel", "part", "series", "previous", "last time", "recap"),
    ),
    ("part_of", _PART_OF, ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")),
    ("first_person", _FIRST_PERSON, ("i", "m")),
    ("second_person", _SECOND_PERSON, ("you",)),
    ("continued", _CONTINUED, ("continu", "next part")),
    (
        "furniture_phrase",
        _FURNITURE,
        (
            "back to",
            "return to",
            "home",
            "next chapter",
            "previous chapter",
            "visitor",
            "hits",
            "counter",
            "guestbook",
            "ring",
            "powered",
            "best viewed",
            "last updated",
            "last modified",
            "bbs",
            "sysop",
            "baud",
            "v.32",
            "load",
            "keyed",
            "shareware",
            "rights reserved",
            "mail",
            "get your",
            "comment",
        ),
    ),
)


# Each cue's gate as one pattern of plain strings (searched in C, not looped in Python).
_GATES = tuple(
    (name, pattern, re.compile("|".join(re.escape(g) for g in gate)))
    for name, pattern, gate in _CUES
)


def _cues(head: str, unit: Unit, f: Features) -> None:
    low = head.lower()
    for name, pattern, gate in _GATES:
        if gate.search(low) and pattern.search(head):
            f[name] = 1
    if "mailto:" in unit.source.attrs.get("hrefs", ""):
        f["email"] = 1
    labelled = read_label(head.split("\n", 1)[0])
    if labelled is not None:
        f[f"label={labelled.field}"] = 1
        f["labelled"] = 1  # any known field's label: what every header line shares
        if not labelled.value:
            f["label_empty"] = 1
    elif re.match(r"^[\W_]*[A-Z][\w'’/ ]{0,24}:\s", head):
        f["label_unknown"] = 1
    if _NOTE.match(head):
        f["note_start"] = 1
    links = int(unit.source.attrs.get("link_chars", "0") or 0)
    if links:
        share = links / max(len(unit.text.replace(" ", "")), 1)
        f["links_most" if share >= LINK_SHARE else "links_some"] = 1


def _prose(head: str, unit: Unit, names: Counter[str] | None, f: Features) -> None:
    """A paragraph-sized unit near the edges: the cues of its opening, and what kind of
    prose it is (the author talking about the story, or the story)."""
    for name, on in _shape(head).items():
        if on:
            f[name] = 1
    _cues(head, unit, f)
    if names is not None:
        _prose_features(head, names, f)


def _short(text: str, unit: Unit, context: Context, words: int, f: Features) -> None:
    """A line-sized unit: everything a header line, a divider or a heading can be."""
    for name, on in _shape(text).items():
        if on:
            f[name] = 1
    _cues(text, unit, f)
    for name, test in _SHORT_TESTS:
        if test(text):
            f[name] = 1
    if BY_ALONE.match(text):
        f["by_alone"] = 1
    elif BYLINE.match(text):
        f["by_x"] = 1
    if words <= 6 and looks_like_name(text):
        f["name"] = 1
    if words <= 4 and _UPPER_NAME.match(text):
        f["upper_name"] = 1
    if words <= 10 and _END.match(text):
        f["end_re"] = 1
    if words <= 6 and _fandom(text):
        f["fandom"] = 1
    block = unit.source
    if chapter_heading_text(
        text, set_apart=block.kind == "heading" or block.centered or block.strong
    ):
        f["chapter_re"] = 1
    hint = _hint_match(text, context.hint_titles)
    if hint:
        f[f"hint_title_{hint}"] = 1
    if context.hint_names and _hint_match(text, context.hint_names):
        f["hint_name"] = 1
    if _file_match(text, context.file_words):
        f["file_match"] = 1
    if words <= CUE_WORD_MAX_WORDS:
        cue = _CUE_WORD.match(text)
        if cue:
            f[f"w0={cue.group(1).lower()}"] = 1


def _middle(text: str, unit: Unit, words: int, f: Features) -> None:
    """A line-sized unit far from either end: what a break, a heading or an end mark (of
    one part of several) can look like; header cues are not looked for there."""
    for name, on in _shape(text).items():
        if on:
            f[name] = 1
    for name, test in _MIDDLE_TESTS:
        if test(text):
            f[name] = 1
    if words <= 10 and _END.match(text):
        f["end_re"] = 1
    block = unit.source
    if chapter_heading_text(
        text, set_apart=block.kind == "heading" or block.centered or block.strong
    ):
        f["chapter_re"] = 1


_SHORT_TESTS: tuple[tuple[str, Callable[[str], object]], ...] = (
    ("divider", is_divider_text),
    ("repeated_char", lambda t: _REPEATED_CHAR.match(t.replace(" ", ""))),
    ("spaced_letters", _SPACED_LETTERS.match),
    ("speaker", _SPEAKER.match),
    ("title_by", _TITLE_BY.match),
    ("aka", _AKA.search),
    ("bare_name", bare_name),
    ("chapter_word", _CHAPTER_WORD.match),
    ("number_only", _NUMBER_ONLY.match),
    ("attribution", _ATTRIBUTION.match),
)
_MIDDLE_TESTS = tuple(
    (name, test)
    for name, test in _SHORT_TESTS
    if name
    in (
        "divider",
        "repeated_char",
        "spaced_letters",
        "speaker",
        "chapter_word",
        "number_only",
        "attribution",
    )
)


# Features copied onto a unit's neighbours, with the offset as a prefix ("-1:divider").
_NEIGHBOUR = frozenset(
    {
        "k=para",
        "k=mark",
        "k=heading",
        "k=rule",
        "k=image",
        "gap_unit",
        "prose",
        "divider",
        "by_alone",
        "by_x",
        "title_by",
        "name",
        "bare_name",
        "email",
        "chapter_re",
        "end_re",
        "disclaim",
        "note_start",
        "attribution",
        "upper",
        "centred",
        "q_start",
        "sentence_end",
        "colon_end",
        "hint_title_eq",
        "hint_title_in",
        "copyright",
        "presents",
        "multiline",
        "emphasis",
        "strong",
        "label_empty",
        "repeated_char",
        "continued",
    }
)
_NEIGHBOUR_PREFIXES = ("label", "w=", "gap=")
# Two units away, fewer features: enough to see a header line, a divider or prose.
_FAR = frozenset({"k=rule", "k=image", "gap_unit", "prose", "divider", "by_x", "name", "email"})


def _neighbour_view(own: Features) -> list[str]:
    return [name for name in own if name in _NEIGHBOUR or name.startswith(_NEIGHBOUR_PREFIXES)]


def _far_view(own: Features) -> list[str]:
    return [name for name in own if name in _FAR or name.startswith("label")]


def _counts_before(units: list[Unit], test: Callable[[Unit], bool]) -> list[int]:
    counts = []
    seen = 0
    for unit in units:
        counts.append(seen)
        if test(unit):
            seen += 1
    return counts


def _is_prose(unit: Unit) -> bool:
    return not unit.is_gap and unit.words > SHORT_WORDS


def _prose_beside(units: list[Unit], i: int, step: int) -> bool:
    """Whether the next unit that is not a gap, going `step` from `i`, is prose."""
    j = i + step
    while 0 <= j < len(units) and units[j].is_gap:
        j += step
    return 0 <= j < len(units) and _is_prose(units[j])


def _document_names(units: list[Unit]) -> Counter[str]:
    """Capitalised words of the document's prose (its characters' names, mostly)."""
    names: Counter[str] = Counter()
    for unit in units:
        if not unit.is_gap and unit.words > SHORT_WORDS:
            names.update(set(_NAME_WORD.findall(unit.text)))
    return Counter({w: n for w, n in names.items() if zipf(w.lower()) < COMMON_ZIPF})


def _short_runs(units: list[Unit]) -> list[int]:
    """For each unit, the length of the run of short units (gaps aside) it stands in."""
    runs = [0] * len(units)
    start = 0
    members: list[int] = []
    for i, unit in enumerate([*units, None]):
        if unit is not None and unit.is_gap:
            continue
        if unit is not None and unit.words <= SHORT_WORDS:
            members.append(i)
            continue
        for j in members:
            runs[j] = len(members)
        members = []
        start = i
    del start
    return runs


def _region(before: int, after: int) -> str:
    """Where a unit stands against the story's prose: before all of it, after all of it,
    in the thick of it, or near one end."""
    if before == 0:
        return "front"
    if after == 0:
        return "back"
    if before >= 3 and after >= 3:
        return "inside"
    return "near_front" if before < 3 else "near_back"


def document_features(units: list[Unit], context: Context) -> list[Features]:
    """The features of every unit: its own, its position, and its neighbours'."""
    n = len(units)
    texts = Counter(_fold(u.text) for u in units if not u.is_gap and u.words <= SHORT_WORDS)
    names = _document_names(units)
    own = []
    for i, unit in enumerate(units):
        full = i < FRONT_UNITS or n - i <= BACK_UNITS
        own.append(own_features(unit, context, full, names))
    views = [_neighbour_view(f) for f in own]
    far = [_far_view(f) for f in own]
    short_runs = _short_runs(units)
    short = sum(1 for u in units if not u.is_gap and u.words <= SHORT_WORDS)
    doc_short = _bucket(
        int(10 * short / max(sum(1 for u in units if not u.is_gap), 1)), (0, 3, 5, 7)
    )
    prose_before = _counts_before(units, _is_prose)
    prose_after = list(reversed(_counts_before(list(reversed(units)), _is_prose)))
    out: list[Features] = []
    for i, unit in enumerate(units):
        f = dict(own[i])
        f["bias"] = 1
        f[f"from_start={_bucket(i, _POSITION_BUCKETS)}"] = 1
        f[f"from_end={_bucket(n - 1 - i, _POSITION_BUCKETS)}"] = 1
        before, after = prose_before[i], prose_after[i]
        f[f"prose_before={_bucket(before, _PROSE_BUCKETS)}"] = 1
        f[f"prose_after={_bucket(after, _PROSE_BUCKETS)}"] = 1
        f[f"region={_region(before, after)}"] = 1
        f[f"decile={min(9, 10 * i // max(n, 1))}"] = 1
        if "divider" in f and _prose_beside(units, i, -1) and _prose_beside(units, i, 1):
            f["divider_in_prose"] = 1  # between two paragraphs of story, not among furniture
        if not unit.is_gap and unit.words <= SHORT_WORDS:
            f[f"short_run={_bucket(short_runs[i], (1, 2, 4, 9))}"] = 1
            f[f"short_doc={doc_short}"] = 1
            if texts[_fold(unit.text)] > 1:
                f["repeated"] = 1
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < n:
                for name in views[j] if abs(offset) == 1 else far[j]:
                    f[f"{offset}:{name}"] = 1
            else:
                f[f"{offset}:none"] = 1
        out.append(f)
    return out


_FILE_WORD = re.compile(r"[a-z]{3,}")
_FILE_NOISE = frozenset({"txt", "htm", "html", "the", "and", "story", "fic", "part", "chapter"})


_FURNITURE_CODES = (
    ("reader comments", "comments"),
    ("journal", "journal"),
    ("image", "image"),
    ("navigation", "nav"),
    ("page furniture", "phrase"),
)


def furniture_code(reason: str | None) -> str:
    """A short name for why the furniture rules flag a block ("" when they do not)."""
    if not reason:
        return ""
    return next((code for start, code in _FURNITURE_CODES if reason.startswith(start)), "other")


def context_of(
    hint_titles: list[str],
    hint_names: list[str],
    name: str,
    usual: int,
    html: bool,
    furniture: list[str | None],
) -> Context:
    """The document's context: its page title or subjects, sender, file name, usual gap
    and what the furniture rules say of each block."""
    stem = Path(name).name.lower()
    file_words = frozenset(w for w in _FILE_WORD.findall(stem) if w not in _FILE_NOISE)
    return Context(
        hint_titles=tuple(t for t in hint_titles if t),
        hint_names=tuple(n for n in hint_names if n),
        file_words=file_words,
        usual_gap=usual,
        html=html,
        furniture=tuple(furniture_code(r) for r in furniture),
    )
