"""Bytes to text: BOM, declared charset (a hint, not truth), detection, mojibake repair.

The order is fixed: a byte-order mark wins; then strict UTF-8; then the single-byte code
pages old stories were written in (Windows-1252, Mac Roman, DOS cp437/cp850) are told
apart by which one yields real words; a non-Western declared charset is honoured when
the bytes agree with it; charset-normalizer is the last resort for everything else.
After decoding, control bytes are cleaned (`clean`), ftfy fixes classic UTF-8 mojibake,
and `mojibake` fixes the single-character kind ftfy leaves alone.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs
from charset_normalizer import from_bytes

from ficarchive.errors import UndecodableInput
from ficarchive.rescue.decoding import clean, mojibake
from ficarchive.rescue.log import RescueLog
from ficarchive.rescue.words import is_word

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Declared charsets that mean "some Western single-byte code page": we detect which.
_WESTERN = frozenset(
    {
        "iso-8859-1",
        "latin-1",
        "iso8859-1",
        "us-ascii",
        "ascii",
        "windows-1252",
        "cp1252",
        "iso-8859-15",
        "x-mac-roman",
        "macintosh",
        "mac-roman",
        "mac_roman",
        "ibm437",
        "cp437",
        "ibm850",
        "cp850",
        "x-user-defined",
        "utf-8",
        "utf8",
    }
)

_SINGLE_BYTE = ("sloppy-windows-1252", "mac_roman", "cp437", "cp850")
_NAMES = {"sloppy-windows-1252": "windows-1252", "mac_roman": "mac-roman"}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_MAIL_CHARSET = re.compile(rb"^Content-type:[^\n]*charset=\"?([A-Za-z0-9._:-]+)", re.I | re.M)

# Share of high bytes above which a text is not Western prose with a few accents but a
# non-Latin script: then we ask charset-normalizer instead of our Western vote.
NON_LATIN_SHARE = 0.3
# UTF-8 with stray bytes: at least MIN_UTF8_CHARS good multi-byte characters, and no more
# stray bytes than MAX_STRAY_SHARE of them, else the file is not UTF-8 at all.
MIN_UTF8_CHARS = 3
MAX_STRAY_SHARE = 0.5
# ...unless most of those high bytes are DOS box-drawing characters (ASCII art, frames).
DOS_ART_SHARE = 0.5

# ftfy fixes classic mojibake; we turn off what would change the author's intent
# (curly quotes, full-width letters) and what later stages do themselves.
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_character_width=False,
    remove_terminal_escapes=False,
    remove_control_chars=False,
    explain=False,
)

_SURROGATE = re.compile("[\udc80-\udcff]")
_TOKEN = mojibake.token_pattern(r"[^\x00-\x7f]")  # a token with a non-ASCII character
_BOX = re.compile(r"[\u2500-\u259f]")
# A line (with its line break) that has a non-ASCII character: what ftfy is given.
_NON_ASCII_LINE = re.compile(r"^[^\n]*[^\x00-\x7f][^\n]*\n?", re.M)
_C1_BYTES = bytes(range(0x80, 0xA0))  # Windows-1252 punctuation, C1 controls in ISO-8859-1


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _META_CHARSET.search(head) or _MAIL_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode(data: bytes, name: str, log: RescueLog) -> Decoded:
    """Decode `data` and repair its text, recording every choice and change in `log`."""
    text, encoding = _to_text(data, name, log)
    text = clean.normalise(text, log)
    text = _ftfy(text, log)
    text = mojibake.repair(text, log)
    return Decoded(text, encoding)


def _to_text(data: bytes, name: str, log: RescueLog) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            log.note("encoding", f"byte-order mark says {codec}")
            return data[len(bom) :].decode(codec, errors="replace"), codec
    if data[:512].count(0) > 100:
        codec = "utf-16-le" if data[1:512:2].count(0) > data[0:512:2].count(0) else "utf-16-be"
        log.note("encoding", f"no byte-order mark, but the NUL pattern says {codec}")
        return data.decode(codec, errors="replace"), codec
    declared = declared_charset(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        stray = _mostly_utf8(data, log)
        if stray is not None:
            return stray, "utf-8"
    else:
        if declared and declared not in ("utf-8", "utf8") and not text.isascii():
            log.note(
                "encoding", f"declared {declared}, but the bytes are valid UTF-8; read as UTF-8"
            )
        return text, "utf-8"
    if declared and declared not in _WESTERN:
        decoded = _declared(data, declared, log)
        if decoded is not None:
            return decoded, declared
    sample = data[:65536]
    high = sum(1 for b in sample if b >= 0x80)
    box = sum(1 for b in sample if 0xB0 <= b <= 0xDF)
    if high > NON_LATIN_SHARE * len(sample) and box < DOS_ART_SHARE * high:
        return _detect_other(data, name, log)
    return _western(data, declared, log)


def _mostly_utf8(data: bytes, log: RescueLog) -> str | None:
    """UTF-8 with a few stray single bytes (an editor's slip, a pasted degree sign):
    the stray bytes are read as Windows-1252 and counted; the rest stays UTF-8."""
    loose = data.decode("utf-8", errors="replace")
    bad = loose.count("\ufffd") - data.count("\ufffd".encode())
    good = len(loose) - len(loose.encode("ascii", errors="ignore")) - loose.count("\ufffd")
    if good < MIN_UTF8_CHARS or bad > MAX_STRAY_SHARE * good:
        return None
    text = data.decode("utf-8", errors="surrogateescape")
    strays = Counter(_SURROGATE.findall(text))
    for char, count in strays.items():
        byte = bytes([ord(char) - 0xDC00])
        log.repair("stray byte", f"\\x{byte[0]:02x}", byte.decode("sloppy-windows-1252"), count)
    text = _SURROGATE.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("sloppy-windows-1252"), text
    )
    log.note("encoding", f"UTF-8 with {sum(strays.values())} stray bytes read as Windows-1252")
    return text


def _declared(data: bytes, declared: str, log: RescueLog) -> str | None:
    try:
        codecs.lookup(declared)
    except LookupError:
        log.note("encoding", f"declared charset {declared!r} is unknown; detecting instead")
        return None
    try:
        return data.decode(declared)
    except UnicodeDecodeError:
        log.note("encoding", f"declared {declared}, but the bytes do not fit it; detecting instead")
        return None


def _detect_other(data: bytes, name: str, log: RescueLog) -> tuple[str, str]:
    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableInput(
            f"{name}: no text encoding fits these bytes; if you know the encoding, "
            "convert the file to UTF-8 first (iconv -f ENCODING -t UTF-8)"
        )
    log.note("encoding", f"detected {best.encoding} (not a Western code page)")
    return data.decode(best.encoding, errors="replace"), best.encoding


def _western(data: bytes, declared: str | None, log: RescueLog) -> tuple[str, str]:
    """Pick the Western single-byte code page whose decoding yields real words."""
    scores = {codec: _plausibility(data.decode(codec, errors="replace")) for codec in _SINGLE_BYTE}
    codec = max(_SINGLE_BYTE, key=lambda c: scores[c])  # ties go to the first: Windows-1252
    chosen = _NAMES.get(codec, codec)
    text = data.decode(codec, errors="replace")
    if declared in ("iso-8859-1", "latin-1", "iso8859-1", "us-ascii", "ascii") and codec == (
        "sloppy-windows-1252"
    ):
        c1 = len(data) - len(data.translate(None, _C1_BYTES))
        if c1:
            log.repair("charset", declared, "windows-1252", c1)
            log.note(
                "encoding",
                f"declared {declared}, but {c1} bytes in 0x80-0x9F are Windows-1252 punctuation",
            )
            return text, chosen
    if declared and declared != chosen:
        log.note("encoding", f"declared {declared}, but the words read right as {chosen}")
    else:
        log.note("encoding", f"not UTF-8; read as {chosen}")
    return text, chosen


def _plausibility(text: str) -> float:
    """How much the non-ASCII characters of `text` look like real text."""
    score = 0.0
    for n, match in enumerate(_TOKEN.finditer(text)):
        if n >= 3000:
            break
        score += _token_score(match.group())
    return score


def _token_score(token: str) -> float:
    if _BOX.search(token):
        return 0.5
    if any("\x80" <= ch <= "\x9f" for ch in token):
        return -2.0
    core = token.strip(".,;:!?()[]\"'*_-")
    letters = "".join(ch for ch in core if ch.isalpha() or ch in "'’")
    if not letters or letters.isascii():
        # non-ASCII only in punctuation position: quotes, dashes, ellipses
        return 1.0 if all(ch in "’‘“”—–…•«»" or ord(ch) < 128 for ch in token) else -0.5
    if letters == core and is_word(letters.replace("’", "'")):
        return 1.0
    if any(ch in "√∂∑∏Ωπ≈∆¬ƒ‡ﬁﬂ◊∞≤≥" for ch in token):
        return -1.0
    return -0.25


def _ftfy(text: str, log: RescueLog) -> str:
    """ftfy on the lines with a non-ASCII character: ftfy fixes each line on its own and
    leaves ASCII as it is, so the result is the same as on the whole text, without its
    cost per line (55 µs) on the ASCII ones (a million short lines took a minute)."""
    if text.isascii():
        return text
    pieces: list[str] = []
    changed: list[tuple[str, str]] = []
    pos = 0
    for match in _NON_ASCII_LINE.finditer(text):
        line = match.group()
        fixed_line: str = ftfy.fix_text(line, FTFY_CONFIG)
        if fixed_line != line:
            pieces += (text[pos : match.start()], fixed_line)
            pos = match.end()
            changed.append((line, fixed_line))
    if not changed:
        return text
    fixed = "".join([*pieces, text[pos:]])
    if any(old.count("\n") != new.count("\n") for old, new in changed):
        return _ftfy_lines_moved(text, fixed, log)
    for old, new in changed:
        for before, after in _changed_words(old.rstrip("\n"), new.rstrip("\n")):
            log.repair("ftfy", before, after, 1)
    return fixed


def _ftfy_lines_moved(text: str, fixed: str, log: RescueLog) -> str:
    """ftfy added or took out a line break: the repairs, line by line where they still
    line up, else one for the whole text."""
    old_lines, new_lines = text.split("\n"), fixed.split("\n")
    if len(old_lines) != len(new_lines):
        log.repair("ftfy", "(text with mojibake)", "(fixed by ftfy)", 1)
        return fixed
    for old, new in zip(old_lines, new_lines, strict=True):
        if old != new:
            for before, after in _changed_words(old, new):
                log.repair("ftfy", before, after, 1)
    return fixed


def _changed_words(old: str, new: str) -> list[tuple[str, str]]:
    old_words, new_words = old.split(" "), new.split(" ")
    if len(old_words) == len(new_words):
        return [(a, b) for a, b in zip(old_words, new_words, strict=True) if a != b]
    return [(old.strip(), new.strip())]
