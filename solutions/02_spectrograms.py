"""Worked solutions of notebook 02's exercises (each function returns the answer)."""

import musicviz as mv


def exercise_02_1():
    return round(mv.SR / 2048, 2)


def exercise_02_2():
    clips, sr, _ = mv.datasets.example_clips()
    S_db, times, freqs = mv.spectrograms.stft_db(clips["blues"], sr=sr, n_fft=2048, hop_length=512)
    return S_db.shape[1]


def exercise_02_3():
    clips, sr, _ = mv.datasets.example_clips()
    high = {}
    for genre, y in clips.items():
        M_db, times, freqs = mv.spectrograms.mel_db(y, sr=sr)
        high[genre] = M_db[freqs > 5000].mean()
    return max(high, key=high.get)
