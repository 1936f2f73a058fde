"""The archive: where rescued works live, with their sources, history and search.

``Archive.open()`` gives the default archive (one SQLite file in the user's data
folder, or ``$FICARCHIVE_ARCHIVE``); ``Archive.open("path/to/file.sqlite")`` another;
``Archive.open("postgresql://…")`` a shared one on PostgreSQL. Every backend has the
same methods (see `SQLiteArchive`).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import cast

import platformdirs

from ficarchive.archive.base import ArchiveBase
from ficarchive.archive.model import (
    AddResult,
    Edit,
    FacetCount,
    Filters,
    Hit,
    Original,
    SearchResults,
    Stats,
    StoredWork,
)
from ficarchive.archive.sqlite import SQLiteArchive
from ficarchive.errors import ArchiveUnavailable

ENV = "FICARCHIVE_ARCHIVE"


def default_location() -> str:
    """``$FICARCHIVE_ARCHIVE``, else ``archive.sqlite`` in the user's data folder."""
    return os.environ.get(ENV) or str(
        Path(platformdirs.user_data_dir("ficarchive", appauthor=False)) / "archive.sqlite"
    )


class Archive:
    """Opens the right backend for a location."""

    @staticmethod
    def open(
        location: str | Path | ArchiveBase | None = None, *, create: bool = True
    ) -> SQLiteArchive:
        """The archive at `location` (an SQLite file or a ``postgresql://`` URL); an
        archive already open is given back as it is, whatever its backend."""
        if isinstance(location, ArchiveBase):
            return cast(SQLiteArchive, location)
        where = str(location) if location is not None else default_location()
        if where.startswith(("postgresql://", "postgres://")):
            try:
                module = importlib.import_module("ficarchive.archive.postgres")
            except ImportError as exc:
                raise ArchiveUnavailable(
                    f"PostgreSQL archives need the psycopg package ({exc}); "
                    "install ficarchive with its postgres extra"
                ) from None
            return cast(SQLiteArchive, module.PostgresArchive(where))
        return SQLiteArchive(where, create=create)


__all__ = [
    "AddResult",
    "Archive",
    "ArchiveBase",
    "Edit",
    "FacetCount",
    "Filters",
    "Hit",
    "Original",
    "SQLiteArchive",
    "SearchResults",
    "Stats",
    "StoredWork",
    "default_location",
]
