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
#: rules, which were written for these shapes; the learned reader measures 97.5-100% per
#: shape (93-99% before its regularisation was chosen on left-out collections).
BODY_PASS = 0.95
#: Degraded antennapedia: share of works whose scene-break count is exactly the gold count.
#: Was 0.95 under the rules; the learned reader measures 94-100% per shape.
SCENE_BREAKS_EXACT = 0.92
#: Clean originals (the .md files as they are): share rescued with no repair at all.
CLEAN_ZERO_REPAIRS = 1.0
#: Real collections, as found: the share of files right on each field, per collection
#: (``title``/``authors`` against the collection's own metadata where the file gives the
#: field; the rest against the hand annotations). Pinned five points below what the shipped
#: labeller measured on 2026-12-02, so a change that makes rescue worse on real files fails
#: the gate. Pinned again the same day from the model regularised on left-out collections
#: (docs/structure.md): it scores lower on the annotated files it is trained on (body start
#: on textfiles-sf's 15 files 100 -> 67 %) and higher on collections it has not seen;
#: `ISSUE_TARGETS` are where the issue wants them, printed beside them in docs/quality.md.
REAL: dict[tuple[str, str], float] = {
    ("usenet-startrek", "story"): 0.93,
    ("usenet-startrek", "title"): 0.53,
    ("usenet-startrek", "authors"): 0.72,
    ("usenet-startrek", "title (annotated)"): 0.69,
    ("usenet-startrek", "authors (annotated)"): 0.73,
    ("usenet-startrek", "body start"): 0.86,
    ("usenet-startrek", "body end"): 0.85,
    ("usenet-startrek", "scene breaks"): 0.37,
    ("usenet-startrek", "chapters"): 0.78,
    ("usenet-startrek", "end mark"): 0.69,
    ("tmffa", "story"): 0.87,
    ("tmffa", "title"): 0.43,
    ("tmffa", "authors"): 0.38,
    ("tmffa", "title (annotated)"): 0.68,
    ("tmffa", "authors (annotated)"): 0.55,
    ("tmffa", "body start"): 0.76,
    ("tmffa", "body end"): 0.80,
    ("tmffa", "scene breaks"): 0.62,
    ("tmffa", "chapters"): 0.85,
    ("tmffa", "end mark"): 0.90,
    ("textfiles-stories", "story"): 0.85,
    ("textfiles-stories", "title"): 0.65,
    ("textfiles-stories", "authors"): 0.64,
    ("textfiles-stories", "title (annotated)"): 0.79,
    ("textfiles-stories", "authors (annotated)"): 0.67,
    ("textfiles-stories", "body start"): 0.86,
    ("textfiles-stories", "body end"): 0.87,
    ("textfiles-stories", "scene breaks"): 0.74,
    ("textfiles-stories", "chapters"): 0.88,
    ("textfiles-stories", "end mark"): 0.82,
    ("textfiles-sf", "story"): 0.85,
    ("textfiles-sf", "title"): 0.42,
    ("textfiles-sf", "authors"): 0.38,
    ("textfiles-sf", "title (annotated)"): 0.64,
    ("textfiles-sf", "authors (annotated)"): 0.45,
    ("textfiles-sf", "body start"): 0.61,
    ("textfiles-sf", "body end"): 0.75,
    ("textfiles-sf", "scene breaks"): 0.55,
    ("textfiles-sf", "chapters"): 0.61,
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
