"""Features of the boundaries between a chapter's paragraphs, for the unmarked-break model.

Item `k` of `boundary_features` describes the boundary between paragraphs `k` and `k + 1`:

* **cohesion**, as TextTiling measures it: the TF-IDF cosine of the words just before
  and just after the boundary (windows of `WINDOWS` content words, whole paragraphs),
  how deep a valley that cosine sits in among its neighbours, and how it compares with
  the rest of the chapter;
* **transitions** at the start of the next paragraph: "Later that night", "The next
  morning", "Meanwhile", "Back at", a log entry, a setting line ("[Seattle, 10:20 AM]");
  words at the end of the one before that close a scene (someone leaves, sleeps);
* **people**: the share of the people named just after the boundary who were not named
  just before it, or not yet at all, and whether it opens on a title and a name;
* **shape**: the two paragraphs' lengths, dialogue or narration on each side, where in the
  chapter the boundary is, and a few pairs of these that mean more together.

Nothing here decides: every feature is evidence that the model weighs.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ficarchive.rescue.blocks.block import html_to_text

Features = dict[str, float]

# Cohesion windows: the text on each side of a boundary, whole paragraphs taken outwards
# until this many content words are in (TextTiling compares blocks of about 20 words x 10).
WINDOWS = (15, 50, 150)
# How far (in boundaries) a valley's sides are looked for when its depth is measured.
DEPTH_REACH = 3
# Paragraphs before a boundary whose names count as "in view"; paragraphs after it read.
NAMES_BEFORE, NAMES_AFTER = 6, 2
# A paragraph opening is read this far for time and place transitions.
OPENING_CUE_WORDS = 8
# The first and last sentences are read this far (time cues, a scene's closing words).
HEAD_WORDS = 25
# A line this short, set apart by brackets or ending in a colon, is a setting line.
SETTING_WORDS = 10
# A paragraph of this many words is long (a scene's opening description).
LONG_WORDS = 60


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves ll re ve don didn doesn isn wasn weren won
    wouldn couldn shouldn can't won't don't didn't i'm i'd i'll i've you're he's she's
    it's that's there's they're we're let's oh yes yeah okay ok well like got get just
    said says say one also back going go know think
    """
)
_PRONOUNS = _wordset(
    """
    he she they it i we you his her their its my our your
    """
)
_CONNECTIVES = _wordset(
    """
    and but so then or yet still now
    """
)

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*")
_SENTENCE_END = re.compile(r"[.!?:;\"“”‘’(—–-]\s*$")
_QUOTE_START = re.compile(r"^\s*[\"“”‘'«]")
_SPEAKER = re.compile(r"^\s*[A-Z][A-Za-z .'-]{0,30}:\s")
_TIME_UNIT = (
    r"(?:morning|afternoon|evening|night|nights|day|days|week|weeks|month|months|year|years|"
    r"hour|hours|minute|minutes|dawn|dusk|noon|midnight|sunrise|sunset|tomorrow|yesterday|"
    r"weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday|summer|winter|spring|"
    r"autumn|fall|christmas|o'clock)"
)
_CUES: dict[str, re.Pattern[str]] = {
    # "Later", "Hours later", "Three days later", "Some time after"
    "cue_later": re.compile(r"\b(?:later|afterwards?|after that|eventually|some time)\b"),
    # "The next morning", "The following week", "That night", "By Friday"
    "cue_time": re.compile(
        rf"\b(?:next|following|that|this|one|every|by|in the|on|at|the)\s+(?:\w+\s+)?{_TIME_UNIT}\b"
    ),
    "cue_time_word": re.compile(rf"\b{_TIME_UNIT}\b"),
    # "Meanwhile", "Elsewhere", "Back at the house", "Across town"
    "cue_meanwhile": re.compile(
        r"^(?:meanwhile|elsewhere|back (?:at|in|on|home)|across (?:town|the)|at the same time|"
        r"on the other side|far away|miles away)\b"
    ),
    # "At the Magic Box", "In the library", "Inside", "Outside"
    "cue_place": re.compile(r"^(?:at|in|inside|outside|on) (?:the|a|an|his|her|their)\b"),
    "cue_when": re.compile(r"^(?:when|by the time|once|after|before|as soon as)\b"),
    # a log entry, a dateline
    "cue_log": re.compile(r"\b(?:log|stardate|journal|diary|entry|report)\b"),
    "cue_clock": re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{4}\b|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)"),
}
_NUMBER = (
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|some|several|"
    r"a few|few|many|\d+)"
)
_SPAN = r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|moments?|nights?|mornings?)"
_PART = r"(?:morning|afternoon|evening|night|day|week|weekend|month|year|dawn|noon|midnight)"
# Openings that move the story in time or place at once; each alone is right about a
# third of the time, so they are evidence beside the rest, not rules.
_JUMPS: dict[str, re.Pattern[str]] = {
    "jump_later": re.compile(
        rf"^(?:about |almost |nearly |only |barely )?{_NUMBER}\s+(?:\w+\s+)?{_SPAN}\s+later|"
        r"^(?:later|much later|some ?time later|afterwards?)\b"
    ),
    "jump_next": re.compile(rf"^(?:early |late )?(?:the |on the )?(?:next|following) {_PART}"),
    "jump_that": re.compile(rf"^(?:later |early |late )?(?:that|this) {_PART}"),
    "jump_elsewhere": re.compile(
        r"^(?:meanwhile|elsewhere|back (?:at|in|on) |across town|at the same time)"
    ),
    "jump_log": re.compile(
        r"^(?:\w+'s |chief engineer'?s |personal |captain'?s |ship'?s |medical )?"
        r"(?:log|journal|diary)\b"
    ),
}
# The last sentence of a scene often sends someone away, to sleep or out of the door.
_CLOSING = re.compile(
    r"\b(?:slept|sleep|asleep|dozed|dreams?|dreamed|left|leaving|leave|walked (?:out|away|off)|"
    r"went (?:out|home|to bed|back)|door (?:closed|shut)|closed the door|goodbye|good night|"
    r"goodnight|gone|darkness|dark|lights? (?:out|off)|silence|alone|smiled|sighed|nodded)\b"
)
# Words that put a person on stage by rank or role: "Captain Picard", "Agent Mulder".
_TITLES = _wordset(
    """
    captain commander lieutenant lt ensign chief doctor dr agent mr mrs ms miss
    professor sergeant admiral colonel major general lord lady sir princess prince king
    queen master mistress father mother uncle aunt detective officer
    """
)
_BINS = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5)


@dataclass(frozen=True)
class _Paragraph:
    text: str
    words: int
    content: Counter[str]
    names: frozenset[str]
    opening: str  # the first words, lower case
    head: str  # the first sentence, lower case
    tail: str  # the last sentence, lower case
    first: str  # the first word's kind: pronoun, name, article, quote, ...
    first_word: str  # the first word, lower case, when it is a common word ("" otherwise)
    introduces: bool  # opens on a title and a name, or a full name ("Captain Picard")
    setting: bool  # a short line set apart: "[ICY CAPE 10:45 PM]", "The Present:"
    dialogue: bool
    caps: bool  # all in capitals (a script's scene heading, a shouted line)


# -- reading paragraphs -----------------------------------------------------------------
def _stem(word: str) -> str:
    """A crude stem, enough to let "vampires" meet "vampire"."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Each word and whether it starts a sentence."""
    out = []
    for match in _TOKEN.finditer(text):
        before = text[max(0, match.start() - 3) : match.start()]
        out.append((match.group(), match.start() == 0 or bool(_SENTENCE_END.search(before))))
    return out


def _first_kind(text: str, word: str, names: frozenset[str]) -> str:
    if _QUOTE_START.match(text):
        return "quote"
    lower = word.lower()
    if lower in _PRONOUNS:
        return "pronoun"
    if lower in ("the", "a", "an"):
        return "article"
    if lower in _CONNECTIVES:
        return "connective"
    if word in names:
        return "name"
    return "capital" if word[:1].isupper() else "other"


_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’']?\s+(?=[\"“‘'A-Z])")
_SETTING = re.compile(r"^[\[(*<~=#-].*[\])*>~=#-]$|:$")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()] or [text]


def _introduces(toks: list[tuple[str, bool]]) -> bool:
    if len(toks) < 2:
        return False
    (a, _), (b, _) = toks[0], toks[1]
    if a.lower() in _TITLES and b[:1].isupper():
        return True
    return a[:1].isupper() and b[:1].isupper() and a.lower() not in STOPWORDS


def _read(paragraphs: Sequence[str]) -> list[_Paragraph]:
    texts = [" ".join(html_to_text(p).split()) for p in paragraphs]
    tokenised = [_tokens(t) for t in texts]
    # a capitalised word seen inside a sentence somewhere in the chapter is a name
    known = {
        w for toks in tokenised for w, start in toks if w[0].isupper() and not start and len(w) > 1
    }
    known = {w for w in known if w.lower() not in STOPWORDS}
    out = []
    for text, toks in zip(texts, tokenised, strict=True):
        words = [w.lower() for w, _ in toks]
        content = Counter(_stem(w) for w in words if len(w) > 2 and w not in STOPWORDS)
        names = frozenset(w for w, _ in toks if w in known)
        first = toks[0][0] if toks else ""
        letters = [c for c in text if c.isalpha()]
        sentences = _sentences(text.lower())
        word = first.lower()
        words_here = len(text.split())
        out.append(
            _Paragraph(
                text=text,
                words=len(text.split()),
                content=content,
                names=names,
                opening=" ".join(text.lower().split()[:OPENING_CUE_WORDS]),
                head=" ".join(sentences[0].split()[:HEAD_WORDS]),
                tail=" ".join(sentences[-1].split()[-HEAD_WORDS:]),
                first=_first_kind(text, first, names) if first else "none",
                first_word=word if word in STOPWORDS or word in _TITLES else "",
                introduces=_introduces(toks),
                setting=words_here <= SETTING_WORDS and bool(_SETTING.search(text.strip())),
                dialogue=bool(_QUOTE_START.match(text) or _SPEAKER.match(text)),
                caps=len(letters) >= 3 and all(c.isupper() for c in letters),
            )
        )
    return out


# -- cohesion ---------------------------------------------------------------------------
def _idf(paras: list[_Paragraph]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for p in paras:
        df.update(p.content.keys())
    n = len(paras)
    return {w: math.log((n + 1) / (d + 0.5)) for w, d in df.items()}


class _Side:
    """A window of paragraphs on one side of a boundary, as a TF-IDF vector kept up to
    date as paragraphs come in and go out (so a chapter costs its words, not words x
    window)."""

    def __init__(self, idf: dict[str, float]) -> None:
        self.idf = idf
        self.counts: Counter[str] = Counter()
        self.total = 0
        self.norm = 0.0  # squared length of the TF-IDF vector

    def change(self, para: _Paragraph, sign: int, other: _Side, dot: float) -> float:
        """Add (sign 1) or take out (-1) a paragraph; returns the new dot product."""
        for word, c in para.content.items():
            weight = self.idf[word] ** 2
            old = self.counts[word]
            new = old + sign * c
            self.norm += (new * new - old * old) * weight
            dot += sign * c * other.counts.get(word, 0) * weight
            if new:
                self.counts[word] = new
            else:
                del self.counts[word]
        self.total += sign * sum(para.content.values())
        if not self.counts:
            self.norm = 0.0
        return dot


def cohesion(paras: list[_Paragraph], size: int) -> list[float]:
    """TF-IDF cosine, for each boundary, of the text just before and just after it: whole
    paragraphs taken outwards from the boundary until `size` content words are in."""
    idf = _idf(paras)
    n = len(paras)
    left, right = _Side(idf), _Side(idf)
    dot = 0.0
    first = 0  # the left window is paragraphs first..k
    last = 1  # the right window is paragraphs k+1..last-1
    out = []
    for k in range(n - 1):
        dot = left.change(paras[k], 1, right, dot)
        while first < k and left.total - sum(paras[first].content.values()) >= size:
            dot = left.change(paras[first], -1, right, dot)
            first += 1
        if k > 0:  # paragraph k leaves the right window for the left one
            dot = right.change(paras[k], -1, left, dot)
        while last < n and right.total < size:
            dot = right.change(paras[last], 1, left, dot)
            last += 1
        denominator = math.sqrt(max(left.norm, 0.0) * max(right.norm, 0.0))
        out.append(round(min(max(dot / denominator, 0.0), 1.0), 4) if denominator > 0 else 0.0)
    return out


def depths(scores: list[float]) -> list[float]:
    """How deep a valley each boundary sits in: the rise to the highest score within
    `DEPTH_REACH` on the left plus the rise on the right (TextTiling's depth score)."""
    out = []
    for k, s in enumerate(scores):
        left = max(scores[max(0, k - DEPTH_REACH) : k + 1])
        right = max(scores[k : k + DEPTH_REACH + 1])
        out.append(left - s + right - s)
    return out


def _zscores(values: list[float]) -> list[float]:
    if not values:
        return []
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return [(v - mean) / sd if sd > 0 else 0.0 for v in values]


def _bin(name: str, value: float) -> str:
    k = sum(value >= edge for edge in _BINS)
    return f"{name}_bin{k}"


# -- features of each boundary ------------------------------------------------------------
def _names(paras: list[_Paragraph]) -> list[Features]:
    """Who is named on each side of each boundary: the share of the people named just
    after it who were not named in the few paragraphs before, or not yet at all."""
    out = []
    seen: set[str] = set()
    for k in range(len(paras) - 1):
        seen |= paras[k].names
        before: set[str] = set()
        for p in paras[max(0, k - NAMES_BEFORE + 1) : k + 1]:
            before |= p.names
        after: set[str] = set()
        for p in paras[k + 1 : k + 1 + NAMES_AFTER]:
            after |= p.names
        f: Features = {}
        if after:
            f["names_new_share"] = len(after - before) / len(after)
            f["names_first_seen"] = float(bool(after - seen))
            f["names_overlap"] = len(after & before) / len(after | before)
        else:
            f["names_none_after"] = 1.0
        out.append(f)
    return out


def _opening(p: _Paragraph) -> Features:
    out: Features = {f"first_{p.first}": 1.0}
    if p.first_word:
        out[f"word_{p.first_word}"] = 1.0
    for name, pattern in _CUES.items():
        if pattern.search(p.opening):
            out[name] = 1.0
        elif pattern.search(p.head):
            out[name + "_head"] = 1.0
    bare = p.opening.lstrip("\"'“‘[(*<~ ")
    for name, pattern in _JUMPS.items():
        if pattern.search(bare):
            out[name] = out["jump"] = 1.0
    for name, flag in (("next_caps", p.caps), ("introduces", p.introduces)):
        if flag:
            out[name] = 1.0
    if p.setting:
        out["setting"] = 1.0
    return out


def _conjunctions(f: Features) -> Features:
    """Pairs of weak signs that together say more than each (a linear model cannot add
    them up that way by itself)."""
    valley = "valley50" in f or "valley150" in f
    narration = any(name.startswith("long_narration") for name in f)
    new_people = f.get("names_new_share", 0.0) >= 0.5
    out: Features = {}
    for name, flag in (
        ("jump&valley", "jump" in f and valley),
        ("jump&narration", "jump" in f and narration),
        ("valley&narration", valley and narration),
        ("valley&new_people", valley and new_people),
        ("narration&new_people", narration and new_people),
        ("closing&valley", "prev_closing" in f and valley),
    ):
        if flag:
            out[name] = 1.0
    return out


def _shape(prev: _Paragraph, nxt: _Paragraph) -> Features:
    out: Features = {
        "len_prev": math.log1p(prev.words) / 5,
        "len_next": math.log1p(nxt.words) / 5,
    }
    out["dialogue_" + ("d" if prev.dialogue else "n") + ("d" if nxt.dialogue else "n")] = 1.0
    if prev.words <= 6:
        out["prev_short"] = 1.0
    if nxt.words <= 6:
        out["next_short"] = 1.0
    if prev.text.endswith(("...", "…", "—", "-")):
        out["prev_trails"] = 1.0
    if _CLOSING.search(prev.tail):
        out["prev_closing"] = 1.0
    # a long narrated paragraph after dialogue, or after a short line, opens scenes
    long_next = nxt.words >= LONG_WORDS and not nxt.dialogue
    if long_next:
        out["long_narration_after_" + ("dialogue" if prev.dialogue else "narration")] = 1.0
    return out


def _position(k: int, n: int) -> Features:
    """Where boundary `k` (before paragraph k + 1) stands in a chapter of `n` paragraphs."""
    before, after = k + 1, n - k - 1
    out: Features = {"from_start": min(before, 20) / 20, "from_end": min(after, 20) / 20}
    if before <= 2:
        out["near_start"] = 1.0
    if after <= 2:
        out["near_end"] = 1.0
    return out


def boundary_features(paragraphs: Sequence[str]) -> list[Features]:
    """The features of each boundary of a chapter: item `k` is the boundary between
    paragraphs `k` and `k + 1` (so a chapter of n paragraphs has n - 1 items)."""
    paras = _read(paragraphs)
    n = len(paras)
    if n < 2:
        return []
    sims = {size: cohesion(paras, size) for size in WINDOWS}
    deep = {size: depths(sims[size]) for size in WINDOWS}
    z = {size: _zscores(sims[size]) for size in WINDOWS}
    dz = {size: _zscores(deep[size]) for size in WINDOWS}
    names = _names(paras)
    out = []
    for k in range(n - 1):
        f: Features = {"bias": 1.0}
        for size in WINDOWS:
            s, d = sims[size][k], deep[size][k]
            f[f"cos{size}"] = s
            f[f"depth{size}"] = d
            f[f"z{size}"] = max(-3.0, min(3.0, z[size][k])) / 3
            f[f"dz{size}"] = max(-3.0, min(3.0, dz[size][k])) / 3
            f[_bin(f"cos{size}", s)] = 1.0
            f[_bin(f"depth{size}", d)] = 1.0
            near = sims[size][max(0, k - 2) : k + 3]
            if s == min(near):
                f[f"valley{size}"] = 1.0
        f.update(names[k])
        f.update(_opening(paras[k + 1]))
        f.update(_shape(paras[k], paras[k + 1]))
        f.update(_position(k, n))
        f.update(_conjunctions(f))
        out.append(f)
    return out
