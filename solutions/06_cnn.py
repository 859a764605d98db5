"""Worked solutions of notebook 06's exercises (each function returns the answer)."""

import librosa
import numpy as np

import musicviz as mv
from musicviz import cnn

CONFIG = cnn.MelConfig(segment_seconds=3.0, n_fft=2048, hop_length=512, n_mels=64)
SEED = 0


def out_size(n, k, p, s):
    """The output-shape rule of a convolution or pooling window."""
    return (n - k + 2 * p) // s + 1


def corr2d(X, K):
    """2-D cross-correlation without padding (what a Keras Conv2D computes, before bias and ReLU)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def exercise_06_1():
    # Prediction: 4 s give 173 frames; the 'same' convolutions keep 173, the poolings give
    # (173 - 2) // 2 + 1 = 86, then 43, then 21 (the floor drops a frame at every odd size).
    # The weights do not change: no layer's weights depend on the number of frames, because
    # time_average averages them away before the dense layer.
    config = cnn.MelConfig(segment_seconds=4.0, n_fft=2048, hop_length=512, n_mels=64)
    frames = config.n_frames
    for _ in range(3):
        frames = out_size(frames, 2, 0, 2)
    model = cnn.build_model(config.input_shape, len(mv.GENRES))
    assert frames == model.get_layer("pool3").output.shape[2]
    return frames, int(model.count_params())


def _disco_segment():
    course = mv.splits.course_split(mv.features.course_feature_table(), test_size=0.25, seed=SEED)
    train_tracks = course.tracks("train")
    example = next((t for t in train_tracks if t.genre == "disco"), train_tracks[0])
    segments = cnn.build_segments([example], config=CONFIG)
    return segments.X[0]  # segment 0 of the clip: train_set.X[first] in the notebook


def exercise_06_2():
    K = np.array([[-1.0, 0.0, 1.0]] * 3)  # later frame minus earlier frame, in three neighbouring bands
    feature_map = np.maximum(corr2d(_disco_segment().astype(np.float64), K), 0)
    onset_strength = feature_map.sum(axis=0)  # one number per column: how much louder everything just got
    j = int(np.argmax(onset_strength))
    return round(float(librosa.frames_to_time(j + 1, sr=CONFIG.sr, hop_length=CONFIG.hop_length)), 2)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


def exercise_06_3():
    # Prediction: equal logits give p = 1/10 to every genre, loss = ln 10 = 2.303 (about the loss
    # of the first epoch's start). A logit 2 above the rest gives p = e^2 / (e^2 + 9) = 0.45,
    # loss = 0.797.
    equal = np.zeros(10)
    ahead = np.zeros(10)
    ahead[0] = 2.0  # the true genre is genre 0 here
    return tuple(round(float(-np.log(softmax(z)[0])), 3) for z in (equal, ahead))


def exercise_06_4():
    # Prediction: the rule with p = 0 along each axis: (64 - 16) // 8 + 1 = 7 positions up the mel
    # axis, (130 - 20) // 8 + 1 = 14 along time, so 7 * 14 = 98 predictions.
    predicted = out_size(64, 16, 0, 8) * out_size(130, 20, 0, 8)
    # Verification: the grid does not depend on the weights, so an untrained network will do here
    # (in the notebook: the trained classifier).
    untrained = cnn.CNNClassifier(model=cnn.build_model(CONFIG.input_shape, len(mv.GENRES)), classes=tuple(mv.GENRES),
                                  scaler=cnn.BandScaler(np.zeros(64, np.float32), np.ones(64, np.float32)), config=CONFIG)
    occlusion = cnn.inspect.occlusion_map(untrained, np.zeros((64, 130)), target="disco", patch=(16, 20), stride=(8, 8))
    assert occlusion.grid.size == predicted
    return int(occlusion.grid.size)
