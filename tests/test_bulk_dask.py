"""The Dask engine on a LocalCluster of two workers: the same output as the local engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficarchive.bulk import bulk_rescue, read_report, read_works

SITE = Path(__file__).resolve().parent / "fixtures" / "bulk" / "site"
EFICTION_SITE = SITE.parent / "efiction-site"

pytest.importorskip("distributed", reason="the Dask engine needs dask[distributed]")


@pytest.mark.parametrize(("site", "works"), [(SITE, 6), (EFICTION_SITE, 3)])
def test_dask_gives_the_same_output_as_the_local_engine(
    tmp_path: Path, site: Path, works: int
) -> None:
    """A site of pages, and an eFiction dump: cut into partitions (four a worker at most)."""
    local, distributed = tmp_path / "local", tmp_path / "dask"
    bulk_rescue(str(site), str(local), jobs=2)
    summary = bulk_rescue(str(site), str(distributed), jobs=2, engine="dask")
    assert summary.works == works
    assert len(list((distributed / "works").glob("part-001-*.parquet"))) >= 3
    assert read_works(str(distributed)).equals(read_works(str(local)))
    assert read_report(str(distributed)).equals(read_report(str(local)))


def test_hung_and_crashing_files_are_reported_and_the_run_goes_on(tmp_path: Path) -> None:
    """On a cluster the test starts itself (``scheduler=``), so it outlives the run: the
    hung rescue's thread must be gone (its worker restarted), not beating for a minute.
    A file that kills every worker it runs on fails its partition for good (Dask's
    KilledWorker): its story is reported as crashed."""
    import shutil
    import sys
    import time

    from distributed import LocalCluster

    sys.path.insert(0, str(Path(__file__).resolve().parent))  # bulk_faults, for the workers
    from bulk_faults import FaultySource

    site = tmp_path / "site"
    site.mkdir()
    for name in ("beat.txt", "crash.txt", "fine1.txt", "fine2.txt", "fine3.txt"):
        shutil.copy(SITE / "gap" / "saga_part1.txt", site / name)
    out = tmp_path / "out"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:  # fmt: skip
        bulk_rescue(
            FaultySource(str(site)), str(out), scheduler=cluster.scheduler_address, timeout=2
        )
        beat = site / ".beat"
        time.sleep(1.0)
        last = beat.read_text()
        time.sleep(1.0)
        assert beat.read_text() == last, "the hung rescue is still running"
    assert read_works(str(out)).column("key").to_pylist() == ["fine1.txt", "fine2.txt", "fine3.txt"]
    report = read_report(str(out)).to_pylist()
    assert [(r["file"], r["kind"]) for r in report] == [
        ("beat.txt", "timeout"), ("crash.txt", "crashed"),
    ]  # fmt: skip
    assert "KilledWorker" in report[1]["reason"]


def test_a_cluster_with_no_worker_left_ends_the_run_with_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheduler whose workers are all gone (none came back) does not hold the run
    forever: after `NO_WORKERS_S` the run ends with `ClusterLost`, and what it says names
    what to do."""
    from distributed import LocalCluster

    from ficarchive.bulk import dask as engine

    monkeypatch.setattr(engine, "NO_WORKERS_S", 1.0)
    monkeypatch.setattr(engine, "POLL_S", 0.2)
    with (
        LocalCluster(
            n_workers=0,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        pytest.raises(engine.ClusterLost, match=r"no worker for 1 s.*run the same command"),
    ):
        bulk_rescue(str(SITE), str(tmp_path / "out"), scheduler=cluster.scheduler_address)
