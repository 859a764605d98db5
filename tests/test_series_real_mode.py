"""The whole series runs on real GTZAN, on a copy far smaller than GTZAN (executed, not compared).

The fixture copy is built in a temp folder from the ten real clips of ``../shared/data``
(``<genre>.00000.wav``) in the Kaggle layout, with the feature table and the split lists:
one clip per genre, too few to train on, so every notebook must say so and go on. The clips
are cut to 15 s, as in a partial copy of short excerpts: no notebook may assume 30 s clips (a
fixed excerpt window past the end of a short clip once stopped notebook 04).

CI only (``make ci-extra``): it executes the whole series a second time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: How long the copy's clips are (GTZAN's are 30 s).
CLIP_SECONDS = 15.0


@pytest.mark.ci
def test_every_notebook_runs_on_a_small_real_copy(gtzan_samples, shared_data, synth_data, tmp_path):
    import soundfile as sf

    copy = tmp_path / "gtzan"
    audio = copy / "Data" / "genres_original"
    for wav in sorted(gtzan_samples.glob("*.wav")):
        genre = wav.name.split(".")[0]
        (audio / genre).mkdir(parents=True, exist_ok=True)
        info = sf.info(str(wav))
        y, sr = sf.read(str(wav), frames=int(CLIP_SECONDS * info.samplerate), dtype="int16")
        sf.write(str(audio / genre / wav.name), y, sr, subtype=info.subtype)
        assert sf.info(str(audio / genre / wav.name)).duration == pytest.approx(CLIP_SECONDS)
    shutil.copy(shared_data / "features_30_sec.csv", copy / "Data" / "features_30_sec.csv")
    for name in ("train", "valid", "test"):
        shutil.copy(shared_data / f"{name}_filtered.txt", copy / f"{name}_filtered.txt")
    # A data folder of its own (models, exported tables), sharing the synthetic set and the cache.
    data = tmp_path / "data"
    data.mkdir()
    (data / "synth").symlink_to(synth_data)
    (ROOT / "data" / "cache").mkdir(parents=True, exist_ok=True)
    (data / "cache").symlink_to(ROOT / "data" / "cache")
    env = {**os.environ, "MUSICVIZ_DATASET": "gtzan", "MUSICVIZ_GTZAN": str(copy), "MUSICVIZ_DATA": str(data)}
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "run_series.py"), "--out", str(tmp_path / "build"),
         "--figures", str(tmp_path / "build" / "figures")],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    notebooks = len(list((ROOT / "notebooks").glob("[0-9][0-9]*.ipynb")))
    assert f"{notebooks} of {notebooks} notebooks ran" in run.stdout
    executed = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "build" / "notebooks").glob("*.ipynb")}
    # It ran on the real clips, and said plainly where the copy was too small.
    assert "real clips" in executed["00_introduction.ipynb"]
    assert "too few to train and test" in executed["05_baseline_models.ipynb"]
    own_clip = f"hiphop.00000.wav: {CLIP_SECONDS:.1f} s"  # 07's default clip, as this short copy has it
    assert own_clip in executed["07_classify_your_own_clip.ipynb"]
    # make run's other products: the figures and their index, and the course site built from the
    # executed copies (a page per notebook; its index links the figures).
    assert (tmp_path / "build" / "figures" / "index.html").is_file()
    site = tmp_path / "build" / "html"
    assert sorted(p.stem for p in site.glob("[0-9][0-9]*.html")) == sorted(Path(name).stem for name in executed)
    assert 'href="../figures/index.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert own_clip in (site / "07_classify_your_own_clip.html").read_text(encoding="utf-8")
