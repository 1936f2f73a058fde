"""Single-character mojibake that ftfy leaves alone.

A Windows-1252 file opened as Mac Roman turns ``can’t`` into ``canít`` and ``—`` into
``ó``; a Mac Roman file opened as Windows-1252 turns ``can’t`` into ``canÕt``. Each bad
character is a real letter, so no byte-level rule can tell ``canít`` from ``Ramírez``.

We decide per word: a word is *fixed* when its repaired form is a real word and its
current form is not (``canít`` → ``can’t``); it is *kept* when the reverse holds
(``café``, ``Señora``). A document-level vote then decides the words that prove
nothing either way (a lone ``ó`` between spaces), so a Spanish ``ó`` in an otherwise
clean story is never touched.

>>> from ficarchive.rescue.log import RescueLog
>>> repair("He canít stop. Wasnít it?", RescueLog())
'He can’t stop. Wasn’t it?'
>>> repair("José ordered a café, Señora.", RescueLog())
'José ordered a café, Señora.'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.words import is_word, zipf

# A document needs this many words proven wrong, and this many times more proven wrong
# than proven right, before the words that prove nothing (a lone ``ó``) are changed too.
MIN_VOTES_FOR_AMBIGUOUS = 3
VOTE_RATIO_FOR_AMBIGUOUS = 5

_PUNCTUATION = frozenset("’‘“”—–…•")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


@dataclass(frozen=True)
class Direction:
    kind: str
    table: dict[int, str]
    token: re.Pattern[str]


def _direction(kind: str, read_as: str, written_in: str) -> Direction:
    table: dict[int, str] = {}
    for byte in range(0x80, 0x100):
        seen = bytes([byte]).decode(read_as, errors="replace")
        meant = bytes([byte]).decode(written_in, errors="replace")
        if seen != meant and "\ufffd" not in (seen, meant) and meant.isprintable():
            table[ord(seen)] = meant
    chars = "".join(re.escape(chr(c)) for c in table)
    return Direction(kind, table, token_pattern(f"[{chars}]"))


def token_pattern(char: str) -> re.Pattern[str]:
    r"""``\S*CHAR\S*`` (a token with a character of the class `char` in it), tried only
    where such a match can start: a token's start, or a space after a token (a class
    that holds a space, as no-break space, matches there). Tried everywhere, a long
    token was scanned again from each of its characters: quadratic.

    >>> token_pattern("[é]").findall("a café, résumé\xa0b")
    ['café,', 'résumé']
    >>> token_pattern("[\xa0é]").findall("a café\xa0b")
    ['café\xa0b']
    """
    return re.compile(rf"(?<!\S)\S*{char}\S*|(?<=\S)(?=\s){char}\S*")


DIRECTIONS = (
    _direction("mojibake: Windows-1252 read as Mac Roman", "mac_roman", "sloppy-windows-1252"),
    _direction("mojibake: Mac Roman read as Windows-1252", "sloppy-windows-1252", "mac_roman"),
)


def _verdict(token: str, candidate: str, table: dict[int, str]) -> str:
    """'fix', 'keep' or 'unsure' for one whitespace-delimited token."""
    suspect = {chr(c) for c in table}
    # a lone accented letter ("ó", "î") proves nothing: word lists are full of them
    before = [w for w in _WORD.findall(token) if suspect & set(w) and len(w) > 1]
    after = [w for w in _WORD.findall(candidate) if w not in _WORD.findall(token)]
    if _short_split(candidate, token):
        return "unsure"
    before_known = bool(before) and all(is_word(w) for w in before)
    after_known = all(is_word(w) for w in after)
    if (
        before
        and not any(is_word(w) for w in before)
        and after_known
        and (after or _only_punctuation(token, candidate))
    ):
        return "fix"
    if before_known and not (after and after_known):
        return "keep"
    if before_known and after and after_known and _more_common(after, before):
        return "likely"  # "cafÈ" is in the word list, but "café" far more often
    return "unsure"


def _more_common(after: list[str], before: list[str]) -> bool:
    return min(zipf(w) for w in after) >= max(zipf(w) for w in before) + LIKELY_ZIPF_MARGIN


# Where both forms are words, the repaired one must be this much more common (Zipf
# scale: 1.0 is ten times) to be changed, and only when the document's vote says so.
LIKELY_ZIPF_MARGIN = 1.0
# A dash that the repair puts between two letters must split the word into two real
# words of at least this length ("ran—fast"); "pi–on" is "piñon" in Spanish.
MIN_DASH_SPLIT = 3


def _short_split(candidate: str, token: str) -> bool:
    for i, (a, b) in enumerate(zip(token, candidate, strict=True)):
        if a != b and b in "—–" and 0 < i < len(candidate) - 1:
            left = re.findall(r"[^\W\d_]+$", candidate[:i])
            right = re.findall(r"^[^\W\d_]+", candidate[i + 1 :])
            if left and right and min(len(left[0]), len(right[0])) < MIN_DASH_SPLIT:
                return True
    return False


def _only_punctuation(token: str, candidate: str) -> bool:
    """Every change makes punctuation, and none of it sits between two letters."""
    changed = [i for i, (a, b) in enumerate(zip(token, candidate, strict=True)) if a != b]
    if not changed or any(candidate[i] not in _PUNCTUATION for i in changed):
        return False
    return not any(
        0 < i < len(token) - 1
        and token[i - 1].isalpha()
        and token[i + 1].isalpha()
        and candidate[i] not in "’‘"
        for i in changed
    )


def _plan(text: str, direction: Direction) -> tuple[list[tuple[int, int, str]], int, int]:
    fixes: list[tuple[int, int, str]] = []
    unsure: list[tuple[int, int, str]] = []
    kept = 0
    for match in direction.token.finditer(text):
        token = match.group()
        candidate = token.translate(direction.table)
        verdict = _verdict(token, candidate, direction.table)
        if verdict == "fix":
            fixes.append((match.start(), match.end(), candidate))
        elif verdict == "keep":
            kept += 1
        elif verdict == "likely" or _only_punctuation(token, candidate):
            unsure.append((match.start(), match.end(), candidate))
    confirmed = len(fixes)
    if confirmed >= MIN_VOTES_FOR_AMBIGUOUS and confirmed >= VOTE_RATIO_FOR_AMBIGUOUS * kept:
        fixes = sorted(fixes + unsure)
    return fixes, confirmed, kept


def repair(text: str, log: RescueLog) -> str:
    """Fix single-character mojibake in whichever direction the words vote for."""
    if text.isascii():
        return text
    best: tuple[list[tuple[int, int, str]], int, int] | None = None
    best_direction = DIRECTIONS[0]
    for direction in DIRECTIONS:
        plan = _plan(text, direction)
        if plan[1] > plan[2] and (best is None or plan[1] > best[1]):
            best, best_direction = plan, direction
    if best is None:
        return text
    fixes, confirmed, kept = best
    changes: Counter[tuple[str, str]] = Counter()
    out: list[str] = []
    pos = 0
    for start, end, candidate in fixes:
        out.append(text[pos:start])
        out.append(candidate)
        for a, b in zip(text[start:end], candidate, strict=True):
            if a != b:
                changes[(a, b)] += 1
        pos = end
    out.append(text[pos:])
    for (a, b), n in changes.most_common():
        log.repair(best_direction.kind, a, b, n)
    log.note(
        "encoding",
        f"{best_direction.kind}: {confirmed} words read right only when repaired, "
        f"{kept} read right as they were",
    )
    return "".join(out)
