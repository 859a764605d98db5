"""The feature table on a Dask cluster (joblib's Dask backend), as the README promises.

A real ``dask.distributed`` cluster on this machine: a scheduler and two worker *processes*
(one thread each) on the loopback interface, no dashboard. The table it computes must be the
one ``n_jobs=1`` computes, value for value: every clip is computed with one BLAS thread
wherever it runs, so there is no tolerance to hide behind. Needs the ``dask`` extra
(``pip install "musicviz[dask]"``); skipped, saying so, without it.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    from musicviz.bench import make_bench_clips

    root = tmp_path_factory.mktemp("dask-clips")
    paths = make_bench_clips(5, root, duration=4.0)  # blues ... disco, then hiphop
    (root / "broken.00001.wav").write_text("not audio")  # skipped the same way on both sides
    return [*paths, root / "broken.00001.wav"]


def test_dask_cluster_table_equals_serial_table(clips, tmp_path):
    distributed = pytest.importorskip(
        "dask.distributed", reason='dask[distributed] is not installed (pip install "musicviz[dask]")'
    )
    import joblib

    from musicviz.features import feature_table

    serial = feature_table(clips, n_jobs=1, use_cache=False, progress=False, warn=False)
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_config(backend="dask"):
            clustered = feature_table(clips, n_jobs=-1, cache_dir=tmp_path / "cache", progress=False, warn=False)
        # The work ran on the cluster's worker processes, not in this one.
        ran = client.run(lambda: __import__("sys").modules.get("musicviz.features._kernels") is not None)
        assert any(ran.values())
    pd.testing.assert_frame_equal(clustered, serial, check_exact=True)
    assert len(serial) == 5 and serial["track_id"].tolist()[0] == "blues.00000"
    assert [s.path.name for s in clustered.attrs["skipped"]] == [s.path.name for s in serial.attrs["skipped"]]
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 5  # the cluster's rows were cached here
