"""Stories on disk: reading one within the size limit, finding every story in a folder.

Only regular files are read. A named pipe, a device (``/dev/zero``, ``/dev/urandom``) or
a socket is refused before a byte is read, since it may never end; a regular file is
read up to the size limit and no further, whatever it grows to while it is read.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ficarchive.errors import InputError, InputNotFound, InputTooLarge
from ficarchive.rescue.decoding.sniff import MAX_INPUT_BYTES

# A path longer than this is shortened in messages (the message stays one line).
SHOWN_PATH_CHARS = 80

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
"""O_NONBLOCK: opening a named pipe does not wait for a writer (it is refused next)."""


@dataclass(frozen=True)
class StoryFile:
    """One input: its path (None for standard input), its name as the user sees it, and
    the path relative to the folder it was found in (what output files are named by)."""

    path: Path | None
    name: str
    relative: Path


def shown(name: str) -> str:
    """A path short enough for a one-line message.

    >>> shown("a/" * 50 + "story.txt")
    'a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/…/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/story.txt'
    """
    if len(name) <= SHOWN_PATH_CHARS:
        return name
    half = SHOWN_PATH_CHARS // 2
    return name[:half] + "…" + name[-half:]


def _too_large(name: str, size: str) -> InputTooLarge:
    return InputTooLarge(
        f"{shown(name)}: {size} is more than the {MAX_INPUT_BYTES // 2**20} MB a single story "
        "may be; split it into parts (one file per chapter) and rescue those"
    )


def _not_regular(name: str, mode: int) -> InputError:
    if stat.S_ISFIFO(mode):
        what = "a named pipe (FIFO), which may never end; to read a pipe, give - and pipe it in"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device, not a file (it may never end); give the story file itself"
    elif stat.S_ISSOCK(mode):
        what = "a socket, not a file; give the story file itself"
    else:
        what = "not a regular file; give the story file itself"
    return InputError(f"{shown(name)}: is {what}")


def file_error(name: str, exc: OSError) -> InputError:
    """The one-line error for a file that cannot be opened or read."""
    where = shown(name)
    if exc.errno == errno.ENOENT:
        return InputNotFound(f"{where}: no such file; check the name and the folder")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return InputError(f"{where}: not allowed to read this file; check its permissions")
    if exc.errno == errno.ENAMETOOLONG:
        return InputError(
            f"{where}: the path is longer than the file system allows ({len(name)} characters); "
            "move the story to a shorter path"
        )
    if exc.errno == errno.ELOOP:
        return InputError(
            f"{where}: the path goes round a loop of symbolic links; check where the links point"
        )
    if exc.errno == errno.ENXIO:
        return InputError(f"{where}: is a socket or a device that is not there; give a file")
    return InputError(f"{where}: cannot be read ({exc.strerror or exc}); check the file")


def open_regular(path: Path, name: str | None = None) -> BinaryIO:
    """`path` opened for reading, refused (`InputError`) unless it is a regular file."""
    label = str(path) if name is None else name
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except IsADirectoryError:
        raise _folder(path, label) from None
    except OSError as exc:
        raise file_error(label, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _folder(path, label)
        if not stat.S_ISREG(mode):
            raise _not_regular(label, mode)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _folder(path: Path, name: str) -> InputError:
    try:
        with os.scandir(path):
            pass
    except OSError as exc:
        return InputError(
            f"{shown(name)}: a folder that cannot be searched ({exc.strerror or exc}); "
            "check its permissions"
        )
    return InputError(f"{shown(name)}: is a folder; give the folder itself to rescue every file")


def read_file(path: Path, name: str | None = None, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file, refused before reading when it is over `limit`, and
    never read past it (a file that grows while it is read is refused too)."""
    label = str(path) if name is None else name
    with open_regular(path, label) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_large(label, f"{size / 2**20:.0f} MB")
            data = handle.read(limit + 1)
        except OSError as exc:
            raise file_error(label, exc) from None
    if len(data) > limit:
        raise _too_large(label, "more")
    return data


def read_story(path: Path) -> bytes:
    """The bytes of a story file, refused before reading when it is not a regular file or
    is over the size limit."""
    return read_file(path)


def read_stream(stream: BinaryIO | None = None) -> bytes:
    """A story from standard input, refused once it passes the size limit."""
    source = stream if stream is not None else getattr(sys.stdin, "buffer", None)
    if source is None:
        raise InputError(
            "<stdin>: standard input is closed; pipe a story in (ficarchive rescue - < "
            "story.txt) or give the file's name"
        )
    try:
        data = source.read(MAX_INPUT_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise InputError(
            f"<stdin>: standard input cannot be read ({reason}); pipe a story in or give "
            "the file's name"
        ) from None
    if data is None:  # a non-blocking stream with nothing in it yet
        data = b""
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large("<stdin>", "more")
    return data


def is_folder(path: Path) -> bool:
    """Whether `path` is a folder; False for a path that cannot even be looked at."""
    try:
        return path.is_dir()
    except OSError:
        return False


def walk_files(folder: Path) -> Iterator[Path]:
    """Every regular file under `folder`, hidden files and folders skipped, in sorted order
    within each folder. Links to folders are followed, but each folder is searched once,
    so a link back up the tree (a loop) ends there. A folder that cannot be searched is
    yielded as itself, for the reader to report."""
    seen: set[tuple[int, int]] = set()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            info = current.stat()
            with os.scandir(current) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=_name)
        except OSError:
            yield current
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        subfolders: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir():
                    subfolders.append(Path(entry.path))
                elif entry.is_file():  # not pipes, sockets or devices: they would not end
                    yield Path(entry.path)
            except OSError:
                yield Path(entry.path)
        pending.extend(reversed(subfolders))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def story_files(paths: tuple[str, ...] | list[str]) -> Iterator[StoryFile]:
    """Every input named: files as given, folders searched through (hidden files and
    folders skipped), ``-`` for standard input."""
    for raw in paths:
        if raw == "-":
            yield StoryFile(None, "<stdin>", Path("stdin"))
            continue
        path = Path(raw)
        if not is_folder(path):
            yield StoryFile(path, raw, Path(path.name))
            continue
        for child in sorted(walk_files(path)):
            relative = child.relative_to(path) if child != path else Path(path.name)
            yield StoryFile(child, str(child), relative)
