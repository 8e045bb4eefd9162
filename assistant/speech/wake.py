"""The wake phrase detector: VAD gate -> speech embeddings -> spotter -> verifier, streaming 30 ms frames.

Quiet audio costs one voice-activity decision per frame, asked of the assistant's one `Vad` (its lenient
decision: the gate only saves work; the endpointer asks the same Vad strictly, against the floor learned
here). While speech is around, the speech embeddings of `wake_features` (one every 80 ms) are kept up to
date; a small spotter scores the last WINDOW of them, and only when it (or the owner's enrolled profile)
proposes a candidate do the verifiers take a second look. The phrase is accepted when HITS_NEEDED
candidates in a row have a mean verified score above the threshold, and (with `wake.confirm`) when Whisper,
hearing the moment again CONFIRM_AFTER_S later, hears "hey" rather than another first word and "glimmer"
after it (wake_confirm.py), for the enrolled owner too; when only the owner's profile recognises the phrase
(a voice unlike any the verifiers trained on), the second hearing decides.
Everything is a function of the frames fed, so files (`glimmer listen`) and the microphone take the same
path and the chunking of the input does not matter.
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
from assistant.speech.models import embedded_whisper
from assistant.speech.vad import Vad
from assistant.speech.wake_confirm import WakeConfirmer, confirmed, load_confirmer
from assistant.speech.wake_features import EMB_DIM, EMB_HOP_SAMPLES, EMB_SPAN, EmbeddingStream
from assistant.speech.wake_model import WINDOW, Mlp, load_models
from assistant.speech.wake_profile import WakeProfile

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("wake_model.npz")
HITS_NEEDED = 2               # consecutive spotted embeddings (80 ms apart) whose mean verified score decides
HANGOVER_S = 1.0              # keep scoring this long after the last speech-like frame
CONFIRM_AFTER_S = 0.2         # the second hearing waits this long, so the phrase's last sound is in it
CONFIRM_SPAN_S = 1.2          # ... and hears this much audio up to then
RETRY_AFTER_S = 0.5           # after a second hearing said no, the next candidate may come this much later
_RING = -(-((WINDOW - 1) * EMB_HOP_SAMPLES + EMB_SPAN) // FRAME_SAMPLES) * FRAME_SAMPLES + 2 * FRAME_SAMPLES


@dataclass(frozen=True)
class Detection:
    """A wake: `t` seconds of audio had been fed when it fired; `score` the verified score; `margins` the
    second hearing's (onset, ending, likeness), None when there was none."""
    t: float
    score: float
    margins: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class WakeModel:
    """The trained classifiers and the decision rule they were shipped with (chosen on training-side data)."""
    spotter: Mlp
    verifiers: tuple[Mlp, ...]
    phrase: str
    spot_threshold: float
    verify_threshold: float
    embedding_mean: np.ndarray
    families: tuple[str, ...]                          # the voice families it was trained on
    confirm_margins: tuple[float, float, float] | None  # the second hearing's (onset, ending, likeness) to pass
    likeness: Mlp | None                               # the second hearing's head on Whisper's encoding, if any


def normalize_phrase(phrase: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", phrase.lower()).split())


@functools.lru_cache(maxsize=4)
def load_wake_model(path: Path = MODEL_PATH) -> WakeModel:
    """The spotter, the verifiers (their scores are averaged), the phrase and the thresholds in `path`."""
    if not path.is_file():
        raise GlimmerError(f"wake model {path} is missing; retrain it with 'python scripts/train_wake.py'")
    models, meta = load_models(path)
    verifiers = tuple(m for name, m in sorted(models.items()) if name.startswith("verifier"))
    with np.load(path, allow_pickle=False) as z:
        mean = z["meta.embedding_mean"] if "meta.embedding_mean" in z.files else np.zeros(EMB_DIM)
    return WakeModel(models["spotter"], verifiers, meta.get("phrase", ""), float(meta["spot_threshold"]),
                     float(meta["verify_threshold"]), mean.astype(np.float32),
                     tuple(meta.get("families", "").split(",")),
                     _needed(meta) if "confirm_margins" in meta else None, models.get("likeness"))


def _needed(meta: dict[str, str]) -> tuple[float, float, float]:
    """The second hearing's (onset, ending, likeness) to pass; any likeness passes where there is no head."""
    onset, ending = (float(v) for v in meta["confirm_margins"].split(","))
    return onset, ending, float(meta.get("confirm_likeness", "-inf"))


def threshold_for(model: WakeModel, sensitivity: float) -> float:
    """Verified-score threshold for a sensitivity in [0, 1]: the shipped one at 0.5, 3 logits per 0.5 step."""
    t = model.verify_threshold
    return 1 / (1 + math.exp(-(math.log(t / (1 - t)) - 6.0 * (sensitivity - 0.5))))


def verdict(hits: list[tuple[float, float]], threshold: float, can_confirm: bool) -> str | None:
    """What the last HITS_NEEDED candidates, as (verified score raised by the owner's profile, owner similarity),
    call for: "wake" at once, "confirm" (wake if the second hearing agrees), or None (not the phrase).

    The verifiers accept when the candidates' mean score passes the threshold, and the second hearing (when
    there is one) has the last word, for the owner too: the owner's own near misses ("hey, glamour") sound as
    much like their enrolled phrase as the phrase does. A phrase that sounds like the owner's in every candidate
    but that the verifiers do not hear, even raised by the profile (a voice unlike any they trained on), is
    left to the second hearing; without one it is not accepted."""
    recent = hits[-HITS_NEEDED:]
    if len(recent) < HITS_NEEDED:
        return None
    owner = min(similarity for _, similarity in recent) >= WakeProfile.CANDIDATE
    if np.mean([score for score, _ in recent]) >= threshold:
        return "confirm" if can_confirm else "wake"
    return "confirm" if owner and can_confirm else None


class WakeDetector:
    """Streaming two-stage wake phrase detector; `feed` any int16 chunk, get a Detection when it fires."""

    def __init__(self, settings: WakeSettings, model_path: Path = MODEL_PATH,
                 profile: WakeProfile | None = None, vad: Vad | None = None,
                 confirm_margins: tuple[float, float, float] | None = None) -> None:
        self.model = load_wake_model(Path(model_path))
        if normalize_phrase(settings.phrase) != self.model.phrase:
            raise GlimmerError(f"wake phrase '{settings.phrase}' is not supported: the wake model was trained for "
                               f"'{self.model.phrase}' (set wake.phrase to it, or retrain with scripts/train_wake.py)")
        self._settings = settings
        self._profile = profile
        self.threshold = threshold_for(self.model, settings.sensitivity)
        self.vad = vad or Vad()   # the assistant's, shared with the endpointer
        self.confirm_margins = confirm_margins or self.model.confirm_margins
        # the second hearing, loaded now while little else is (not on the first wake, and a lower peak)
        self._confirmer = (load_confirmer(embedded_whisper())
                           if settings.confirm and self.confirm_margins is not None else None)
        self._stream = EmbeddingStream(WINDOW)
        self._muted = False
        self.reset()

    def reset(self) -> None:
        """A new recording: forget all audio (the VAD's noise floor too) and restart the clock at 0."""
        self.vad.reset()
        self._pending = np.zeros(0, dtype=np.int16)
        self._ring = np.zeros(_RING, dtype=np.int16)        # circular: the last _RING samples fed (zeros first)
        self._fed = 0
        self._refractory_until = -1
        self._unmute_at = 0
        self._tail_from = 0
        self._forget()

    def mute(self, muted: bool, echo_delay_s: float = 0.0) -> None:
        """Half-duplex: while muted (and settings.mute_tail_s of audio after unmuting, past the echo's delay:
        its own voice still on its way back) nothing can wake it."""
        if muted:
            self._muted = True
        elif self._muted:
            self._muted = False
            self._unmute_at = self._fed + int((self._settings.mute_tail_s + echo_delay_s) * SAMPLE_RATE)
        self._forget()

    @property
    def tail(self) -> np.ndarray:
        """Audio fed since the phrase was first proposed (about its end): the start of what followed it."""
        n = self._fed - max(self._tail_from, self._fed - _RING)
        return self._recent()[_RING - n:]

    def profile_similarity(self, window: np.ndarray) -> float:
        """0..1: how close an embedding window is to the owner's enrolled phrase (0 without a profile)."""
        return self._profile.similarity(window - self.model.embedding_mean) if self._profile else 0.0

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
        self._stream.reset()
        self._window = np.zeros((WINDOW, EMB_DIM), np.float32)
        self._filled = 0                                    # embeddings in the window that follow each other
        self._next_k: int | None = None                     # the embedding that would continue the window
        self._active_until = -1
        self._hits: list[tuple[float, float]] = []      # (fused score, owner similarity) of each candidate
        self._candidate_from: int | None = None
        self._accepted: tuple[int, float] | None = None     # (confirm when this much is fed, verified score)

    def _frame(self, frame: np.ndarray) -> Detection | None:
        at = self._fed % _RING
        self._ring[at: at + FRAME_SAMPLES] = frame
        self._fed += FRAME_SAMPLES
        if self._muted or self._fed <= self._unmute_at:
            return None
        if self._accepted and self._fed >= self._accepted[0]:
            return self._confirm(self._accepted[1])
        if self.vad.maybe_speech(frame):
            self._active_until = self._fed + int(HANGOVER_S * SAMPLE_RATE)
        if self._fed > self._active_until:
            self._hits.clear()
            self._candidate_from = None
            return None
        first, new = self._stream.update(self._recent(), self._fed)
        if len(new) and first != self._next_k:
            self._filled = 0                                # after a gap the window refills from the stream
        found = None
        for k, emb in enumerate(new, start=first):
            self._window = np.concatenate([self._window[1:], emb[None]])
            self._filled += 1
            self._next_k = k + 1
            if k >= 0 and self._filled >= WINDOW:           # a whole window, as the offline features give it
                found = found or self._score(k)
        return found

    def _score(self, k: int) -> Detection | None:
        end = EMB_HOP_SAMPLES * k + EMB_SPAN                # the audio this window has heard ends here
        if end < self._refractory_until:
            self._hits.clear()
            return None
        spot = self.model.spotter.score(self._window)
        own = self.profile_similarity(self._window)
        if spot < self.model.spot_threshold and own < WakeProfile.CANDIDATE:
            self._hits.clear()
            self._candidate_from = None
            return None
        if self._candidate_from is None:
            self._candidate_from = end - EMB_HOP_SAMPLES
        verified = float(np.mean([v.score(self._window) for v in self.model.verifiers]))
        self._hits = [*self._hits[1 - HITS_NEEDED:], (float(WakeProfile.fuse(verified, own)), own)]
        confirmer = self.confirmer()
        decided = verdict(self._hits, self.threshold, confirmer is not None)
        if decided is None:
            log.debug("wake candidate at %.2f s: spotter %.3f verifier %.3f profile %.3f",
                      end / SAMPLE_RATE, spot, verified, own)
            return None
        score = float(np.mean([fused for fused, _ in self._hits]))
        self._hits.clear()
        self._refractory_until = end + int(self._settings.refractory_s * SAMPLE_RATE)
        self._tail_from = self._candidate_from
        self._candidate_from = None
        if decided == "wake":
            return self._detected(score, None)
        self._accepted = (self._fed + int(CONFIRM_AFTER_S * SAMPLE_RATE), score)
        return None

    def confirmer(self) -> WakeConfirmer | None:
        """The second hearing, when `wake.confirm` is on and the model has margins for it."""
        return self._confirmer

    def _confirm(self, score: float) -> Detection | None:
        """The second hearing of an accepted candidate, CONFIRM_AFTER_S after it."""
        self._accepted = None
        confirmer = self.confirmer()
        assert confirmer is not None and self.confirm_margins is not None
        margins = confirmer.margins(self._recent()[-int(CONFIRM_SPAN_S * SAMPLE_RATE):], self.model.likeness)
        if confirmed(margins, self.confirm_margins):
            return self._detected(score, margins)
        log.debug("wake candidate at %.2f s not confirmed: score %.3f, second hearing %.2f %.2f %.2f "
                  "(needs %.2f %.2f %.2f)",
                  self._fed / SAMPLE_RATE, score, *margins, *self.confirm_margins)
        self._refractory_until = self._fed + int(RETRY_AFTER_S * SAMPLE_RATE)
        return None

    def _detected(self, score: float, margins: tuple[float, float, float] | None) -> Detection:
        t = self._fed / SAMPLE_RATE
        heard = "" if margins is None else ", second hearing " + " ".join(f"{m:.2f}" for m in margins)
        log.info("wake phrase detected at %.2f s (score %.3f, threshold %.3f%s)", t, score, self.threshold, heard)
        return Detection(t=t, score=score, margins=margins)
