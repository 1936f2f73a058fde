"""Fuzzing rescue with hostile shapes, so that a new slow path fails here, not for a user.

Hypothesis builds bytes, HTML trees, plain-text shapes, YAML headers, Work JSON and
zip/tar archives, most of them from a small piece repeated hundreds or thousands of
times (where a regex or a loop that rescans shows its cost). For each example:

- no exception but the documented `InputError` family, with a one-line message;
- every word of the input's text is somewhere in the Work (paragraphs, fields, notes,
  diagnostics), compared case-blind since a title in capitals is set in title case;
- rescuing the Work's HTML export gives the same Work (for the HTML and text shapes);
- a per-example deadline (wall clock, generous: a loaded two-core machine runs these
  several times slower than a quiet one), and the CPU time of the rescue checked
  against its size: `FIXED_CPU` plus `CPU_PER_KB` per KB. A rescue costs about 0.3 ms
  per KB; the quadratic paths these shapes used to hit cost 10 to 1,000 times that.

Examples Hypothesis found are kept as explicit ``@example`` cases below.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import json
import tarfile
import time
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ficarchive import InputError, Work, rescue
from ficarchive.bulk.sources import FolderSource, TarSource, ZipSource
from ficarchive.export import to_html
from ficarchive.rescue.blocks.ours import JSON_SOURCE

FIXED_CPU = 0.5
"""Seconds of CPU any one rescue may take, whatever its size (a cold cache, a GC pass)."""
CPU_PER_KB = 0.02
"""And per KB of input: sixty times what a rescue of a normal story costs."""
DEADLINE = timedelta(seconds=3)

FUZZ = settings(
    max_examples=60,
    deadline=DEADLINE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)



@pytest.fixture(autouse=True, scope="module")
def _loaded() -> None:
    """The models and word lists rescue loads once per process (the structure labeller,
    the language identifier), loaded before any rescue is timed."""
    story = "The kettle sang on the stove, and the winter came in under the door. " * 8
    rescue(f"<html><body><p>{story}</p></body></html>".encode(), "warm.html")


WORDS = ["lantern", "harbour", "orchard", "kettle", "winter", "ribbon", "candle", "bridge"]
word = st.sampled_from(WORDS)


def rescued(data: bytes, name: str) -> Work | None:
    """The Work, or None for an input refused with a one-line `InputError`; fails when
    anything else is raised or the rescue costs more CPU than its size allows."""
    started = time.process_time()
    try:
        work = rescue(data, name)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc).strip(), repr(str(exc))
        work = None
    spent = time.process_time() - started
    allowed = FIXED_CPU + CPU_PER_KB * len(data) / 1024
    assert spent <= allowed, f"{spent:.2f} s of CPU for {len(data):,} bytes (allowed {allowed:.2f})"
    return work


def everything(work: Work) -> str:
    """All the text a Work holds, fields and diagnostics too, case-folded."""
    return htmllib.unescape(json.dumps(work.to_dict(), ensure_ascii=False)).casefold()


def assert_words_kept(words: list[str], work: Work | None) -> None:
    assert work is not None, "refused an input made of words"
    held = everything(work)
    lost = sorted({w for w in words if w.casefold() not in held})
    assert not lost, f"lost {lost}"


def assert_export_rescues_the_same(work: Work) -> None:
    again = rescue(to_html(work).encode("utf-8"), "again.html")
    skip = {"repairs", "diagnostics", "source"}
    assert {k: v for k, v in again.to_dict().items() if k not in skip} == {
        k: v for k, v in work.to_dict().items() if k not in skip
    }


def repeated(pieces: st.SearchStrategy[str], most: int = 3000) -> st.SearchStrategy[str]:
    """A piece written many times over: where a path that rescans its input shows."""
    return st.tuples(pieces, st.integers(1, most)).map(lambda t: t[0] * t[1])


# -- bytes -----------------------------------------------------------------------------------

BYTE_PIECES = st.sampled_from(
    [b"<", b">", b"<!--", b"&", b"\xe9", b"\xc3", b"\x00", b"\r", b"\n", b" ", b"\t", b"*",
     b"_", b"[", b"(", b"\"", b"@", b"a.", b"<br>", b"\x1b[", b"\x08", b"\xa0", b"\x85"]
)  # fmt: skip


@FUZZ
@example(data=b"<" * 20_000)  # the word count was quadratic on it: 14 s
@example(data=b"\xe9" * 20_000)  # the code-page vote rescanned the word per character
@given(
    data=st.binary(max_size=4096)
    | st.tuples(BYTE_PIECES, st.integers(1, 4000)).map(lambda t: t[0] * t[1])
    | st.lists(BYTE_PIECES, max_size=400).map(b"".join)
)
@pytest.mark.parametrize("name", ["story.txt", "story.html", "story.md"])
def test_any_bytes_rescue_or_refuse_in_time(name: str, data: bytes) -> None:
    rescued(data, name)


# -- HTML trees -------------------------------------------------------------------------------

INLINE = ["b", "i", "em", "strong", "u", "s", "font", "span", "a", "cite", "small"]
BLOCK = ["p", "div", "center", "blockquote", "td", "li", "h2", "table", "ul"]


@st.composite
def html_trees(draw: st.DrawFn, depth: int = 0) -> tuple[str, list[str]]:
    """Markup and the words it shows: tags closed or not, nested at random."""
    if depth > 4 or draw(st.integers(0, 3)) == 0:
        words = draw(st.lists(word, min_size=1, max_size=6))
        return " ".join(words), words
    tag = draw(st.sampled_from(INLINE + BLOCK))
    parts = draw(st.lists(html_trees(depth + 1), min_size=1, max_size=4))
    inner = (" " if tag in INLINE else "\n").join(p for p, _ in parts)
    close = f"</{tag}>" if draw(st.booleans()) else ""
    joiner = draw(st.sampled_from(["", "<br>", "<br><br>", "<hr>"]))
    return f"<{tag}>{inner}{close}{joiner}", [w for _, ws in parts for w in ws]


@st.composite
def deep_pages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A tag opened on every paragraph and never closed, hundreds deep."""
    tags = draw(st.lists(st.sampled_from([*INLINE, "div", "font", "blockquote"]), min_size=1))
    count = draw(st.integers(200, 700))
    words = [WORDS[i % len(WORDS)] + str(i) for i in range(count)]
    body = "".join(f"<{tags[i % len(tags)]}>{w} " for i, w in enumerate(words))
    return "<html><body>" + body, words


DEEP_B = (
    "<html><body>" + "".join(f"<b>word{i} " for i in range(300)),
    [f"word{i}" for i in range(300)],
)


@FUZZ
@example(page=DEEP_B)  # issue 13: past 256 unclosed <b> the rest of the page was dropped
@given(page=st.lists(html_trees(), min_size=1, max_size=6).map(
    lambda ps: ("<html><body>" + "\n".join(p for p, _ in ps), [w for _, ws in ps for w in ws])
) | deep_pages())  # fmt: skip
def test_html_trees_keep_every_word(page: tuple[str, list[str]]) -> None:
    markup, words = page
    work = rescued(markup.encode("utf-8"), "page.html")
    assert_words_kept(words, work)
    assert work is not None
    assert_export_rescues_the_same(work)


# -- plain text shapes --------------------------------------------------------------------------

LINE_PIECES = st.sampled_from(
    ["Title: ", "Author: ", "Rating: ", "From: ", "Subject: ", "Path: ", "X-Header: ", "-- ",
     "* * *", "~*~", "oOo", "----", "(1/3)", "[continued]", "By ", "copyright ", "The End",
     "    ", "\t", "          ", "\u2003\u2003", " ", "*", "_", "\"", "--", ":", "=", "(c) "]
)  # fmt: skip


@st.composite
def text_shapes(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Lines of words and the furniture of old text files, some of it repeated."""
    lines: list[str] = []
    words: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append("")
            continue
        text = draw(st.lists(word, min_size=1, max_size=8))
        words.extend(text)
        prefix = draw(st.one_of(st.just(""), LINE_PIECES, repeated(LINE_PIECES, 400)))
        if kind == 1:
            lines.append(prefix + " ".join(text))
        elif kind == 2:
            gap = draw(repeated(st.sampled_from([" ", "\t", "\u2003", " \t"]), 2000))
            lines.append(text[0] + gap + " ".join(text[1:] or ["x"]))
        else:
            lines.extend([prefix + " ".join(text)] * draw(st.integers(1, 300)))
    return "\n".join(lines), words


SPACED = ("x" + " " * 4000 + "lantern\n", ["lantern"])  # the header-label regex: 3 s
HEADERS = ("X-Header: kettle\n" * 3000, ["kettle"])  # the mail header scan: quadratic


@FUZZ
@example(shape=SPACED)
@example(shape=HEADERS)
@given(shape=text_shapes())
def test_text_shapes_keep_every_word(shape: tuple[str, list[str]]) -> None:
    text, words = shape
    work = rescued(text.encode("utf-8"), "story.txt")
    if not words:
        return
    assert_words_kept(words, work)
    assert work is not None
    assert_export_rescues_the_same(work)


# -- YAML headers ---------------------------------------------------------------------------------

yaml_scalars = st.one_of(word, st.integers(-5, 5), st.booleans(), st.just("~"), st.just("[]"))


@st.composite
def yaml_headers(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Well-typed Work keys, unknown keys with any value, and aliases (bombs among them)."""
    title = draw(word)
    lines = [f"title: {title}", f"authors: [{draw(word)}]", f"tags: [{draw(word)}, {draw(word)}]"]
    for i in range(draw(st.integers(0, 4))):
        lines.append(f"extra{i}: {draw(yaml_scalars)}")
    levels = draw(st.integers(0, 9))
    width = draw(st.integers(1, 9))
    if levels:
        lines.append("l0: &l0 [" + ", ".join([draw(word)] * width) + "]")
        for n in range(1, levels):
            lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]")
    body = " ".join(draw(st.lists(word, min_size=3, max_size=30)))
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n", body.split()


BOMB = (
    "---\ntitle: Bomb\n"
    + "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}" if n else '"lol"'] * 9) + "]\n"
              for n in range(9))
    + "---\nThe story begins here.\n",
    ["story", "begins"],
)  # fmt: skip


@FUZZ
@example(header=BOMB)  # 383 bytes that took 230 s and 6 GB
@given(header=yaml_headers())
def test_yaml_headers_load_within_bounds(header: tuple[str, list[str]]) -> None:
    text, words = header
    assert_words_kept(words, rescued(text.encode("utf-8"), "story.md"))


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["credits", "epigraphs", "notes", "authors"]), value=yaml_scalars)
def test_yaml_values_of_the_wrong_type_are_not_a_traceback(key: str, value: object) -> None:
    rescued(f"---\ntitle: T\n{key}: {value}\n---\nThe story.\n".encode(), "story.md")


# -- Work JSON ----------------------------------------------------------------------------------


@st.composite
def stored_works(draw: st.DrawFn) -> Work:
    """A Work as ficarchive writes it (rescued from a text of words)."""
    words = draw(st.lists(word, min_size=5, max_size=40))
    text = f"Title: {draw(word)}\nAuthor: {draw(word)}\n\n" + " ".join(words) + "\n"
    work = rescue(text.encode(), "story.txt")
    return work


@FUZZ
@given(work=stored_works())
def test_our_work_json_reads_back_as_it_is(work: Work) -> None:
    """As it is, but for its source: that is the JSON file given, and what the JSON said
    about its own source is kept in one diagnostic (`ours.read_work_json`)."""
    data = work.to_json().encode()
    again = rescued(data, "story.json")
    assert again is not None and again.source is not None
    assert again.source.sha256 == hashlib.sha256(data).hexdigest()
    kept = [d for d in again.diagnostics if d.kind != JSON_SOURCE]
    assert len(again.diagnostics) - len(kept) == 1
    assert again.evolve(source=work.source, diagnostics=tuple(kept)) == work


@settings(max_examples=200, deadline=None)
@given(
    work=stored_works(),
    field=st.sampled_from(["chapters", "authors", "word_count", "repairs", "notes"]),
    value=st.one_of(st.integers(), st.text(max_size=5), st.none(), st.lists(st.integers())),
)
def test_work_json_of_the_wrong_shape_is_not_a_traceback(
    work: Work, field: str, value: object
) -> None:
    data = work.to_dict() | {field: value}
    rescued(json.dumps(data).encode(), "story.json")


# -- zip and tar members -------------------------------------------------------------------------

member_names = st.lists(
    st.sampled_from(["a", "b", "s"]), min_size=1, max_size=3
).map("/".join) | st.sampled_from(["../up.txt", "/abs.txt", ".hidden", "a/../b.txt", "a/"])


@st.composite
def archives(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    names = draw(st.lists(member_names, min_size=1, max_size=8))
    return [(n, f"Title: {draw(word)}\n\n{draw(word)} story".encode()) for n in names]


def _tar(members: list[tuple[str, bytes]], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # a duplicate name is one of the shapes made
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


@settings(FUZZ, max_examples=40)
@given(members=archives(), kind=st.sampled_from(["tar", "tar.gz", "zip"]), cut=st.booleans())
def test_archive_members_unpack_inside_or_are_reported(
    tmp_path_factory: Any, members: list[tuple[str, bytes]], kind: str, cut: bool
) -> None:
    """Whatever the member names (a file and a folder of one name, ../, absolute), an
    archive cut short or whole: files land inside the folder, with their bytes, or are
    reported; nothing raises but `InputError`."""
    root = Path(tmp_path_factory.mktemp("archive"))
    data = _zip(members) if kind == "zip" else _tar(members, "w:gz" if kind == "tar.gz" else "w")
    if cut:
        data = data[: len(data) // 2]
    path = root / f"site.{kind}"
    path.write_bytes(data)
    folder = root / "unpacked"
    try:
        if kind == "zip":
            source = ZipSource(str(path))
            for entry in source.entries():
                source.read(entry.key)
            return
        problems = TarSource(str(path)).unpack(folder)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    folder.mkdir(exist_ok=True)  # as the bulk run does: nothing may have been unpacked
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert all(p.resolve().is_relative_to(root.resolve()) for p in root.rglob("*"))
    assert not (root.parent / "up.txt").exists()
    contents = {data for _, data in members}
    for key in written:
        assert (folder / key).read_bytes() in contents
    assert all("\n" not in reason for _, reason in problems)
    assert {entry.key for entry in FolderSource(str(folder)).entries()} <= written
