"""Stories split across files by name alone, joined only where their rescued Works agree.

Names are weak evidence: ``fic1``…``fic7`` of a BBS are seven stories by four authors,
``quarter.c1``…``quarter.c19`` an anthology, while ``k.01``…``k.07`` or ``alk1.a`` and
``alk1.b`` are often one story. So the planning pass only *proposes*
(`plan_sequences`): files no stronger evidence grouped (a site's page, a chapter word in
the name, a ``Subject:`` part mark, a Next link) whose names in one folder differ only
in a trailing number or letter become one candidate group (``seq:``), in that order, with
an unnumbered ``story.txt`` first beside ``story2.txt``. A candidate is cut where the
numbers jump (`MAX_NAME_GAP`) and between two files a listing page names as stories of
different titles: the site lists them as two stories.

The worker rescues every file of a candidate and joins consecutive ones only when their
Works say so (`split_runs`, on the Work's fields — title, authors, the first and last
chapter headings — never on the raw text). Each piece of evidence has a weight: the
same title (part marks aside) or a chapter number that goes on from the last one are
strong; the same author is weak (authors write many stories); a different title or
author counts against, and so does numbering that starts again. Files are joined when
the evidence adds up to `JOIN_SCORE`, and only stories (`Work.looks_like_story`): yearly
reviews share a title and an author as the parts of a story do. Each work says why it
was joined or kept apart in its diagnostics (kind ``sequence``).
"""

from __future__ import annotations

import itertools
import posixpath
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ficarchive.work import Diagnostic, Work

GROUP_PREFIX = "seq:"

# Weights of the evidence between two consecutive files (see the module's docstring):
# a title or numbering that agrees says "one story" far more surely than an author does.
TITLE_AGREES = 2
NUMBER_GOES_ON = 4  # even against a title and an author read wrongly
AUTHORS_AGREE = 1
TITLE_DIFFERS = -1  # titles are noisy: a later part often leads with its chapter's name
AUTHORS_DIFFER = -1
NUMBER_STARTS_AGAIN = -3
# Joined at this score or more: one strong piece of evidence, nothing against it.
JOIN_SCORE = 2
# Names whose numbers jump by more than this are no sequence of parts (``ql_0493``,
# ``ql_1193`` are dated editions; ``burintrv.66``, ``.78``: years), though a part or two
# may be lost between them.
MAX_NAME_GAP = 3

_EXTENSION = re.compile(r"\.[A-Za-z]{2,4}$")  # ``.txt``, ``.asc``; not ``.01`` or ``.a``
_NUMBERED = re.compile(r"^(?P<stem>.*?[A-Za-z].*?)(?P<n>\d{1,4})(?P<letter>[a-z]?)$", re.I)
_LETTERED = re.compile(r"^(?P<stem>.*?[A-Za-z].*?[A-Za-z0-9])[._\-](?P<letter>[a-z])$", re.I)
_SEPARATORS = "._- "

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5, "sixth": 6, "prologue": 0,
}  # fmt: skip
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_MARK = re.compile(
    r"(?:\b(?:chapter|chap|ch|part|pt|episode|ep|book|volume|vol|act|issue|number|no)\.?"
    r"\s*#?\s*(?P<n>\d{1,3}|[ivxlc]{1,7}|" + "|".join(_WORDS) + r")\b"
    r"|[(\[]\s*(?P<n2>\d{1,3})[a-z]?\s*(?:(?:/|of)\s*\d{0,3}\s*)?(?:[)\]]|$)"
    r"|#\s*(?P<n3>\d{1,3})\b"
    r"|\b(?P<n4>prologue)\b)",
    re.I,
)
_PUNCT = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Numbered:
    """Where a file's name puts it in a sequence: its key among siblings and its place."""

    sequence: str
    n: int
    letter: str


def numbered(key: str) -> Numbered | None:
    """The sequence a file's name puts it in, or None.

    >>> numbered("t/k.07"), numbered("t/alk1.b").letter, numbered("x/guyver_muyo02.txt").n
    (Numbered(sequence='t/k|', n=7, letter=''), 'b', 2)
    >>> numbered("14.lws") is None, numbered("story.txt") is None
    (True, True)
    """
    folder, name = posixpath.split(key)
    ext = _EXTENSION.search(name)
    base = name[: ext.start()] if ext else name
    suffix = ext[0].lower() if ext else ""
    found = _NUMBERED.match(base)
    if found:
        stem = found["stem"].rstrip(_SEPARATORS).lower()
        n, letter = int(found["n"]), found["letter"].lower()
    elif lettered := _LETTERED.match(base):
        stem, n, letter = lettered["stem"].lower() + "@", 0, lettered["letter"].lower()
    else:
        return None
    return Numbered(f"{folder}/{stem}|{suffix}" if folder else f"{stem}|{suffix}", n, letter)


def unnumbered(key: str) -> str:
    """The sequence an unnumbered ``story.txt`` would head (``story2.txt``'s)."""
    folder, name = posixpath.split(key)
    ext = _EXTENSION.search(name)
    base = (name[: ext.start()] if ext else name).rstrip(_SEPARATORS).lower()
    suffix = ext[0].lower() if ext else ""
    return f"{folder}/{base}|{suffix}" if folder else f"{base}|{suffix}"


# -- planning ---------------------------------------------------------------------------------


def plan_sequences(db: sqlite3.Connection) -> None:
    """Candidate groups of files in sequence by name, among files still on their own."""
    db.execute("DROP TABLE IF EXISTS temp.seq")
    db.execute("CREATE TEMP TABLE seq (key TEXT, sequence TEXT, n INTEGER, letter TEXT)")
    alone = db.execute("SELECT key FROM files WHERE grp = key AND is_index = 0")
    while batch := [str(k) for (k,) in alone.fetchmany(1000)]:  # never the whole list
        rows = []
        for key in batch:
            found = numbered(key)
            rows.append((key, found.sequence, found.n, found.letter) if found else
                        (key, unnumbered(key), -1, ""))  # fmt: skip
        db.executemany("INSERT INTO seq VALUES (?, ?, ?, ?)", rows)
    db.execute("CREATE INDEX temp.seq_sequence ON seq (sequence)")
    db.execute(  # a sequence has a numbered file and one more (``story.txt`` may head it)
        "DELETE FROM seq WHERE sequence NOT IN "
        "(SELECT sequence FROM seq GROUP BY sequence HAVING count(*) >= 2 AND max(n) >= 0)"
    )
    members = db.execute(
        """SELECT s.sequence, s.key, s.n, (SELECT h.title FROM hints h WHERE h.target = s.key
             AND h.rank = 1 ORDER BY h.weight DESC LIMIT 1)
           FROM seq s ORDER BY s.sequence, s.n, s.letter, s.key"""
    )
    for sequence, group in itertools.groupby(members, key=lambda r: str(r[0])):
        listed = [Member(str(k), int(n), t) for _, k, n, t in group]
        for i, run in enumerate(_runs(listed)):
            if len(run) >= 2:
                db.executemany(
                    "UPDATE files SET grp = ?, part = ? WHERE key = ?",
                    [(f"{GROUP_PREFIX}{sequence}#{i + 1}", n, k) for n, k in enumerate(run, 1)],
                )
    db.execute("DROP TABLE temp.seq")


@dataclass(frozen=True)
class Member:
    key: str
    n: int  # the number in its name (-1: none, 0: a letter)
    listed: str | None  # the title a listing gives it


def _runs(members: list[Member]) -> Iterator[list[str]]:
    """The members cut where their names jump (`MAX_NAME_GAP`) and where the site's
    listings name two of them as different stories."""
    run = [members[0].key]
    for before, member in itertools.pairwise(members):
        if _cut(before, member):
            yield run
            run = []
        run.append(member.key)
    yield run


def _cut(before: Member, member: Member) -> bool:
    if before.n >= 0 and member.n - before.n > MAX_NAME_GAP:
        return True
    titles = bare_title(before.listed), bare_title(member.listed)
    return all(titles) and not _titles_agree(*titles)


# -- the worker: does the text say they are one story? ----------------------------------------


def _number(text: str | None) -> int | None:
    """The chapter or part number a heading or title carries (``Chapter II``: 2)."""
    if not text:
        return None
    found = _MARK.search(text)
    if found is None:
        return None
    said = next(g for g in found.groups() if g is not None).lower()
    if said.isdigit():
        return int(said)
    if said in _WORDS:
        return _WORDS[said]
    values = [_ROMAN[c] for c in said]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def bare_title(title: str | None) -> str:
    """A title without its part marks, case or punctuation.

    >>> bare_title("Nigel The Hedgehog, part one") == bare_title("Nigel the Hedgehog")
    True
    """
    text = _MARK.sub(" ", title or "")
    return " ".join(_PUNCT.sub(" ", text).casefold().split())


def _titles_agree(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    return len(shorter.split()) >= 2 and longer.startswith(shorter + " ")


def _last_number(work: Work) -> int | None:
    numbers = [_number(c.title) for c in work.chapters]
    return next((n for n in reversed(numbers) if n is not None), _number(work.title))


def _first_number(work: Work) -> int | None:
    numbers = [_number(c.title) for c in work.chapters]
    return next((n for n in numbers if n is not None), _number(work.title))


@dataclass(frozen=True)
class Verdict:
    score: int
    why: tuple[str, ...]

    @property
    def join(self) -> bool:
        return self.score >= JOIN_SCORE


def continues(before: Work, after: Work) -> Verdict:
    """Whether `after` (the next file by name) goes on with the story of `before`.
    Only stories are joined by name: yearly reviews or a FAQ's editions share a title
    and an author as the parts of a story do."""
    if not (before.looks_like_story and after.looks_like_story):
        return Verdict(0, ("not both stories",))
    score, why = 0, []
    a, b = bare_title(before.title), bare_title(after.title)
    if a and b:
        agree = _titles_agree(a, b)
        score += TITLE_AGREES if agree else TITLE_DIFFERS
        why.append("the same title" if agree else f"titles differ (“{after.title}”)")
    names_a = {" ".join(n.casefold().split()) for n in before.authors}
    names_b = {" ".join(n.casefold().split()) for n in after.authors}
    if names_a and names_b:
        agree = bool(names_a & names_b)
        score += AUTHORS_AGREE if agree else AUTHORS_DIFFER
        why.append("the same author" if agree else "authors differ")
    last, first = _last_number(before), _first_number(after)
    if first is not None and last is not None and first == last + 1:
        score += NUMBER_GOES_ON
        why.append(f"its numbering goes on ({last}, then {first})")
    elif first is not None and first <= 1 and last is not None and last >= 1:
        score += NUMBER_STARTS_AGAIN
        why.append(f"its numbering starts again ({first} after {last})")
    elif first is not None and last is not None and first > last + 1:
        why.append(f"its numbering jumps ({last}, then {first}): parts may be missing")
    return Verdict(score, tuple(why))


def story_title(work: Work) -> Work:
    """A work joined from numbered files titled without its first part's mark; the first
    file's title is kept in a diagnostic.

    >>> story_title(Work(title="Nigel the Hedgehog, part one")).title
    'Nigel the Hedgehog'
    """
    if not work.title:
        return work
    title = _MARK.sub(" ", work.title)
    title = " ".join(title.split()).strip(" ,;:-–—")
    if not title or title == work.title:
        return work
    said = f"title without its part mark; the first file says “{work.title}”"
    note = Diagnostic("sequence", said)
    return work.evolve(title=title, diagnostics=(*work.diagnostics, note))


def split_runs(parts: Sequence[tuple[str, Work]]) -> list[list[tuple[str, Work]]]:
    """The rescued files of a candidate group cut where the Works do not go on, each
    kept work noting why it was joined or kept apart (kind ``sequence``)."""
    runs: list[list[tuple[str, Work]]] = [[parts[0]]]
    for (key_a, work_a), (key_b, work_b) in itertools.pairwise(parts):
        verdict = continues(work_a, work_b)
        said = "; ".join(verdict.why) or "nothing in either file says so"
        if verdict.join:
            note = Diagnostic("sequence", f"{key_b} joined as the next part of {key_a}: {said}")
            runs[-1].append((key_b, _noted(work_b, note)))
        else:
            note = Diagnostic(
                "sequence", f"kept apart from {key_a}, the file before it by name: {said}"
            )
            runs.append([(key_b, _noted(work_b, note))])
    return runs


def _noted(work: Work, note: Diagnostic) -> Work:
    return work.evolve(diagnostics=(*work.diagnostics, note))
