"""The one exception hierarchy of ficarchive.

::

    FicarchiveError                 anything ficarchive refuses; the message says what to try
    └── InputError                  the input cannot be rescued
        ├── InputNotFound           no file at that path
        ├── EmptyInput              no bytes, or only whitespace
        ├── BinaryInput             a PDF, image, archive or other non-text file
        ├── InputTooLarge           over the size limit
        ├── UndecodableInput        no text encoding makes sense of the bytes
        └── InvalidWork             a Work's JSON does not fit its schema (names the field);
                                    also a Work the archive is asked to store or edit wrongly
    └── ArchiveError                the archive cannot do what was asked
        ├── WorkNotFound            no work with that id
        ├── DamagedWork             one stored work cannot be read (the rest can)
        └── ArchiveUnavailable      the archive cannot be opened or written: locked, missing
            ├── ArchiveDamaged      the file is corrupt: `ficarchive check` says what is left
            ├── ArchiveReadOnly     it can be read, not written
            └── ArchiveFull         the disk (or the server's) is full

Every message is one line: what is wrong, then what to try. The CLI prints it as is and
exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class FicarchiveError(Exception):
    """Base class: a problem ficarchive can explain to the user in one line."""

    exit_code = 1


class InputError(FicarchiveError):
    """The input cannot be rescued as a story."""

    exit_code = 2


class InputNotFound(InputError):
    pass


class EmptyInput(InputError):
    pass


class BinaryInput(InputError):
    pass


class InputTooLarge(InputError):
    pass


class UndecodableInput(InputError):
    pass


class InvalidWork(InputError):
    """A Work's JSON (a file, a stored row) does not fit ``work.schema.json``.

    Raised by ``Work.from_dict(data, strict=True)``; the message names the first field
    that does not fit, and `problems` lists up to twenty, each ``path: what is wrong``.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class ArchiveError(FicarchiveError):
    """The archive cannot do what was asked."""

    exit_code = 1


class WorkNotFound(ArchiveError):
    exit_code = 2


class DamagedWork(ArchiveError):
    """One stored work's data cannot be read; every other work still can."""

    exit_code = 1


class ArchiveUnavailable(ArchiveError):
    """The archive's database cannot be opened or written: corrupt, locked, read-only."""

    exit_code = 3


class ArchiveDamaged(ArchiveUnavailable):
    """The archive file is corrupt; nothing more is written into it."""


class ArchiveReadOnly(ArchiveUnavailable):
    """The archive can be read but not written (file permissions, a read-only disk)."""


class ArchiveFull(ArchiveUnavailable):
    """A write did not fit: the disk holding the archive (or the server's) is full."""
