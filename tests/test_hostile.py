"""The hostile-input bar of issue 13, at sizes a unit test can afford.

Every shape of `benchmarks/hostile_speed.py`, hostile formats (a YAML alias bomb, EPUB
and archive bombs, broken archives) and inputs that are not files (a FIFO, devices, a
link loop, a path too long, closed standard input): no traceback, one line for what is
refused, every word of what is rescued kept. How long each takes and how much memory,
up to 32 MB, is measured by the benchmark, not here.
"""

from __future__ import annotations

import html as htmllib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ficarchive import InputError, InputTooLarge, Work, rescue
from ficarchive.bulk import bulk_rescue, read_report, read_works
from ficarchive.bulk import sources as bulk_sources

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # benchmarks/ is not installed; import it from the checkout
    sys.path.insert(0, str(REPO))

from benchmarks.hostile_speed import SHAPES  # noqa: E402

SIZE = 64 * 1024
STORY = b"Title: The Tide Mill\nAuthor: Ines Marlow\n\nThe tide came in over the mill race.\n"


def everything(work: Work) -> str:
    return htmllib.unescape(json.dumps(work.to_dict(), ensure_ascii=False)).casefold()


def _words(data: bytes, name: str) -> set[str]:
    text = data.decode("latin-1")
    if name.endswith(".html"):
        text = htmllib.unescape(re.sub(r"<[^<>]*>", " ", text))
    return {w.casefold() for w in re.findall(r"[A-Za-z]{3,}", text)}


def one_line_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


def run(
    *args: object, stdin: Any = subprocess.DEVNULL, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ficarchive", *map(str, args)],
        capture_output=True,
        text=True,
        stdin=stdin,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **env},
        timeout=120,
        check=False,
    )


# -- every shape of the benchmark, small --------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_hostile_shape_rescues_with_every_word(shape: str) -> None:
    name, make = SHAPES[shape]
    data = make(SIZE)
    work = rescue(data, name)
    held = everything(work)
    lost = sorted(w for w in _words(data, name) if w not in held)
    assert not lost, f"{shape}: lost {lost[:10]}"


@pytest.mark.parametrize("tag", ["b", "i", "u", "span", "font"])
def test_text_nested_past_256_tags_is_kept_and_the_flattening_recorded(tag: str) -> None:
    """Issue 13, finding 11: 300 unclosed <b> lost 1,196 of 7,800 words."""
    paragraph = "She walked on through the library, and the lantern followed her"
    page = "<html><body>" + "".join(f"<{tag}>{paragraph} ({i}).\n" for i in range(300))
    work = rescue(page.encode(), "deep.html")
    text = " ".join(work.paragraphs)
    assert all(f"({i})" in text for i in range(300))
    assert work.word_count == 300 * 12
    assert any(d.kind == "html-depth" for d in work.diagnostics)
    assert any(r.kind == "html-depth" for r in work.repairs) or tag in ("font", "span")


def test_a_twelve_megabyte_paragraph_is_not_read_as_empty() -> None:
    page = b"<html><body><p>" + b"word " * (12 * 2**20 // 5)
    assert rescue(page, "long.html").word_count == 12 * 2**20 // 5


# -- hostile formats ----------------------------------------------------------------------------

BOMB = (
    "---\ntitle: Bomb\n"
    + "".join(
        f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}" if n else '"lol"'] * 9) + "]\n"
        for n in range(9)
    )
    + "---\nThe story begins here, by the mill.\n"
)


def test_a_yaml_alias_bomb_is_refused_and_the_story_read_as_text() -> None:
    work = rescue(BOMB.encode(), "bomb.md")
    notes = [d.message for d in work.diagnostics if d.kind == "front-matter"]
    assert notes and "refused" in notes[0] and "aliases" in notes[0]
    assert "mill" in everything(work) and "bomb" in everything(work)


def test_a_yaml_alias_inside_itself_is_refused() -> None:
    work = rescue(b"---\ntags: &a [x, *a]\n---\nThe story.\n", "loop.md")
    assert any("holds it" in d.message for d in work.diagnostics)


def _epub(**members: bytes) -> bytes:
    parts = {
        "META-INF/container.xml": b'<?xml version="1.0"?><container xmlns="urn:oasis:names:'
        b'tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="'
        b'OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
        b"</container>",
        "OEBPS/content.opf": b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007'
        b'/opf" version="3.0"><metadata/><manifest><item id="c" href="c.xhtml" media-type='
        b'"application/xhtml+xml"/></manifest><spine><itemref idref="c"/></spine></package>',
        "OEBPS/c.xhtml": b"<html><body><p>The tide came in over the mill race.</p></body></html>",
    }
    parts.update(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, data in parts.items():
            book.writestr(name, data)
    return buffer.getvalue()


PADDING = b"<!--" + b" " * (8 * 2**20) + b"-->"


@pytest.mark.parametrize(
    ("member", "limit"),
    [("META-INF/container.xml", "4 MB"), ("OEBPS/content.opf", "4 MB"), ("OEBPS/c.xhtml", "100")],
)
def test_an_epub_bomb_is_refused_naming_the_member_and_the_cap(member: str, limit: str) -> None:
    data = _epub(**{member: PADDING})
    assert len(data) < 100_000
    with pytest.raises(InputTooLarge) as refused:
        rescue(data, "book.epub")
    message = str(refused.value)
    assert message.startswith("book.epub: ") and member in message and limit in message
    assert "\n" not in message and "; " in message


def test_a_well_made_epub_still_rescues() -> None:
    assert "mill" in " ".join(rescue(_epub(), "book.epub").paragraphs)


# -- archives in bulk ---------------------------------------------------------------------------


def _tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _bulk(source: Path, out: Path) -> dict[str, Any]:
    summary = bulk_rescue(str(source), str(out), jobs=1)
    works = sorted(r["key"] for r in read_works(str(out)).to_pylist())
    return {"summary": summary, "works": works, "report": read_report(str(out)).to_pylist()}


def test_a_tar_bomb_is_refused_naming_the_cap_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .tar.gz of 20 KB that unpacks to 20 MB, with the caps scaled down 64 times (as a
    2 MB archive that unpacks to 2 GB is, at the real caps)."""
    monkeypatch.setattr(bulk_sources, "RATIO_FROM_BYTES", 2**20)
    source = _tar(tmp_path / "site.tar.gz", {"story.txt": STORY, "big.txt": b"\0" * (20 * 2**20)})
    assert source.stat().st_size < 100_000
    with pytest.raises(InputTooLarge) as refused:
        bulk_rescue(str(source), str(tmp_path / "out"), jobs=1)
    assert "100 times its size" in str(refused.value) and "big.txt" in str(refused.value)
    assert not (tmp_path / "out" / "_bulk" / "unpacked").exists()


def test_a_finished_tar_run_leaves_no_unpacked_copy(tmp_path: Path) -> None:
    source = _tar(tmp_path / "site.tar.gz", {"a/story.txt": STORY, "b/story.txt": STORY + b"x"})
    result = _bulk(source, tmp_path / "out")
    assert result["works"] == ["a/story.txt", "b/story.txt"]
    assert not (tmp_path / "out" / "_bulk" / "unpacked").exists()
    again = _bulk(source, tmp_path / "out")  # run again: nothing to do, nothing left
    assert again["works"] == result["works"]
    assert not (tmp_path / "out" / "_bulk" / "unpacked").exists()


def test_a_truncated_tar_is_one_report_row_and_the_files_before_it_are_rescued(
    tmp_path: Path,
) -> None:
    members = {f"s{i:02}.txt": STORY + f"Part {i}. ".encode() * 4000 for i in range(8)}
    whole = _tar(tmp_path / "whole.tar", members, "w").read_bytes()
    cut = tmp_path / "site.tar"
    cut.write_bytes(whole[: len(whole) // 2])
    result = _bulk(cut, tmp_path / "out")
    assert 1 <= len(result["works"]) < 8
    rows = [r for r in result["report"] if r["file"] == str(cut)]
    assert len(rows) == 1 and "rescued" in rows[0]["reason"], result["report"]


def test_a_tar_with_a_file_and_a_folder_of_one_name_reports_one_row(tmp_path: Path) -> None:
    members = {"a": STORY, "a/b.txt": STORY + b"b", "c.txt": STORY + b"c"}
    source = _tar(tmp_path / "site.tar", members, "w")
    result = _bulk(source, tmp_path / "out")
    assert result["works"] == ["a", "c.txt"]
    assert [(r["file"], r["kind"]) for r in result["report"]] == [("a/b.txt", "failed")]


def test_a_zip_bomb_member_is_refused_fast_and_the_rest_rescued(tmp_path: Path) -> None:
    source = tmp_path / "site.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("story.txt", STORY)
        archive.writestr("big.txt", b"\0" * (40 * 2**20))
    assert source.stat().st_size < 200_000
    result = _bulk(source, tmp_path / "out")
    assert result["works"] == ["story.txt"]
    [row] = result["report"]
    assert row["file"] == "big.txt" and "32 MB" in row["reason"]


def test_a_zip_member_packed_too_tight_is_refused_by_ratio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_sources, "RATIO_FROM_BYTES", 2**20)
    source = tmp_path / "site.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dump.sql", b"\0" * (8 * 2**20))
    with pytest.raises(InputTooLarge) as refused:
        list(bulk_sources.ZipSource(str(source)).chunks("dump.sql"))
    assert "100 times its packed size" in str(refused.value)


def test_a_zip_that_is_not_one_is_one_line(tmp_path: Path) -> None:
    fake = tmp_path / "site.zip"
    fake.write_bytes(b"not a zip at all\n" * 20)
    message = one_line_error(run("bulk", "rescue", fake, "--out", tmp_path / "out", "-q"))
    assert "site.zip" in message and "not a zip" in message


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "story.txt").write_bytes(STORY)
    proc = run(
        "bulk", "rescue", tmp_path / "site", "--out", tmp_path / "out", "-q",
        "--scheduler", "tcp://127.0.0.1:9",
        DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s",
    )  # fmt: skip
    message = one_line_error(proc, code=1)
    assert "tcp://127.0.0.1:9" in message and "scheduler" in message


# -- inputs that are not story files ------------------------------------------------------------


@pytest.fixture
def odd_inputs(tmp_path: Path) -> dict[str, Path]:
    """A FIFO, the two endless devices, a path too long for the file system."""
    fifo = tmp_path / "story.txt"
    os.mkfifo(fifo)
    long = tmp_path / ("a" * 300) / "story.txt"
    return {"fifo": fifo, "zero": Path("/dev/zero"), "urandom": Path("/dev/urandom"), "long": long}


WHAT = {"fifo": "named pipe", "zero": "device", "urandom": "device", "long": "longer than"}


@pytest.mark.parametrize("kind", sorted(WHAT))
def test_rescue_refuses_what_is_not_a_story_file_in_one_line(
    odd_inputs: dict[str, Path], kind: str
) -> None:
    message = one_line_error(run("rescue", odd_inputs[kind]))
    assert WHAT[kind] in message and len(message) < 220, message


@pytest.mark.parametrize("kind", sorted(WHAT))
def test_add_lists_what_is_not_a_story_file_and_goes_on(
    odd_inputs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_bytes(STORY)
    proc = run("add", odd_inputs[kind], good, "--archive", tmp_path / "a.sqlite", "-j", "1")
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    assert "1 added" in proc.stderr and WHAT[kind] in proc.stderr


def test_closed_standard_input_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m ficarchive rescue - <&-'],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert "standard input is closed" in one_line_error(proc)


def test_endless_standard_input_is_read_to_the_limit_only(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        message = one_line_error(run("rescue", "-", stdin=zero))
    assert "32 MB" in message


def test_a_link_loop_is_searched_once(tmp_path: Path) -> None:
    site = tmp_path / "site" / "a"
    site.mkdir(parents=True)
    (site / "story.txt").write_bytes(STORY)
    (site / "up").symlink_to("..")
    os.mkfifo(tmp_path / "site" / "pipe.txt")  # not a file: not listed, and no hang
    proc = run("rescue", tmp_path / "site", "--json")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1
    result = _bulk(tmp_path / "site", tmp_path / "out")
    assert result["works"] == ["a/story.txt"] and result["report"] == []


def test_a_million_line_page_prints_a_screenful(tmp_path: Path) -> None:
    page = tmp_path / "lines.html"
    page.write_bytes(b"<p>" + b"word<br>" * 20_000)
    proc = run("rescue", page)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) < 80 and "more line" in proc.stdout


def test_a_long_field_prints_clipped(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(b"Title: " + b"tide " * 50_000 + b"\n\nThe mill race ran all night.\n")
    proc = run("rescue", story)
    assert proc.returncode == 0 and "more characters" in proc.stdout
    assert len(proc.stdout) < 20_000


def test_rescue_refuses_a_file_that_is_not_there_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        from ficarchive.files import read_story

        read_story(tmp_path / "nope.txt")
