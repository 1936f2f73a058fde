"""What an archivist should check: the fields rescue is least sure of.

Every rescued Work carries a calibrated probability for each field it inferred and for
every scene break and chapter boundary (`Work.confidence`). A field below `REVIEW_BELOW`
is a *doubt*; works are reviewed doubt first, so the archivist checks the uncertain few,
not all.

>>> from ficarchive.work import Confidence, Work
>>> work = Work(title="Bells", confidence=Confidence({"title": 0.41, "authors": 0.97}, (0.55,)))
>>> [str(d) for d in doubts(work)]
['title (41% sure)', 'scene break 1 (55% sure)']
>>> lowest(work)
0.41
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ficarchive.work import Work

# Below this probability a field is worth a look. The probabilities are calibrated on
# collections the model never saw, but not to exact odds (docs/structure.md): they order
# works by doubt better than they say how often a field is wrong.
REVIEW_BELOW = 0.6

PLAIN_NAMES = {
    "title": "title",
    "authors": "authors",
    "body_start": "where the story starts",
    "body_end": "where the story ends",
}


@dataclass(frozen=True, order=True)
class Doubt:
    probability: float
    what: str

    def __str__(self) -> str:
        return f"{self.what} ({100 * self.probability:.0f}% sure)"


def all_confidences(work: Work) -> list[Doubt]:
    """Every inferred thing and how sure rescue is of it, in reading order."""
    sure = work.confidence
    if sure is None:
        return []
    found = [Doubt(p, PLAIN_NAMES.get(name, name)) for name, p in sure.fields.items()]
    found += [Doubt(p, f"scene break {n}") for n, p in enumerate(sure.breaks, 1)]
    found += [Doubt(p, f"chapter {n + 1} starts") for n, p in enumerate(sure.chapters, 1)]
    return found


def doubts(work: Work, below: float = REVIEW_BELOW) -> list[Doubt]:
    """The things rescue is less sure of than `below`, in reading order."""
    return [d for d in all_confidences(work) if d.probability < below]


def lowest(work: Work) -> float:
    """The probability of the least sure thing (1.0 when nothing was inferred)."""
    return min((d.probability for d in all_confidences(work)), default=1.0)


def review_order(
    works: Iterable[tuple[int, Work]], below: float = REVIEW_BELOW
) -> list[tuple[int, Work, list[Doubt]]]:
    """The works with a doubt, least sure first (ties by id)."""
    chosen = [(key, work, doubts(work, below)) for key, work in works]
    flagged = [entry for entry in chosen if entry[2]]
    return sorted(flagged, key=lambda entry: (lowest(entry[1]), entry[0]))
