"""The real GTZAN tables that ship with musicviz: intact, found with no copy, overridden by one."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path


from musicviz import GENRES
from musicviz.datasets import (
    find_feature_table,
    find_split_lists,
    load_feature_table,
    load_filtered_split,
    packaged_gtzan_dir,
)

PACKAGED = packaged_gtzan_dir()
FILES = ("features_30_sec.csv", "train_filtered.txt", "valid_filtered.txt", "test_filtered.txt")


def test_checksums_match_the_manifest():
    manifest = {}
    for line in (PACKAGED / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        manifest[name] = digest
    assert sorted(manifest) == sorted(FILES)
    for name in FILES:
        assert hashlib.sha256((PACKAGED / name).read_bytes()).hexdigest() == manifest[name], name


def test_provenance_names_every_file_and_its_makers():
    text = (PACKAGED / "PROVENANCE.md").read_text(encoding="utf-8")
    for needle in (*FILES, "Kereliuk", "Sturm", "Larsen", "Olteanu", "Tzanetakis"):
        assert needle in text


def test_shipped_in_the_package_data():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["musicviz"]
    assert any(p.startswith("data/gtzan/") for p in patterns)


def test_the_table_and_lists_are_what_provenance_says():
    table = load_feature_table(PACKAGED)
    assert table.shape == (1000, 61)  # 60 columns + track_id
    assert table["label"].value_counts().to_dict() == {g: 100 for g in GENRES}
    assert (PACKAGED / "features_30_sec.csv").read_bytes().count(b"\r\n") == 1001  # CRLF kept byte for byte
    split = load_filtered_split(PACKAGED)
    assert {k: len(v) for k, v in split.items()} == {"train": 443, "valid": 197, "test": 290}


def test_found_with_no_copy_of_ones_own(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICVIZ_GTZAN", str(tmp_path / "nothing-here"))
    assert find_feature_table() == PACKAGED / "features_30_sec.csv"
    assert set(find_split_lists()) == {"train", "valid", "test"}
    assert len(load_feature_table()) == 1000


def test_a_users_copy_takes_precedence(tmp_path, monkeypatch):
    mine = tmp_path / "mine"
    mine.mkdir()
    lines = (PACKAGED / "features_30_sec.csv").read_text().splitlines()
    (mine / "features_30_sec.csv").write_text("\n".join(lines[:11]) + "\n")  # header + 10 rows
    monkeypatch.setenv("MUSICVIZ_GTZAN", str(mine))
    assert find_feature_table() == mine / "features_30_sec.csv"
    assert len(load_feature_table()) == 10
    # The lists are taken as a set: two of three lists of one's own do not mix with shipped ones.
    for name in ("train", "valid"):
        shutil.copy(PACKAGED / f"{name}_filtered.txt", mine / f"{name}_filtered.txt")
    assert find_split_lists()["test"] == PACKAGED / "test_filtered.txt"
    (mine / "test_filtered.txt").write_text("blues/blues.00099.wav\n")
    assert find_split_lists()["test"] == mine / "test_filtered.txt"
    assert load_filtered_split()["test"] == ["blues.00099"]


def test_shared_material_is_the_same_bytes(shared_data):
    for name in FILES:
        assert (shared_data / name).read_bytes() == (PACKAGED / name).read_bytes(), name
