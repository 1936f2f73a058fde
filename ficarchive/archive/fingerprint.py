"""Near-duplicate texts: a 64-bit SimHash of word shingles, compared by Hamming distance.

A re-post, the same story in another encoding or with another header, or a lightly
corrected version differ in a few bits; different stories differ in about half. The
four 16-bit bands of a fingerprint are indexed, so candidates are found by lookup (two
fingerprints within distance 3 share at least one band) and then checked exactly.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable

# Fingerprints this close (of 64 bits) are near-duplicates.
NEAR_DUPLICATE_BITS = 3
SHINGLE = 3
# Long texts keep one shingle in SAMPLE_ONE_IN, chosen by the shingle's own hash, so two
# copies keep the same shingles wherever a header pushed them: the cost stays small.
SAMPLE_FROM_WORDS = 400
SAMPLE_ONE_IN = 16
_WORD = re.compile(r"\w+")
_SEED = 0x5EED5EED  # a second CRC, seeded, gives the high 32 bits


def simhash(text: str) -> int:
    """The SimHash of `text`'s word 3-shingles (0 for a text too short to have any).

    >>> a = simhash("the lamps along the harbour wall went out one by one that night")
    >>> b = simhash("The lamps along the harbour wall went out, one by one, that night!")
    >>> distance(a, b)
    0
    """
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE:
        return 0
    starts: range | list[int] = range(len(words) - SHINGLE + 1)
    if len(words) >= SAMPLE_FROM_WORDS:
        # shingles starting at one word in SAMPLE_ONE_IN, chosen by the word itself, so a
        # copy with a longer header keeps the same shingles
        word_hash: dict[str, int] = {}
        for word in set(words):
            word_hash[word] = zlib.crc32(word.encode())
        starts = [i for i in starts if word_hash[words[i]] % SAMPLE_ONE_IN == 0]
    hashes = []
    for i in starts:
        shingle = " ".join(words[i : i + SHINGLE]).encode()
        hashes.append(zlib.crc32(shingle, _SEED) << 32 | zlib.crc32(shingle))
    half = len(hashes) / 2
    # count the set bits of each position across all hashes: as 64-character binary
    # strings, the columns are counted by zip and tuple.count, in C
    columns = zip(*(format(h, "064b") for h in hashes), strict=True)
    ones = [column.count("1") for column in columns]
    return sum(1 << (63 - i) for i, n in enumerate(ones) if n > half)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(fingerprint: int) -> tuple[int, int, int, int]:
    return tuple((fingerprint >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def signed(fingerprint: int) -> int:
    """As a signed 64-bit integer, the way SQLite and PostgreSQL store it."""
    return fingerprint - (1 << 64) if fingerprint >= 1 << 63 else fingerprint


def unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def near_matches(fingerprint: int, candidates: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """(id, distance) of the candidates (id, stored signed fingerprint) that are near.

    >>> near_matches(0b1011, [(1, 0b1000), (2, -1), (3, 0b1011)])
    [(1, 2), (3, 0)]
    """
    near = []
    for work_id, stored in candidates:
        bits = distance(fingerprint, unsigned(stored))
        if bits <= NEAR_DUPLICATE_BITS:
            near.append((int(work_id), bits))
    return near
