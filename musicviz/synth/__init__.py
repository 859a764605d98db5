"""The built-in synthetic genre data set: GTZAN-shaped clips musicviz makes itself.

Notebook: ``00_introduction.ipynb``.

GTZAN cannot be downloaded here, so the course runs on clips synthesized deterministically
with numpy and scipy: ten genres with their typical tempo, rhythm feel (swing, four-on-the-floor,
one-drop, boom-bap, backbeat), harmony (12-bar blues, ii-V-I, I-IV-V, power chords) and
timbre (plucked and bowed strings, piano, distorted guitars, drums). The clips of neighbouring
genres overlap, as real ones do. How "real" they sound to a model trained on real GTZAN
features is measured by :mod:`musicviz.realism`.

=============================  ===========================================================
:func:`synthesize_clip`        one clip and its ground-truth metadata
:func:`generate_dataset`       the whole folder (``<genre>/<genre>.000NN.wav``, ``metadata.csv``)
:func:`is_synthetic_set`       is a folder one of these sets (its marker file), safe to replace?
:mod:`.instruments`            the voices: Karplus-Strong, wavetables, drums, distortion
:mod:`.patterns`               drum grooves and bass/chord/melody styles
:mod:`.genres`                 the per-genre recipes (pure data)
:mod:`.artists`                synthetic artists: production shared by several clips of a genre
=============================  ===========================================================

Examples
--------
>>> from musicviz.synth import synthesize_clip
>>> y, meta = synthesize_clip("blues", index=3, duration=4.0)
>>> meta["track_id"], 0.5 < meta["swing"] < 0.7
('blues.00003', True)
"""

from __future__ import annotations

from musicviz.synth.generate import (
    DEFAULT_CLIPS_PER_GENRE,
    MARKER_NAME,
    clip_rng,
    generate_dataset,
    is_synthetic_set,
    synthesize_clip,
    track_id,
)
from musicviz.synth.genres import RECIPES

__all__ = ["DEFAULT_CLIPS_PER_GENRE", "MARKER_NAME", "synthesize_clip", "generate_dataset", "is_synthetic_set", "clip_rng",
           "track_id", "RECIPES"]
