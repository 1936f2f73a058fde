"""ficarchive: rescue fan fiction as it is found on the old web.

The public API::

    from ficarchive import rescue, Work
    work = rescue(data, "story.html")     # bytes in, one structured Work out
"""

from ficarchive.errors import (
    BinaryInput,
    EmptyInput,
    FicarchiveError,
    InputError,
    InputNotFound,
    InputTooLarge,
    UndecodableInput,
)
from ficarchive.rescue import rescue
from ficarchive.version import __version__
from ficarchive.work import (
    Chapter,
    Credit,
    Diagnostic,
    Epigraph,
    Notes,
    Repair,
    Section,
    Source,
    Work,
)

__all__ = [
    "BinaryInput",
    "Chapter",
    "Credit",
    "Diagnostic",
    "EmptyInput",
    "Epigraph",
    "FicarchiveError",
    "InputError",
    "InputNotFound",
    "InputTooLarge",
    "Notes",
    "Repair",
    "Section",
    "Source",
    "UndecodableInput",
    "Work",
    "__version__",
    "rescue",
]
