"""What a bulk run writes: Parquet parts of Works and of the report, never half-written.

An output location (a folder or any fsspec URL) holds::

    works/part-000001.parquet   one row per Work: flat columns, the Work JSON and the
                                original bytes of each of its files
    report/part-000001.parquet  one row per file that failed, timed out, crashed, is a
                                missing part or is a story list: (file, reason, kind, group)
    report.csv                  the report as one CSV, written when the run finishes
    review.csv                  the works with a field rescue is unsure of, least sure first
    _SUCCESS                    JSON counts, written last: the run is complete

Every file is written under a temporary name and renamed into place, so a reader never
sees a half-written part. `read_works` and `read_report` read the parts back as one table.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import uuid
from collections.abc import Iterator
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from ficarchive.errors import FicarchiveError
from ficarchive.review import doubts, lowest
from ficarchive.work import Work

_TEXTS = pa.list_(pa.string())

WORKS_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("group", pa.string()),
        ("files", _TEXTS),
        ("title", pa.string()),
        ("authors", _TEXTS),
        ("rating", pa.string()),
        ("warnings", _TEXTS),
        ("fandoms", _TEXTS),
        ("relationships", _TEXTS),
        ("characters", _TEXTS),
        ("tags", _TEXTS),
        ("language", pa.string()),
        ("word_count", pa.int64()),
        ("chapters", pa.int32()),
        ("looks_like_story", pa.bool_()),
        ("source_format", pa.string()),
        ("encoding", pa.string()),
        ("sha256", pa.string()),
        ("missing_parts", _TEXTS),
        # how sure rescue is: the lowest calibrated probability of anything it inferred
        # (1.0 when nothing was), and the things below ficarchive.review.REVIEW_BELOW
        ("lowest", pa.float64()),
        ("unsure", pa.string()),
        ("work_json", pa.string()),
        # the bytes of each of `files`, as read: nothing is lost between source and archive
        ("originals", pa.list_(pa.binary())),
    ]
)

REPORT_SCHEMA = pa.schema(
    [("file", pa.string()), ("reason", pa.string()), ("kind", pa.string()), ("group", pa.string())]
)


class OutputUnwritable(FicarchiveError):
    """A part of the output cannot be written (no room, no permission, not a folder)."""


# Report kinds.
FAILED, TIMEOUT, CRASHED, MISSING = "failed", "timeout", "crashed", "missing-part"
INDEX, SKIPPED = "index", "skipped"  # a database dump; site furniture
SITE_PAGE = "site-page"  # the site's own pages: story lists, chapter lists, 404s, the rest


def work_row(
    work: Work,
    group: str,
    files: tuple[str, ...],
    missing: tuple[str, ...],
    originals: tuple[bytes, ...],
) -> dict[str, Any]:
    """The Parquet row of one Work; `originals` are the bytes of `files`, in order."""
    source = work.source
    return {
        "key": files[0],
        "group": group,
        "files": list(files),
        "title": work.title,
        "authors": list(work.authors),
        "rating": work.rating,
        "warnings": list(work.warnings),
        "fandoms": list(work.fandoms),
        "relationships": list(work.relationships),
        "characters": list(work.characters),
        "tags": list(work.tags),
        "language": work.language,
        "word_count": work.word_count,
        "chapters": len(work.chapters),
        "looks_like_story": work.looks_like_story,
        "source_format": source.format if source else None,
        "encoding": source.encoding if source else None,
        "sha256": source.sha256 if source else None,
        "missing_parts": list(missing),
        "lowest": lowest(work),
        "unsure": "; ".join(str(d) for d in doubts(work)),
        "work_json": work.to_json(indent=None),
        "originals": list(originals),
    }


def report_row(file: str, reason: str, kind: str, group: str) -> dict[str, str]:
    return {"file": file, "reason": reason, "kind": kind, "group": group}


class Output:
    """An output location, local or fsspec; its parts are named `part-NNNNNN.parquet`."""

    def __init__(self, location: str) -> None:
        self.location = location.rstrip("/") or "/"
        self.fs, self.root = fsspec.core.url_to_fs(self.location)
        self.root = self.root.rstrip("/")

    def path(self, *names: str) -> str:
        return posixpath.join(self.root, *names)

    def is_local(self) -> bool:
        return "file" in _protocols(self.fs)

    def parts(self, kind: str) -> list[str]:
        """The part names of `works` or `report`, sorted (orphans included)."""
        folder = self.path(kind)
        if not self.fs.exists(folder):
            return []
        names = [posixpath.basename(p) for p in self.fs.ls(folder, detail=False)]
        return sorted(n for n in names if n.startswith("part-") and n.endswith(".parquet"))

    def _atomic(self, data: bytes | Iterator[bytes], *names: str) -> None:
        """Write `data` (bytes, or chunks of them) to a temporary name, then rename it."""
        target = self.path(*names)
        temporary = self.path(*names[:-1], f".{names[-1]}.{uuid.uuid4().hex}.tmp")
        try:
            self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
            with self.fs.open(temporary, "wb") as handle:
                for chunk in [data] if isinstance(data, bytes) else data:
                    handle.write(chunk)
            self.fs.mv(temporary, target)
        except OSError as exc:
            raise OutputUnwritable(
                f"{target}: cannot be written ({exc.strerror or exc}); --out must be a "
                "folder or URL this process can write to, with room to spare"
            ) from None

    def write_part(
        self, name: str, works: list[dict[str, Any]], report: list[dict[str, str]]
    ) -> None:
        """Write both halves of part `name` (works first, each renamed into place)."""
        for kind, rows, schema in (
            ("works", works, WORKS_SCHEMA),
            ("report", report, REPORT_SCHEMA),
        ):
            buffer = io.BytesIO()
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), buffer, compression="zstd")
            self._atomic(buffer.getvalue(), kind, name)

    def remove_part(self, name: str) -> None:
        for kind in ("works", "report"):
            if self.fs.exists(self.path(kind, name)):
                self.fs.rm(self.path(kind, name))

    def remove_temporaries(self) -> None:
        """Remove what a process killed while writing left under a temporary name."""
        for kind in ("works", "report"):
            folder = self.path(kind)
            if self.fs.exists(folder):
                for path in self.fs.ls(folder, detail=False):
                    name = posixpath.basename(path)
                    if name.startswith(".part-") and name.endswith(".tmp"):
                        self.fs.rm(path)

    def clear_marks(self) -> None:
        for name in ("_SUCCESS", "report.csv", "review.csv"):
            if self.fs.exists(self.path(name)):
                self.fs.rm(self.path(name))

    def finish(self, summary: dict[str, Any]) -> int:
        """The report as one CSV (streamed, a batch at a time), the review list, then
        ``_SUCCESS``; how many works are to review."""
        self._atomic(self._csv(), "report.csv")
        to_review = self.write_review()
        summary = {**summary, "to_review": to_review}
        self._atomic(json.dumps(summary, indent=2).encode() + b"\n", "_SUCCESS")
        return to_review

    def write_review(self) -> int:
        """``review.csv``: every work with a field rescue is unsure of, least sure first;
        how many there are."""
        rows: list[tuple[float, str, str, str, str]] = []
        for batch in self.batches("works", columns=["key", "title", "authors", "lowest", "unsure"]):
            for row in batch.to_pylist():
                if row["unsure"]:
                    authors = "; ".join(row["authors"] or ())
                    rows.append(
                        (row["lowest"], row["key"], row["title"] or "", authors, row["unsure"])
                    )
        rows.sort()
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["file", "title", "authors", "lowest", "unsure of"])
        writer.writerows(
            [key, title, authors, f"{low:.3f}", unsure] for low, key, title, authors, unsure in rows
        )
        self._atomic(text.getvalue().encode("utf-8"), "review.csv")
        return len(rows)

    def _csv(self) -> Iterator[bytes]:
        names = REPORT_SCHEMA.names
        yield (",".join(names) + "\r\n").encode()  # the csv module's line ending
        for batch in self.batches("report"):
            text = io.StringIO()
            csv.writer(text).writerows([row[n] for n in names] for row in batch.to_pylist())
            yield text.getvalue().encode("utf-8")

    def count_rows(self, kind: str) -> int:
        """The rows of every part of `kind`, read from the Parquet footers alone."""
        total = 0
        for name in self.parts(kind):
            with self.fs.open(self.path(kind, name), "rb") as handle:
                total += pq.ParquetFile(handle).metadata.num_rows
        return total

    def batches(
        self, kind: str, columns: list[str] | None = None, size: int = 65536
    ) -> Iterator[pa.RecordBatch]:
        """Every row of `kind`, `size` rows at most at a time, part by part."""
        for name in self.parts(kind):
            with self.fs.open(self.path(kind, name), "rb") as handle:
                yield from pq.ParquetFile(handle).iter_batches(size, columns=columns)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def read_works(location: str) -> pa.Table:
    """Every Work row of a bulk output, sorted by key (for tests and small outputs)."""
    return _read(location, "works", WORKS_SCHEMA).sort_by("key")


def read_report(location: str) -> pa.Table:
    return _read(location, "report", REPORT_SCHEMA).sort_by(
        [("file", "ascending"), ("kind", "ascending")]
    )


def _read(location: str, kind: str, schema: pa.Schema) -> pa.Table:
    batches = list(Output(location).batches(kind))
    return pa.Table.from_batches(batches, schema=schema)
