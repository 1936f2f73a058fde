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
#: usenet-startrek: share of stories (with an author in the description) whose author
#: is found.
USENET_AUTHOR_FOUND = 0.90
#: usenet-startrek: share of described files (ambiguous ones aside) judged story or not
#: rightly by ``Work.looks_like_story``.
USENET_STORY_RIGHT = 0.95
