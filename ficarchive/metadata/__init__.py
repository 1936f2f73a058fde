"""Metadata the Archive of Our Own keeps and old sites wrote loosely: dates parsed into ISO
dates (`dates`), the language named or detected (`language`), series and parts
(`series`), complete or in progress (`status`), and `finish_work`, which turns what rescue
collected into those fields and wrangles the tags (`ficarchive.tags.wrangle`).

Every value keeps what was written beside what was made of it: ``published`` and
``published_as_written``, the raw tags beside the canonical ones.
"""

from ficarchive.metadata.dates import FoundDate, parse_date
from ficarchive.metadata.finish import finish_work
from ficarchive.metadata.language import detect_language, language_code
from ficarchive.metadata.series import parse_series
from ficarchive.metadata.status import parse_status

__all__ = [
    "FoundDate",
    "detect_language",
    "finish_work",
    "language_code",
    "parse_date",
    "parse_series",
    "parse_status",
]
