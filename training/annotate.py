"""Hand annotations of real corpus files: what each line of a story file is.

The structure reader is trained and scored on real files, so some of them are read by a
person and every line given its part: title, byline, header field, note, disclaimer,
epigraph, body, scene break, chapter heading, end mark, back matter (notes and feedback
after the story), furniture (mail headers, banners, part markers, page footers). The
annotations refer to the corpus by file name, SHA-256 and line number (the file's own
line breaks, see `raw_lines`), never by copying it; a line's short hash is kept beside
its number so that a misnumbered run is caught.

One JSON object a line in ``training/annotations/<collection>.jsonl``::

    {"file": "x/story01.txt", "story": true,
     "title": "The title as the file gives it", "authors": ["As the file gives it"],
     "runs": "0 title; 2 byline; 4 field; 9 disclaimer; 14 body; 210 break; 211 body;
              480 end; 482 back",
     "sha256": "...", "hashes": {"0": "3f2a1c", ...}, "comment": "optional"}

``runs`` gives, in order, the first line of each run and its label; a run lasts until the
next one starts (blank lines inside a run take its label and are ignored). A file that is
not a story has ``"story": false`` and may have no runs. ``title`` is null when the file
gives none; ``authors`` is empty when it names nobody.

    python -m training.annotate sample usenet-startrek 80   # the files to annotate
    python -m training.annotate more usenet-startrek 40 --stories  # a second round
    python -m training.annotate show usenet-startrek ack    # numbered lines to read
    python -m training.annotate stamp                       # fill in sha256 and hashes
    python -m training.annotate check                       # every annotation still fits
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ANNOTATIONS = Path(__file__).resolve().parent / "annotations"
REPO_ROOT = Path(__file__).resolve().parents[1]

LABELS = (
    "title",
    "byline",
    "field",
    "note",
    "disclaimer",
    "epigraph",
    "body",
    "break",
    "chapter",
    "end",
    "back",
    "furniture",
)
COLLECTIONS = ("usenet-startrek", "tmffa", "textfiles-stories", "textfiles-sf")
# Lines shown whole at the top and bottom of `show`; between them only the lines that
# could be structure (short lines set apart, divider-like lines, blank runs).
HEAD_LINES = 150
TAIL_LINES = 80
CANDIDATE_MAX_WORDS = 9
SAMPLE_SEED = 20261201


def corpus_dir() -> Path:
    import os

    env = os.environ.get("FICARCHIVE_CORPUS")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpus"


def raw_lines(path: Path) -> list[str]:
    """The lines of a corpus file as annotations count them.

    The file's own line breaks (LF, CRLF or CR), read as UTF-8 or else Windows-1252 with
    nothing repaired: a basis that never moves when rescue's decoding improves. Rescue's
    units are matched to these lines by their text (`training.align`).
    """
    data = path.read_bytes()
    for bom, codec in (
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
    ):
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            break
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def line_hash(line: str) -> str:
    """Six hex digits of a line's whitespace-folded text."""
    folded = " ".join(line.split())
    return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:6]


@dataclass(frozen=True)
class Run:
    start: int
    label: str


def parse_runs(text: str) -> list[Run]:
    runs = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        number, _, label = part.partition(" ")
        runs.append(Run(int(number), label.strip()))
    return runs


def line_labels(runs: list[Run], count: int) -> list[str | None]:
    """The label of every line (None before the first run)."""
    labels: list[str | None] = [None] * count
    for n, run in enumerate(runs):
        end = runs[n + 1].start if n + 1 < len(runs) else count
        for i in range(run.start, min(end, count)):
            labels[i] = run.label
    return labels


# -- the story files of each collection -------------------------------------------------
def story_files(collection: str) -> list[str]:
    """Every file of a collection that can be annotated (relative names, sorted)."""
    root = corpus_dir() / collection
    if collection == "tmffa":
        gold = json.loads((root / "gold.json").read_text(encoding="utf-8"))
        return sorted(name for name in gold["files"] if (root / name).is_file())
    descs = root / ".descs"
    names = []
    for line in descs.read_text(encoding="latin-1").splitlines():
        name = line.split(" ", 1)[0].strip()
        if name and (root / name).is_file():
            names.append(name)
    return sorted(set(names))


def sample(collection: str, count: int) -> list[str]:
    files = story_files(collection)
    rng = random.Random(f"{SAMPLE_SEED}:{collection}")
    return sorted(rng.sample(files, min(count, len(files))))


# Words of a collection's own description that say a file is fiction (used only to choose
# which files a second round annotates, never as gold).
_FICTION_WORDS = re.compile(
    r"fan\s*fi\w*ction|\bscript\b|screenplay|\bstory\b|parody|erotica|\bfilm\b|novel\b",
    re.I,
)


def more(collection: str, count: int, *, stories: bool) -> list[str]:
    """A further fixed-seed sample, of files not annotated yet; with `stories`, only files
    whose description (usenet, textfiles) calls them fiction."""
    done = {str(e["file"]) for p in annotation_files(collection) for e in load(p)}
    files = [f for f in story_files(collection) if f not in done]
    if stories and collection != "tmffa":
        descs = _descriptions(collection)
        files = [f for f in files if _FICTION_WORDS.search(descs.get(f, ""))]
    rng = random.Random(f"{SAMPLE_SEED}:{collection}:more")
    return sorted(rng.sample(files, min(count, len(files))))


def _descriptions(collection: str) -> dict[str, str]:
    path = corpus_dir() / collection / ".descs"
    out = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        name, _, desc = line.strip().partition(" ")
        out[name] = desc
    return out


# -- showing a file -----------------------------------------------------------------------
_SYMBOLS = re.compile(r"^[\W_]+$")


def _candidate(lines: list[str], i: int) -> bool:
    line = lines[i].strip()
    if not line:
        return False
    if _SYMBOLS.match(line):
        return True
    before = i == 0 or not lines[i - 1].strip()
    after = i + 1 >= len(lines) or not lines[i + 1].strip()
    apart = before or after
    return apart and len(line.split()) <= CANDIDATE_MAX_WORDS


def show(lines: list[str], width: int = 150) -> Iterator[str]:
    n = len(lines)
    shown = set(range(min(HEAD_LINES, n))) | set(range(max(n - TAIL_LINES, 0), n))
    hidden = 0
    blank = 0
    for i, line in enumerate(lines):
        if i in shown or _candidate(lines, i):
            if hidden:
                yield f"      … {hidden} lines of prose"
                hidden = 0
            if blank >= 3 and i not in shown:
                yield f"      … {blank} blank lines (from {i - blank})"
            blank = 0
            yield f"{i:5d}| {line[:width]}"
        elif not line.strip():
            blank += 1
        else:
            if blank >= 3:
                yield f"      … {blank} blank lines (from {i - blank})"
            blank = 0
            hidden += 1
    if hidden:
        yield f"      … {hidden} lines of prose"


# -- reading and checking the annotation files --------------------------------------------
def annotation_files(collection: str | None = None) -> list[Path]:
    return sorted(ANNOTATIONS.glob(f"{collection or '*'}.jsonl"))


def load(path: Path) -> list[dict[str, object]]:
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                entries.append(json.loads(line))
            except ValueError as exc:
                raise SystemExit(f"{path.name}:{n}: not JSON ({exc})") from exc
    return entries


def problems(collection: str, entry: dict[str, object]) -> list[str]:
    """What is wrong with one annotation (empty when it fits its file)."""
    name = str(entry.get("file"))
    path = corpus_dir() / collection / name
    if not path.is_file():
        return [f"{name}: no such file in {collection}"]
    found = []
    if entry.get("sha256") and entry["sha256"] != hashlib.sha256(path.read_bytes()).hexdigest():
        found.append(f"{name}: the file's bytes changed since it was annotated")
    if not isinstance(entry.get("story"), bool):
        found.append(f"{name}: 'story' must be true or false")
    lines = raw_lines(path)
    try:
        runs = parse_runs(str(entry.get("runs", "")))
    except ValueError:
        return [*found, f"{name}: runs must read 'LINE label; LINE label; ...'"]
    starts = [r.start for r in runs]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        found.append(f"{name}: run starts must increase")
    for run in runs:
        if run.label not in LABELS:
            found.append(f"{name}: unknown label {run.label!r} (one of {', '.join(LABELS)})")
        if not 0 <= run.start < len(lines):
            found.append(f"{name}: line {run.start} is past the end ({len(lines)} lines)")
    if entry.get("story") and not any(r.label == "body" for r in runs):
        found.append(f"{name}: a story needs a body run")
    hashes = entry.get("hashes") or {}
    assert isinstance(hashes, dict)
    for number, digest in hashes.items():
        i = int(number)
        if i >= len(lines) or line_hash(lines[i]) != digest:
            found.append(f"{name}: line {i} is not the line annotated (miscounted?)")
    return found


def stamp(path: Path) -> int:
    """Fill in the SHA-256 and run-start hashes of every entry in one annotation file."""
    collection = path.stem
    entries = load(path)
    for entry in entries:
        file = corpus_dir() / collection / str(entry["file"])
        entry["sha256"] = hashlib.sha256(file.read_bytes()).hexdigest()
        lines = raw_lines(file)
        runs = parse_runs(str(entry.get("runs", "")))
        entry["hashes"] = {
            str(r.start): line_hash(lines[r.start]) for r in runs if r.start < len(lines)
        }
    entries.sort(key=lambda e: str(e["file"]))
    path.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8"
    )
    return len(entries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.annotate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="the files of a collection to annotate")
    s.add_argument("collection", choices=COLLECTIONS)
    s.add_argument("count", type=int)
    m = sub.add_parser("more", help="further files to annotate, not annotated yet")
    m.add_argument("collection", choices=COLLECTIONS)
    m.add_argument("count", type=int)
    m.add_argument("--stories", action="store_true", help="only files described as fiction")
    w = sub.add_parser("show", help="a file's decoded lines, numbered")
    w.add_argument("collection", choices=COLLECTIONS)
    w.add_argument("file")
    w.add_argument("--all", action="store_true", help="every line, not only the candidates")
    st = sub.add_parser("stamp", help="fill in sha256 and line hashes")
    st.add_argument("collection", nargs="?", choices=COLLECTIONS, help="only this collection")
    ch = sub.add_parser("check", help="check every annotation against the corpus")
    ch.add_argument("collection", nargs="?", choices=COLLECTIONS, help="only this collection")
    args = parser.parse_args(argv)
    if args.command == "sample":
        print("\n".join(sample(args.collection, args.count)))
    elif args.command == "more":
        print("\n".join(more(args.collection, args.count, stories=args.stories)))
    elif args.command == "show":
        lines = raw_lines(corpus_dir() / args.collection / args.file)
        if args.all:
            print("\n".join(f"{i:5d}| {line}" for i, line in enumerate(lines)))
        else:
            print("\n".join(show(lines)))
    elif args.command == "stamp":
        for path in annotation_files(args.collection):
            print(f"{path.name}: {stamp(path)} entries stamped")
    else:
        bad = 0
        for path in annotation_files(args.collection):
            entries = load(path)
            for entry in entries:
                for problem in problems(path.stem, entry):
                    print(f"{path.name}: {problem}")
                    bad += 1
            print(f"{path.name}: {len(entries)} entries", file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
