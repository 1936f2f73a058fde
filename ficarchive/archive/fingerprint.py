"""Near-duplicate texts: a 64-bit SimHash of word shingles, compared by Hamming distance.

A re-post, the same story in another encoding or with another header, or a lightly
corrected version differ in a few bits; different stories differ in about half. The
four 16-bit bands of a fingerprint are indexed, so candidates are found by lookup (two
fingerprints within distance 3 share at least one band) and then checked exactly.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

# Fingerprints this close (of 64 bits) are near-duplicates.
NEAR_DUPLICATE_BITS = 3
SHINGLE = 3
# Long texts keep one shingle in SAMPLE_ONE_IN, chosen by the shingle's own hash, so two
# copies keep the same shingles wherever a header pushed them: the cost stays small.
SAMPLE_FROM_WORDS = 400
SAMPLE_ONE_IN = 8
_WORD = re.compile(r"\w+")


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
    hashes = []
    for i in range(len(words) - SHINGLE + 1):
        shingle = " ".join(words[i : i + SHINGLE]).encode()
        h = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        if len(words) < SAMPLE_FROM_WORDS or h % SAMPLE_ONE_IN == 0:
            hashes.append(h)
    half = len(hashes) / 2
    return sum(1 << bit for bit in range(64) if sum(h >> bit & 1 for h in hashes) > half)


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
