"""Is this a story? Reviews, FAQs, episode guides and book lists share the archives.

`judge` reads the body as one text, measures a few signals, each a rate per 1000
words, and adds them up with round weights:

* for a story: quoted speech, past-tense narration (``said``, ``looked``) and
  third-person pronouns outside the quotes, and script format (recurring speakers
  taking dialogue turns: ``PICARD`` alone on a line, or ``Riker: Red alert!``);
* against: review vocabulary (``episode``, ``plot``, ``writers``), present-tense
  synopsis verbs (``says``, ``decides``), opinion phrases and smileys, digits (tables,
  dates, lists), and a title that says what the file is (``FAQ``, ``Episode Guide``).

Every rate goes through ``log1p`` so one very strong signal cannot drown the rest; the
weights were chosen by hand, guided by a logistic fit on half of a mixed collection of
old Usenet files. The reason names the strongest signals, for the diagnostics.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from ficarchive.rescue.blocks.block import html_to_text

# Only this much of the body is read (some 40,000 words): plenty to tell, and a huge
# file costs no more than a long story.
MAX_CHARS = 250_000
# Shorter than this, there is nothing to judge by.
MIN_WORDS = 80
# A speaker tag must recur this often to count as a cast member, not a one-off label.
MIN_SPEAKER_LINES = 3
# A script has at least three recurring speakers (an interview or a Q&A has two) ...
MIN_SPEAKERS = 3
# ... and at least one line in twenty is one of them talking to someone (``you``, ``I``,
# ``?``, ``!``); field labels in a list or table (``Origin: Vulcan``) never are.
MIN_DIALOGUE_TURNS = 0.05
# Story score at or above which the text is called a story.
STORY_THRESHOLD = 0.0

# Weights on the signals (log1p of a rate per 1000 words; script and title are 0 or 1).
# A typical story scores about +5, a typical episode review about -3.
WEIGHTS: dict[str, float] = {
    "speech": 1.0,
    "narration": 0.5,  # weaker than speech: reviews retell the plot in the past tense too
    "pronouns": 1.0,
    "script": 1.0,  # on top of its turns counting as speech
    "review": -1.5,
    "synopsis": -0.5,  # weak: present-tense stories use these verbs as well
    "opinion": -0.5,
    "digits": -0.5,
    "title": -1.0,
    "bias": -3.0,
}

# A quotation in any of the usual ASCII styles: "...", ``...'', `...', '...'.
# (Each alternative starts with its literal mark, so the scan stays fast.)
_QUOTE = re.compile(
    r'"[^"]{1,600}?"|``[^`]{1,600}?\'\'|`[^`\']{1,600}?\'|'
    r"'(?<![\w']')[A-Za-z](?:[^'\n]|'\w){0,600}?[.,!?-]'(?!\w)"
)
# Speech ends with punctuation inside the marks; a quoted title does not.
_SPEECH_END = re.compile(r"[.,!?-]\W{0,3}$")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NARRATION = _vocabulary(
    "said asked looked turned smiled nodded walked felt thought knew replied whispered "
    "shrugged sighed stared grinned frowned stood sat shook glanced paused"
)
_PRONOUNS = _vocabulary("he she him her his")
_SYNOPSIS = _vocabulary(
    "says tells asks decides finds goes gets tries realizes manages orders agrees refuses "
    "explains learns discovers arrives reveals wants sees leaves returns insists "
    "suggests"
)
_REVIEW = _vocabulary(
    "episode episodes synopsis spoiler spoilers plot writers writer actors actor script "
    "scripts season seasons characterization director directed directing rating viewers "
    "audience aired fans series show shows review reviews"
)
_OPINION = re.compile(
    r"I(?<!\wI) (?:think|liked|loved|hated|found|enjoyed|suspect|doubt|guess)\b|[:;]-?[()D]"
)
_OPINION_WORDS = _vocabulary("imho opinion favorite favourite")
# Speaker tags: ``Name: speech``, ``Name [aside]: speech``, ``NAME`` alone on a line
# with the speech on the next, ``NAME Speech``.
_SPEAKER = re.compile(
    r"^(?:(?P<name>[A-Za-z][\w.'-]{0,15}(?: [A-Z][\w.'-]{0,15})?)[ \t]*"
    r"(?:[\[(<][^\])>\n]{0,60}[\])>][ \t]*)?:(?!//)[ \t]*(?P<said>.*)"
    r"|(?P<cue>[A-Z][A-Z.'-]{1,15}(?: [A-Z][A-Z.'-]{1,15})?)[ \t]*(?:\([^)\n]{0,40}\))?"
    r"[ \t]*\n(?P<next>.*)"
    r"|(?P<lead>[A-Z][A-Z.'-]{2,15})[ \t]+(?P<rest>(?:[A-Z][a-z]|[A-Z]\b|--).*))",
    re.M,
)
_DIALOGUE = re.compile(r"\b(?:you|your|I|me|my|we)\b|[?!]")
_NOT_STORY_TITLE = re.compile(
    r"\b(?:reviews?|faql?|frequently\s+asked|list(?:ing)?s?|episode\s+(?:list|guide)|"
    r"synops[ie]s|schedule|bibliography|catalog(?:ue)?|trivia|quiz|glossary|dictionary|"
    r"chronology|timeline|compendium|encyclopa?edia|errata|nitpick|annotated|checklist|"
    r"technical\s+manual|drinking\s+game)\b",
    re.I,
)
_STORY_TITLE = re.compile(r"\b(?:story|fiction|fic|parody|chapter|drabble|novel)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    story: bool
    reason: str


def judge(title: str | None, subject: str | None, paragraphs: list[str]) -> Verdict:
    """Story or not, with the signals that decided it.

    >>> judge("Notes", None, ["Too short to tell."])
    Verdict(story=False, reason='only 4 words of text')
    """
    text = body_text(paragraphs)
    words = len(text.split())
    if words < MIN_WORDS:
        return Verdict(False, f"only {words} words of text")
    signals = measure(text, words)
    signals["title"] = title_signal(title, subject)
    parts = {name: WEIGHTS[name] * value for name, value in signals.items()}
    score = sum(parts.values()) + WEIGHTS["bias"]
    story = score >= STORY_THRESHOLD
    return Verdict(story, _reason(story, score, parts))


def body_text(paragraphs: list[str]) -> str:
    """The paragraphs as one plain text, curly quotes made straight, cut near `MAX_CHARS`.

    >>> body_text(["\u201cYes,\u201d he said.", "Next<br>line"])
    '"Yes," he said.\\nNext\\nline'
    """
    kept: list[str] = []
    size = 0
    for fragment in paragraphs:
        kept.append(fragment)
        size += len(fragment)
        if size > MAX_CHARS:
            break
    text = html_to_text("\n".join(kept)).replace("\u201c", '"').replace("\u201d", '"')
    return text.replace("\u2018", "'").replace("\u2019", "'")


def measure(text: str, words: int) -> dict[str, float]:
    """The signals of `WEIGHTS` but the title, on the scale the weights expect."""
    per_k = 1000 / max(words, 1)
    turns = script_turns(text)
    narrative = _without(text, turns) if turns else text
    quotes = _QUOTE.findall(narrative)
    speech = len(turns) + sum(1 for q in quotes if _SPEECH_END.search(q[:-1]))
    outside = _QUOTE.sub(" ", narrative)  # what the narrator (or reviewer) says
    counts = Counter(_WORD.findall(outside.lower()))

    def rate(found: int) -> float:
        return math.log1p(found * per_k)

    def vocabulary(words: frozenset[str]) -> int:
        return sum(counts[w] for w in words)

    opinions = len(_OPINION.findall(outside)) + vocabulary(_OPINION_WORDS)
    digits = sum(map(text.count, "0123456789"))
    return {
        "speech": rate(speech),
        "narration": rate(vocabulary(_NARRATION)),
        "pronouns": rate(vocabulary(_PRONOUNS)),
        "script": 1.0 if turns else 0.0,
        "review": rate(vocabulary(_REVIEW)),
        "synopsis": rate(vocabulary(_SYNOPSIS)),
        "opinion": rate(opinions),
        "digits": math.log1p(100 * digits / max(len(text), 1)),
    }


def script_turns(text: str) -> list[tuple[int, int]]:
    """The spans of the dialogue turns if the text is a script, else none.

    >>> len(script_turns("KIRK: Where are you?\\nSPOCK: Here!\\nMCCOY\\nMe too?\\n" * 3))
    9
    >>> script_turns("Origin: Vulcan\\nType: Humanoid\\nHome: Far\\n" * 3)
    []
    """
    turns: list[tuple[str, int, int, bool]] = []
    for match in _SPEAKER.finditer(text):
        name = match["name"] or match["cue"] or match["lead"]
        said = match["said"] if match["name"] else match["next"] or match["rest"]
        if said and said.strip():
            turns.append((name.lower(), match.start(), match.end(), bool(_DIALOGUE.search(said))))
    cast = Counter(turn[0] for turn in turns)
    recurring = {name for name, n in cast.items() if n >= MIN_SPEAKER_LINES}
    turns = [turn for turn in turns if turn[0] in recurring]
    spoken = sum(1 for turn in turns if turn[3])
    lines = text.count("\n") + 1
    if len(recurring) < MIN_SPEAKERS or spoken < MIN_DIALOGUE_TURNS * lines:
        return []
    return [(start, end) for _, start, end, _ in turns]


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "\n".join(pieces)


def title_signal(title: str | None, subject: str | None) -> float:
    """1 when the title or subject names a kind of document that is not a story.

    >>> title_signal("Star Trek Trivia Quiz", None), title_signal("A Q Story", "Quiz")
    (1.0, 0.0)
    """
    labels = [label for label in (title, subject) if label]
    if any(_STORY_TITLE.search(label) for label in labels):
        return 0.0
    return 1.0 if any(_NOT_STORY_TITLE.search(label) for label in labels) else 0.0


def _reason(story: bool, score: float, parts: dict[str, float]) -> str:
    ranked = sorted((p for p in parts.items() if abs(p[1]) >= 0.05), key=lambda p: -abs(p[1]))
    shown = ", ".join(f"{name} {value:+.1f}" for name, value in ranked[:4])
    verdict = "reads as a story" if story else "not a story"
    return f"{verdict} (score {score:+.1f}): {shown}"
