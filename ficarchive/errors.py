"""The one exception hierarchy of ficarchive.

::

    FicarchiveError                 anything ficarchive refuses; the message says what to try
    └── InputError                  the input cannot be rescued
        ├── InputNotFound           no file at that path
        ├── EmptyInput              no bytes, or only whitespace
        ├── BinaryInput             a PDF, image, archive or other non-text file
        ├── InputTooLarge           over the size limit
        ├── UndecodableInput        no text encoding makes sense of the bytes
        └── InvalidWork             a Work's JSON does not fit its schema (names the field)
    └── ArchiveError                the archive cannot do what was asked
        ├── WorkNotFound            no work with that id
        └── ArchiveUnavailable      the archive file is corrupt, locked, read-only or missing

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


class ArchiveUnavailable(ArchiveError):
    """The archive's database cannot be opened or written: corrupt, locked, read-only."""

    exit_code = 3
