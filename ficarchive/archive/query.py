"""A search box's text to a full-text query that cannot fail.

Words are matched as words (stemmed, accents folded), ``"a phrase"`` as a phrase,
``-word`` excludes, ``OR`` between two words means either (``a b OR c`` is ``a`` and
either ``b`` or ``c``, on every backend). Every token is quoted, so
no character a reader types can be FTS5 syntax: an unbalanced quote, a lone ``*``, a
``NEAR(`` or a ``:`` are all just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    text: str  # the words, space-joined
    phrase: bool
    exclude: bool
    either: bool  # joined to the previous term by OR


def parse(query: str) -> list[Term]:
    """The terms of a search box query.

    >>> [t.text for t in parse('bells "sound of" -angst')]
    ['bells', 'sound of', 'angst']
    """
    terms: list[Term] = []
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
        terms.append(Term(" ".join(words), quoted is not None or len(words) > 1, exclude, either))
        either = False
    return terms


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts5(query: str) -> str | None:
    """An FTS5 MATCH expression for a search box query; None when it has no words.

    >>> fts5('bells "sound of" -angst')
    '"bells" AND "sound of" NOT "angst"'
    >>> fts5('bells spike OR angel') , fts5('NEAR( * :"')
    ('"bells" AND ("spike" OR "angel")', '"NEAR"')
    """
    terms = parse(query)
    positive = [t for t in terms if not t.exclude]
    if not positive:
        return None
    parts: list[str] = []
    for term in positive:
        if term.either and parts:
            parts[-1] = f"({parts[-1]} OR {_quote(term.text)})"
        else:
            parts.append(_quote(term.text))
    expression = " AND ".join(parts)
    for term in terms:
        if term.exclude:
            expression += f" NOT {_quote(term.text)}"
    return expression


def tsquery_terms(query: str) -> tuple[list[Term], list[Term]]:
    """Positive and excluded terms, for backends that build their own query syntax."""
    terms = parse(query)
    return [t for t in terms if not t.exclude], [t for t in terms if t.exclude]
