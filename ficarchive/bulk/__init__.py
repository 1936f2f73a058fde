"""Whole archives at scale: a site mirror's every story, rescued on all cores or on Dask.

::

    source (folder, zip, tar, fsspec URL)
      └─ plan: files grouped into stories (joining.py; a site's own pages: links.py,
         │     site.py; names in sequence: sequences.py; eFiction dumps: efiction.py,
         │     sqldump.py), in SQLite (plan.py)
           └─ engine: local processes (local.py) or Dask partitions (dask.py)
                └─ run_task on each group (unit.py): rescue, join, the site's word
                     └─ Parquet parts + report, written then renamed (output.py)

`bulk_rescue(source, out)` runs it all and resumes an interrupted run; `load` puts
the Works of an output into an archive.
"""

from __future__ import annotations

from ficarchive.bulk.output import read_report, read_works
from ficarchive.bulk.run import DEFAULT_TIMEOUT, OutputInUse, Summary, bulk_rescue
from ficarchive.bulk.sources import open_source

__all__ = [
    "DEFAULT_TIMEOUT",
    "OutputInUse",
    "Summary",
    "bulk_rescue",
    "open_source",
    "read_report",
    "read_works",
]
