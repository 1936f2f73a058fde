"""Refuse what is not a story before any work is done: empty, binary or huge input."""

from __future__ import annotations

from ficarchive.errors import BinaryInput, EmptyInput, InputTooLarge
from ficarchive.rescue.blocks.epub import is_epub

# 32 MiB: a long novel is 2 MB of HTML, so this is room for anything one story can be;
# it bounds the memory of one rescue (about 17x the input at peak for HTML, so ~550 MB).
# Bigger files (a whole site saved as one page, a mail archive) are refused with advice.
MAX_INPUT_BYTES = 32 * 1024 * 1024

# How much of the start of a file we look at to decide it is binary.
SNIFF_BYTES = 8192

# A text file has almost no NUL or other C0 control bytes; old DOS files carry a few
# (0x1A at the end, an odd NUL), so we allow a small share before calling it binary.
MAX_CONTROL_SHARE = 0.05

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive (as .docx and .epub are)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"\xd0\xcf\x11\xe0", "a Microsoft Office document (save it as HTML or text first)"),
    (b"{\\rtf", "an RTF document (save it as HTML or text first)"),
    (b"OggS", "an audio file"),
    (b"ID3", "an MP3 file"),
    (b"fLaC", "an audio file"),
    (b"RIFF", "a media file"),
    (b"SQLite format 3", "an SQLite database"),
)

_ALLOWED_CONTROLS = frozenset(b"\t\n\r\x0c\x1a\x1b\x08")


def check_input(data: bytes, name: str) -> None:
    """Raise an `InputError` that says why `data` cannot be a story, or return."""
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(
            f"{name}: {len(data) / 2**20:.0f} MB is more than the {MAX_INPUT_BYTES // 2**20} MB "
            "a single story may be; split it into parts (one file per chapter) and rescue those"
        )
    if not data.strip():
        what = "empty" if not data else "only whitespace"
        raise EmptyInput(
            f"{name}: the file is {what}; there is no story to rescue "
            "(check that the page was saved, not just a link to it)"
        )
    head = data[:SNIFF_BYTES]
    if is_epub(data):
        return  # a zip, but a book: `ficarchive.rescue.blocks.epub` unpacks it
    for magic, what in _MAGIC:
        if head.startswith(magic):
            advice = (
                "unpack it and rescue the .html or .txt inside"
                if "archive" in what
                else "rescue the .html or .txt file instead"
            )
            raise BinaryInput(f"{name}: this is {what}, not a story in text or HTML; {advice}")
    if _looks_utf16(head):
        return
    controls = sum(1 for b in head if b < 0x20 and b not in _ALLOWED_CONTROLS)
    if controls > MAX_CONTROL_SHARE * len(head):
        raise BinaryInput(
            f"{name}: the file is binary ({controls} control bytes in the first "
            f"{len(head)}), not text or HTML; check that it is the story file"
        )


def _looks_utf16(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = head[:512]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even, odd) > 0.4 * half and min(even, odd) < 0.05 * half
