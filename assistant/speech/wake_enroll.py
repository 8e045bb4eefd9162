"""Checking one recording of the wake phrase and finding where in it the phrase ends (enrollment, wake test).

A try is refused with one plain reason when it is too quiet, clipped, or not the phrase; otherwise the
embedding window just after the phrase (where the shipped model scores it best) becomes a template, as do the
windows of copies of it in noise, in rooms, far away and said with a pause between "hey" and "glimmer".
"""
from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.rooms import add_noise, noise, reverberant
from assistant.errors import GlimmerError
from assistant.speech.wake import WakeDetector, normalize_phrase
from assistant.speech.wake_features import EMB_HOP_SAMPLES, EMB_SPAN, embeddings
from assistant.speech.wake_model import WINDOW
from assistant.speech.wake_profile import WakeProfile

QUIET_DBFS = -45.0            # a try whose loudest moment is below this is too quiet
CLIP_SHARE = 0.002            # share of samples at full scale that makes a try clipped
PAD_S = 0.5                   # digital silence put around a try
FAR_PEAK_DBFS, FAR_HISS_DBFS = -38.0, -75.0   # the template copy of a try said far from the microphone
ROOMS_RT60 = (0.35, 0.6)      # reverberation times of the template copies in a room: a furnished bedroom, a bare one
PAUSES_S = (0.15, 0.3)        # the try is also kept as if said with a pause this long between "hey" and "glimmer"
                              # ("Hey, Glimmer."): chosen on dev owners (flite kal, rms, slt; never the bench's),
                              # whose paused phrase the profile of three unpaused tries mostly missed
SPLIT_SPAN = (0.2, 0.6)       # where in the speech the words are parted: its quietest moment in this stretch
SPLIT_FRAME = 320             # 20 ms


@dataclass(frozen=True)
class Try:
    """One recording scored: the best window (its embeddings, for the profile), where it is among the
    recording's windows, and its verified score."""
    score: float
    window: np.ndarray
    wakes: bool
    index: int


def check_level(samples: np.ndarray, name: str) -> None:
    """One clear line when a recording cannot be used: too quiet or clipped."""
    if samples.size < SAMPLE_RATE // 2:
        raise GlimmerError(f"{name}: too short to hold the phrase; record about two seconds")
    peak = int(np.max(np.abs(samples.astype(np.int32))))
    if 20 * np.log10(max(peak, 1) / 32768) < QUIET_DBFS:
        raise GlimmerError(f"{name}: too quiet (loudest moment {20 * np.log10(max(peak, 1) / 32768):.0f} dBFS); "
                           "speak a little closer to the microphone or raise its level")
    if np.mean(np.abs(samples.astype(np.int32)) >= 32700) > CLIP_SHARE:
        raise GlimmerError(f"{name}: clipped (too loud); speak a little further from the microphone "
                           "or lower its level")


def _windows(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The recording padded with digital silence, and its embedding windows (window k: rows k .. k + WINDOW - 1)."""
    pad = np.zeros(int(PAD_S * SAMPLE_RATE), np.int16)
    padded = np.concatenate([pad, samples, pad])
    emb = embeddings(padded, lead=WINDOW - 1)
    return padded, np.lib.stride_tricks.sliding_window_view(emb, (WINDOW, emb.shape[1]))[:, 0]


def score_try(detector: WakeDetector, samples: np.ndarray) -> Try:
    """The best-scoring window of a recording, and whether the detector wakes on it (the same features and
    models as live listening)."""
    padded, window, index, score = _best_moment(detector, samples)
    detector.reset()
    wakes = detector.feed(padded) is not None
    detector.reset()
    return Try(score, window, wakes, index)


def _best_moment(detector: WakeDetector, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, float]:
    """The recording padded with digital silence, its best-scoring window, where that is among its windows,
    and its score."""
    padded, wins = _windows(samples)
    verified = np.mean([v.scores(wins) for v in detector.model.verifiers], axis=0)
    own = np.array([detector.profile_similarity(w) for w in wins])
    fused = WakeProfile.fuse(verified, own)
    best = int(np.argmax(fused))
    if fused[best] < 0.5:                    # the model does not hear it: take the window after the speech
        best = _after_speech(padded, len(wins))
    return padded, wins[best], best, float(fused[best])


def template_windows(detector: WakeDetector, samples: np.ndarray, best: Try,
                     pauses: tuple[float, ...] = PAUSES_S) -> list[np.ndarray]:
    """The profile's templates from one try: its windows (`_copies_at`) as said, and as said with each of
    `pauses` between the words, each at its own best moment. An owner who enrolled saying "hey glimmer" in one
    breath may later say "hey, glimmer" with a break, which otherwise sounds unlike any template."""
    windows = _copies_at(detector, samples, best.window, best.index)
    for pause in pauses:
        paused = with_pause(samples, pause)
        _, window, index, _ = _best_moment(detector, paused)
        windows += _copies_at(detector, paused, window, index)
    return windows


def with_pause(samples: np.ndarray, pause_s: float) -> np.ndarray:
    """The recording with `pause_s` of digital silence inserted at the quietest 20 ms within SPLIT_SPAN of its
    speech (from the first to the last frame within 30 dB of the loudest): between "hey" and "glimmer"."""
    n = samples.size // SPLIT_FRAME
    power = np.mean(samples[:n * SPLIT_FRAME].astype(np.float64).reshape(n, SPLIT_FRAME) ** 2, axis=1)
    loud = np.flatnonzero(power >= power.max() * 1e-3)
    first, last = int(loud[0]), int(loud[-1])
    lo, hi = (first + int(f * (last - first)) for f in SPLIT_SPAN)
    cut = (lo + int(np.argmin(power[lo:hi + 1]))) * SPLIT_FRAME
    return np.concatenate([samples[:cut], np.zeros(int(pause_s * SAMPLE_RATE), np.int16), samples[cut:]])


def _copies_at(detector: WakeDetector, samples: np.ndarray, window: np.ndarray, index: int) -> list[np.ndarray]:
    """A try's best `window` (number `index` of its windows), and the window at the same moment of copies made
    here in noise (a fan's hum too), in two rooms and far from the microphone (quiet, over a hiss), so the owner
    stays known when the bedroom is not quiet. The same moment, not each copy's best-scoring one: for a voice
    the model hardly hears, that one can be anywhere in a noisy copy."""
    rng = np.random.default_rng(len(samples))
    x = to_float(samples)
    copies = [add_noise(x, kind, snr, rng, speech_above=0.05)
              for snr, kind in ((10.0, "pink"), (5.0, "white"), (5.0, "brown"))]
    copies += [reverberant(rng, x, rt60=rt60) for rt60 in ROOMS_RT60]
    far = x * (10 ** (FAR_PEAK_DBFS / 20) / max(1e-6, float(np.max(np.abs(x)))))
    copies.append(far + noise("pink", x.size, rng) * 10 ** (FAR_HISS_DBFS / 20))
    windows = [window] + [_windows(to_int16(np.clip(copy, -1, 1)))[1][index] for copy in copies]
    return [w - detector.model.embedding_mean for w in windows]


def _after_speech(samples: np.ndarray, n_windows: int) -> int:
    """The window that ends about 0.1 s after the last loud sound."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 0.1 * np.max(np.abs(samples.astype(np.int32))))
    end = int(loud[-1]) + SAMPLE_RATE // 10
    return int(np.clip(np.ceil((end - EMB_SPAN) / EMB_HOP_SAMPLES), 0, n_windows - 1))


def sounds_like_phrase(text: str, phrase: str) -> bool:
    """Whether a transcript plausibly is the phrase: a word in it close to the phrase's last word
    ("glimmer", "glimma", "limmer")."""
    target = normalize_phrase(phrase).split()[-1]
    return any(SequenceMatcher(None, w, target).ratio() >= 0.7 for w in normalize_phrase(text).split())
