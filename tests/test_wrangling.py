"""Tag wrangling (`ficarchive.tags.wrangle`): raw tags kept, canonical tags in AO3's form.

The bar: on the 119 antennapedia-btvs stories every character and relationship tag of a
canon character resolves to AO3's canonical form, ``&`` and ``/`` stay distinct, and every
raw tag is kept exactly as written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ficarchive.rescue import rescue
from ficarchive.tags.canon import shipped
from ficarchive.tags.wrangle import (
    EVIDENCE,
    Evidence,
    marker,
    raw_tags_of,
    resolve,
    text_evidence,
    wrangle_tags,
    wrangle_work,
)
from ficarchive.work import RawTag, Work

BTVS = "Buffy the Vampire Slayer (TV)"
NOT_CANON = {"c:apollo", "c:artemis"}
"""Characters of these stories who are not characters of any fandom they are tagged with
(Greek gods in a Buffy story): they must stay as written, listed for wrangling."""

EXPECTED = {
    "c:giles": "Rupert Giles",
    "c:xander": "Xander Harris",
    "c:oz": 'Daniel "Oz" Osbourne',
    "c:spike": "Spike (Buffy the Vampire Slayer)",
    "c:ninth-doctor": "Ninth Doctor",
    "c:rose": "Rose Tyler",
    "p:giles/xander": "Rupert Giles/Xander Harris",
    "p:giles/buffy": "Buffy Summers/Rupert Giles",
    "p:buffy/spike": "Buffy Summers/Spike",
    "p:willow/tara": "Tara Maclay/Willow Rosenberg",
    "p:giles/omc": "Rupert Giles/Original Male Character(s)",
    "p:buffy/giles/willow/xander": "Buffy Summers/Rupert Giles/Willow Rosenberg/Xander Harris",
    "f:btvs": BTVS,
    "f:doctor-who": "Doctor Who",
}


def _canonical_characters() -> set[str]:
    return {c.name for t in shipped().values() for c in t.characters}


def _header(path: Path) -> dict[str, object]:
    data = yaml.safe_load(path.read_text("utf-8").split("---", 2)[1])
    assert isinstance(data, dict)
    return data


@pytest.mark.corpus
def test_antennapedia_tags_resolve_to_ao3_canonical_form(corpus: Path) -> None:
    stories = sorted((corpus / "antennapedia-btvs").glob("*.md"))
    assert len(stories) == 119
    characters = _canonical_characters()
    seen: dict[str, str] = {}
    for path in stories:
        tags = [t for t in _header(path).get("tags") or [] if isinstance(t, str)]
        work = rescue(path.read_bytes(), path.name)
        written = {r.name for r in work.raw_tags}
        for tag in tags:
            assert tag.strip() in written, f"{path.name}: raw tag {tag!r} not kept as written"
        for tag in tags:
            kind, _ = marker(tag)
            if kind not in ("character", "relationship"):
                continue
            found = resolve(RawTag(kind, tag), work.fandoms)
            if tag in NOT_CANON:
                assert not found.resolved and found.targets[0].name == tag.split(":", 1)[1]
                continue
            if tag in ("p:gen",):
                assert "Gen" in work.categories
                continue
            assert found.resolved, f"{path.name}: {tag!r} did not resolve"
            seen[tag] = found.targets[0].name
        for resolution in wrangle_tags(raw_tags_of(work), text_evidence(work)):
            for target in resolution.targets:
                if target.kind == "character" and resolution.resolved:
                    assert target.name in characters or resolution.reason == EVIDENCE
        for pairing in work.relationships:
            parts = pairing.split("/") if "/" in pairing else pairing.split(" & ")
            shorts = {c.split(" (")[0] for c in characters}
            assert all(p in shorts for p in parts), f"{path.name}: {pairing!r}"
    for tag, name in EXPECTED.items():
        if tag in seen:
            assert seen[tag] == name, tag
    assert {t for t in EXPECTED if t.startswith("p:")} <= set(seen) | {"p:buffy/spike"}


def test_and_and_slash_stay_distinct() -> None:
    romantic = resolve(RawTag("relationship", "Buffy/Spike"), [BTVS])
    platonic = resolve(RawTag("relationship", "Buffy & Spike"), [BTVS])
    crossed = resolve(RawTag("relationship", "Spike x Buffy"), [BTVS])
    assert romantic.targets[0].name == crossed.targets[0].name == "Buffy Summers/Spike"
    assert platonic.targets[0].name == "Buffy Summers & Spike"
    assert [t.kind for t in platonic.targets] == ["relationship"]  # no category for friends


def test_nicknames_and_traits() -> None:
    assert (
        resolve(RawTag("relationship", "Spuffy"), [BTVS]).targets[0].name == "Buffy Summers/Spike"
    )
    hurt = resolve(RawTag("character", "c:hurt!giles"), [BTVS])
    assert [t.name for t in hurt.targets] == ["Rupert Giles", "Hurt Rupert Giles"]


def test_evidence_from_other_works_resolves_a_short_name() -> None:
    raw = RawTag("character", "c:amanda")
    assert not resolve(raw, [BTVS]).resolved
    evidence = Evidence()
    evidence.add(BTVS, "Amanda Potentials")
    assert resolve(raw, [BTVS], evidence).targets[0].name == "Amanda Potentials"


def test_the_story_text_is_evidence() -> None:
    from ficarchive.work import Chapter, Section

    text = ("Vi Marsden looked up. ", "It was Vi Marsden again, at the door.")
    work = Work(
        raw_tags=(RawTag("fandom", "btvs"), RawTag("character", "vi")),
        chapters=(Chapter(None, (Section(text),)),),
    )
    assert wrangle_work(work).characters == ("Vi Marsden",)


def test_warnings_use_ao3_stored_names_and_keep_the_rest_as_tags() -> None:
    work = wrangle_work(
        Work(
            raw_tags=(
                RawTag("warning", "death of a minor OC"),
                RawTag("warning", "mild violence"),
                RawTag("warning", "character death"),
                RawTag("warning", "Creator Chose Not To Use Archive Warnings"),
            )
        )
    )
    assert work.warnings == ("Major Character Death", "Choose Not To Use Archive Warnings")
    assert work.tags == ("death of a minor OC", "mild violence")


def test_a_work_without_raw_tags_reads_its_lists_as_raw() -> None:
    old = Work(fandoms=("btvs",), relationships=("giles/xander",))
    work = wrangle_work(old)
    assert work.relationships == ("Rupert Giles/Xander Harris",)
    assert {r.name for r in work.raw_tags} == {"btvs", "giles/xander"}


_NAMES = st.sampled_from(["giles", "xander", "buffy", "spike", "apollo", "Willow", "OMC", "dawn"])
_RAW = st.one_of(
    st.builds(
        lambda a, b, s: RawTag("relationship", f"{a}{s}{b}"),
        _NAMES,
        _NAMES,
        st.sampled_from(["/", " & ", " x "]),
    ),
    st.builds(lambda a: RawTag("character", f"c:{a}"), _NAMES),
    st.builds(lambda t: RawTag("freeform", t), st.text(max_size=30)),
    st.just(RawTag("fandom", "f:btvs")),
)


@given(st.lists(_RAW, max_size=12))
def test_wrangling_keeps_raw_tags_and_is_idempotent(raws: list[RawTag]) -> None:
    work = wrangle_work(Work(raw_tags=tuple(raws)))
    assert work.raw_tags == tuple(raws)
    assert wrangle_work(work) == work
