"""Is this a story? Reviews, FAQs, episode guides and book lists share the archives.

A score from named signals: prose paragraphs with dialogue and narration count for a
story; list lines, question-and-answer pairs, review and guide vocabulary in the title
count against. The reason is returned for the diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ficarchive.rescue.blocks import html_to_text

_NOT_STORY_TITLE = re.compile(
    r"\b(?:review|reviews|faq|frequently\s+asked|list(?:ing)?|guide|episode\s+(?:list|guide|"
    r"summar(?:y|ies))|synops[ie]s|summar(?:y|ies)\s+of|schedule|index|bibliography|"
    r"catalog(?:ue)?|trivia|quiz|glossary|dictionary|chronology|timeline|credits|ratings|"
    r"errata|bloopers|nitpick|annotated|checklist|poll|survey|rules|program|manual)\b",
    re.I,
)
_DIALOGUE = re.compile(r"[\"“][^\"”]{2,}[\"”]|''[^']{2,}''")
_NARRATION = re.compile(
    r"\b(?:he|she|they|his|her|i)\s+(?:was|had|said|looked|asked|felt|"
    r"turned|smiled|walked|thought|knew|could|would)\b",
    re.I,
)
_LIST_LINE = re.compile(
    r"^\s*(?:[-*•+]|\d{1,3}[.)]|[a-z][.)]|\(\d+\)|[A-Z]{2,}\s*[-:]|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}\b)"
)
_QA = re.compile(r"^\s*(?:q|a|question|answer)\s*[:.)]", re.I)
_REVIEW = re.compile(
    r"\b(?:stars?|rating|grade|out\s+of\s+(?:ten|10|five|5)|episode|"
    r"season|script|actor|actress|aired|airdate|director|writer|production)\b",
    re.I,
)

# Story score at or above which the text is called a story.
STORY_THRESHOLD = 0.0


@dataclass(frozen=True)
class Verdict:
    story: bool
    reason: str


def judge(title: str | None, subject: str | None, paragraphs: list[str]) -> Verdict:
    texts = [html_to_text(p) for p in paragraphs]
    lines = [line for t in texts for line in t.split("\n") if line.strip()]
    words = sum(len(t.split()) for t in texts)
    if words < 80:
        return Verdict(False, f"only {words} words of text")
    dialogue = sum(len(_DIALOGUE.findall(t)) for t in texts)
    narration = sum(len(_NARRATION.findall(t)) for t in texts)
    list_share = sum(1 for line in lines if _LIST_LINE.match(line)) / max(len(lines), 1)
    qa = sum(1 for line in lines if _QA.match(line))
    review_terms = sum(len(_REVIEW.findall(t)) for t in texts) / max(words / 1000, 1)
    score = (dialogue + narration) / max(words / 1000, 1) / 10 - 1.0
    reasons = [f"{dialogue} quoted speeches and {narration} narrative phrases in {words} words"]
    if list_share > 0.3:
        score -= list_share * 4
        reasons.append(f"{list_share:.0%} of lines are list items")
    if qa >= 4:
        score -= 2
        reasons.append(f"{qa} question/answer lines")
    if review_terms > 8:
        score -= 1
        reasons.append(f"{review_terms:.0f} review/episode-guide terms per 1000 words")
    for label in (title, subject):
        if label and _NOT_STORY_TITLE.search(label) and not re.search(r"\bstory\b", label, re.I):
            score -= 2
            reasons.append(f"the title says {label!r}")
            break
    story = score >= STORY_THRESHOLD
    return Verdict(story, ("reads as a story: " if story else "not a story: ") + "; ".join(reasons))
