"""Is this a real word? A word-frequency check backed by wordfreq's English list.

Used to decide, word by word, whether a character is mojibake (``canít`` is not a word,
``can’t`` is) and which code page yields real words.
"""

from __future__ import annotations

import math
from functools import lru_cache

import wordfreq

# Zipf 1.5 is about once in 30 million words: low enough to know rare names and
# archaic words, high enough that the junk mojibake makes (``canít``) is never found.
MIN_ZIPF = 1.5
_MIN_FREQUENCY = 10 ** (MIN_ZIPF - 9)


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    table: dict[str, float] = wordfreq.get_frequency_dict("en", wordlist="best")
    return table


_PARTICLES = frozenset(
    {"de", "van", "von", "la", "le", "da", "del", "di", "du", "der", "den", "ter", "y", "bin", "al"}
)
# A one-word "author" more common than this is a word of the title ("Back by Teatime").
NAME_MAX_ZIPF = 2.0


def looks_like_name(text: str) -> bool:
    """Whether the part after "by" in "Title by X" can be a name.

    >>> looks_like_name("antennapedia"), looks_like_name("Tanya Dean"), looks_like_name("Teatime")
    (True, True, False)
    """
    words = text.split()
    if not 1 <= len(words) <= 5 or any(ch in text for ch in "[]{}<>|@"):
        return False
    if len(words) == 1:
        return wordfreq.zipf_frequency(words[0].lower(), "en") < NAME_MAX_ZIPF
    # a full name: every word capitalised, but for the particles of surnames
    return all(w[:1].isupper() or w.lower() in _PARTICLES or w in ("&", "and") for w in words)


def zipf(word: str) -> float:
    """How common an English word is, on the Zipf scale (0 unknown, 7 "the")."""
    frequency = _frequencies().get(word.lower().replace("’", "'"), 0.0)
    return 9 + math.log10(frequency) if frequency > 0 else 0.0


def is_word(word: str) -> bool:
    """True when `word` (any case; curly or straight apostrophes) is a known English word.

    >>> is_word("can’t"), is_word("canít"), is_word("café")
    (True, False, True)
    """
    key = word.lower().replace("’", "'")
    return _frequencies().get(key, 0.0) >= _MIN_FREQUENCY
