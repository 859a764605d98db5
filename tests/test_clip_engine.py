"""The clip engine (musicviz._clip_engine), tested once for every table of many clips.

What every table gets from it, tested here and nowhere else: a worker process that dies is a
clear error that keeps the finished clips (cached) and carries their results, the same call
then resumes from the cache; ``n_jobs`` (loky or a Dask cluster) never changes a number; a
cache that cannot be written costs one warning; the numba functions are compiled once, in the
calling process, before a pool starts (a race between two workers compiling at once damages
numba's cache, and every later process segfaults); and every function over many clips takes
the same keywords. Each table's own behaviour (its columns, its skipped clips, its cache
entries) is tested with the table: tests/test_features.py, test_reliability_features.py,
test_pretrained.py.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from musicviz import SR, _clip_engine
from musicviz._clip_engine import MAX_CLIP_SECONDS, Clip, ClipJob, clips_from, map_clips
from musicviz.audio import write_wav
from musicviz.cache import Cache
from musicviz.errors import FeatureError

ROOT = Path(__file__).resolve().parents[1]


def _tone(seconds, *, freq=220.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return 0.3 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(t.size)


@pytest.fixture()
def three_clips(tmp_path):
    root = tmp_path / "audio"
    for name, freq in (("jazz/jazz.00001.wav", 220), ("jazz/jazz.00002.wav", 330), ("rock/rock.00003.wav", 440)):
        write_wav(root / name, _tone(3.0, freq=freq), sr=SR)
    clips, skipped = clips_from(root)
    assert [c.track_id for c in clips] == ["jazz.00001", "jazz.00002", "rock.00003"] and skipped == []
    return clips


def _store(folder) -> Cache:
    return Cache("engine_test", version=1, payload="json", folder=folder, validate=lambda v: isinstance(v, str))


# Module level: worker processes get these functions pickled by name.
def _name(clip, *args):
    return clip.track_id, None


def _die_on_rock(clip, cache_folder):
    """Kills its worker process on ``rock.00003``, as the OOM killer would, once the two other
    clips are in the cache (so what finished before the crash is deterministic)."""
    if clip.track_id == "rock.00003":
        deadline = time.monotonic() + 120
        while len(list(Path(cache_folder).rglob("*.json"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os._exit(1)
    return clip.track_id, None


# --------------------------------------------------------------------------- a dying worker, resuming
def test_killed_worker_is_a_clear_error_that_keeps_the_finished_clips_and_a_rerun_resumes(three_clips, tmp_path):
    folder = tmp_path / "cache"
    job = ClipJob(_die_on_rock, args=(str(folder),), label="names", store=_store(folder))
    with pytest.raises(FeatureError) as info:
        map_clips(three_clips, job, n_jobs=2)
    message = str(info.value)
    assert "worker process died while computing names" in message
    assert "2 of 3 clips" in message and "rerun" in message and str(folder) in message
    assert info.value.results == [("jazz.00001", None), ("jazz.00002", None), None]  # None: not finished

    computed = []

    def recording(clip):
        computed.append(clip.track_id)
        return clip.track_id, None

    resumed = map_clips(three_clips, ClipJob(recording, label="names", store=_store(folder)), n_jobs=1)
    assert computed == ["rock.00003"]  # the two others came from the cache
    assert resumed == [("jazz.00001", None), ("jazz.00002", None), ("rock.00003", None)]


def test_dead_worker_without_cache_says_nothing_was_kept(three_clips, monkeypatch):
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    def parallel_whose_worker_dies(*args, **kwargs):
        def run(tasks):
            raise TerminatedWorkerError("A worker process managed by the executor was unexpectedly terminated.")

        return run

    monkeypatch.setattr(_clip_engine, "warm_numba", lambda: None)
    monkeypatch.setattr("joblib.Parallel", parallel_whose_worker_dies)
    with pytest.raises(FeatureError, match=r"0 of 3 clips.*cache=False\), so nothing was kept") as info:
        map_clips(three_clips, ClipJob(_name, label="names"), n_jobs=2)
    assert info.value.results == [None, None, None]


def test_other_errors_propagate_unchanged(three_clips):
    def bug(clip):
        raise TypeError("a changed library API")

    with pytest.raises(TypeError, match="changed library API"):
        map_clips(three_clips, ClipJob(bug), n_jobs=1)


# --------------------------------------------------------------------------- n_jobs changes nothing
def _feature_job():
    from musicviz.features import extract_clip_features
    from musicviz.features.table import _clip_rows

    # The feature table's real work: its MFCCs are where a threaded BLAS rounds differently.
    return ClipJob(_clip_rows, args=(extract_clip_features, None, True, None), label="features")


def test_n_jobs_do_not_change_a_number(three_clips):
    serial = map_clips(three_clips, _feature_job(), n_jobs=1)
    parallel = map_clips(three_clips, _feature_job(), n_jobs=2)
    assert [rows[0]["track_id"] for rows, _ in serial] == ["jazz.00001", "jazz.00002", "rock.00003"]
    assert parallel == serial  # value for value: one BLAS thread wherever a clip runs


@pytest.mark.slow
def test_a_dask_cluster_gives_the_serial_results_and_the_caller_caches(three_clips, tmp_path):
    """joblib's backend is never pinned: ``parallel_config(backend="dask")`` sends the clips to
    a real ``dask.distributed`` cluster (two worker processes, one thread each, loopback)."""
    distributed = pytest.importorskip(
        "dask.distributed", reason='dask[distributed] is not installed (pip install "musicviz[dask]")'
    )
    import joblib

    from musicviz.features.cache import _features_cache, _params, _with_identity, _without_identity
    from musicviz.features.columns import FEATURES

    serial = map_clips(three_clips, _feature_job(), n_jobs=1)
    store = _features_cache(tmp_path / "cache", names=FEATURES, segment_seconds=None)
    job = dataclasses.replace(_feature_job(), store=store, params=_params(None, True), encode=_without_identity,
                              decode=_with_identity)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with joblib.parallel_config(backend="dask"):
            clustered = map_clips(three_clips, job, n_jobs=-1)
        # The work ran on the cluster's worker processes, not in this one.
        ran = client.run(lambda: __import__("sys").modules.get("musicviz.features._kernels") is not None)
        assert any(ran.values())
    assert clustered == serial
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3  # cached here, by the caller


# --------------------------------------------------------------------------- the header and the cache
def test_header_checks_skip_before_any_work(three_clips, tmp_path):
    missing = Clip(tmp_path / "missing.wav", "missing", "")
    results = map_clips([*three_clips, missing], ClipJob(_name, max_seconds=2.5), n_jobs=1)
    assert all(value is None for value, _ in results)
    assert all("too long: 3.0 s of audio, more than max_seconds=2.5" in reason for _, reason in results[:3])
    assert results[3] == (None, "file not found")


def test_unwritable_cache_costs_one_warning_not_the_results(three_clips, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(UserWarning, match=r"could not write the engine_test cache: .* \(and 2 more\)") as record:
        results = map_clips(three_clips, ClipJob(_name, store=_store(blocker)), n_jobs=1)
    assert [value for value, _ in results] == ["jazz.00001", "jazz.00002", "rock.00003"]
    assert len(record) == 1


def test_cached_values_are_decoded_for_their_clip(three_clips, tmp_path):
    job = ClipJob(_name, store=_store(tmp_path / "c"), encode=str.upper, decode=lambda stored, clip: f"{stored}@{clip.label}")
    first = map_clips(three_clips, job, n_jobs=1)
    again = map_clips(three_clips, job, n_jobs=1)
    assert [v for v, _ in first] == ["jazz.00001", "jazz.00002", "rock.00003"]
    assert [v for v, _ in again] == ["JAZZ.00001@jazz", "JAZZ.00002@jazz", "ROCK.00003@rock"]
    entry = next((tmp_path / "c").rglob("*.json"))
    assert json.loads(entry.read_text())["value"].isupper()


# --------------------------------------------------------------------------- numba, compiled once
def test_numba_is_warmed_in_this_process_before_a_pool_starts(three_clips, monkeypatch):
    events = []
    monkeypatch.setattr(_clip_engine, "warm_numba", lambda: events.append("warm"))

    def fake_parallel(*args, **kwargs):
        events.append("pool")
        return lambda tasks: [_clip_engine._run(*t[1], **t[2]) for t in tasks]

    monkeypatch.setattr("joblib.Parallel", fake_parallel)
    assert map_clips(three_clips, ClipJob(_name), n_jobs=2)[0] == ("jazz.00001", None)
    assert events == ["warm", "pool"]
    events.clear()
    map_clips(three_clips, ClipJob(_name), n_jobs=1)  # no pool, nothing to warm
    assert events == []


_PROBE = textwrap.dedent(
    """
    import numpy as np, librosa
    y = 0.1 * np.random.default_rng(0).standard_normal(22050 * 3).astype(np.float32)
    librosa.estimate_tuning(y=y, sr=22050)
    librosa.beat.beat_track(y=y, sr=22050)
    librosa.zero_crossings(y=y)
    print("loaded")
    """
)


@pytest.mark.ci  # a fresh venv's first parallel run: about a minute of compiling, in CI only
def test_two_workers_on_a_fresh_numba_cache_leave_it_loadable(tmp_path):
    """numba issue 10128 / librosa issue 1998, through the real entry point.

    ``musicviz features --jobs 2`` on a fresh numba cache (``NUMBA_CACHE_DIR``): without the
    warm-up its two workers compile librosa's ``@guvectorize(cache=True)`` functions at the same
    time, write the two halves of one cache entry, and the next process that loads them dies
    with a segmentation fault (measured without the warm-up: 2 runs of 5 on two cores; it is a
    race). With the warm-up the workers only ever load. Slow: compiling numba's cache from
    nothing takes a minute or two.
    """
    from musicviz.bench import make_bench_clips

    make_bench_clips(2, tmp_path / "clips", duration=3.0)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"), "MUSICVIZ_DATA": str(tmp_path / "data"),
           "PYTHONPATH": str(ROOT)}
    made = subprocess.run(
        [sys.executable, "-m", "musicviz", "-q", "features", str(tmp_path / "clips"), "--out", str(tmp_path / "t.csv"),
         "--jobs", "2", "--no-cache"],
        env=env, capture_output=True, text=True, timeout=1200,
    )
    assert made.returncode == 0, made.stderr
    assert any((tmp_path / "numba").rglob("*.nbi"))  # the cache was made there, from nothing
    loaded = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=600)
    assert loaded.returncode == 0 and "loaded" in loaded.stdout, (loaded.returncode, loaded.stderr[-2000:])


# --------------------------------------------------------------------------- one vocabulary
def _many_clip_functions():
    from musicviz.features import course_feature_table, feature_table, run_features_command
    from musicviz.pretrained import embedding_table, run_pretrained_command
    from musicviz.pretrained.agreement import zero_shot_agreement

    return [feature_table, course_feature_table, run_features_command, embedding_table, run_pretrained_command,
            zero_shot_agreement]


@pytest.mark.parametrize("function", _many_clip_functions(), ids=lambda f: f.__name__)
def test_every_function_over_many_clips_speaks_the_same_keywords(function):
    parameters = inspect.signature(function).parameters
    expected = {"cache": True, "progress": False, "max_seconds": MAX_CLIP_SECONDS, "n_jobs": -1}
    for name, default in expected.items():
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameters[name].default == default, (name, parameters[name].default)
    assert not {"cache_dir", "use_cache"} & set(parameters)


# --------------------------------------------------------------------------- the bytes decoded are the key
def _sha12(path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _replaced_while_computing(clip, other_folder):
    """The clip is replaced by another recording of the same name (a user copying clips in while
    ``features`` runs) before its work reads it; returns what it read."""
    other = Path(other_folder) / clip.path.name
    if other.exists():
        os.replace(other, clip.path)
    return _sha12(clip.path), None


def _read_bytes(clip):
    return _sha12(clip.path), None


@pytest.mark.parametrize("n_jobs", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_a_clip_replaced_while_computed_is_never_cached_under_the_other_content(three_clips, tmp_path, n_jobs):
    """The key was made from the bytes before the work, the value from the bytes read during it:
    after the clips were put back, 18 of 20 got the other audio's features on every later run."""
    import shutil

    backup, other = tmp_path / "backup", tmp_path / "other"
    backup.mkdir(), other.mkdir()
    for k, clip in enumerate(three_clips):
        shutil.copy(clip.path, backup / clip.path.name)
        write_wav(other / clip.path.name, _tone(3.0, freq=880.0 + 50 * k), sr=SR)
    originals = [_sha12(clip.path) for clip in three_clips]
    replacements = [_sha12(other / clip.path.name) for clip in three_clips]
    store = Cache("engine_test", version=1, payload="json", folder=tmp_path / "c", validate=lambda v: isinstance(v, str))
    during = map_clips(three_clips, ClipJob(_replaced_while_computing, args=(str(other),), store=store), n_jobs=n_jobs)
    assert [v for v, _ in during] == replacements
    for clip in three_clips:  # the user puts the clips back
        shutil.copy(backup / clip.path.name, clip.path)
    after = map_clips(three_clips, ClipJob(_read_bytes, store=store), n_jobs=n_jobs)
    assert [v for v, _ in after] == originals  # computed again, not the replacements' values
    again = map_clips(three_clips, ClipJob(_name, store=store), n_jobs=n_jobs)
    assert [v for v, _ in again] == originals  # ... and now cached under the bytes that were read
