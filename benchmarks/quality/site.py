"""A whole site mirror rescued in bulk, scored against the site's own listing pages.

``python -m benchmarks.quality.site`` runs ``bulk_rescue`` on ``tmffa/`` of the shared
corpus (or reads an existing output with ``--out``) and scores it against
``tmffa/gold.json``, which was built from the site's listing and chapter pages alone:

- **joined in order**: gold works with two or more chapter files in the mirror (a 404
  page saved in place of a chapter does not count) whose work holds exactly those files,
  in the site's order;
- **files in the right work**: story files whose work holds exactly the files of their
  gold work (no more, no fewer, any order);
- **single files alone**: gold works of one file that became a work of that file alone;
- **title / authors**: of the works joined in order, those whose title (authors) is the
  listing's, compared without case, quotes or spacing;
- **site pages taken for works**: of the mirror's HTML pages that are not story files of
  the gold (listings, chapter pages, 404 pages, polls, reviews, ...), those that ended up
  in a work.

Each is printed per section of the archive (``x``, ``m``, ``l``) and overall; site pages
per folder. ``l`` is the section kept out of tuning (`HELD_OUT`). The title and authors
of a joined work are the listing's when the site has a page for the story (the site's
record of it); "if only filled" says how they would score had the listing only filled
what the first file lacks (the first file's own header wins where it has one).
``--subset cross-a-c.html,lemon-s-z.html`` scores only the works of those listings, in
a mirror of their story files and every top-level page (`TEST_SUBSET`: what
tests/test_quality_site.py runs).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.quality.corpus import CORPUS_ENV, corpus_dir
from benchmarks.quality.report import Tally

MIRROR = "tmffa"
SECTIONS = ("x", "m", "l")
#: The section no threshold was tuned on: its scores are the out-of-sample figure.
HELD_OUT = "l"
#: Floors from issue 9: multi-part stories joined in the site's order...
JOINED_IN_ORDER = 0.90
#: ...and the site's own pages that became works, at most.
SITE_PAGES_AS_WORKS = 0.01
#: The listing whose works the corpus test rescues (a listing of the held-out section,
#: 143 story files, 22 of its stories in several; the whole mirror is the benchmark).
TEST_SUBSET = ("lemon-s-z.html",)

_FURNITURE = re.compile(r"\.(?:gif|jpe?g|png|bmp|ico|css|js|mid|midi|wav|zip)$", re.I)
_HTML_HEAD = re.compile(rb"<(?:!doctype\s+html|html|head|body|title)\b", re.I)
_QUOTES = str.maketrans({c: " " for c in "\"'`\u2018\u2019\u201c\u201d"})


def normal(text: str | None) -> str:
    """A title or name compared without case, quotes or spacing.

    >>> normal(' "Guy\u2019s  Poker Night" ') == normal("guy's poker night")
    True
    """
    return " ".join((text or "").translate(_QUOTES).casefold().split())


# -- the gold and the mirror ---------------------------------------------------------------


@dataclass(frozen=True)
class GoldWork:
    key: str
    section: str
    title: str
    authors: tuple[str, ...]
    files: tuple[str, ...]  # the chapter files present in the mirror, in the site's order
    listed_on: tuple[str, ...]


def mirror_files(mirror: Path) -> set[str]:
    """Every file of the mirror as a POSIX key (hidden files left out, as bulk does)."""
    keys = set()
    for folder, dirs, names in os.walk(mirror):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                keys.add(Path(folder, name).relative_to(mirror).as_posix())
    return keys


def load_gold(mirror: Path, keys: set[str]) -> tuple[list[GoldWork], set[str]]:
    """The gold works (files present in the mirror only) and the 404 stubs it names."""
    data = json.loads((mirror / "gold.json").read_text(encoding="utf-8"))
    works, stubs = [], set()
    for w in data["works"]:
        files: list[str] = []
        for chapter in w["chapters"]:
            name = chapter["file"]
            if chapter.get("status") == "404_stub":  # a 404 page saved in its place
                stubs.add(name)
            elif chapter.get("status") != "ok":  # an empty file: neither story nor page
                continue
            elif name in keys and name not in files:  # a listing may name a file twice
                files.append(name)
        if files:
            fields = (w["key"], w["section"], w["title"], tuple(w["authors"]))
            works.append(GoldWork(*fields, tuple(files), tuple(w["listed_on"])))
    return works, stubs & keys


def site_pages(mirror: Path, keys: set[str], gold: list[GoldWork], stubs: set[str]) -> set[str]:
    """The mirror's HTML pages that are no story file of the gold, 404 stubs included."""
    story = {f for w in gold for f in w.files}
    pages = set(stubs)
    for key in keys - story:
        if _FURNITURE.search(key):
            continue
        with (mirror / key).open("rb") as handle:
            if _HTML_HEAD.search(handle.read(2048)):
                pages.add(key)
    return pages


# -- the rescued output ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rescued:
    files: tuple[str, ...]
    title: str | None
    authors: tuple[str, ...]
    # what the first file itself said, before the site's listing was laid over it
    file_title: str | None = None
    file_authors: tuple[str, ...] = ()


_FILE_SAYS = re.compile(r"; the first file says (?:“(?P<title>.*)”|(?P<names>.*))$")


def _rescued(row: dict[str, Any]) -> Rescued:
    """A work row; for a joined work, what its first file said (from the diagnostics the
    site's listing left when it replaced them: kind ``site``)."""
    title, authors = row["title"], tuple(row["authors"])
    if len(row["files"]) > 1:
        for d in json.loads(row["work_json"])["diagnostics"]:
            if d["kind"] != "site":
                continue
            said = _FILE_SAYS.search(d["message"])
            if d["message"].startswith("title"):
                title = said["title"] if said else None
            elif d["message"].startswith("authors"):
                authors = tuple(said["names"].split(", ")) if said else ()
    return Rescued(tuple(row["files"]), row["title"], tuple(row["authors"]), title, authors)


def read_output(out: Path) -> tuple[list[Rescued], dict[str, set[str]]]:
    """The works of a bulk output (without their originals) and the report's kinds by file."""
    from ficarchive.bulk.output import Output

    output = Output(str(out))
    columns = ["files", "title", "authors", "work_json"]
    works = [_rescued(r) for b in output.batches("works", columns, 512) for r in b.to_pylist()]
    kinds: dict[str, set[str]] = {}
    for batch in output.batches("report", ["file", "kind"]):
        for r in batch.to_pylist():
            kinds.setdefault(r["file"], set()).add(r["kind"])
    return works, kinds


# -- scoring ----------------------------------------------------------------------------------


@dataclass
class Scores:
    multipart: int = 0
    joined: Tally = field(default_factory=lambda: Tally(0, 0))
    files_right: Tally = field(default_factory=lambda: Tally(0, 0))
    singles: Tally = field(default_factory=lambda: Tally(0, 0))
    title: Tally = field(default_factory=lambda: Tally(0, 0))
    authors: Tally = field(default_factory=lambda: Tally(0, 0))
    file_title: Tally = field(default_factory=lambda: Tally(0, 0))
    file_authors: Tally = field(default_factory=lambda: Tally(0, 0))
    failures: list[str] = field(default_factory=list)


def _add(t: Tally, ok: bool) -> Tally:
    return Tally(t.passed + ok, t.counted + 1)


def _same_names(found: Iterable[str], gold: Iterable[str]) -> bool:
    return sorted(map(normal, found)) == sorted(map(normal, gold))


def score_works(gold: Iterable[GoldWork], works: list[Rescued]) -> Scores:
    """Joining, singles, files and listing fields of `gold` against the rescued works."""
    gold = list(gold)
    story = {f for w in gold for f in w.files}
    chapters = {f for w in gold if len(w.files) > 1 for f in w.files}
    holder = {f: w for w in works for f in w.files}
    s = Scores()
    for g in gold:
        if len(g.files) == 1 and g.files[0] in chapters:
            continue  # listed alone and as a chapter of a story: scored as the chapter
        held = [holder.get(f) for f in g.files]
        first = held[0]
        for w in held:
            right = w is not None and {x for x in w.files if x in story} == set(g.files)
            s.files_right = _add(s.files_right, right)
        exact = first is not None and first.files == g.files
        if len(g.files) == 1:
            s.singles = _add(s.singles, exact)
            if not exact:
                s.failures.append(f"single {g.key}: in {first.files if first else None}")
            continue
        s.multipart += 1
        s.joined = _add(s.joined, exact)
        if not exact:
            found = sorted({w.files for w in held if w is not None}, key=len, reverse=True)
            s.failures.append(f"joined {g.key}: {list(g.files)} -> {[list(f) for f in found]}")
            continue
        assert first is not None
        title_ok = normal(first.title) == normal(g.title)
        authors_ok = _same_names(first.authors, g.authors)
        s.title, s.authors = _add(s.title, title_ok), _add(s.authors, authors_ok)
        # had the listing only filled what the first file lacks:
        filled_title = first.file_title or first.title
        s.file_title = _add(s.file_title, normal(filled_title) == normal(g.title))
        filled = first.file_authors or first.authors
        s.file_authors = _add(s.file_authors, _same_names(filled, g.authors))
        if not title_ok:
            s.failures.append(f"title {g.key}: {first.title!r}, listing {g.title!r}")
        if not authors_ok:
            s.failures.append(f"authors {g.key}: {list(first.authors)}, listing {list(g.authors)}")
    return s


def score_pages(pages: set[str], works: list[Rescued]) -> dict[str, Tally]:
    """Site pages taken for works: at the mirror's top, in each section's folder, in
    other folders, and all."""
    in_works = {f for w in works for f in w.files}
    by = {name: Tally(0, 0) for name in ("top", *SECTIONS, "other", "all")}
    for key in pages:
        folder = key.split("/", 1)[0] if "/" in key else "top"
        name = folder if folder in by else "other"
        by[name] = _add(by[name], key in in_works)
        by["all"] = _add(by["all"], key in in_works)
    return by


# -- the subset the test runs ---------------------------------------------------------------


def subset(keys: set[str], gold: list[GoldWork], listings: Iterable[str]) -> set[str]:
    """The keys of a smaller mirror: the story files of the gold works listed on
    `listings`, and every top-level file (so every kind of site page is still there)."""
    wanted = set(listings)
    chosen = {f for w in gold if wanted & set(w.listed_on) for f in w.files}
    return chosen | {k for k in keys if "/" not in k}


def link_subset(mirror: Path, keys: set[str], dest: Path) -> None:
    for key in keys:
        target = dest / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(mirror / key)


# -- running and printing ----------------------------------------------------------------------


@dataclass
class SiteResult:
    sections: dict[str, Scores]
    pages: dict[str, Tally]
    seconds: float
    works: int

    @property
    def ok(self) -> bool:
        overall = self.sections["overall"]
        pages = self.pages.get("all", Tally(0, 0))
        return overall.joined.share >= JOINED_IN_ORDER and pages.share <= SITE_PAGES_AS_WORKS


def evaluate(mirror: Path, out: Path, listings: Iterable[str] = (), jobs: int = 2) -> SiteResult:
    """Bulk-rescue `mirror` (or the subset of `listings`) into `out` unless `out` holds a
    finished run; score it."""
    keys = mirror_files(mirror)
    gold, stubs = load_gold(mirror, keys)
    source = mirror
    if listings:
        keys = subset(keys, gold, listings)
        gold = [w for w in gold if set(w.files) <= keys]
        stubs &= keys
        source = out.parent / f"{out.name}-mirror"
        if not source.exists():
            link_subset(mirror, keys, source)
    seconds = 0.0
    if not (out / "_SUCCESS").exists():
        from ficarchive.bulk import bulk_rescue

        started = time.perf_counter()
        bulk_rescue(str(source), str(out), jobs=jobs)
        seconds = time.perf_counter() - started
    works, _kinds = read_output(out)
    sections = {s: score_works((w for w in gold if w.section == s), works) for s in SECTIONS}
    sections["overall"] = score_works(gold, works)
    return SiteResult(sections, score_pages(site_pages(mirror, keys, gold, stubs), works),
                      seconds, len(works))  # fmt: skip


def _rows(result: SiteResult) -> Iterator[list[str]]:
    for name, s in result.sections.items():
        label = f"{name} (held out)" if name == HELD_OUT else name
        yield [label, str(s.multipart), str(s.joined), str(s.files_right), str(s.singles),
               str(s.title), str(s.authors), str(s.file_title), str(s.file_authors)]  # fmt: skip


def tables(result: SiteResult) -> str:
    head = ["section", "multi-part", "joined in order", "files in the right work",
            "single files alone", "title (joined)", "authors (joined)",
            "title if only filled", "authors if only filled"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(result)]
    lines += ["", "| folder | site pages taken for works |", "|---|---|"]
    lines += [f"| {name} | {t} |" for name, t in result.pages.items()]
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality.site", description=__doc__)
    parser.add_argument("--out", type=Path, help="bulk output: read if finished, else written")
    parser.add_argument(
        "--subset", metavar="PAGES", help="only the works of these listings (a,b.html)"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--corpus", type=Path, help="corpus folder (default ../shared/corpus)")
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="list N failures")
    parser.add_argument("--json", type=Path, help="save the scores as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a floor is missed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.corpus:
        os.environ[CORPUS_ENV] = str(args.corpus)
    mirror = corpus_dir() / MIRROR
    if not (mirror / "gold.json").is_file():
        print(f"site quality skipped: {mirror}/gold.json is absent (set ${CORPUS_ENV})")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch) / "out"
        listings = args.subset.split(",") if args.subset else ()
        result = evaluate(mirror, out, listings, args.jobs)
    print(tables(result))
    took = f"bulk rescue took {result.seconds:.1f}s" if result.seconds else "output reused"
    print(f"\n{result.works} works; {took}")
    overall, pages = result.sections["overall"], result.pages.get("all", Tally(0, 0))
    print(f"floors: joined in order {overall.joined} (floor {JOINED_IN_ORDER:.0%}), "
          f"site pages taken for works {pages} (at most {SITE_PAGES_AS_WORKS:.0%})")  # fmt: skip
    if args.failures:
        print("\n".join(result.sections["overall"].failures[: args.failures]))
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=1, default=str))
    if not result.ok:
        print("site quality floors missed")
        return 1 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
