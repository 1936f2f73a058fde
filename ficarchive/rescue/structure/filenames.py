"""Whether a line is what the file is named after.

Old archives named a story's file by cutting its title down: the first letters of some
words, the whole of others, the small words left out (``nnfalovecmo03.txt`` for "No Need
for A Love to Call My Own", ``gentle_r-imp_t.txt`` for "Gentle Ryoko, Impetuous Tenchi",
``uw.txt`` for "The Ultimate Weapon"). A line the file name abbreviates that way is
likely the title; the labeller weighs it as one feature beside the others.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

# Words a file name leaves out anywhere; any other word may be left out only after the
# last one it takes from ("lems_life" for "Lem's Life - The War of the Muffins").
_SMALL = frozenset(
    ["a", "an", "the", "of", "to", "for", "and", "or", "in", "on", "at", "by", "with", "from"]
)
# Shorter stems say too little ("a", "tm"), longer ones are not cut from a title line.
MIN_LETTERS = 3
MAX_LETTERS = 40
MAX_WORDS = 12
_LETTER = re.compile(r"[a-z]+")
_EXTENSION = re.compile(r"\.(?:txt|html?|asc|doc|text|sf|story|fic)$", re.I)


def file_letters(name: str) -> str:
    """The letters of a file's name without its extension, folder, digits and separators.

    >>> file_letters("m/nnfa-love-cmo03.txt"), file_letters("UW.TXT")
    ('nnfalovecmo', 'uw')
    """
    stem = _EXTENSION.sub("", Path(name).name).lower()
    letters = "".join(_LETTER.findall(stem))
    return letters if MIN_LETTERS <= len(letters) <= MAX_LETTERS or len(letters) == 2 else ""


def abbreviates(text: str, letters: str) -> bool:
    """Whether `letters` (a file's, from `file_letters`) is `text` cut down word by word:
    each word gives a beginning of itself (or nothing, if it is a small word or comes
    after the last word that gave something), in order, and together they spell it.

    >>> abbreviates("No Need for A Love to Call My Own", "nnfalovecmo")
    True
    >>> abbreviates("The Ultimate Weapon", "uw"), abbreviates("His eyes were blue", "eyes")
    (True, False)
    """
    if not letters:
        return False
    words = tuple("".join(_LETTER.findall(w)) for w in text.lower().split())
    words = tuple(w for w in words if w)
    if not words or len(words) > MAX_WORDS:
        return False
    return _spells(words, letters)


@lru_cache(maxsize=4096)
def _spells(words: tuple[str, ...], letters: str) -> bool:
    # reach[j]: the first j letters are spelt by the words so far (the last word that gave
    # something being any of them); `done` is reach[len] after some word gave the last letter.
    n = len(letters)
    reach = [True] + [False] * n
    for word in words:
        new = [False] * (n + 1)
        for j in range(n + 1):
            if not reach[j]:
                continue
            if word in _SMALL or j == n:
                new[j] = True  # left out
            k = 0
            while k < len(word) and j + k < n and word[k] == letters[j + k]:
                k += 1
                new[j + k] = True
        reach = new
        if not any(reach):
            return False
    return reach[n]
