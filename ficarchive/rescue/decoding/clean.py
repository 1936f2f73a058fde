"""Control characters and line endings: the debris of DOS, terminals and mail gateways.

Each fixer is small and named; `normalise` runs them in order and records each change.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ficarchive.rescue.log import RescueLog

_CRLF = re.compile(r"\r\n?")
_ESCAPE = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-B]|[=>78DEHMc])")
_OVERSTRIKE = re.compile(r"(?:_\x08(.)|(.)\x08\2|(.)\x08_)")
_FORM_FEED = re.compile(r"\x0c")
_OTHER_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def line_endings(text: str, log: RescueLog) -> str:
    """CRLF and bare CR become LF.

    >>> line_endings("a\\r\\nb\\rc", RescueLog())
    'a\\nb\\nc'
    """
    crlf, cr = text.count("\r\n"), text.count("\r")
    if not cr:
        return text
    log.repair("line-endings", "\\r\\n", "\\n", crlf)
    log.repair("line-endings", "\\r", "\\n", cr - crlf)
    return _CRLF.sub("\n", text)


def terminal_escapes(text: str, log: RescueLog) -> str:
    """ANSI/VT100 escape sequences (colours, cursor moves) are removed."""
    if "\x1b" not in text:
        return text
    count = len(_ESCAPE.findall(text))
    log.repair("control", "terminal escape", "", count)
    return _ESCAPE.sub("", text)


def overstrike(text: str, log: RescueLog) -> str:
    """Typewriter overstrike (``_\\bS`` underlining, ``S\\bS`` bold) keeps its letter.

    >>> overstrike("_\\bH_\\bi", RescueLog())
    'Hi'
    """
    if "\x08" not in text:
        return text
    count = len(_OVERSTRIKE.findall(text))
    log.repair("control", "overstrike (letter, backspace, letter)", "letter", count)
    return _OVERSTRIKE.sub(lambda m: m.group(1) or m.group(2) or m.group(3), text)


def form_feeds(text: str, log: RescueLog) -> str:
    """A form feed (a printer's page break) becomes a paragraph break."""
    if "\x0c" not in text:
        return text
    log.repair("control", "\\x0c (form feed)", "blank line", text.count("\x0c"))
    return _FORM_FEED.sub("\n\n", text)


def other_controls(text: str, log: RescueLog) -> str:
    """NUL, DOS end-of-file (0x1A) and other control bytes are removed."""
    found = _OTHER_CONTROLS.findall(text)
    if not found:
        return text
    for char in sorted(set(found)):
        log.repair("control", f"\\x{ord(char):02x}", "", found.count(char))
    return _OTHER_CONTROLS.sub("", text)


FIXERS: tuple[Callable[[str, RescueLog], str], ...] = (
    line_endings,
    terminal_escapes,
    overstrike,
    form_feeds,
    other_controls,
)


def normalise(text: str, log: RescueLog) -> str:
    for fixer in FIXERS:
        text = fixer(text, log)
    return text
