"""Dead sites as web archives: the works rescued from a WARC equal those from the folder.

Part of the tmffa mirror (a listing page, two stories' chapter pages with their chapter
files, one chapter a 404 page saved under its name, the mirroring tool's "not in
archive" page) is served over loopback and captured by real tools: Debian's
``wget --warc-file`` (with its CDX index, and without it), warcio's ``capture_http``,
``wacz create`` on wget's WARC. An ARC file, which no tool on PyPI writes, is written
here from the same responses per the ARC 1.0 specification (a version-1 header record,
then ``URL IP DATE MIME LENGTH`` and the HTTP response, each record gzipped).
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from warc_capture import serve, warcio_warc, wget_warc
from warcio.archiveiterator import ArchiveIterator

from ficarchive.bulk import bulk_rescue, read_report, read_works
from ficarchive.bulk.warc import read_payload
from ficarchive.work import Work

PAGES = [
    "404.html",
    "cross-a-c.html",
    "x-guyver_muyo.html",
    "x-nnf-dragoons.html",
    *(f"x/guyver_muyo0{n}.txt" for n in (1, 2, 3)),
    *(f"x/nnf-dragoons0{n}.txt" for n in (1, 2, 3)),
]
NOT_THERE = "x/ranmuyo1.txt"  # listed on cross-a-c.html, not in the folder: the server says 404
CAPTURE_FIELDS = ("url", "captured", "warc_file", "warc_offset")


@pytest.fixture(scope="module")
def site(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("warc")
    folder = root / "mirror"
    for page in PAGES:
        (folder / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "tmffa" / page, folder / page)
    with serve(folder) as base:
        wget = wget_warc(base, [*PAGES, NOT_THERE], root / "wget")
        second = warcio_warc(base, [*PAGES, NOT_THERE], root / "warcio.warc.gz")
    scanned = root / "scan" / "wget.warc.gz"  # the same WARC with no CDX beside it
    scanned.parent.mkdir()
    shutil.copyfile(wget, scanned)
    return {"root": root, "folder": folder, "base": base, "wget": wget, "warcio": second,
            "scanned": scanned, "cdx": root / "wget.cdx"}  # fmt: skip


def _rescued(source: Path | str, out: Path) -> dict[str, Any]:
    bulk_rescue(str(source), str(out), jobs=2)
    works = {r["key"]: r for r in read_works(str(out)).to_pylist()}
    return {"works": works, "report": read_report(str(out)).to_pylist()}


@pytest.fixture(scope="module")
def from_folder(site: dict[str, Any]) -> dict[str, Any]:
    return _rescued(site["folder"], site["root"] / "out-folder")


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A Work row without what only a capture has (its place in the source)."""
    work = json.loads(row["work_json"])
    work["source"] = {k: v for k, v in work["source"].items() if k not in CAPTURE_FIELDS}
    work["diagnostics"] = [d for d in work["diagnostics"] if d["kind"] != "capture"]
    return {**{k: v for k, v in row.items() if k != "work_json"}, "work": work}


def _same_as_folder(rescued: dict[str, Any], folder: dict[str, Any]) -> None:
    assert (
        set(rescued["works"])
        == set(folder["works"])
        == {
            "x/guyver_muyo01.txt",
            "x/nnf-dragoons01.txt",
        }
    )
    for key, row in folder["works"].items():
        assert _plain(rescued["works"][key]) == _plain(row), key
    rows = [r for r in rescued["report"] if r["file"] != NOT_THERE]
    assert rows == folder["report"]
    (gone,) = [r for r in rescued["report"] if r["file"] == NOT_THERE]
    assert gone["kind"] == "skipped" and "answered HTTP 404 when it was captured" in gone["reason"]


@pytest.mark.corpus
@pytest.mark.parametrize("producer", ["wget", "scanned", "warcio"])
def test_the_works_from_a_warc_are_those_from_the_folder(
    site: dict[str, Any], from_folder: dict[str, Any], producer: str
) -> None:
    rescued = _rescued(site[producer], site["root"] / f"out-{producer}")
    _same_as_folder(rescued, from_folder)
    guyver = rescued["works"]["x/guyver_muyo01.txt"]
    assert guyver["files"] == [f"x/guyver_muyo0{n}.txt" for n in (1, 2, 3)]
    dragoons = rescued["works"]["x/nnf-dragoons01.txt"]
    assert (
        dragoons["missing_parts"]
        and "an error page saved in its place" in (dragoons["missing_parts"][0])
    )


@pytest.mark.corpus
def test_each_work_says_where_and_when_it_was_captured(site: dict[str, Any]) -> None:
    rescued = _rescued(site["scanned"], site["root"] / "out-place")
    row = rescued["works"]["x/guyver_muyo01.txt"]
    source = Work.from_json(row["work_json"], strict=True).source
    assert source is not None
    assert source.url == site["base"] + "x/guyver_muyo01.txt"
    assert source.warc_file == "wget.warc.gz" and source.captured is not None
    with site["scanned"].open("rb") as handle:  # the record there is the exact payload
        payload = read_payload(handle, source.warc_offset or 0, 0)
    assert payload.body == row["originals"][0]
    assert payload.body == (site["folder"] / "x" / "guyver_muyo01.txt").read_bytes()


@pytest.mark.corpus
def test_a_wacz_made_by_the_wacz_tool(site: dict[str, Any], from_folder: dict[str, Any]) -> None:
    wacz = shutil.which("wacz", path=str(Path(sys.executable).parent))
    if wacz is None:
        pytest.skip("the wacz tool is not installed (pip install -e '.[test]' installs it)")
    bundle = site["root"] / "site.wacz"
    subprocess.run([wacz, "create", "-o", str(bundle), str(site["wget"])], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    rescued = _rescued(bundle, site["root"] / "out-wacz")
    _same_as_folder(rescued, from_folder)
    source = json.loads(rescued["works"]["x/guyver_muyo01.txt"]["work_json"])["source"]
    assert source["warc_file"] == "site.wacz/archive/wget.warc.gz"


def write_arc(warc: Path, target: Path) -> Path:
    """The responses of `warc` as an ARC 1.0 file (version-1 header, each record
    gzipped), as Alexa's and the Internet Archive's crawlers wrote them until 2008."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        header_body = (
            b"1 0 Alexa Internet\nURL IP-address Archive-date Content-type Archive-length\n"
        )
        header = b"filedesc://%s 0.0.0.0 19990905120000 text/plain %d\n" % (
            target.name.encode(),
            len(header_body),
        )
        out.write(gzip.compress(header + header_body + b"\n"))
        with warc.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI").strip("<>")
                http = record.raw_stream.read()
                block = record.http_headers.to_bytes() + http
                mime = (record.http_headers.get_header("Content-Type") or "-").split(";")[0]
                line = f"{url} 127.0.0.1 19990905120000 {mime} {len(block)}\n".encode()
                out.write(gzip.compress(line + block + b"\n"))
    return target


@pytest.mark.corpus
def test_an_arc_file(site: dict[str, Any], from_folder: dict[str, Any]) -> None:
    arc = write_arc(site["wget"], site["root"] / "arc" / "site.arc.gz")
    rescued = _rescued(arc, site["root"] / "out-arc")
    _same_as_folder(rescued, from_folder)
    source = json.loads(rescued["works"]["x/guyver_muyo01.txt"]["work_json"])["source"]
    assert source["captured"] == "1999-09-05T12:00:00Z" and source["warc_file"] == "site.arc.gz"


@pytest.mark.corpus
def test_a_warc_gzipped_whole(site: dict[str, Any], from_folder: dict[str, Any]) -> None:
    whole = site["root"] / "whole" / "site.warc.gz"
    whole.parent.mkdir()
    whole.write_bytes(gzip.compress(gzip.decompress(site["wget"].read_bytes())))
    rescued = _rescued(whole, site["root"] / "out-whole")
    (note,) = [r for r in rescued["report"] if r["file"] == "site.warc.gz"]
    assert note["kind"] == "index" and "gzipped whole" in note["reason"]
    rescued["report"].remove(note)
    _same_as_folder(rescued, from_folder)


def _records(warc: Path) -> list[tuple[int, str, str]]:
    with warc.open("rb") as handle:
        iterator = ArchiveIterator(handle)
        return [
            (iterator.get_record_offset(), r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
            for r in iterator
        ]


def _cut(warc: Path, target: Path, keep: int) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(warc.read_bytes()[:keep])
    return target


@pytest.mark.corpus
def test_a_truncated_warc_rescues_what_it_holds(site: dict[str, Any]) -> None:
    records = _records(site["scanned"])
    last = max(o for o, kind, uri in records if kind == "response" and "guyver_muyo03" in uri)
    cut = _cut(site["scanned"], site["root"] / "cut" / "site.warc.gz", last + 200)
    out = site["root"] / "out-cut"
    rescued = _rescued(cut, out)
    report = rescued["report"]
    assert any("cut short" in r["reason"] and r["kind"] == "failed" for r in report), report
    assert all("guyver_muyo03" not in r["file"] or r["kind"] != "site-page" for r in report)


@pytest.mark.corpus
def test_one_corrupt_record_is_reported_and_the_rest_rescued(
    site: dict[str, Any], from_folder: dict[str, Any]
) -> None:
    data = bytearray(site["scanned"].read_bytes())
    records = _records(site["scanned"])
    bad = next(o for o, kind, uri in records if kind == "response" and "x-guyver_muyo" in uri)
    data[bad + 20 : bad + 60] = b"\x00" * 40  # inside the gzip member of the record
    broken = site["root"] / "corrupt" / "site.warc.gz"
    broken.parent.mkdir()
    broken.write_bytes(bytes(data))
    rescued = _rescued(broken, site["root"] / "out-corrupt")
    failed = [r for r in rescued["report"] if r["kind"] == "failed"]
    assert len(failed) == 1 and f"byte {bad:,}" in failed[0]["reason"], failed
    # the story's page is lost; the other story is whole
    assert rescued["works"]["x/nnf-dragoons01.txt"]["files"] == [
        "x/nnf-dragoons01.txt",
        "x/nnf-dragoons02.txt",
    ]
    # and the story whose page was lost still joins, by its files' own titles and parts
    assert rescued["works"]["x/guyver_muyo01.txt"]["files"] == [
        "x/guyver_muyo01.txt",
        "x/guyver_muyo02.txt",
        "x/guyver_muyo03.txt",
    ]


@pytest.mark.corpus
def test_a_folder_of_mixed_web_archives(site: dict[str, Any]) -> None:
    """A WARC, an ARC of other pages, and a file that is no web archive at all."""
    mixed = site["root"] / "mixed"
    mixed.mkdir()
    shutil.copyfile(site["warcio"], mixed / "a.warc.gz")
    (mixed / "b.warc.gz").write_bytes(b"<html>not a WARC</html>")
    rescued = _rescued(mixed, site["root"] / "out-mixed")
    assert set(rescued["works"]) == {"x/guyver_muyo01.txt", "x/nnf-dragoons01.txt"}
    (bad,) = [r for r in rescued["report"] if r["kind"] == "failed"]
    assert bad["file"] == "b.warc.gz" and "no WARC or ARC record" in bad["reason"]


def test_arc_header_line_is_what_warcio_reads(tmp_path: Path) -> None:
    """The ARC writer above, checked against warcio's reader on a record of our own."""
    warc = tmp_path / "one.warc.gz"
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.0")
        body = b"Once upon a time."
        record = writer.create_warc_record(
            "http://old.example/a.txt", "response", payload=io.BytesIO(body),
            length=len(body), http_headers=headers)  # fmt: skip
        writer.write_record(record)
    arc = write_arc(warc, tmp_path / "one.arc.gz")
    with arc.open("rb") as handle:
        records = ArchiveIterator(handle, arc2warc=True)
        found = [(r.rec_type, r.content_stream().read()) for r in records]
    assert found[-1] == ("response", b"Once upon a time.")


@pytest.mark.corpus
def test_add_a_warc_to_the_archive(site: dict[str, Any], run_cli: Any, tmp_path: Path) -> None:
    """``ficarchive add site.warc.gz``: each captured page a work, with its capture."""
    archive = tmp_path / "a.sqlite"
    result = run_cli("add", site["scanned"], "--archive", archive, "-j", "1")
    assert result.exit_code == 0, result.output
    assert "10 added" in result.output and "1 not pages" in result.output
    again = run_cli("add", site["scanned"], "--archive", archive, "-j", "1")
    assert "0 added, 10 already in the archive" in again.output
    from ficarchive.archive import Archive

    with Archive.open(str(archive)) as opened:
        stored = {s.work.source.name: s for s in opened.works(limit=50)}  # type: ignore[union-attr]
        story = stored["guyver_muyo01.txt"]
        assert story.work.source.url == site["base"] + "x/guyver_muyo01.txt"  # type: ignore[union-attr]
        original = opened.original(story.id)
        assert original is not None
        assert original.data == (site["folder"] / "x" / "guyver_muyo01.txt").read_bytes()
    shown = run_cli("show", story.id, "--archive", archive, "--original", tmp_path / "o/")
    assert shown.exit_code == 0 and "the capture of " + site["base"] in shown.output


def test_bad_web_archives_are_one_line(run_cli: Any, tmp_path: Path) -> None:
    fake = tmp_path / "site.warc.gz"
    fake.write_bytes(b"<html>a saved page, not a WARC</html>")
    result = run_cli("bulk", "rescue", fake, "--out", tmp_path / "out", "-q")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: site.warc.gz: not a WARC or ARC file (its first bytes are not a record); give a "
        ".warc, .warc.gz, .arc(.gz) or .wacz file as written by a crawler"
    ]
    added = run_cli("add", fake, "--archive", tmp_path / "a.sqlite")
    assert added.exit_code == 1 and "site.warc.gz: not a WARC or ARC file" in added.output
    missing = run_cli("bulk", "rescue", tmp_path / "gone.warc", "--out", tmp_path / "o2", "-q")
    assert missing.exit_code == 2 and "gone.warc: no such file" in missing.output
