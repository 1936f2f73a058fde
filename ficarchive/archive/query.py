"""A search box's text to a full-text query that cannot fail, and the bounds of a search.

Words are matched as words (stemmed, accents folded), ``"a phrase"`` as a phrase,
``-word`` excludes, ``OR`` between two words means either (``a b OR c`` is ``a`` and
either ``b`` or ``c``, on every backend); ``fandom:"Star Trek"`` (or ``relationship:``,
``character:``, ``rating:``, ``warning:``, ``tag:``) is a tag filter, and ``-tag:Angst``
leaves out the works that carry the tag (`split_tags`). Every token is quoted, so
no character a reader types can be FTS5 syntax: an unbalanced quote, a lone ``*``, a
``NEAR(`` or a ``:`` are all just text.

A search is bounded before any SQL is written (`SearchTooLarge` says which bound), and
the expressions built here are flat: a run of ``OR`` is one group, never a nesting, so
no parser's stack grows with the length of the query.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from ficarchive.archive.model import Filters
from ficarchive.errors import FicarchiveError

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# A tag in the box: ``fandom:"Star Trek"``, ``-tag:Angst``, ``rating:explicit``.
TAG_PREFIXES = {
    "fandom": "fandom",
    "relationship": "relationship",
    "pairing": "relationship",
    "character": "character",
    "rating": "rating",
    "warning": "warning",
    "tag": "freeform",
}
_TAG_TERM = re.compile(
    r'(?<!\S)(-?)(' + "|".join(TAG_PREFIXES) + r')[:=](?:"([^"]*)"?|(\S+))', re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")  # letters and digits: every tokenizer splits on "_"

# What one search may hold. Far past anything typed into a box (a long search is a dozen
# words), and low enough that the slowest search costs a few hundred index lookups.
MAX_QUERY_CHARS = 4096
MAX_WORDS = 256
# Each tag filter is one lookup and one subquery; SQLite allows 500 terms in a compound
# SELECT, and the reader sends at most 20 of each of its six kinds.
MAX_TAG_FILTERS = 128
# The databases' integer range: a count or a page past it is clamped, not passed on.
INT64_MAX = 2**63 - 1


class SearchTooLarge(FicarchiveError):
    """A search past one of the bounds above; the message names it and what to do."""

    exit_code = 2


@dataclass(frozen=True)
class Term:
    text: str  # the words, space-joined
    phrase: bool
    exclude: bool
    either: bool  # joined to the previous term by OR


def parse(query: str) -> list[Term]:
    """The terms of a search box query; `SearchTooLarge` past the bounds.

    >>> [t.text for t in parse('bells "sound of" -angst')]
    ['bells', 'sound of', 'angst']
    >>> parse("bells " * 300)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ficarchive.archive.query.SearchTooLarge: the search has 300 words; at most 256 are ...
    """
    if len(query) > MAX_QUERY_CHARS:
        raise SearchTooLarge(
            f"the search is {len(query):,} characters long; at most {MAX_QUERY_CHARS:,} "
            "are searched: shorten it"
        )
    terms: list[Term] = []
    words_seen = 0
    either = False
    for match in _TOKEN.finditer(query):
        minus, quoted, bare = match.groups()
        if bare is not None and bare.upper() == "OR" and terms:
            either = True
            continue
        exclude = bool(minus) or (bare is not None and bare.startswith("-") and len(bare) > 1)
        raw = quoted if quoted is not None else (bare or "").lstrip("-")
        words = _WORD.findall(raw)
        if not words:
            continue
        words_seen += len(words)
        terms.append(Term(" ".join(words), quoted is not None or len(words) > 1, exclude, either))
        either = False
    if words_seen > MAX_WORDS:
        raise SearchTooLarge(
            f"the search has {words_seen:,} words; at most {MAX_WORDS} are searched at once: "
            "use fewer words"
        )
    return terms


def split_tags(query: str, filters: Filters) -> tuple[str, Filters]:
    """The words of a search box query, and the filters with the tags it names added:
    ``fandom:"Star Trek"`` must be on a work, ``-tag:Angst`` must not.

    >>> text, found = split_tags('bells -tag:Angst fandom:"Star Trek" -rating:explicit', Filters())
    >>> text, found.fandoms, found.excluded
    ('bells', ('Star Trek',), (('freeform', 'Angst'), ('rating', 'explicit')))
    """
    if ":" not in query and "=" not in query:
        return query, filters
    wanted: dict[str, list[str]] = {}
    excluded: list[tuple[str, str]] = []

    def take(match: re.Match[str]) -> str:
        minus, prefix, quoted, bare = match.groups()
        name = " ".join((quoted if quoted is not None else bare).split())
        if name:
            kind = TAG_PREFIXES[prefix.lower()]
            if minus:
                excluded.append((kind, name))
            else:
                wanted.setdefault(kind, []).append(name)
        return " "

    rest = " ".join(_TAG_TERM.sub(take, query).split())
    if not wanted and not excluded:
        return query, filters
    fields = {
        "fandom": "fandoms",
        "relationship": "relationships",
        "character": "characters",
        "rating": "ratings",
        "warning": "warnings",
        "freeform": "tags",
    }
    more: dict[str, Any] = {
        fields[kind]: (*getattr(filters, fields[kind]), *names) for kind, names in wanted.items()
    }
    more["excluded"] = (*filters.excluded, *excluded)
    return rest, dataclasses.replace(filters, **more)


def groups(terms: list[Term]) -> list[list[Term]]:
    """Positive terms as AND-ed groups of OR-ed terms: ``a b OR c`` is ``[[a], [b, c]]``;
    a term twice in a group, or a group twice, counts once (``a OR a`` is ``a``: the
    snippets of a query read each phrase of it against each match).

    >>> [[t.text for t in g] for g in groups(parse("a OR a OR b c a OR b"))]
    [['a', 'b'], ['c']]
    """
    out: list[list[Term]] = []
    for term in terms:
        if term.exclude:
            continue
        if term.either and out:
            if all((t.text, t.phrase) != (term.text, term.phrase) for t in out[-1]):
                out[-1].append(term)
        else:
            out.append([term])
    unique: list[list[Term]] = []
    for group in out:
        key = {(t.text, t.phrase) for t in group}
        if all({(t.text, t.phrase) for t in seen} != key for seen in unique):
            unique.append(group)
    return unique


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5(query: str) -> str | None:
    """An FTS5 MATCH expression for a search box query; None when it has no words.

    >>> fts5('bells "sound of" -angst')
    '"bells" AND "sound of" NOT "angst"'
    >>> fts5('bells spike OR angel OR dru') , fts5('NEAR( * :"')
    ('"bells" AND ("spike" OR "angel" OR "dru")', '"NEAR"')
    """
    terms = parse(query)
    anded = [
        _quote(g[0].text) if len(g) == 1 else "(" + " OR ".join(_quote(t.text) for t in g) + ")"
        for g in groups(terms)
    ]
    if not anded:
        return None
    excluded = "".join(f" NOT {_quote(t.text)}" for t in terms if t.exclude)
    return " AND ".join(anded) + excluded


def tsquery_terms(query: str) -> tuple[list[list[Term]], list[Term]]:
    """Positive groups and excluded terms, for backends that build their own syntax."""
    terms = parse(query)
    return groups(terms), [t for t in terms if t.exclude]


def bounded(filters: Filters) -> Filters:
    """The filters as a database can take them; `SearchTooLarge` for too many tags.

    Word counts past the databases' integer range are clamped (no work is that long).

    >>> bounded(Filters(words_min=10**30)).words_min == INT64_MAX
    True
    """
    tags = len(filters.tag_filters()) + len(filters.excluded)
    if tags > MAX_TAG_FILTERS:
        raise SearchTooLarge(
            f"the search names {tags:,} tags; at most {MAX_TAG_FILTERS} filters are applied "
            "at once: use fewer"
        )
    low, high = filters.words_min, filters.words_max
    if (low is None or 0 <= low <= INT64_MAX) and (high is None or 0 <= high <= INT64_MAX):
        return filters
    return dataclasses.replace(
        filters,
        words_min=None if low is None else clamp(low),
        words_max=None if high is None else clamp(high),
    )


def clamp(number: int) -> int:
    """A count, limit or offset within the databases' integer range.

    >>> clamp(-5), clamp(2**70) == INT64_MAX
    (0, True)
    """
    return min(max(number, 0), INT64_MAX)
