"""Bulk rescue: sources, joining pages into works, Parquet output, resuming, faults, CLI.

The site under tests/fixtures/bulk/site is invented: a story list, a story with no title
of its own, chapters by name (rain_ch*), eFiction pages (viewstory.php?sid=7&chapter=M),
a chain of next/previous links, Usenet posts (1/4)…(3/4), named parts with a gap, a
binary file and a hidden folder.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ficarchive.bulk import bulk_rescue, open_source, read_report, read_works
from ficarchive.bulk import parts as bulk_parts
from ficarchive.bulk.joining import read_page
from ficarchive.bulk.output import Output, OutputUnwritable
from ficarchive.bulk.sources import FsspecSource, TarSource, ZipSource
from ficarchive.bulk.status import status
from ficarchive.work import Work

SITE = Path(__file__).resolve().parent / "fixtures" / "bulk" / "site"
KEYS = sorted(
    str(p.relative_to(SITE).as_posix())
    for p in SITE.rglob("*")
    if p.is_file() and not any(part.startswith(".") for part in p.relative_to(SITE).parts)
)

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bulk_faults, for the workers


def _last_words(row: dict[str, Any]) -> list[str]:
    """The closing line of each chapter: names which invented page it came from."""
    work = json.loads(row["work_json"])
    return [c["sections"][-1]["paragraphs"][-1].split()[3] for c in work["chapters"]]


@pytest.fixture(scope="module")
def rescued(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bulk") / "out"
    summary = bulk_rescue(str(SITE), str(out), jobs=2)
    works = {r["key"]: r for r in read_works(str(out)).to_pylist()}
    return {"out": out, "summary": summary, "works": works, "report": read_report(str(out))}


# -- sources ------------------------------------------------------------------------------


def _archives(tmp_path: Path) -> list[str]:
    zipped, tarred = tmp_path / "site.zip", tmp_path / "site.tar.gz"
    with zipfile.ZipFile(zipped, "w") as z, tarfile.open(tarred, "w:gz") as t:
        for key in KEYS:
            z.write(SITE / key, key)
            t.add(SITE / key, key)
    return [str(zipped), str(tarred)]


def test_every_kind_of_source_lists_and_reads_the_same_files(tmp_path: Path) -> None:
    import fsspec

    memory = fsspec.filesystem("memory")
    for key in KEYS:
        memory.pipe(f"/mirror/{key}", (SITE / key).read_bytes())
    locations = [str(SITE), *_archives(tmp_path), "memory://mirror"]
    kinds = []
    for location in locations:
        source = open_source(location)
        kinds.append(type(source))
        listing = source.entries()
        assert inspect.isgenerator(listing), "listings are streamed"
        assert sorted(e.key for e in listing) == KEYS, location
        story = "rain_ch2.html"
        assert source.read(story) == (SITE / story).read_bytes()
        assert source.head(story, 10) == (SITE / story).read_bytes()[:10]
    assert {ZipSource, TarSource, FsspecSource} <= set(kinds)


def test_a_remote_source_is_planned_like_a_folder(tmp_path: Path) -> None:
    """Heads of a remote source are read by threads; the plan is the same."""
    import fsspec

    from ficarchive.bulk.plan import Plan

    memory = fsspec.filesystem("memory")
    for key in KEYS:
        memory.pipe(f"/planned/{key}", (SITE / key).read_bytes())
    plans = []
    for n, location in enumerate((str(SITE), "memory://planned")):
        plan = Plan(tmp_path / f"plan{n}.sqlite")
        plan.build(open_source(location))
        plans.append(sorted((t.group, t.keys, t.missing, t.title) for t in plan.pending()))
        plan.close()
    assert plans[0] == plans[1] and len(plans[0]) == 7


def test_a_missing_source_is_one_clear_error(tmp_path: Path) -> None:
    from ficarchive.errors import InputNotFound

    with pytest.raises(InputNotFound, match="no such folder"):
        open_source(str(tmp_path / "nowhere"))
    with pytest.raises(InputNotFound, match="no such file"):
        open_source(str(tmp_path / "nowhere.zip"))


# -- the planning pass ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "head", "group", "part"),
    [
        ("a/viewstory.php?sid=12&chapter=3", b"", "sid:a/12", 3),
        ("a/viewstory.php@sid=12&amp;chapter=2", b"", "sid:a/12", 2),
        ("story_ch2.html", b"", "name:story_*.html", 2),
        ("story-chapter-10.htm", b"", "name:story-*.htm", 10),
        ("part2.txt", b"", "name:*.txt", 2),
        ("dispatch2.html", b"", "dispatch2.html", 1),  # 'ch' inside a word is not a chapter
        ("post.17", b"From: a@b.invalid\nSubject: Re: Snow [2/7]\n\nText", "usenet:", 2),
        ("post.18", b"Subject: Snow, part 3 of 7\n\nText", "usenet:", 3),
        ("post.19", b"Subject: Snow (2a/7)\n\nText", "usenet:", 2),  # half of a long post
        ("post.20", b"Subject: Snow - Part 4/7\n\nText", "usenet:", 4),
        ("plain.txt", b"Subject: nothing in parts\n\nText", "plain.txt", 1),
    ],
)
def test_pages_are_grouped_by_name_and_subject(
    key: str, head: bytes, group: str, part: int
) -> None:
    page = read_page(key, head)
    assert page.group.startswith(group) and page.part == part


def test_next_links_are_found_and_back_to_fiction_is_not_previous() -> None:
    head = b'<p>Text</p><a href="../index.html">Back to Fiction</a> <a href="b.html">Next &gt;</a>'
    page = read_page("s/a.html", head)
    assert (page.next, page.prev, page.index) == ("s/b.html", None, False)


def test_a_story_list_gives_titles_and_authors() -> None:
    head = (SITE / "index.html").read_bytes()
    page = read_page("index.html", head)
    assert page.index
    hints = {link.target: (link.label, link.authors) for link in page.links}
    assert hints["lantern.html"] == ("The Lantern Keeper", ("Mara Finch",))
    assert hints["efiction/viewstory.php?sid=7&chapter=1"] == ("Seven Bridges", ("Tom Reed",))


def _plan(tmp_path: Path, files: dict[str, str]) -> list[Any]:
    from ficarchive.bulk.plan import Plan

    site = tmp_path / "site"
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    plan = Plan(tmp_path / "plan.sqlite")
    plan.build(open_source(str(site)))
    tasks = list(plan.pending())
    plan.close()
    return tasks


def test_a_saved_thread_holding_every_part_lacks_none(tmp_path: Path) -> None:
    """One file with every post of a story: its first Subject says part 2 of 3 (posts
    saved out of order) and the others lie past the planning pass's head."""
    post = "From: wren@example.invalid\nSubject: Salt Line {}\n\nThe tide came in.\n\n"
    filler = "The quay was quiet and the nets were drying in the sun.\n" * 1500  # ~85 KB
    thread = post.format("(part 2 of 3)") + filler + post.format("(part 1 of 3)")
    thread += post.format("part 3 (of 3)")
    (task,) = _plan(tmp_path, {"saltline.txt": thread})
    assert task.missing == ()
    (task,) = _plan(tmp_path / "cut", {"saltline.txt": thread[: len(thread) // 2]})
    assert task.missing == (
        "part 1 of 3 of the story saltline.txt",
        "part 3 of 3 of the story saltline.txt",
    )


def test_site_furniture_is_skipped_and_reported_not_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ficarchive.bulk import run as bulk_run

    monkeypatch.setattr(bulk_run, "PLANNING_ROWS", 2)  # the planning report in two parts
    site = tmp_path / "site"
    (site / "img").mkdir(parents=True)
    shutil.copy(SITE / "lantern.html", site / "lantern.html")
    (site / "img" / "divider.GIF").write_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff\x00,")
    (site / "style.css").write_text("body { font-family: Verdana; }\n")
    (site / "counter.js").write_text("document.write('You are visitor 1,234');\n")
    summary = bulk_rescue(str(site), str(tmp_path / "out"), jobs=1)
    assert (summary.files, summary.works) == (4, 1)
    report = {
        r["file"]: (r["kind"], r["reason"]) for r in read_report(str(tmp_path / "out")).to_pylist()
    }
    assert report == {
        "counter.js": ("skipped", "counter.js: a script (site furniture), not a story"),
        "img/divider.GIF": ("skipped", "img/divider.GIF: an image (site furniture), not a story"),
        "style.css": ("skipped", "style.css: a stylesheet (site furniture), not a story"),
    }
    assert len(list((tmp_path / "out" / "report").glob("part-000-0000-*.parquet"))) == 2


def test_the_unnumbered_page_is_part_one(tmp_path: Path) -> None:
    (task,) = _plan(tmp_path, {"story.html": "a", "story_ch2.html": "b", "story_ch3.html": "c"})
    assert task.keys == ("story.html", "story_ch2.html", "story_ch3.html")
    assert task.missing == ()


def test_a_next_link_out_of_the_mirror_is_a_missing_part(tmp_path: Path) -> None:
    pages = {
        "a.html": '<p>One</p><a href="b.html">Next</a>',
        "b.html": '<a href="a.html">Previous</a><p>Two</p><a href="c.html">Next</a>',
    }
    (task,) = _plan(tmp_path, pages)
    assert task.keys == ("a.html", "b.html")
    assert task.missing == ("the next page c.html of the story a.html",)


# -- the output of a whole site ---------------------------------------------------------------


def test_pages_of_one_story_become_one_work_in_order(rescued: dict[str, Any]) -> None:
    works = rescued["works"]
    assert _last_words(works["rain_ch1.html"]) == ["first", "second", "third"]
    assert _last_words(works["efiction/viewstory.php?sid=7&chapter=1"]) == [
        "bridge-one", "bridge-two",
    ]  # fmt: skip
    assert _last_words(works["links/one.html"]) == ["stair-one", "stair-two", "stair-three"]
    assert _last_words(works["usenet/frostfair.1"]) == ["frost-1", "frost-2", "frost-3"]
    assert works["rain_ch1.html"]["files"] == ["rain_ch1.html", "rain_ch2.html", "rain_ch3.html"]
    assert len(works) == 6


def test_missing_parts_are_reported_not_papered_over(rescued: dict[str, Any]) -> None:
    works = rescued["works"]
    assert works["usenet/frostfair.1"]["missing_parts"] == [
        "part 4 of 4 of the story usenet/frostfair.1"
    ]
    saga = works["gap/saga_part1.txt"]
    assert saga["missing_parts"] == ["part 2 of the story gap/saga_*.txt"]
    kinds = json.loads(saga["work_json"])["diagnostics"]
    assert any(d["kind"] == "missing-part" for d in kinds)
    missing = [r for r in rescued["report"].to_pylist() if r["kind"] == "missing-part"]
    assert {r["file"] for r in missing} == {"usenet/frostfair.1", "gap/saga_part1.txt"}


def test_story_list_fills_titles_and_authors(rescued: dict[str, Any]) -> None:
    works = rescued["works"]
    assert works["lantern.html"]["title"] == "The Lantern Keeper"
    assert works["lantern.html"]["authors"] == ["Mara Finch"]
    assert works["efiction/viewstory.php?sid=7&chapter=1"]["authors"] == ["Tom Reed"]


def test_report_names_failures_and_story_lists(rescued: dict[str, Any]) -> None:
    rows = {(r["file"], r["kind"]) for r in rescued["report"].to_pylist()}
    assert ("broken.bin", "failed") in rows
    assert ("index.html", "site-page") in rows
    csv_text = (rescued["out"] / "report.csv").read_text()
    assert csv_text.startswith("file,reason,kind,group\n") and "broken.bin" in csv_text


def test_rows_carry_the_work_json_and_flat_columns(
    rescued: dict[str, Any], validate_work: Any
) -> None:
    for row in rescued["works"].values():
        data = json.loads(row["work_json"])
        validate_work(data)
        work = Work.from_dict(data)
        assert row["title"] == work.title and row["authors"] == list(work.authors)
        assert row["word_count"] == work.word_count and row["chapters"] == len(work.chapters)
        assert row["sha256"] == (work.source.sha256 if work.source else None)


def test_rows_keep_the_original_bytes_of_every_file(rescued: dict[str, Any]) -> None:
    for row in rescued["works"].values():
        assert row["originals"] == [(SITE / key).read_bytes() for key in row["files"]]


def test_nothing_half_written_is_left(rescued: dict[str, Any]) -> None:
    out: Path = rescued["out"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    summary = json.loads((out / "_SUCCESS").read_text())
    assert summary["works"] == 6 and summary["files"] == len(KEYS)


def test_a_failed_write_leaves_no_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = Output(str(tmp_path))

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output.fs, "mv", broken)
    with pytest.raises(OutputUnwritable, match="disk full"):
        output.write_part("part-001-000001.parquet", [], [])
    assert output.parts("works") == []


def test_a_worker_that_cannot_write_stops_the_run_with_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_parts, "FLUSH_WORKS", 1)
    out = tmp_path / "out"

    def block(n: int, total: int) -> None:
        if n and (out / "works").is_dir():  # the first part is in: no folder for the next
            (out / "works").rename(tmp_path / "moved")
            (out / "works").write_text("not a folder\n")

    with pytest.raises(OutputUnwritable, match="cannot be written"):
        bulk_rescue(str(SITE), str(out), jobs=1, progress=block)


def test_archives_give_the_same_output_as_the_folder(
    tmp_path: Path, rescued: dict[str, Any]
) -> None:
    for location in _archives(tmp_path):
        out = tmp_path / f"out-{Path(location).name}"
        bulk_rescue(location, str(out), jobs=1)
        assert read_works(str(out)).equals(read_works(str(rescued["out"]))), location


# -- resuming --------------------------------------------------------------------------------


def test_an_interrupted_run_goes_on_without_redoing_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rescued: dict[str, Any]
) -> None:
    monkeypatch.setattr(bulk_parts, "FLUSH_WORKS", 1)
    out = tmp_path / "out"
    seen: list[int] = []

    def interrupt(n: int, total: int) -> None:
        seen.append(n)
        if sum(seen) >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        bulk_rescue(str(SITE), str(out), jobs=1, progress=interrupt)
    assert not (out / "_SUCCESS").exists()
    stopped = status(str(out))
    assert (stopped.finished, stopped.running, stopped.stories) == (False, None, 7)
    assert 3 <= stopped.done < 7 and stopped.pending == 7 - stopped.done
    assert stopped.done - 1 <= stopped.works <= stopped.done  # one story is a binary file
    stray = out / "works" / "part-009-0001-000001.parquet"  # as if a run died before committing
    stray.write_bytes(b"not parquet")
    summary = bulk_rescue(str(SITE), str(out), jobs=1)
    assert summary.done_before >= 3
    assert not stray.exists()
    assert read_works(str(out)).equals(read_works(str(rescued["out"])))
    assert read_report(str(out)).equals(rescued["report"])


def test_an_output_belongs_to_one_source(tmp_path: Path, rescued: dict[str, Any]) -> None:
    from ficarchive.bulk import OutputInUse

    with pytest.raises(OutputInUse, match="choose another --out"):
        bulk_rescue(str(tmp_path), str(rescued["out"]))


def test_one_run_at_a_time_on_an_output(tmp_path: Path) -> None:
    from ficarchive.bulk.plan import Plan, PlanInUse
    from ficarchive.bulk.run import state_path

    out = tmp_path / "out"
    held = Plan(state_path(Output(str(out))))
    try:
        with pytest.raises(PlanInUse, match=f"process {os.getpid()} is using this bulk output"):
            bulk_rescue(str(SITE), str(out), jobs=1)
        assert status(str(out)).running == f"process {os.getpid()}"  # read beside the run
    finally:
        held.close()
    assert bulk_rescue(str(SITE), str(out), jobs=1).works == 6


# -- faults ----------------------------------------------------------------------------------


def test_hangs_and_crashes_are_reported_and_lost_workers_retried(tmp_path: Path) -> None:
    from bulk_faults import FaultySource

    site = tmp_path / "site"
    site.mkdir()
    for name in ("hang.txt", "crash.txt", "flaky.txt", "fine.txt"):
        shutil.copy(SITE / "gap" / "saga_part1.txt", site / name)
    out = tmp_path / "out"
    bulk_rescue(FaultySource(str(site)), str(out), jobs=2, timeout=4)
    assert read_works(str(out)).column("key").to_pylist() == ["fine.txt", "flaky.txt"]
    report = {r["file"]: r for r in read_report(str(out)).to_pylist()}
    assert report["hang.txt"]["kind"] == "timeout"
    assert report["crash.txt"]["kind"] == "crashed"
    assert "exit code -9" in report["crash.txt"]["reason"]


def test_a_lost_worker_s_finished_stories_are_redone_once(tmp_path: Path) -> None:
    """Workers write their own parts: stories a worker finished but had not yet written
    are handed out again when it dies, and a part it wrote but never reported is deleted
    (here planted under the name its writer would have given it)."""
    from bulk_faults import FaultySource

    site = tmp_path / "site"
    site.mkdir()
    for name in ("a.txt", "crash.txt"):
        shutil.copy(SITE / "gap" / "saga_part1.txt", site / name)
    out = tmp_path / "out"
    ticks: list[int] = []

    def progress(n: int, total: int) -> None:
        ticks.append(n)
        if ticks == [0, 1]:  # a.txt done and held by worker 1, which dies on crash.txt
            (out / "works" / "part-001-0001-000001.parquet").write_bytes(b"half a part")

    bulk_rescue(FaultySource(str(site)), str(out), jobs=1, progress=progress)
    assert read_works(str(out)).column("key").to_pylist() == ["a.txt"]
    assert [r["kind"] for r in read_report(str(out)).to_pylist()] == ["crashed"]
    assert sum(ticks) == 2 and -1 in ticks  # a.txt was counted, uncounted, counted again


def test_workers_dying_as_they_start_stop_the_run(tmp_path: Path) -> None:
    from bulk_faults import FaultySource

    from ficarchive.bulk.local import WorkersDying

    site = tmp_path / "site"
    site.mkdir()
    for tree in ("alder", "birch", "cedar", "elm", "fir", "oak", "yew"):  # not in sequence
        (site / f"crash-{tree}.txt").write_text("a story\n")
    with pytest.raises(WorkersDying, match="keep dying before they finish a story"):
        bulk_rescue(FaultySource(str(site)), str(tmp_path / "out"), jobs=1)


# -- the command line --------------------------------------------------------------------------


def test_cli_bulk_rescue_and_load(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "out"
    result = run_cli("bulk", "rescue", SITE, "--out", out, "--jobs", "2", "--quiet")
    assert result.exit_code == 0, result.output
    assert "16 files: 6 works in " in result.stdout
    assert "report: failed 1, missing-part 2, site-page 1 (see " in result.stdout
    archive = tmp_path / "archive.sqlite"
    result = run_cli("bulk", "load", out, "--archive", archive, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "6 works added, 0 already in the archive"
    result = run_cli("bulk", "load", out, "--archive", archive, "-q")
    assert result.stdout.strip() == "0 works added, 6 already in the archive"
    result = run_cli("bulk", "status", out)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert lines[1:] == [
        "state finished; 1 run so far",
        "source 16 files, 7 stories",
        "done 7 stories (100 %), 0 to go",
        f"output 6 works in {len(list((out / 'works').glob('part-*.parquet')))} parts",
        "report 4 rows: failed 1, missing-part 2, site-page 1",
        f"loaded 6 works into {archive}",
    ]
    result = run_cli("bulk", "status", tmp_path / "elsewhere")
    assert result.exit_code == 2 and "no bulk run here" in result.stderr
    from ficarchive.archive import Archive

    with Archive.open(str(archive)) as opened:
        assert opened.count() == 6
        originals = {}
        for hit in list(opened.works()):
            original = opened.original(hit.id)
            assert original is not None
            originals[original.name] = original
    lantern = originals["lantern.html"]
    assert lantern.data == (SITE / "lantern.html").read_bytes()
    assert lantern.sha256 == hashlib.sha256(lantern.data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(originals["rain_ch1.parts.zip"].data)) as bundle:
        assert bundle.namelist() == ["rain_ch1.html", "rain_ch2.html", "rain_ch3.html"]
        assert all(bundle.read(n) == (SITE / n).read_bytes() for n in bundle.namelist())


def test_joined_originals_pack_the_same_bytes_every_time() -> None:
    from ficarchive.bulk.load import pack

    files, data = ["a/p1.txt", "a/p2.txt"], [b"one", b"two"]
    assert pack(files, data) == pack(files, data)
    assert pack(files, data)[0] == "p1.parts.zip"
    assert pack(["x/only.html"], [b"<p>x</p>"]) == ("only.html", b"<p>x</p>")


def test_an_output_without_originals_still_loads(tmp_path: Path) -> None:
    """Outputs written before originals were kept load the Works alone."""
    import pyarrow.parquet as pq

    from ficarchive.archive import Archive
    from ficarchive.bulk.load import load

    out = tmp_path / "out"
    bulk_rescue(str(SITE), str(out), jobs=1)
    for part in (out / "works").glob("*.parquet"):
        pq.write_table(pq.read_table(part).drop_columns(["originals"]), part)
    assert load(str(out), str(tmp_path / "a.sqlite")).added == 6
    with Archive.open(str(tmp_path / "a.sqlite")) as opened:
        assert all(opened.original(h.id) is None for h in list(opened.works()))


def test_an_interrupted_load_goes_on_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rescued: dict[str, Any]
) -> None:
    from ficarchive.archive import Archive
    from ficarchive.bulk import load as loading

    monkeypatch.setattr(loading, "LOAD_BATCH", 2)
    real_open = loading.open_archive
    calls = []

    def failing(location: str | None) -> Any:
        archive = real_open(location)
        add_work = archive.add_work

        def add(work: Work, *args: Any, **kwargs: Any) -> Any:
            calls.append(work.title)
            if len(calls) == 4:
                raise RuntimeError("the machine went down")
            return add_work(work, *args, **kwargs)

        archive.add_work = add
        return archive

    archive = str(tmp_path / "archive.sqlite")
    monkeypatch.setattr(loading, "open_archive", failing)
    with pytest.raises(RuntimeError):
        loading.load(str(rescued["out"]), archive)
    monkeypatch.setattr(loading, "open_archive", real_open)
    summary = loading.load(str(rescued["out"]), archive)
    assert summary.added + summary.unchanged == 6 and summary.added >= 3
    with Archive.open(archive) as opened:
        assert opened.count() == 6


def test_cli_errors_are_one_line(tmp_path: Path, run_cli: Any) -> None:
    result = run_cli("bulk", "rescue", tmp_path / "nowhere", "--out", tmp_path / "o", "-q")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    result = run_cli("bulk", "load", tmp_path, "--archive", tmp_path / "a.sqlite", "-q")
    assert result.exit_code == 1 and "no finished bulk output here" in result.stderr
    assert f"--out {tmp_path}` to the end first" in result.stderr
    (tmp_path / "a-file").write_text("not a folder\n")
    for out, says in (
        (tmp_path / "a-file", "is a file; --out must be a folder"),
        (tmp_path / "a-file" / "below", "cannot hold a bulk run (Not a directory)"),
        (SITE, "is the source itself"),
    ):
        result = run_cli("bulk", "rescue", SITE, "--out", out, "-q")
        assert result.exit_code == 1 and says in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_an_output_inside_the_source_is_left_out_of_it(tmp_path: Path, run_cli: Any) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    first = run_cli("bulk", "rescue", site, "--out", site / "rescued", "-q")
    again = run_cli("bulk", "rescue", site, "--out", site / "rescued", "-q")
    assert first.stdout.startswith("16 files: 6 works in "), first.stdout
    assert again.stdout.startswith("16 files: 6 works in ")
    assert "7 stories done by an earlier run" in again.stdout


# -- the shared corpus -------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_corpus_file_is_a_work_or_a_report_row(corpus: Path, tmp_path: Path) -> None:
    folder = corpus / "usenet-startrek"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))[:24]
    zipped = tmp_path / "mirror.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for path in files:
            z.write(path, f"usenet/{path.name}")
    out = tmp_path / "out"
    summary = bulk_rescue(str(zipped), str(out), jobs=2)
    works: pa.Table = read_works(str(out))
    covered = {f for fs in works.column("files").to_pylist() for f in fs}
    covered |= set(read_report(str(out)).column("file").to_pylist())
    assert covered == {f"usenet/{p.name}" for p in files}
    assert summary.files == len(files)
