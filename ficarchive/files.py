"""Stories on disk: reading one within the size limit, finding every story in a folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ficarchive.errors import InputError, InputNotFound, InputTooLarge
from ficarchive.rescue.decoding.sniff import MAX_INPUT_BYTES


@dataclass(frozen=True)
class StoryFile:
    """One input: its path (None for standard input), its name as the user sees it, and
    the path relative to the folder it was found in (what output files are named by)."""

    path: Path | None
    name: str
    relative: Path


def _too_large(name: str, size: str) -> InputTooLarge:
    return InputTooLarge(
        f"{name}: {size} is more than the {MAX_INPUT_BYTES // 2**20} MB a single story may be; "
        "split it into parts (one file per chapter) and rescue those"
    )


def read_story(path: Path) -> bytes:
    """The bytes of a story file, refused before reading when it is over the size limit."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a folder; give the folder itself to rescue every file")
        if size > MAX_INPUT_BYTES:
            raise _too_large(str(path), f"{size / 2**20:.0f} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputNotFound(f"{path}: no such file; check the name and the folder") from None
    except PermissionError:
        raise InputError(f"{path}: not allowed to read this file; check its permissions") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_stream(stream: BinaryIO | None = None) -> bytes:
    """A story from standard input, refused once it passes the size limit."""
    data = (stream or sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large("<stdin>", "more")
    return data


def story_files(paths: tuple[str, ...] | list[str]) -> Iterator[StoryFile]:
    """Every input named: files as given, folders searched through (hidden files and
    folders skipped), ``-`` for standard input."""
    for raw in paths:
        if raw == "-":
            yield StoryFile(None, "<stdin>", Path("stdin"))
            continue
        path = Path(raw)
        if not path.is_dir():
            yield StoryFile(path, raw, Path(path.name))
            continue
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = child.relative_to(path)
            if not any(part.startswith(".") for part in relative.parts):
                yield StoryFile(child, str(child), relative)
