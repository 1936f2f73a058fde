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
#: Degraded antennapedia: share of works whose body passes. Was 0.98 under the hand-ordered
#: rules, which were written for these shapes; the learned reader measures 93-99% per
#: shape and 35-60 points more than the rules on the real collections' body start.
BODY_PASS = 0.91
#: Degraded antennapedia: share of works whose scene-break count is exactly the gold count.
#: Was 0.95 under the rules; the learned reader measures 94-100% per shape.
SCENE_BREAKS_EXACT = 0.92
#: Clean originals (the .md files as they are): share rescued with no repair at all.
CLEAN_ZERO_REPAIRS = 1.0
#: Real collections, as found: the share of files right on each field, per collection
#: (``title``/``authors`` against the collection's own metadata where the file gives the
#: field; the rest against the hand annotations). Pinned five points below what the shipped
#: labeller measured on 2026-12-02, so a change that makes rescue worse on real files fails
#: the gate;
#: `ISSUE_TARGETS` are where the issue wants them, printed beside them in docs/quality.md.
REAL: dict[tuple[str, str], float] = {
    ("usenet-startrek", "story"): 0.93,
    ("usenet-startrek", "title"): 0.50,
    ("usenet-startrek", "authors"): 0.71,
    ("usenet-startrek", "title (annotated)"): 0.76,
    ("usenet-startrek", "authors (annotated)"): 0.75,
    ("usenet-startrek", "body start"): 0.90,
    ("usenet-startrek", "body end"): 0.89,
    ("usenet-startrek", "scene breaks"): 0.38,
    ("usenet-startrek", "chapters"): 0.81,
    ("usenet-startrek", "end mark"): 0.69,
    ("tmffa", "story"): 0.87,
    ("tmffa", "title"): 0.41,
    ("tmffa", "authors"): 0.39,
    ("tmffa", "title (annotated)"): 0.77,
    ("tmffa", "authors (annotated)"): 0.61,
    ("tmffa", "body start"): 0.85,
    ("tmffa", "body end"): 0.89,
    ("tmffa", "scene breaks"): 0.62,
    ("tmffa", "chapters"): 0.87,
    ("tmffa", "end mark"): 0.91,
    ("textfiles-stories", "story"): 0.83,
    ("textfiles-stories", "title"): 0.61,
    ("textfiles-stories", "authors"): 0.62,
    ("textfiles-stories", "title (annotated)"): 0.82,
    ("textfiles-stories", "authors (annotated)"): 0.73,
    ("textfiles-stories", "body start"): 0.88,
    ("textfiles-stories", "body end"): 0.91,
    ("textfiles-stories", "scene breaks"): 0.74,
    ("textfiles-stories", "chapters"): 0.91,
    ("textfiles-stories", "end mark"): 0.82,
    ("textfiles-sf", "story"): 0.85,
    ("textfiles-sf", "title"): 0.36,
    ("textfiles-sf", "authors"): 0.41,
    ("textfiles-sf", "title (annotated)"): 0.64,
    ("textfiles-sf", "authors (annotated)"): 0.45,
    ("textfiles-sf", "body start"): 0.95,
    ("textfiles-sf", "body end"): 0.88,
    ("textfiles-sf", "scene breaks"): 0.48,
    ("textfiles-sf", "chapters"): 0.68,
    ("textfiles-sf", "end mark"): 0.88,
}
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
