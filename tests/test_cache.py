"""musicviz.cache: keys follow content, parameters and library versions; every entry is checked
before it is trusted; writes are atomic, also with several processes writing at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from musicviz import cache as cache_module
from musicviz.cache import Cache, array_check, content_digest, library_versions
from musicviz.errors import ParameterError

SHAPE = (3, 4)
VALUE = np.arange(12, dtype=np.float32).reshape(SHAPE)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "clip.wav"
    path.write_bytes(b"RIFF" + bytes(range(200)))
    return path


def _arrays(tmp_path, **kwargs) -> Cache:
    kwargs.setdefault("validate", array_check(shape=(None, SHAPE[1]), dtype=np.float32))
    return Cache("test_arrays", version=1, folder=tmp_path / "cache", **kwargs)


def _rows(tmp_path, **kwargs) -> Cache:
    def valid(rows):
        return isinstance(rows, list) and len(rows) > 0 and all(
            isinstance(r, dict) and set(r) == {"segment", "tempo"} and isinstance(r["tempo"], float) for r in rows
        )

    return Cache("test_rows", version="2", payload="json", validate=valid, folder=tmp_path / "cache", **kwargs)


class _Counter:
    """A compute function that counts its calls."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


# --------------------------------------------------------------------------- keys
def test_key_follows_content_not_name(tmp_path, source):
    cache = _arrays(tmp_path)
    copy = tmp_path / "renamed copy.wav"
    copy.write_bytes(source.read_bytes())
    assert cache.key(copy, {"n": 1}) == cache.key(source, {"n": 1})  # same bytes, same entry
    edited = bytearray(source.read_bytes())
    edited[-1] ^= 1
    copy.write_bytes(bytes(edited))
    assert cache.key(copy, {"n": 1}) != cache.key(source, {"n": 1})  # one bit changed
    assert content_digest(source) == __import__("hashlib").sha256(source.read_bytes()).hexdigest()


def test_key_follows_parameters_kind_and_version(tmp_path, source):
    base = _arrays(tmp_path).key(source, {"n_fft": 512, "hop": 256})
    assert _arrays(tmp_path).key(source, {"hop": 256, "n_fft": 512}) == base  # order does not matter
    assert _arrays(tmp_path).key(source, {"n_fft": 1024, "hop": 256}) != base
    assert _arrays(tmp_path).key(source, {"n_fft": 512.5, "hop": 256}) != base
    assert Cache("test_arrays", version=2, folder=tmp_path).key(source, {"n_fft": 512, "hop": 256}) != base
    assert Cache("other_kind", version=1, folder=tmp_path).key(source, {"n_fft": 512, "hop": 256}) != base


@pytest.mark.parametrize("library", ["librosa", "numpy"])
def test_key_follows_library_versions(tmp_path, source, monkeypatch, library):
    module = pytest.importorskip(library)
    cache = _arrays(tmp_path)
    before = cache.key(source, {"n": 1})
    monkeypatch.setattr(module, "__version__", module.__version__ + ".post999")
    assert library_versions([library])[library].endswith(".post999")
    assert cache.key(source, {"n": 1}) != before  # an upgrade is a miss, never a stale hit


def test_key_follows_the_cache_format(tmp_path, source, monkeypatch):
    cache = _arrays(tmp_path)
    before = cache.key(source, {})
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", cache_module.CACHE_FORMAT + 1)
    assert cache.key(source, {}) != before


def test_key_errors(tmp_path, source):
    cache = _arrays(tmp_path)
    with pytest.raises(ParameterError, match="JSON"):
        cache.key(source, {"bad": object()})
    with pytest.raises(ParameterError, match="JSON"):
        cache.key(source, {"bad": float("nan")})
    with pytest.raises(ParameterError, match="dict"):
        cache.key(source, [1, 2])
    with pytest.raises(FileNotFoundError):
        cache.key(tmp_path / "missing.wav", {})
    with pytest.raises(ParameterError, match="cache key"):
        cache.entry("../../etc/passwd")


def test_constructor_errors(tmp_path):
    with pytest.raises(ParameterError, match="kind"):
        Cache("../x", version=1)
    with pytest.raises(ParameterError, match="payload"):
        Cache("x", version=1, payload="pickle")
    with pytest.raises(ParameterError, match="version"):
        Cache("x", version=None)
    with pytest.raises(ParameterError, match="max_bytes"):
        Cache("x", version=1, max_bytes=0)


def test_default_folder_follows_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MUSICVIZ_DATA", str(tmp_path))
    assert Cache("mels", version=1).folder == tmp_path / "cache" / "mels"


# --------------------------------------------------------------------------- round trips
def test_array_round_trip_and_layout(tmp_path, source):
    cache = _arrays(tmp_path)
    compute = _Counter(VALUE)
    first = cache.get_or_compute(source, {"n": 1}, compute)
    again = cache.get_or_compute(source, {"n": 1}, compute)
    assert compute.calls == 1
    np.testing.assert_array_equal(first, VALUE)
    np.testing.assert_array_equal(again, VALUE)
    assert again.dtype == np.float32
    key = cache.key(source, {"n": 1})
    assert cache.entry(key) == tmp_path / "cache" / key[:2] / f"{key}.npy"
    assert [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()] == [f"{key}.npy"]  # no temporary left


def test_json_round_trip(tmp_path, source):
    cache = _rows(tmp_path)
    rows = [{"segment": 0, "tempo": 120.0}, {"segment": 1, "tempo": 118.5}]
    path = cache.put(source, {"segment_seconds": 3.0}, rows)
    assert path.suffix == ".json"
    assert cache.get(source, {"segment_seconds": 3.0}) == rows
    assert cache.get(source, {"segment_seconds": 1.0}) is None
    document = json.loads(path.read_text())
    assert document["musicviz_cache"] == cache_module.CACHE_FORMAT and document["kind"] == "test_rows"


def test_json_values_are_checked_as_a_reader_sees_them(tmp_path, source):
    cache = Cache("tuples", version=1, payload="json", folder=tmp_path, validate=lambda v: isinstance(v, list))
    cache.put(source, {}, (1, 2))  # a tuple is written as a list, and the check sees the list
    assert cache.get(source, {}) == [1, 2]


# --------------------------------------------------------------------------- invalid entries
def _npy_bytes(value, **kwargs) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, value, **kwargs)
    return buffer.getvalue()


BAD_ARRAY_ENTRIES = {
    "garbage": b"\x00garbage, not an array",
    "empty": b"",
    "truncated": _npy_bytes(VALUE)[:-5],
    "trailing bytes": _npy_bytes(VALUE) + b"extra",
    "wrong shape": _npy_bytes(np.zeros((3, 5), np.float32)),
    "wrong dtype": _npy_bytes(VALUE.astype(np.float64)),
    "NaN": _npy_bytes(np.full(SHAPE, np.nan, np.float32)),
    "pickled object array": _npy_bytes(np.array([{"a": 1}, None], dtype=object), allow_pickle=True),
    "json text": b'{"rows": []}',
}


@pytest.mark.parametrize("content", list(BAD_ARRAY_ENTRIES.values()), ids=list(BAD_ARRAY_ENTRIES))
def test_invalid_array_entry_is_recomputed_and_replaced(tmp_path, source, content):
    cache = _arrays(tmp_path)
    entry = cache.entry(cache.key(source, {"n": 1}))
    entry.parent.mkdir(parents=True)
    entry.write_bytes(content)
    assert cache.get(source, {"n": 1}) is None  # never trusted, never raised
    compute = _Counter(VALUE)
    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, compute), VALUE)
    assert compute.calls == 1
    np.testing.assert_array_equal(np.load(entry, allow_pickle=False), VALUE)  # overwritten
    np.testing.assert_array_equal(cache.get(source, {"n": 1}), VALUE)


def _envelope(cache, key, value, **changes):
    document = {"musicviz_cache": cache_module.CACHE_FORMAT, "kind": cache.kind, "key": key, "value": value}
    document.update(changes)
    return json.dumps(document)


def test_invalid_json_entries_are_recomputed(tmp_path, source):
    cache = _rows(tmp_path)
    key = cache.key(source, {})
    good = [{"segment": 0, "tempo": 100.0}]
    bad = [
        "",  # an empty file
        "{not json",
        '"rows"',
        "null",
        "[1]",
        "[]",
        b"\xff\xfe not UTF-8",
        "[" * 100_000 + "]" * 100_000,  # too deep for the parser
        json.dumps(good),  # the value without the envelope
        _envelope(cache, key, []),  # refused by the caller's check
        _envelope(cache, key, [{"segment": 0}]),  # a partial row
        _envelope(cache, key, [{"segment": 0, "tempo": None}]),
        _envelope(cache, key, good).replace("100.0", "NaN"),
        _envelope(cache, "0" * 64, good),  # another key's entry copied here
        _envelope(cache, key, good, kind="features"),
        _envelope(cache, key, good, musicviz_cache=99),
        _envelope(cache, key, good, musicviz_cache=True),
        _envelope(cache, key, good, extra=1),
        json.dumps({"version": 1, "rows": good}),  # an older envelope
    ]
    entry = cache.entry(key)
    entry.parent.mkdir(parents=True, exist_ok=True)
    for text in bad:
        entry.write_bytes(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
        assert cache.read(key) is None, text[:60]
    compute = _Counter(good)
    assert cache.get_or_compute(source, {}, compute) == good and compute.calls == 1
    assert cache.read(key) == good


def test_a_folder_in_place_of_an_entry(tmp_path, source):
    cache = _arrays(tmp_path)
    entry = cache.entry(cache.key(source, {"n": 1}))
    (entry / "inside").mkdir(parents=True)
    (entry / "inside" / "file.txt").write_text("x")
    assert cache.get(source, {"n": 1}) is None
    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, _Counter(VALUE)), VALUE)
    assert entry.is_file()
    np.testing.assert_array_equal(cache.get(source, {"n": 1}), VALUE)


def test_a_link_in_place_of_an_entry_is_not_followed(tmp_path, source):
    cache = _arrays(tmp_path)
    elsewhere = tmp_path / "elsewhere.npy"
    elsewhere.write_bytes(_npy_bytes(VALUE + 1))  # valid-looking, but not written by the cache
    entry = cache.entry(cache.key(source, {"n": 1}))
    entry.parent.mkdir(parents=True)
    entry.symlink_to(elsewhere)
    assert cache.get(source, {"n": 1}) is None
    cache.get_or_compute(source, {"n": 1}, _Counter(VALUE))
    assert not entry.is_symlink()
    np.testing.assert_array_equal(np.load(elsewhere), VALUE + 1)  # the link's target untouched


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_in_place_of_an_entry_does_not_block(tmp_path, source):
    cache = _arrays(tmp_path)
    entry = cache.entry(cache.key(source, {"n": 1}))
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    assert cache.get(source, {"n": 1}) is None


def test_an_unreadable_entry_is_recomputed(tmp_path, source, monkeypatch):
    cache = _arrays(tmp_path)
    entry = cache.put(source, {"n": 1}, VALUE + 1)
    real_open = os.open

    def denied(path, *args, **kwargs):  # as chmod 0 would do for a user other than root
        if Path(path) == entry:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert cache.get(source, {"n": 1}) is None
    compute = _Counter(VALUE)
    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, compute), VALUE)
    assert compute.calls == 1
    monkeypatch.undo()
    np.testing.assert_array_equal(cache.get(source, {"n": 1}), VALUE)  # replaced by a readable entry


def test_an_entry_larger_than_max_bytes_is_not_read(tmp_path, source):
    cache = _arrays(tmp_path, max_bytes=100)
    with pytest.raises(ParameterError, match="max_bytes"):
        cache.put(source, {}, np.zeros((100, SHAPE[1]), np.float32))
    entry = cache.entry(cache.key(source, {}))
    entry.parent.mkdir(parents=True)
    entry.write_bytes(_npy_bytes(np.zeros((100, SHAPE[1]), np.float32)))
    assert cache.get(source, {}) is None


def test_a_validator_error_means_invalid_but_a_non_bool_answer_is_a_bug(tmp_path, source):
    raising = Cache("x", version=1, folder=tmp_path, validate=lambda v: v["missing"] > 0)
    key = raising.key(source, {})
    raising.entry(key).parent.mkdir(parents=True)
    raising.entry(key).write_bytes(_npy_bytes(VALUE))
    assert raising.read(key) is None
    sloppy = Cache("x", version=1, folder=tmp_path, validate=lambda v: v)  # returns the array, not a bool
    with pytest.raises(TypeError, match="True or False"):
        sloppy.read(key)


# --------------------------------------------------------------------------- writing
def test_values_the_reader_would_refuse_are_never_written(tmp_path, source):
    arrays = _arrays(tmp_path)
    with pytest.raises(ParameterError, match="validate"):
        arrays.put(source, {}, np.zeros((2, 5), np.float32))
    with pytest.raises(ParameterError, match="validate"):
        arrays.put(source, {}, np.full(SHAPE, np.inf, np.float32))
    with pytest.raises(ParameterError, match="numeric arrays"):
        arrays.put(source, {}, np.array([None, 1], dtype=object))
    with pytest.raises(ParameterError, match="numeric arrays"):
        arrays.put(source, {}, [[1.0, 2.0]])
    rows = _rows(tmp_path)
    with pytest.raises(ParameterError, match="JSON"):
        rows.put(source, {}, [{"segment": 0, "tempo": float("nan")}])
    with pytest.raises(ParameterError, match="JSON"):
        rows.put(source, {}, [{"segment": 0, "tempo": object()}])
    assert not list((tmp_path / "cache").rglob("*.*"))


def test_a_failed_write_leaves_the_previous_entry(tmp_path, source, monkeypatch):
    cache = _arrays(tmp_path)
    entry = cache.put(source, {}, VALUE)

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)  # the moment the new entry would take its place
    with pytest.raises(OSError):
        cache.put(source, {}, VALUE + 1)
    monkeypatch.undo()
    np.testing.assert_array_equal(cache.get(source, {}), VALUE)
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary file left


def test_an_unwritable_cache_costs_one_warning_not_the_value(tmp_path, source):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    cache = Cache("x", version=1, folder=blocker)
    with pytest.warns(UserWarning, match="could not write the x cache") as record:
        for _ in range(3):
            np.testing.assert_array_equal(cache.get_or_compute(source, {}, _Counter(VALUE)), VALUE)
    assert len(record) == 1


def test_an_unreadable_source_is_computed_and_not_cached(tmp_path):
    cache = _arrays(tmp_path)

    def compute():
        raise LookupError("the caller's own error for a missing file")

    with pytest.raises(LookupError, match="own error"):
        cache.get_or_compute(tmp_path / "missing.wav", {}, compute)
    assert cache.get(tmp_path / "missing.wav", {}) is None
    assert not (tmp_path / "cache").exists()


# --------------------------------------------------------------------------- parallel writers
_WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    from musicviz.cache import Cache, array_check
    folder, key, ident, rounds, size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    cache = Cache("race", version=1, folder=folder, validate=array_check(shape=(size,), dtype=np.float32))
    for i in range(rounds):
        cache.write(key, np.full(size, ident * 1000 + i, dtype=np.float32))
    """
)
_READER = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from musicviz.cache import Cache, array_check
    folder, key, size, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    cache = Cache("race", version=1, folder=folder, validate=array_check(shape=(size,), dtype=np.float32))
    reads = misses = mixed = 0
    while not os.path.exists(stop):
        value = cache.read(key)
        reads += 1
        if value is None:
            misses += 1
        elif not np.all(value == value[0]):
            mixed += 1
    print(reads, misses, mixed)
    """
)


def test_parallel_writers_never_leave_half_an_entry(tmp_path, source):
    """Four processes rewrite one entry while a fifth reads it: every read is one whole value."""
    size, rounds = 1 << 19, 25  # 2 MiB per entry
    cache = Cache("race", version=1, folder=tmp_path / "cache", validate=array_check(shape=(size,), dtype=np.float32))
    key = cache.key(source, {})
    cache.write(key, np.zeros(size, np.float32))  # the entry exists before the race starts
    stop = tmp_path / "stop"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER, str(cache.folder), key, str(size), str(stop)],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(cache.folder), key, str(ident), str(rounds), str(size)], env=env)
        for ident in range(1, 5)
    ]
    try:
        assert all(w.wait(timeout=120) == 0 for w in writers)
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    reads, misses, mixed = map(int, out.split())
    assert reads > 10
    assert (misses, mixed) == (0, 0), f"{reads} reads: {misses} found no whole entry, {mixed} mixed two writers"
    final = cache.read(key)
    assert final is not None and final[0] % 1000 == rounds - 1  # some writer's last value, whole
    leftovers = [p.name for p in cache.entry(key).parent.iterdir() if p.name != cache.entry(key).name]
    assert leftovers == []  # no temporary files


# --------------------------------------------------------------------------- the bytes computed from
def test_a_source_replaced_while_computing_is_not_cached_under_its_old_key(tmp_path, source):
    """get_or_compute hashed the file, compute() read it again: a file replaced in between was
    cached under the old content's key, and the old content got the new one's value for ever."""
    cache = _arrays(tmp_path)
    original = source.read_bytes()

    def replaced_meanwhile():
        source.write_bytes(b"RIFF other audio")  # e.g. a copy finishing while the table runs
        return VALUE + 1  # what the new content gives

    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, replaced_meanwhile), VALUE + 1)
    source.write_bytes(original)  # put back
    compute = _Counter(VALUE)
    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, compute), VALUE)
    assert compute.calls == 1  # computed, not the other content's value from the cache
    np.testing.assert_array_equal(cache.get_or_compute(source, {"n": 1}, _Counter(VALUE + 9)), VALUE)  # cached now


def test_snapshot_sees_a_restored_file(tmp_path, source):
    """Same bytes and modification time, but a file put back in its place: not the same file."""
    from musicviz.cache import snapshot

    before = snapshot(source)
    copy = tmp_path / "copy.wav"
    copy.write_bytes(source.read_bytes())
    os.utime(copy, ns=(before[1][3], before[1][3]))
    os.replace(copy, source)
    assert snapshot(source)[0] == before[0] and snapshot(source) != before
