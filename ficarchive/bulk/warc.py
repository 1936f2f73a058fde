"""Web archive files, record by record: WARC 1.0/1.1 and ARC, gzipped per record or plain.

`scan(handle)` streams the capture records of one file (``response``, ``resource`` and
``revisit``: request, metadata and warcinfo records are not pages) as `Record`s, each
with its byte offset and length, so one record can be read again at random
(`read_payload`). A record that cannot be read is a `Fault` and the scan goes on at the
next record it can find (the next gzip member, the next ``WARC/1.`` line), so one bad
record never loses the rest of the file; a file cut short ends with a `Fault` for its
last, incomplete record. Memory is bounded by one record's headers during a scan and by
the single-story size limit when a payload is read.

`read_payload` undoes what HTTP did to the body on the way: chunked transfer encoding
and ``Content-Encoding`` (gzip, deflate, brotli), and keeps the headers, whose charset
is a hint for rescue.

The library is warcio (Webrecorder), chosen over FastWARC after measuring both on the
same 36 MB WARC of 3,984 pages written by ``wget --warc-file`` (``benchmarks/README.md``):
FastWARC 2.0 scanned it in 0.7 s against warcio's 2.4 s and read 500 records at random
in 0.13 s against 0.24 s, but FastWARC reads neither ARC files (a must for the crawls of
1996–2008) nor, with HTTP decoding on, past a response sent chunked and gzipped (its
iteration stops there), and it gives wrong offsets for the records after one; warcio
reads both formats right. Its cost is well inside the 10 % the issue allows on top of the
rescue (about 17 ms a page): `benchmarks/warc_speed.py` measures it.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ficarchive.errors import InputError, InputTooLarge
from ficarchive.rescue.decoding.sniff import MAX_INPUT_BYTES

# Bytes searched forward for the next record after a bad one.
RESYNC_WINDOW = 2**20
# Record types that hold a page (or point at one).
PAGE_TYPES = ("response", "resource", "revisit")

_GZIP = b"\x1f\x8b\x08"
_WARC_START = re.compile(rb"(?:^|\r?\n)(WARC/1\.[01]\r?\n)")
_ARC_START = re.compile(rb"\n([a-z]+:[^\s]+ [0-9.]+ \d{14} [^\s]+ \d+\r?\n)")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)


class WarcError(InputError):
    """A web archive file, or one record of it, that cannot be read."""


@dataclass(frozen=True)
class Record:
    """One capture record: where it is, what was captured, and what the server said."""

    offset: int
    length: int  # bytes in the file (compressed, for a gzipped record)
    kind: str  # response, resource or revisit
    url: str
    date: str  # YYYYMMDDhhmmss, UTC
    status: int | None = None  # HTTP status; None for a resource record (no HTTP)
    mime: str | None = None
    charset: str | None = None  # the Content-Type's charset, a hint
    digest: str | None = None  # the payload digest (sha1:BASE32)
    location: str | None = None  # where a redirect sends
    refers_url: str | None = None  # a revisit's original capture
    refers_date: str | None = None
    size: int | None = None  # bytes of the payload, when known without reading it


@dataclass(frozen=True)
class Fault:
    """A record that cannot be read, and why."""

    offset: int
    reason: str


@dataclass(frozen=True)
class Payload:
    """What a capture holds: the HTTP status and headers (lower-case names) and the body
    with its transfer and content encodings undone."""

    status: int | None
    headers: dict[str, str]
    body: bytes

    @property
    def charset(self) -> str | None:
        found = _CHARSET.search(self.headers.get("content-type", ""))
        return found[1].lower() if found else None


def sniff(head: bytes) -> str | None:
    """``warc``, ``arc`` (each maybe gzipped) or None, from a file's first bytes.

    >>> sniff(b"WARC/1.1\\r\\n"), sniff(b"filedesc://x.arc 0.0.0.0 2003"), sniff(b"<html>")
    ('warc', 'arc', None)
    """
    if head.startswith(_GZIP):
        try:
            head = zlib.decompressobj(31).decompress(head, 64)
        except zlib.error:
            return None
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"filedesc://"):
        return "arc"
    return None


def warc_date(value: str | None) -> str:
    """``2003-04-12T09:30:00Z`` (WARC) or ``20030412093000`` (ARC) as 14 digits."""
    digits = re.sub(r"\D", "", value or "")[:14]
    return digits.ljust(14, "0") if len(digits) >= 4 else "00000000000000"


def _uri(value: str | None) -> str:
    """wget writes ``<http://…>``, as a draft of WARC 1.0 said; others write it bare."""
    return (value or "").strip().removeprefix("<").removesuffix(">")


def _payload_size(record: Any) -> int | None:
    """The payload's size: what is left of the block after the HTTP headers, when HTTP
    did not encode it (else None: only reading it tells)."""
    http = record.http_headers
    if http is not None and (
        http.get_header("Content-Encoding") or http.get_header("Transfer-Encoding")
    ):
        return None
    limit = getattr(record.raw_stream, "limit", None)
    return int(limit) if isinstance(limit, int) else None


def _record(record: Any, offset: int, length: int, size: int | None) -> Record | None:
    headers = record.rec_headers
    kind = str(record.rec_type)
    if kind not in PAGE_TYPES:
        return None
    http = record.http_headers
    status = None
    mime = headers.get_header("Content-Type")
    location = None
    if http is not None and http.protocol.upper().startswith("HTTP"):
        code = http.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = http.get_header("Content-Type") or None
        location = http.get_header("Location")
    found = _CHARSET.search(mime or "")
    return Record(
        offset, length, kind, _uri(headers.get_header("WARC-Target-URI")),
        warc_date(headers.get_header("WARC-Date")), status,
        (mime or "").split(";")[0].strip().lower() or None,
        found[1].lower() if found else None,
        headers.get_header("WARC-Payload-Digest"), location,
        _uri(headers.get_header("WARC-Refers-To-Target-URI")) or None,
        warc_date(headers.get_header("WARC-Refers-To-Date"))
        if headers.get_header("WARC-Refers-To-Date") else None, size,
    )  # fmt: skip


def scan(handle: BinaryIO, size: int) -> Iterator[Record | Fault]:
    """Every page record of the web archive file open in `handle` (`size` bytes long),
    in file order, and a `Fault` for each record that cannot be read."""
    start = 0
    while start < size:
        handle.seek(start)
        gz = handle.read(3) == _GZIP
        handle.seek(start)
        stopped = yield from _run(handle, start, gz)
        if stopped is None:
            return
        failed, reason = stopped
        start = _next_start(handle, failed + 1, gz)
        if start < 0 and _cut_short(handle, failed, gz):
            reason = "the file ends inside this record (it is cut short)"
        yield Fault(failed, _named(handle, failed, gz, reason))
        if start < 0:
            return


def _run(
    handle: BinaryIO, start: int, gz: bool
) -> Generator[Record | Fault, None, tuple[int, str] | None]:
    """Records from `start` until the end (returns None) or a bad record (returns its
    offset and the reason)."""
    iterator = ArchiveIterator(handle, arc2warc=True)
    last = start
    try:
        for record in iterator:
            size = _payload_size(record)
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            if length < 0:
                raise ArchiveLoadFailed("the file is gzipped whole, not record by record")
            last = offset + length
            found = _record(record, offset, length, size)
            if found is not None and not _complete(handle, offset, length, gz):
                return offset, "the record is cut short (the file ends inside it)"
            if found is not None:
                yield found
    except Exception as exc:  # damaged bytes make the reader fail in any way it can
        return last, _reason(exc)
    return None


def _peek(handle: BinaryIO, offset: int, gz: bool, size: int = 4096) -> bytes:
    """The first bytes of the record at `offset`, decompressed as far as they go."""
    handle.seek(offset)
    raw = handle.read(size if not gz else size * 4)
    if not gz:
        return raw
    try:
        return zlib.decompressobj(31).decompress(raw, size)
    except zlib.error:
        return b""


def _cut_short(handle: BinaryIO, offset: int, gz: bool) -> bool:
    """Whether the file ends before the record at `offset` does."""
    handle.seek(offset)
    raw = handle.read()
    if gz:
        decompressor = zlib.decompressobj(31)
        try:
            decompressor.decompress(raw)
        except zlib.error:
            return False
        return not decompressor.eof
    declared = re.search(rb"\r?\nContent-Length:\s*(\d+)", raw[:8192], re.I)
    body = raw.find(b"\r\n\r\n")
    return declared is not None and body >= 0 and len(raw) - body - 4 < int(declared[1])


def _named(handle: BinaryIO, offset: int, gz: bool, reason: str) -> str:
    """`reason`, with the URL the damaged record was a capture of where it can be read."""
    found = re.search(rb"WARC-Target-URI:\s*<?([^\s>]+)", _peek(handle, offset, gz))
    return f"{reason}; it was a capture of {found[1].decode('latin-1')}" if found else reason


def _reason(exc: Exception) -> str:
    said = " ".join(str(exc).split())
    if "non-chunked gzip" in said or "gzipped whole" in said:
        return "the file is gzipped whole, not record by record"
    if "Unknown archive format" in said:
        return "no WARC or ARC record starts here (the bytes are damaged)"
    return said[:160] or type(exc).__name__


def _complete(handle: BinaryIO, offset: int, length: int, gz: bool) -> bool:
    """Whether the record at `offset` is whole (the last one of a file cut short is not)."""
    here = handle.tell()
    handle.seek(0, io.SEEK_END)
    end = handle.tell()
    try:
        if offset + length < end:
            return True
        handle.seek(offset)
        raw = handle.read(length)
        if gz:
            decompressor = zlib.decompressobj(31)
            try:
                decompressor.decompress(raw)
            except zlib.error:
                return False
            return decompressor.eof
        declared = re.search(rb"\r?\nContent-Length:\s*(\d+)", raw[:8192], re.I)
        body = raw.find(b"\r\n\r\n")
        return declared is None or body < 0 or len(raw) - body - 4 >= int(declared[1])
    finally:
        handle.seek(here)


def _next_start(handle: BinaryIO, after: int, gz: bool) -> int:
    """Where the next record after a bad one starts (-1: none within reach)."""
    handle.seek(after)
    window = handle.read(RESYNC_WINDOW)
    while window:
        if gz:
            at = window.find(_GZIP)
            while at >= 0 and sniff(window[at : at + 512]) is None:
                at = window.find(_GZIP, at + 1)
        else:
            found = _WARC_START.search(window) or _ARC_START.search(window)
            at = found.start(1) if found else -1
        if at >= 0:
            return after + at
        after += max(len(window) - 1024, 1)
        handle.seek(after)
        window = handle.read(RESYNC_WINDOW)
    return -1


def read_payload(
    handle: BinaryIO, offset: int, length: int, limit: int = MAX_INPUT_BYTES
) -> Payload:
    """The payload of the record at `offset` (`length` bytes), its encodings undone;
    `WarcError` if it cannot be read, `InputTooLarge` over `limit` bytes."""
    handle.seek(offset)
    raw = handle.read(length) if length > 0 else handle.read(limit + 2**16)
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(raw), arc2warc=True)))
        http = record.http_headers
        headers = {}
        status = None
        if http is not None and http.protocol.upper().startswith("HTTP"):
            headers = {k.lower(): v for k, v in http.headers}
            code = http.get_statuscode()
            status = int(code) if code and code.isdigit() else None
        elif record.rec_headers.get_header("Content-Type"):
            headers = {"content-type": record.rec_headers.get_header("Content-Type")}
        body = record.content_stream().read(limit + 1)
    except Exception as exc:  # damaged bytes make the reader fail in any way it can
        raise WarcError(f"the record at byte {offset:,} cannot be read ({_reason(exc)})") from None
    if len(body) > limit:
        raise InputTooLarge(
            f"the capture at byte {offset:,} is more than the {limit // 2**20} MB a single "
            "story may be"
        )
    return Payload(status, headers, body)
