"""Tag wrangling: every raw tag, exactly as written, mapped to the canonical tags it means.

A raw tag has a kind (what the source said it is: ``c:giles`` is a character,
``Pairing: Giles/Xander`` a relationship) and is wrangled within the work's fandoms:

- **fandoms** by their canonical name (``btvs``, ``f:doctor-who``);
- **characters** by their canon name within the fandom (``giles`` → ``Rupert Giles``),
  from the shipped table (`ficarchive.tags.canon`), else from evidence: a full name used
  in other works of the fandom, in the site's tag lists or in the story's own text (a
  short name that is the first or last name of exactly one of them); ``hurt!giles`` is
  the character and the additional tag ``Hurt Rupert Giles``;
- **relationships** as canonical character names in AO3's order (alphabetical, original
  characters last) joined by ``/`` (romantic) or `` & `` (platonic) — the two stay
  different tags; ``Spike x Buffy`` is romantic; nicknames (``Spuffy``) from the table;
  each relationship also gives its AO3 category (F/M, M/M, F/F, Multi, Other) where the
  genders of its characters are known, and ``gen`` is the category Gen;
- **warnings** to AO3's six by their stored names (`ficarchive.tags.ao3.ao3_warning`), a
  warning AO3 does not have becoming an additional tag;
- **additional tags** by the shipped table of common ones (``genre:angst`` → ``Angst``).

A tag that cannot be resolved stays as written (its kind marker ``c:`` aside) and is
marked unresolved, for a person to wrangle (`ficarchive tags`). A person's decisions come
first: `wrangle_tags` takes them as `decided`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ficarchive.tags.ao3 import CATEGORIES, ao3_category, ao3_warning
from ficarchive.tags.canon import Character, freeforms, shipped
from ficarchive.tags.fandoms import fold, known_fandom
from ficarchive.work import RawTag, Work

KINDS = ("fandom", "relationship", "character", "warning", "freeform", "category")
LIST_OF_KIND = {
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "warning": "warnings",
    "freeform": "tags",
    "category": "categories",
}
KIND_OF_LIST = {v: k for k, v in LIST_OF_KIND.items()}

EVIDENCE = "a full name found in the text or in other works of the fandom"
"""The reason of a resolution made from evidence rather than the shipped table."""

MIN_TEXT_MENTIONS = 2
"""A full name must occur this often in a story's text to resolve a short name."""

_MARKERS = {
    "c": "character",
    "char": "character",
    "character": "character",
    "p": "relationship",
    "pairing": "relationship",
    "ship": "relationship",
    "f": "fandom",
    "fandom": "fandom",
    "w": "warning",
    "warning": "warning",
}
_NAMESPACES = ("genre", "kink", "sex", "trope", "issues", "theme", "tag", "tags", "misc")
_SEASON = re.compile(r"^season\s*[:\s]\s*0*(\d{1,2})$", re.I)
_NO_PAIRING = frozenset(
    {"gen", "none", "n/a", "na", "no pairing", "no pairings", "nothing", "general"}
)
_FULL_NAME = re.compile(
    r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\s+([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\b"
)


@dataclass(frozen=True)
class Target:
    """A canonical tag (or, for an unresolved raw tag, the tag as written)."""

    kind: str
    name: str


@dataclass(frozen=True)
class Resolution:
    raw: RawTag
    targets: tuple[Target, ...]
    resolved: bool
    fandom: str = ""
    reason: str = ""


@dataclass
class Evidence:
    """Full character names known beyond the shipped table, per canonical fandom."""

    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, fandom: str, name: str) -> None:
        self.names.setdefault(fandom, set()).add(name)

    def merged(self, other: Evidence | None) -> Evidence:
        out = Evidence({k: set(v) for k, v in self.names.items()})
        for fandom, names in (other.names if other else {}).items():
            out.names.setdefault(fandom, set()).update(names)
        return out


Decided = Callable[[RawTag, str], Resolution | None]
"""A person's decision for a raw tag in a fandom (``""`` for none), if there is one."""


def marker(name: str) -> tuple[str | None, str]:
    """A tag's kind marker (``c:``, ``p:``, ``f:``, ``w:``) and the name after it.

    >>> marker("c:hurt!giles"), marker("Giles/Xander"), marker("genre:angst")
    (('character', 'hurt!giles'), (None, 'Giles/Xander'), (None, 'genre:angst'))
    """
    head, sep, rest = name.partition(":")
    kind = _MARKERS.get(head.strip().lower()) if sep else None
    return (kind, rest.strip()) if kind and rest.strip() else (None, name.strip())


def raw_tags_of(work: Work) -> tuple[RawTag, ...]:
    """The work's raw tags; a Work made before they were kept has its lists as raw tags."""
    if work.raw_tags:
        return work.raw_tags
    out: list[RawTag] = []
    for list_name, kind in KIND_OF_LIST.items():
        for name in getattr(work, list_name):
            if name.strip() and RawTag(kind, name) not in out:
                out.append(RawTag(kind, name))
    return tuple(out)


def wrangle_work(
    work: Work, evidence: Evidence | None = None, decided: Decided | None = None
) -> Work:
    """The Work with its tag lists and categories made from its raw tags.

    >>> w = wrangle_work(Work(raw_tags=(RawTag("fandom", "f:btvs"),
    ...     RawTag("relationship", "p:giles/xander"), RawTag("relationship", "Buffy & Spike"),
    ...     RawTag("character", "c:hurt!xander"))))
    >>> w.fandoms, w.categories
    (('Buffy the Vampire Slayer (TV)',), ('M/M',))
    >>> w.relationships
    ('Rupert Giles/Xander Harris', 'Buffy Summers & Spike')
    >>> w.characters, w.tags
    (('Xander Harris',), ('Hurt Xander Harris',))
    """
    resolutions = wrangle_tags(raw_tags_of(work), text_evidence(work).merged(evidence), decided)
    return apply(work, resolutions)


def apply(work: Work, resolutions: Iterable[Resolution]) -> Work:
    """The Work with its tag lists replaced by the resolutions' targets, in order."""
    lists: dict[str, list[str]] = {name: [] for name in KIND_OF_LIST}
    raws: list[RawTag] = []
    for resolution in resolutions:
        raws.append(resolution.raw)
        for target in resolution.targets:
            items = lists[LIST_OF_KIND[target.kind]]
            if target.name not in items:
                items.append(target.name)
    lists["categories"] = [c for c in CATEGORIES if c in lists["categories"]]
    return work.evolve(raw_tags=tuple(raws), **{k: tuple(v) for k, v in lists.items()})


def wrangle_tags(
    raws: Sequence[RawTag], evidence: Evidence | None = None, decided: Decided | None = None
) -> list[Resolution]:
    """Every raw tag resolved: fandoms first (they are the others' context)."""
    evidence = evidence or Evidence()
    out: dict[int, Resolution] = {}
    fandoms: list[str] = []
    for n, raw in enumerate(raws):
        if raw.kind == "fandom":
            out[n] = _decided(raw, "", decided) or resolve(raw, (), evidence)
            fandoms += [
                t.name for t in out[n].targets if t.kind == "fandom" and t.name not in fandoms
            ]
    for n, raw in enumerate(raws):
        if n not in out:
            context = fandoms[0] if fandoms and raw.kind in ("character", "relationship") else ""
            out[n] = _decided(raw, context, decided) or resolve(raw, fandoms, evidence)
    return [out[n] for n in range(len(raws))]


def _decided(raw: RawTag, fandom: str, decided: Decided | None) -> Resolution | None:
    return decided(raw, fandom) if decided else None


def resolve(raw: RawTag, fandoms: Sequence[str], evidence: Evidence | None = None) -> Resolution:
    """One raw tag's canonical tags, within the work's (canonical) fandoms.

    >>> resolve(RawTag("character", "c:giles"), ["Buffy the Vampire Slayer (TV)"]).targets
    (Target(kind='character', name='Rupert Giles'),)
    >>> resolve(RawTag("relationship", "Spike x Buffy"), ["Buffy the Vampire Slayer (TV)"]).targets
    (Target(kind='relationship', name='Buffy Summers/Spike'), Target(kind='category', name='F/M'))
    >>> resolve(RawTag("character", "c:apollo"), ["Buffy the Vampire Slayer (TV)"]).resolved
    False
    """
    kind, name = marker(raw.name)
    kind = kind or raw.kind
    evidence = evidence or Evidence()
    if not fandoms and kind in ("character", "relationship"):
        return _without_fandom(raw, evidence)
    context = fandoms[0] if fandoms and kind in ("character", "relationship") else ""
    if kind == "fandom":
        found = known_fandom(name)
        return _done(raw, found and Target("fandom", found), name, "fandom", "")
    if kind == "character":
        return _character_tag(raw, name, fandoms, evidence, context)
    if kind == "relationship":
        return _relationship_tag(raw, name, fandoms, evidence, context)
    if kind == "warning":
        warning = ao3_warning(name)
        if warning is None:
            return Resolution(raw, (Target("freeform", name),), False, "", "not an AO3 warning")
        return Resolution(raw, (Target("warning", warning),), True, "", "AO3 warning")
    if kind == "category":
        category = ao3_category(name)
        if category is None:
            return Resolution(raw, (Target("freeform", name),), False, "", "not an AO3 category")
        return Resolution(raw, (Target("category", category),), True, "", "AO3 category")
    return _freeform_tag(raw, name)


def _without_fandom(raw: RawTag, evidence: Evidence) -> Resolution:
    """A character or relationship of a work that names no fandom: resolved when exactly
    one fandom the table knows resolves it (``Spike/Buffy``), else left as written."""
    found = [
        r
        for fandom in shipped()
        if fandom
        for r in [resolve(raw, [fandom], evidence)]
        if r.resolved and r.reason != EVIDENCE
    ]
    if len({r.targets for r in found}) == 1:
        return found[0]
    kind, name = marker(raw.name)
    return Resolution(raw, (Target(kind or raw.kind, name),), False, "", "no fandom to know it by")


def _done(
    raw: RawTag, target: Target | str | None, name: str, kind: str, fandom: str
) -> Resolution:
    if isinstance(target, Target):
        return Resolution(raw, (target,), True, fandom, "canonical name")
    return Resolution(raw, (Target(kind, name),), False, fandom, "not known")


def _freeform_tag(raw: RawTag, name: str) -> Resolution:
    table = freeforms()
    season = _SEASON.match(name)
    if season:
        return Resolution(
            raw, (Target("freeform", f"Season/Series {int(season.group(1)):02d}"),), True
        )
    found = table.get(fold(name))
    if found is None:
        head, sep, rest = name.partition(":")
        if sep and head.strip().lower() in _NAMESPACES:
            found = table.get(fold(rest)) or table.get(fold(f"{rest} {head}"))
    if found is None:
        return Resolution(raw, (Target("freeform", name),), False, "", "not known")
    return Resolution(raw, (Target("freeform", found),), True, "", "canonical name")


def _character_tag(
    raw: RawTag, name: str, fandoms: Sequence[str], evidence: Evidence, context: str
) -> Resolution:
    trait, base = _trait(name)
    character = character_named(base, fandoms, evidence)
    if character is None:
        return Resolution(raw, (Target("character", name),), False, context, "not known")
    targets = [Target("character", character.name)]
    if trait:
        targets.append(Target("freeform", f"{_title(trait)} {character.short}"))
    reason = EVIDENCE if character.gender == "?" else "canon name"
    return Resolution(raw, tuple(targets), True, character.fandom or context, reason)


def _relationship_tag(
    raw: RawTag, name: str, fandoms: Sequence[str], evidence: Evidence, context: str
) -> Resolution:
    if fold(name) in _NO_PAIRING or all(
        w in _NO_PAIRING for w in re.findall(r"[\w/]+", fold(name))
    ):
        return Resolution(raw, (Target("category", "Gen"),), True, context, "no pairing: Gen")
    for fandom in (*fandoms, ""):
        table = shipped().get(fandom)
        nickname = table.relationships.get(fold(name)) if table else None
        if nickname:
            people = [character_named(p, fandoms, evidence) for p in nickname.split("/")]
            return _relationship(raw, [p for p in people if p], "/", context, exact=nickname)
    separator, parts = _split_relationship(name)
    if separator is None:
        return Resolution(raw, (Target("relationship", name),), False, context, "not a pairing")
    people = [character_named(_trait(p)[1], fandoms, evidence) for p in parts]
    if any(p is None for p in people) or len(people) < 2:
        return Resolution(raw, (Target("relationship", name),), False, context, "a name not known")
    return _relationship(raw, [p for p in people if p], separator, context)


def _relationship(
    raw: RawTag, people: list[Character], separator: str, context: str, exact: str | None = None
) -> Resolution:
    ordered = sorted(people, key=lambda c: (c.original, c.short.casefold()))
    joined = separator.join(c.short for c in ordered)
    if exact is not None:
        joined = "/".join(re.sub(r"\s+\([^)]*\)$", "", p) for p in exact.split("/"))
    targets = [Target("relationship", joined)]
    category = relationship_category(people) if separator == "/" else None
    if category:
        targets.append(Target("category", category))
    reason = EVIDENCE if any(c.gender == "?" for c in people) else "canon names"
    return Resolution(raw, tuple(targets), True, context, reason)


def relationship_category(people: Sequence[Character]) -> str | None:
    """AO3's category for a romantic relationship, when its characters' genders are known.

    >>> f, m = Character("A", "f"), Character("B", "m")
    >>> [relationship_category(p) for p in ([f, m], [m, m], [f, m, m])]
    ['F/M', 'M/M', 'Multi']
    """
    genders = {c.gender for c in people}
    if "?" in genders:
        return None
    if len(people) > 2:
        return "Multi"
    if "x" in genders:
        return "Other"
    return {frozenset("fm"): "F/M", frozenset("m"): "M/M", frozenset("f"): "F/F"}[
        frozenset(genders)
    ]


def _split_relationship(name: str) -> tuple[str | None, list[str]]:
    text = name.strip()
    if "/" in text and "&" not in text:
        parts = text.split("/")
        separator = "/"
    elif "&" in text and "/" not in text:
        parts = text.split("&")
        separator = " & "
    elif re.search(r"\s[x×]\s", text, re.I):
        parts = re.split(r"\s[x×]\s", text, flags=re.I)
        separator = "/"
    else:
        return None, []
    parts = [p.strip() for p in parts]
    return (separator, parts) if all(parts) else (None, [])


def _trait(name: str) -> tuple[str, str]:
    """``hurt!giles`` → (``hurt``, ``giles``)."""
    trait, sep, base = name.partition("!")
    return (trait.strip(), base.strip()) if sep and trait.strip() and base.strip() else ("", name)


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[\s_-]+", text) if w)


def character_named(
    name: str, fandoms: Sequence[str], evidence: Evidence | None = None
) -> Character | None:
    """The canon character a name means within the fandoms, if exactly one.

    >>> character_named("xander", ["Buffy the Vampire Slayer (TV)"]).name
    'Xander Harris'
    >>> character_named("summers", ["Buffy the Vampire Slayer (TV)"]) is None  # which one?
    True
    >>> character_named("dawn", ["Buffy the Vampire Slayer (TV)"]).name
    'Dawn Summers'
    """
    key = fold(name.strip(" .\"'"))
    if not key:
        return None
    for fandom in (*fandoms, ""):
        table = shipped().get(fandom)
        if table and key in table.by_name:
            return table.by_name[key]
    candidates: dict[str, Character] = {}
    for fandom in (*fandoms, ""):
        table = shipped().get(fandom)
        known = list(table.characters) if table else []
        known += [
            Character(n, "?", fandom)
            for n in sorted((evidence or Evidence()).names.get(fandom, ()))
        ]
        for character in known:
            tokens = [t.strip("\"'") for t in fold(character.short).split()]
            if fold(character.name) == key or (len(tokens) > 1 and key in (tokens[0], tokens[-1])):
                candidates.setdefault(character.short.casefold(), character)
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def text_evidence(work: Work) -> Evidence:
    """Full names the story's text uses at least `MIN_TEXT_MENTIONS` times, as evidence
    within each of its fandoms (so "Giles" in a tag resolves to the "Rupert Giles" the
    text names, when no table knows him)."""
    counts: Counter[str] = Counter()
    for paragraph in work.paragraphs[:2000]:
        for first, last in _FULL_NAME.findall(re.sub(r"<[^>]+>", " ", paragraph)):
            counts[f"{first} {last}"] += 1
    evidence = Evidence()
    fandoms = [known_fandom(f) or f for f in work.fandoms] or [""]
    for name, n in counts.items():
        if n >= MIN_TEXT_MENTIONS:
            for fandom in fandoms:
                evidence.add(fandom, name)
    return evidence
