"""Input that cannot be a story, and input that is a mess but still a story.

For what cannot be a story, the library raises the right `InputError` subclass with a
one-line message (what is wrong, then what to try), and the CLI prints that one line on
stderr after `error:` and exits 2, with no traceback.  A batch goes on past bad files,
writes the good ones, lists every failure at the end and exits 1.

Broken HTML and unknown declared charsets are not errors: they rescue.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ficarchive import (
    BinaryInput,
    EmptyInput,
    InputError,
    InputTooLarge,
    UndecodableInput,
    rescue,
)
from ficarchive.rescue.decoding.sniff import MAX_INPUT_BYTES

HUGE = 50 * 2**20  # the size the issue names: refused, well over the limit
assert HUGE > MAX_INPUT_BYTES

KETTLE = "kettle.txt"
LANTERN = "lantern.html"


# -- bad files -------------------------------------------------------------------------------


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _zip() -> bytes:
    """A zip with a story in it: the user should unpack it first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("story.txt", "Title: Inside\n\nA story in a zip file.\n" * 20)
    return buffer.getvalue()


def _pdf() -> bytes:
    rng = random.Random(7)
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length 300 /Filter /FlateDecode >>\nstream\n"
        + bytes(rng.randrange(256) for _ in range(300))
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def _nul_noise() -> bytes:
    """Random bytes, about half of them NUL: a binary file with no magic number."""
    rng = random.Random(11)
    return bytes(0 if rng.random() < 0.5 else rng.randrange(256) for _ in range(6000))


def _high_noise() -> bytes:
    """Random bytes from 0x80-0xFF: no NULs, not UTF-8, and no code page reads words in it."""
    rng = random.Random(3)
    return bytes(rng.randrange(0x80, 0x100) for _ in range(4000))


@dataclass(frozen=True)
class Bad:
    id: str
    name: str  # the file name to save it under
    data: Callable[[], bytes]
    error: type[InputError]
    wrong: str  # regex: the message says what is wrong
    advice: str | None  # regex: the message says what to try


BAD = [
    Bad("empty", "empty.txt", lambda: b"", EmptyInput, r"\bempty\b", None),
    Bad(
        "whitespace",
        "blank.txt",
        lambda: b"  \r\n\t\n   \n\x0c\n\n",
        EmptyInput,
        r"whitespace",
        None,
    ),
    Bad("pdf", "story.pdf", _pdf, BinaryInput, r"\bPDF\b", r"\.html or \.txt"),
    Bad("png", "banner.png", _png, BinaryInput, r"\bPNG\b", r"\.html or \.txt"),
    Bad("zip", "stories.zip", _zip, BinaryInput, r"\bzip\b", r"unpack"),
    Bad("nul-noise", "story.dat", _nul_noise, BinaryInput, r"\bbinary\b", r"check"),
    Bad("undecodable", "gibberish.txt", _high_noise, UndecodableInput, r"encoding", r"UTF-8"),
]
BAD_IDS = [b.id for b in BAD]
# Made on disk as a sparse file (see huge_sparse_file), not in memory.
TOO_LARGE = Bad(
    "huge", "novel.txt", lambda: b"", InputTooLarge, rf"\b{HUGE // 2**20} MB\b", r"split"
)


def check_message(message: str, name: str, bad: Bad, path: Path | None = None) -> None:
    """One line: `name: what is wrong; what to try` (the CLI may name the whole path)."""
    assert "\n" not in message and "\r" not in message, repr(message)
    assert message == message.strip(), repr(message)
    assert message.startswith((f"{name}: ", f"{path}: ")), message
    assert "; " in message, f"says what is wrong but not what to try: {message}"
    assert re.search(bad.wrong, message, re.I), message
    if bad.advice:
        assert re.search(bad.advice, message, re.I), message
    assert len(message) <= 200, f"too long for one terminal line: {message}"


def check_cli_refusal(result: Any, name: str) -> str:
    """One `error:` line on stderr, nothing on stdout, exit 2; returns the message."""
    assert "Traceback" not in result.output
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert name in lines[0]
    return lines[0].removeprefix("error: ")


# -- the library -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_library_refuses_with_one_line(bad: Bad) -> None:
    with pytest.raises(InputError) as info:
        rescue(bad.data(), bad.name)
    assert type(info.value) is bad.error, f"{type(info.value).__name__}: {info.value}"
    assert info.value.exit_code == 2
    check_message(str(info.value), bad.name, bad)


def test_library_refuses_huge_input_at_once() -> None:
    data = b"a" * HUGE
    started = time.perf_counter()
    with pytest.raises(InputTooLarge) as info:
        rescue(data, "novel.txt")
    assert time.perf_counter() - started < 1.0
    message = str(info.value)
    check_message(message, "novel.txt", TOO_LARGE)
    assert f"{MAX_INPUT_BYTES // 2**20} MB" in message


def test_just_under_the_limit_is_not_too_large() -> None:
    """The limit is on size only: the sniff looks at the head, not the whole."""
    with pytest.raises(EmptyInput):  # checked after size: all whitespace, but not too large
        rescue(b" " * MAX_INPUT_BYTES, "spaces.txt")


# -- the command line: one bad file ----------------------------------------------------------


@pytest.mark.parametrize("bad", BAD, ids=BAD_IDS)
def test_cli_refuses_with_one_error_line(run_cli: Any, tmp_path: Path, bad: Bad) -> None:
    path = tmp_path / bad.name
    path.write_bytes(bad.data())
    message = check_cli_refusal(run_cli("rescue", path), bad.name)
    check_message(message, bad.name, bad, path)


@pytest.mark.parametrize("flag", ["--json", "--html", "--markdown"])
def test_cli_refuses_in_every_format(run_cli: Any, tmp_path: Path, flag: str) -> None:
    path = tmp_path / "empty.txt"
    path.touch()
    target = tmp_path / "out.file"
    check_cli_refusal(run_cli("rescue", path, flag), "empty.txt")
    check_cli_refusal(run_cli("rescue", path, flag, "-o", target), "empty.txt")
    assert not target.exists()


def test_cli_refuses_empty_stdin(run_cli: Any) -> None:
    message = check_cli_refusal(run_cli("rescue", "-", input=b""), "<stdin>")
    assert "empty" in message


def huge_sparse_file(path: Path) -> Path:
    """A 65 MiB file that takes no disk and no time to make."""
    with path.open("wb") as f:
        f.truncate(HUGE)
    return path


def test_cli_refuses_a_huge_file_without_reading_it(run_cli: Any, tmp_path: Path) -> None:
    path = huge_sparse_file(tmp_path / "novel.txt")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = run_cli("rescue", path, "--json")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = check_cli_refusal(result, "novel.txt")
    check_message(message, "novel.txt", TOO_LARGE, path)
    assert f"{MAX_INPUT_BYTES // 2**20} MB" in message
    assert elapsed < 2.0, f"took {elapsed:.1f} s: the file was read"
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB: the file was read into memory"


def test_cli_refuses_huge_stdin(run_cli: Any) -> None:
    message = check_cli_refusal(run_cli("rescue", "-", input=b"a" * HUGE), "<stdin>")
    assert f"{MAX_INPUT_BYTES // 2**20} MB" in message and "split" in message


def test_cli_file_that_does_not_exist(run_cli: Any, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    message = check_cli_refusal(run_cli("rescue", missing), "nope.txt")
    assert re.search(r"does not exist|no such file|not found", message, re.I), message


# -- the command line: a batch with bad files in it ---------------------------------------------


@pytest.fixture
def mixed_folder(tmp_path: Path, cli_fixtures: Path) -> tuple[Path, list[str]]:
    """One good story and every kind of bad file; returns the folder and the bad names."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(cli_fixtures / KETTLE, folder / KETTLE)
    for bad in BAD:
        (folder / bad.name).write_bytes(bad.data())
    huge_sparse_file(folder / "novel.txt")
    return folder, sorted([*(b.name for b in BAD), "novel.txt"])


def check_failure_list(stderr: str, bad_names: list[str], total: int) -> None:
    """Every bad file listed, once, after the summary line that ends stderr."""
    lines = stderr.rstrip("\n").splitlines()
    summary = f"{len(bad_names)} of {total} files could not be rescued:"
    assert summary in lines, stderr
    listed = lines[lines.index(summary) + 1 :]
    assert len(listed) == len(bad_names), stderr
    for name in bad_names:
        named = re.compile(rf"^(?:.*/)?{re.escape(name)}: ")
        assert sum(bool(named.match(line.strip())) for line in listed) == 1, (
            f"{name} not listed once:\n{stderr}"
        )


def test_batch_writes_the_good_and_lists_the_bad(
    run_cli: Any, mixed_folder: tuple[Path, list[str]], tmp_path: Path, validate_work: Any
) -> None:
    folder, bad_names = mixed_folder
    out = tmp_path / "out"
    started = time.perf_counter()
    result = run_cli("rescue", folder, "--json", "-o", out)
    assert time.perf_counter() - started < 5.0
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{KETTLE}.json"]
    validate_work(json.loads((out / f"{KETTLE}.json").read_text(encoding="utf-8")))
    check_failure_list(result.stderr, bad_names, len(bad_names) + 1)


def test_batch_json_lines_carry_only_the_good(
    run_cli: Any, mixed_folder: tuple[Path, list[str]], validate_work: Any
) -> None:
    folder, bad_names = mixed_folder
    result = run_cli("rescue", folder, "--json")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout[:300]
    validate_work(json.loads(lines[0]))
    check_failure_list(result.stderr, bad_names, len(bad_names) + 1)


def test_batch_with_a_missing_path_goes_on(
    run_cli: Any, tmp_path: Path, cli_fixtures: Path
) -> None:
    out = tmp_path / "out"
    missing = tmp_path / "nope.txt"
    result = run_cli("rescue", missing, cli_fixtures / KETTLE, "--markdown", "-o", out)
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert (out / f"{KETTLE}.md").is_file()
    assert "nope.txt" in result.stderr.splitlines()[-1]


def test_batch_failure_list_tells_same_named_files_apart(run_cli: Any, tmp_path: Path) -> None:
    """`a/story.txt` and `b/story.txt` both bad: the list must say which is which."""
    root = tmp_path / "site"
    for sub in ("a", "b"):
        (root / sub).mkdir(parents=True)
        (root / sub / "story.txt").write_bytes(b"")
    result = run_cli("rescue", root, "--json")
    assert result.exit_code == 1, result.output
    listed = result.stderr.rstrip("\n").splitlines()[-2:]
    assert len(set(listed)) == 2, f"two failures, listed the same: {listed}"
    for sub in ("a", "b"):
        assert any(f"{sub}/story.txt" in line for line in listed), listed


# -- a real process: exit codes and no traceback -------------------------------------------------


_COLOUR = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def run_module(*args: object) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {"NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ficarchive", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**{k: v for k, v in os.environ.items() if k not in _COLOUR}, **env},
        timeout=60,
        check=False,
    )
    return proc, time.perf_counter() - started


@pytest.mark.parametrize("bad", [BAD[0], BAD[2]], ids=[BAD[0].id, BAD[2].id])
def test_python_m_ficarchive_refuses_bad_input(tmp_path: Path, bad: Bad) -> None:
    path = tmp_path / bad.name
    path.write_bytes(bad.data())
    proc, _ = run_module("rescue", path)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("error: "), proc.stderr
    check_message(proc.stderr.removeprefix("error: ").rstrip("\n"), bad.name, bad, path)


def test_python_m_ficarchive_refuses_a_huge_file_fast(tmp_path: Path) -> None:
    path = huge_sparse_file(tmp_path / "novel.txt")
    proc, elapsed = run_module("rescue", path, "--json")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and len(proc.stderr.splitlines()) == 1
    assert elapsed < 10.0


def test_python_m_ficarchive_batch_exit_1(
    mixed_folder: tuple[Path, list[str]], tmp_path: Path
) -> None:
    folder, bad_names = mixed_folder
    out = tmp_path / "out"
    proc, _ = run_module("rescue", folder, "--html", "-o", out)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1, proc.stderr
    assert (out / f"{KETTLE}.html").is_file()
    check_failure_list(proc.stderr, bad_names, len(bad_names) + 1)


# -- broken HTML still rescues ------------------------------------------------------------------

_STORY_PARAS = [
    "Willow lit the lantern with a word, and the little flame leaned toward her.",
    "She had come for one book, and she found it where she had left it.",
    '"Couldn\'t sleep either?" said a voice from the stacks. It was Tara.',
    "They read until the windows turned grey, and neither of them noticed.",
]
_BODY = "\n".join(f"<p>{p}" for p in _STORY_PARAS)

WILLOW, TARA, GREY = "Willow lit the lantern", "It was Tara", "They read until"

# name: (page, sentences that must come through)
SOUP: dict[str, tuple[str, tuple[str, ...]]] = {
    "unclosed-tags": (
        "<html><body><font face=arial><center><b>The Lantern<p><i>By Sam Roe\n" + _BODY,
        (WILLOW, TARA, GREY),
    ),
    "misnested": (
        "<b><i>" + _BODY.replace("<p>", "<p></b><i><u>") + "</i></b></u></blink>",
        (WILLOW, TARA, GREY),
    ),
    "garbage": (
        "<<<>>>&&&;;<\x01/><p <p> </ / >" + _BODY + "</html></html></body><p><</p>>",
        (WILLOW, TARA, GREY),
    ),
    "bad-entities": (
        _BODY + "&#99999999999; &#x110000; &#0; &bogus; &amp &#xZZZ;",
        (WILLOW, TARA, GREY),
    ),
    "unclosed-comment": (_BODY + "\n<!-- counter code <p>never closed", (WILLOW, TARA, GREY)),
    # as in a browser, the open quote swallows the page up to the next quote and `>`
    "unclosed-attribute": ('<p class="a" style="x>' + _BODY, (GREY,)),
    "table-soup": (
        "<table><tr><td><table><td>" + _BODY + "</tr></table></td></td></table>",
        (WILLOW, TARA, GREY),
    ),
    "stray-end-tags": (
        "</p></div></body></html>" + _BODY + "</td></tr></table></font>",
        (WILLOW, TARA, GREY),
    ),
    "xml-decl-utf16-lie": (
        '<?xml version="1.0" encoding="utf-16"?><html>' + _BODY,
        (WILLOW, TARA, GREY),
    ),
    "nul-and-controls": (
        _BODY.replace("word,", "word,\x00").replace("stacks.", "stacks.\x1a"),
        (WILLOW, TARA, GREY),
    ),
    # no crash and no hang; how much of it comes through is test_unclosed_tags_... below
    "deeply-nested": ("<div>" * 3000 + "<p>Deep down.</p>" + "</div>" * 10, ()),
}


@pytest.mark.parametrize("soup", sorted(SOUP))
def test_broken_html_rescues(soup: str) -> None:
    page, survivors = SOUP[soup]
    work = rescue(page.encode("utf-8"), "soup.html")
    assert work.source is not None and work.source.format == "html"
    text = " ".join(work.paragraphs)
    for sentence in survivors:
        assert sentence in text, (soup, work.paragraphs)


def test_broken_html_rescues_on_the_command_line(
    run_cli: Any, tmp_path: Path, validate_work: Any
) -> None:
    path = tmp_path / "soup.html"
    path.write_bytes("".join(page for page, _ in SOUP.values()).encode("utf-8"))
    result = run_cli("rescue", path, "--json")
    assert result.exit_code == 0, result.output
    validate_work(json.loads(result.stdout))


@pytest.mark.parametrize("tag", ["font", "div", "blockquote"])
def test_unclosed_tags_on_every_paragraph_lose_no_text(tag: str) -> None:
    """Old pages open a <font> (or <div>) per paragraph and never close one: the
    nesting gets hundreds deep, and every paragraph must still come through."""
    count = 300
    sentences = (
        "She walked on through the library, and the lantern followed her.",
        "The shelves ran higher than the light could reach, row after row of them.",
        "Somewhere a clock was ticking, slow and patient, as if it had all night.",
        "He had left a note on the table, folded twice, with her name on the front.",
        "Outside the rain kept on, and the gutters sang with it until morning.",
    )
    page = "<html><body>" + "".join(
        f"<{tag}><p>{sentences[i % 5]} {sentences[(i * 3 + 1) % 5]} ({i})\n" for i in range(count)
    )
    work = rescue(page.encode("utf-8"), "deep.html")
    kept = work.to_json()  # the body, or a field or diagnostic that holds what was taken out
    lost = [i for i in range(count) if f"({i})" not in kept]
    assert not lost, f"{len(lost)} of {count} paragraphs lost, the first {lost[0]}"
    in_body = [i for i in range(count) if any(f"({i})" in p for p in work.paragraphs)]
    # a page with no header may have its first lines read as a title (kept, above)
    assert len(in_body) >= 0.98 * count, f"only {len(in_body)} of {count} paragraphs in the story"


# -- unknown declared charset ---------------------------------------------------------------

_UNKNOWN = """<html><head>{meta}<title>The Kettle</title></head><body>
<p>Title: The Kettle<br>Author: Jane Doe</p>
<p>Giles couldn’t sleep. He put the kettle on – again – and waited for the water to boil
while the rain came down on the roof of the flat and the street lamp flickered.</p>
<p>“Café,” he said to nobody, and laughed at himself, and went to find a cup.</p>
</body></html>"""
_METAS = {
    "meta-charset": '<meta charset="x-unknown-9">',
    "http-equiv": '<meta http-equiv="Content-Type" content="text/html; charset=x-unknown-9">',
}


@pytest.mark.parametrize("encoding", ["windows-1252", "utf-8"])
@pytest.mark.parametrize("meta", sorted(_METAS))
def test_unknown_declared_charset_still_rescues(encoding: str, meta: str) -> None:
    data = _UNKNOWN.format(meta=_METAS[meta]).encode(encoding)
    work = rescue(data, "kettle.html")
    assert work.title == "The Kettle"
    text = " ".join(work.paragraphs)
    assert "couldn’t sleep" in text and "“Café,”" in text and "– again –" in text
    mentions = [d.message for d in work.diagnostics if "x-unknown-9" in d.message]
    assert mentions, f"no diagnostic names the declared charset: {work.diagnostics}"


def test_unknown_declared_charset_on_the_command_line(
    run_cli: Any, tmp_path: Path, validate_work: Any
) -> None:
    path = tmp_path / "kettle.html"
    path.write_bytes(_UNKNOWN.format(meta=_METAS["meta-charset"]).encode("windows-1252"))
    result = run_cli("rescue", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate_work(data)
    assert any("x-unknown-9" in d["message"] for d in data["diagnostics"])
