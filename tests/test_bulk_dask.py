"""The Dask engine on a LocalCluster of two workers: the same output as the local engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.bulk import bulk_rescue, read_report, read_works

SITE = Path(__file__).resolve().parent / "fixtures" / "bulk" / "site"

pytest.importorskip("distributed", reason="the Dask engine needs dask[distributed]")


def test_dask_gives_the_same_output_as_the_local_engine(tmp_path: Path) -> None:
    """Seven stories on two workers: cut into seven partitions (four a worker at most)."""
    local, distributed = tmp_path / "local", tmp_path / "dask"
    bulk_rescue(str(SITE), str(local), jobs=2)
    summary = bulk_rescue(str(SITE), str(distributed), jobs=2, engine="dask")
    assert summary.works == 6
    assert len(list((distributed / "works").glob("part-001-*.parquet"))) >= 3
    assert read_works(str(distributed)).equals(read_works(str(local)))
    assert read_report(str(distributed)).equals(read_report(str(local)))
