"""The wake phrase detector: VAD gate -> spotter -> verifier, streaming 30 ms frames.

Quiet audio costs one webrtcvad call per frame. While speech is around, log-mel features (10 ms hop) of the last
1.5 s are kept up to date and a small spotter network scores the window every frame; only when it proposes a
candidate does a larger verifier network take a second look at the same window, and the phrase is accepted
when both agree on HITS_NEEDED consecutive frames. Everything is a function of the frames fed, so
files (`glimmer listen`) and the microphone take the same path and the chunking of the input does not matter.
"""
from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from assistant.config import WakeSettings
from assistant.errors import GlimmerError
from assistant.speech.wake_features import FLOOR, HOP, N_MELS, WIN, log_mel
from assistant.speech.wake_model import CONTEXT, ConvNet, load_models

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("wake_model.npz")
# Decision rule chosen on the bench's dev corpus (scripts/bench_wake.py --dev), never on the full bench.
SPOT_THRESHOLD = 0.5          # spotter score that makes a candidate
VERIFY_THRESHOLD = 0.8        # mean verifier score at sensitivity 0.5
SENSITIVITY_SLOPE = 6.0       # logit units of verifier threshold between sensitivity 0 and 1
HITS_NEEDED = 4               # consecutive frames (120 ms) on which both agree
HANGOVER_S = 0.6              # keep scoring this long after the last speech-like frame
MIN_SWING = 64                # int16 peak-to-peak below which a frame is silence without asking the VAD
_RING = -(-(CONTEXT * HOP + WIN) // FRAME_SAMPLES) * FRAME_SAMPLES + FRAME_SAMPLES   # whole frames


@dataclass(frozen=True)
class Detection:
    """A wake: `t` seconds of audio had been fed when it fired; `score` the verifier's mean score."""
    t: float
    score: float


def normalize_phrase(phrase: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", phrase.lower()).split())


@functools.lru_cache(maxsize=2)
def _models(path: Path) -> tuple[ConvNet, tuple[ConvNet, ...], str]:
    """The spotter, the verifiers (their scores are averaged) and the phrase they were trained for."""
    if not path.is_file():
        raise GlimmerError(f"wake model {path} is missing; retrain it with 'python scripts/train_wake.py'")
    models, meta = load_models(path)
    verifiers = tuple(m for name, m in sorted(models.items()) if name.startswith("verifier"))
    return models["spotter"], verifiers, meta.get("phrase", "")


def verify_threshold(sensitivity: float) -> float:
    """Verifier threshold for a sensitivity in [0, 1] (higher sensitivity, lower threshold)."""
    logit = math.log(VERIFY_THRESHOLD / (1 - VERIFY_THRESHOLD)) - SENSITIVITY_SLOPE * (sensitivity - 0.5)
    return 1 / (1 + math.exp(-logit))


class WakeDetector:
    """Streaming two-stage wake phrase detector; `feed` any int16 chunk, get a Detection when it fires."""

    def __init__(self, settings: WakeSettings, model_path: Path = MODEL_PATH) -> None:
        import webrtcvad

        self._spotter, self._verifiers, trained = _models(Path(model_path))
        if normalize_phrase(settings.phrase) != trained:
            raise GlimmerError(f"wake phrase '{settings.phrase}' is not supported: the wake model was trained for "
                               f"'{trained}' (set wake.phrase to it, or retrain with scripts/train_wake.py)")
        self._settings = settings
        self._threshold = verify_threshold(settings.sensitivity)
        self._vad = webrtcvad.Vad(2)
        self._muted = False
        self.reset()

    def reset(self) -> None:
        """Forget all audio and restart the clock at 0."""
        self._pending = np.zeros(0, dtype=np.int16)
        self._ring = np.zeros(_RING, dtype=np.int16)        # circular: the last _RING samples fed (zeros first)
        self._fed = 0
        self._mel = np.full((CONTEXT, N_MELS), math.log10(FLOOR), dtype=np.float32)
        self._mel_next = 0                                  # absolute index of the next feature frame
        self._active_until = -1
        self._hits: list[float] = []
        self._candidate_from: int | None = None             # where the current run of candidates began
        self._refractory_until = -1
        self._unmute_at = 0
        self._tail_from = 0

    def mute(self, muted: bool) -> None:
        """Half-duplex: while muted (and settings.mute_tail_s of audio after unmuting) nothing can wake it."""
        if muted:
            self._muted = True
        elif self._muted:
            self._muted = False
            self._unmute_at = self._fed + int(self._settings.mute_tail_s * SAMPLE_RATE)
        self._forget()

    @property
    def tail(self) -> np.ndarray:
        """Audio fed since the phrase was first proposed (about its end): the start of what followed it."""
        n = self._fed - max(self._tail_from, self._fed - _RING)
        return self._recent()[_RING - n:]

    def _recent(self) -> np.ndarray:
        """The last _RING samples fed, oldest first."""
        at = self._fed % _RING
        return np.concatenate([self._ring[at:], self._ring[:at]])

    def feed(self, chunk: np.ndarray) -> Detection | None:
        """Feed int16 16 kHz audio of any length; returns the first detection it completes, if any."""
        chunk = np.asarray(chunk, dtype=np.int16)
        self._pending = np.concatenate([self._pending, chunk]) if self._pending.size else chunk
        found = None
        while self._pending.size >= FRAME_SAMPLES:
            frame, self._pending = self._pending[:FRAME_SAMPLES], self._pending[FRAME_SAMPLES:]
            hit = self._frame(frame)
            found = found or hit
        return found

    def _forget(self) -> None:
        """Drop what is buffered (e.g. the assistant's own voice) without restarting the clock."""
        self._ring[:] = 0
        self._mel_next = 0
        self._active_until = -1
        self._hits.clear()
        self._candidate_from = None

    def _frame(self, frame: np.ndarray) -> Detection | None:
        at = self._fed % _RING
        self._ring[at: at + FRAME_SAMPLES] = frame
        self._fed += FRAME_SAMPLES
        if self._muted or self._fed <= self._unmute_at:
            return None
        loud = int(frame.max()) - int(frame.min()) >= MIN_SWING
        if loud and self._vad.is_speech(frame.tobytes(), SAMPLE_RATE):
            self._active_until = self._fed + int(HANGOVER_S * SAMPLE_RATE)
        if self._fed > self._active_until:
            self._hits.clear()
            self._candidate_from = None
            return None
        self._update_features()
        return self._score()

    def _update_features(self) -> None:
        """Bring the last CONTEXT log-mel frames up to date from the ring buffer."""
        last = (self._fed - WIN) // HOP          # index of the newest complete feature frame
        first = max(self._mel_next, last - CONTEXT + 1)
        if last < first:
            return
        start = self._fed - _RING                # absolute sample index of the oldest sample kept
        new = log_mel(self._recent()[first * HOP - start: last * HOP + WIN - start])
        k = new.shape[0]
        self._mel = np.concatenate([self._mel[k:], new]) if k < CONTEXT else new[-CONTEXT:]
        self._mel_next = last + 1

    def _score(self) -> Detection | None:
        if self._fed < self._refractory_until:
            return None
        spot = self._spotter.score(self._mel)
        if spot < SPOT_THRESHOLD:
            self._hits.clear()
            self._candidate_from = None
            return None
        if self._candidate_from is None:
            self._candidate_from = self._fed - FRAME_SAMPLES
        verified = sum(v.score(self._mel) for v in self._verifiers) / len(self._verifiers)
        if verified < self._threshold:
            if self._hits or verified > 0.1:
                log.debug("wake candidate rejected at %.2f s: spotter %.3f verifier %.3f",
                          self._fed / SAMPLE_RATE, spot, verified)
            self._hits.clear()
            return None
        self._hits.append(verified)
        if len(self._hits) < HITS_NEEDED:
            return None
        score = float(np.mean(self._hits))
        self._hits.clear()
        self._refractory_until = self._fed + int(self._settings.refractory_s * SAMPLE_RATE)
        self._tail_from = self._candidate_from
        self._candidate_from = None
        t = self._fed / SAMPLE_RATE
        log.info("wake phrase detected at %.2f s (score %.3f, threshold %.3f)", t, score, self._threshold)
        return Detection(t=t, score=score)
