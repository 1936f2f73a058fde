"""Field-by-field scoring of a rescued `Work` against gold.

Every comparison is a small pure function so the rules can be read (and are quoted) in
docs/quality.md.  Text comparisons fold case, whitespace and typographic quotes only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence

#: Gold rating of the antennapedia front matter -> the AO3 rating a rescue must give.
#: ``general`` stories were written G/PG/"General" and ``mature`` ones R/"Mature";
#: ``adult`` ones NC-17/"Adult", which AO3 calls Explicit.
GOLD_RATINGS = {"general": "General Audiences", "mature": "Mature", "adult": "Explicit"}

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalise(text: str | None) -> str:
    """Case-, whitespace- and quote-folded text for exact comparisons."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def title_exact(found: str | None, gold: str) -> bool:
    return bool(found) and normalise(found) == normalise(gold)


def title_relaxed(found: str | None, gold: str | None) -> bool:
    """Either title contains the other, as whole words (``Q and A`` in ``Q and A, Part 1``)."""
    a, b = _words_key(found), _words_key(gold)
    if not a or not b:
        return False
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _words_key(text: str | None) -> str:
    return " ".join(_WORD.findall(normalise(text)))


def author_exact(found: Sequence[str], gold: str) -> bool:
    """Exactly one author, and it is the gold one."""
    return [normalise(a) for a in found] == [normalise(gold)]


#: Shortest found name that may count by containment (so a stray "Q" matches nothing).
MIN_CONTAINED = 3
#: Difflib ratio that forgives a typo in the collection's own description
#: ("Sandra Fuzdek" for Sandra Guzdek, "Brenda S. Antrium" for Brenda S. Antrim).
AUTHOR_TYPO_RATIO = 0.88
_HONORIFICS = {"mr", "mrs", "ms", "dr", "prof"}


def author_contained(found: Sequence[str], gold: Sequence[str]) -> bool:
    """Some gold author equals, contains or is contained in some found author.

    Whole words after folding (``Sandra Guzdek`` in ``Sandra Guzdek (v130qh57@buffalo.edu)``,
    ``McMelmon`` in ``Matthew McMelmon``); found names shorter than `MIN_CONTAINED`
    characters never count.
    """
    return any(f" {g} " in f" {f} " or f" {f} " in f" {g} " for g, f in _name_pairs(found, gold))


def author_found(found: Sequence[str], gold: Sequence[str]) -> bool:
    """`author_contained`, or the same person written another way.

    The description and the file's byline were written by different people, so two more
    forms count: a near-miss typo (difflib ratio at least `AUTHOR_TYPO_RATIO`), and the same
    surname (or a typo of it) with compatible first names, middle names and honorifics
    ignored: ``Dan Prust`` for Daniel Allen Prust, ``Dr. William V. Smith`` for W. V. Smith,
    ``Corinne Hawkins`` for Corinne Cullen Hawkins.
    """
    if author_contained(found, gold):
        return True
    for g, f in _name_pairs(found, gold):
        if difflib.SequenceMatcher(None, f, g, autojunk=False).ratio() >= AUTHOR_TYPO_RATIO:
            return True
        if _same_person(f.split(), g.split()):
            return True
    return False


def _name_pairs(found: Sequence[str], gold: Sequence[str]) -> list[tuple[str, str]]:
    pairs = []
    for g in (_words_key(x) for x in gold):
        for f in (_words_key(x) for x in found):
            if g and len(f) >= MIN_CONTAINED:
                pairs.append((g, f))
    return pairs


def _same_person(a: list[str], b: list[str]) -> bool:
    a = [w for w in a if w not in _HONORIFICS]
    b = [w for w in b if w not in _HONORIFICS]
    if len(a) < 2 or len(b) < 2:
        return False
    surname = difflib.SequenceMatcher(None, a[-1], b[-1], autojunk=False).ratio()
    first_a, first_b = a[0], b[0]
    compatible = first_a.startswith(first_b) or first_b.startswith(first_a)
    return surname >= AUTHOR_TYPO_RATIO and compatible


def rating_right(found: str, gold: str) -> bool:
    return found == GOLD_RATINGS[gold]


def relationship_found(found: Sequence[str], gold_pairing: str) -> bool:
    """The gold pairing is among the found relationships.

    ``giles/buffy`` matches ``Giles/Buffy``, ``Buffy/Giles`` and ``Buffy Summers/Rupert
    Giles``: same number of people, each gold name a whole word of a different one.
    Gen stories (no pairing) are right when no relationship is found.
    """
    if gold_pairing.lower() in ("gen", "none", ""):
        return not found
    names = [n.strip().casefold() for n in gold_pairing.split("/")]
    return any(_same_pairing(r, names) for r in found)


def _same_pairing(relationship: str, names: list[str]) -> bool:
    parts = [set(_words_key(p).split()) for p in re.split(r"\s*[/&]\s*", relationship)]
    if len(parts) != len(names):
        return False
    for name in names:
        hit = next((p for p in parts if name in p), None)
        if hit is None:
            return False
        parts.remove(hit)
    return True


# -- body similarity ---------------------------------------------------------------------
def similarity(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """``2 * matches / (len(a) + len(b))``, like `difflib.SequenceMatcher.ratio`.

    Matches come from an anchored alignment (patience diff): tokens that occur exactly
    once in both ranges are aligned by a longest increasing subsequence, the gaps
    between anchors are aligned recursively, and a gap with no unique token left is
    handed to ``SequenceMatcher(autojunk=False)``.  The matches form one common
    subsequence, so the ratio never exceeds the longest-common-subsequence ratio; on
    near-identical texts it equals difflib's (checked in tests/test_quality_gate.py)
    and takes milliseconds where difflib takes seconds on a 48,000-word story.
    """
    if not a and not b:
        return 1.0
    return 2.0 * matched_tokens(a, b) / (len(a) + len(b))


def matched_tokens(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    total = 0
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            alo, blo, total = alo + 1, blo + 1, total + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi, total = ahi - 1, bhi - 1, total + 1
        if alo == ahi or blo == bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if not anchors:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            total += sum(m.size for m in matcher.get_matching_blocks())
            continue
        pa, pb = alo, blo
        for i, j in anchors:
            stack.append((pa, i, pb, j))
            pa, pb, total = i + 1, j + 1, total + 1
        stack.append((pa, ahi, pb, bhi))
    return total


def _unique_anchors(
    a: Sequence[Hashable], alo: int, ahi: int, b: Sequence[Hashable], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Positions of tokens unique in both ranges, longest run in the same order."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of ``pairs`` (sorted by first) increasing in second."""
    tails: list[int] = []  # smallest j ending a run of each length
    tail_index: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[pos] = j
            tail_index[pos] = k
        back.append(tail_index[pos - 1] if pos else -1)
    run: list[tuple[int, int]] = []
    k = tail_index[-1] if tail_index else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]
