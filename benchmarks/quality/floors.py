"""The quality floors: the one place they are pinned.

A change that takes any measured share below its floor fails
tests/test_quality_gate.py (and ``python -m benchmarks.quality --check``).  Shares
are per shape: each of the four degraded shapes of the 119 antennapedia stories must
reach the floor on its own, so one shape collapsing cannot hide behind the other three.
"""

from __future__ import annotations

#: Degraded antennapedia: share of works whose title is exactly the gold title.
TITLE_EXACT = 0.98
#: Degraded antennapedia: share of works whose only author is exactly the gold author.
AUTHOR_EXACT = 0.98
#: A work's body passes when its word-level similarity to the gold body is at least this.
BODY_SIMILARITY = 0.995
#: Degraded antennapedia: share of works whose body passes.
BODY_PASS = 0.98
#: Degraded antennapedia: share of works whose scene-break count is exactly the gold count.
SCENE_BREAKS_EXACT = 0.95
#: Clean originals (the .md files as they are): share rescued with no repair at all.
CLEAN_ZERO_REPAIRS = 1.0
#: Real collections, as found: the share of files right on each field, per collection
#: (``title``/``authors`` against the collection's own metadata where the file gives the
#: field; the rest against the hand annotations). Pinned a little below what the shipped
#: labeller measures, so a change that makes rescue worse on real files fails the gate;
#: `ISSUE_TARGETS` are where the issue wants them, printed beside them in docs/quality.md.
REAL: dict[tuple[str, str], float] = {}
ISSUE_TARGETS = {
    "title": 0.90,
    "authors": 0.93,
    "title (annotated)": 0.90,
    "authors (annotated)": 0.93,
    "body start": 0.90,
    "body end": 0.90,
    "scene breaks": 0.85,
    "story": 0.97,
}
