"""A calm, unhurried pace: each sentence trimmed to its sound, then a real pause sized to the words spoken.

A neural voice reads a bare sentence at about 190-250 words per minute. Guided practices sound calm at
110-150 wpm over a whole prompt, pauses included. So a sentence whose own sound runs well above the target
is read a little slower (and, if still too dense, its phrase breaks at commas are lengthened a little), and
each pause between sentences is sized, once the next sentence's length is known, to bring the prompt so far
to the target pace: never shorter than the configured sentence pause and never longer than the maximum (so
a dense sentence is not followed by an odd, broken silence).

Each "slower" a person asks for is a step of Tempo, the one place that says what slower means: a slower
voice and target pace (down to about 100 words per minute), more room between sentences, and longer
silences and waits for an answer.
"""

import re
from dataclasses import dataclass

import numpy as np

FADE_S = 0.004          # fade at trimmed edges so cuts never click
SOUND_DB = -40.0        # below this (relative to the sentence's loudest 5 ms) counts as silence when trimming
WINDOW_S = 0.005
SPEECH_HEADROOM = 1.25  # a sentence's own sound may run this much faster than the target pace
MIN_SLOWDOWN = 0.8      # a dense sentence is read at most this much slower than the set speed
PHRASE_BREAK_S = 0.12   # a quiet stretch this long inside a sentence is a phrase break (stops are < 0.1 s)
MAX_BREAK_EXTRA_S = 0.4  # a phrase break is lengthened by at most this much
SLOWER_STEP = 0.88      # each "slower": about 12 % slower speech and pace
SLOWEST = 0.78          # about 100 words per minute: slower than that drags (GUIDE section 5)
SLOWER_STEPS = 3        # "slower" is heeded this many times
STRETCH_STEP = 0.25     # each "slower" gives silences and waits for an answer a quarter more time


@dataclass(frozen=True)
class Pace:
    """How a prompt is paced: silence between sentences sized to reach `target_wpm`."""

    min_pause_s: float = 0.8
    max_pause_s: float = 1.5
    target_wpm: float = 130.0

    def slowdown(self, sentence: str, speech_s: float) -> float:
        """Speed factor (<= 1) for a sentence whose sound would last `speech_s`; 1.0 when not too dense."""
        rate = word_count(sentence) * 60.0 / max(speech_s, 1e-3)
        return max(min(1.0, self.target_wpm * SPEECH_HEADROOM / rate), MIN_SLOWDOWN)

    def shortfall(self, sentence: str, speech_s: float) -> float:
        """Seconds a sentence's sound is shorter than the densest pace allows (0.0 when it is fine)."""
        return max(0.0, word_count(sentence) * 60.0 / (self.target_wpm * SPEECH_HEADROOM) - speech_s)

    def pause(self, words: int, seconds: float) -> float:
        """Silence before the next sentence, given the prompt's words and seconds (sound and pauses) up to
        and including that sentence: as close to the target pace as the pause limits allow."""
        wanted = words * 60.0 / self.target_wpm - seconds
        return float(min(max(wanted, self.min_pause_s), max(self.max_pause_s, self.min_pause_s)))


@dataclass(frozen=True)
class Tempo:
    """How slowly to speak, pause and wait, after "slower" was asked for `slower_steps` times."""

    slower_steps: int = 0

    def slower(self) -> "Tempo":
        """One step slower, up to SLOWER_STEPS."""
        return Tempo(min(self.slower_steps + 1, SLOWER_STEPS))

    @property
    def speed(self) -> float:
        """Factor on the voice's speed and on the target pace of a prompt (1.0: the usual)."""
        return max(SLOWEST, SLOWER_STEP ** self.slower_steps)

    def stretch(self, seconds: float) -> float:
        """A silence or a wait for an answer, given more time at this tempo."""
        return seconds * (1.0 + STRETCH_STEP * self.slower_steps)

    def shortest_pause(self, usual_s: float, longest_s: float) -> float:
        """The shortest pause between sentences at this tempo: the usual one stretched, up to the longest."""
        return max(usual_s, min(self.stretch(usual_s), longest_s))


def word_count(text: str) -> int:
    """Spoken words ("don't" is one word)."""
    return len(re.findall(r"[\w']+", text))


def _levels(x: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """RMS level of each 5 ms window, and the window length in samples."""
    w = max(1, int(WINDOW_S * rate))
    return np.sqrt(np.mean(x[: len(x) // w * w].reshape(-1, w) ** 2, axis=1)), w


def trim(samples: np.ndarray, rate: int) -> np.ndarray:
    """Float audio without its leading and trailing silence (judged in 5 ms windows, so a stray sample
    of noise does not count as sound), with short fades at the cut edges."""
    x = np.asarray(samples, dtype=np.float32)
    level, w = _levels(x, rate)
    loud = np.nonzero(level > level.max() * 10 ** (SOUND_DB / 20))[0] if len(level) else level
    if len(loud) == 0:
        return x[:0]
    x = x[loud[0] * w: (loud[-1] + 1) * w].copy()
    n = min(int(FADE_S * rate), len(x) // 2)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def lengthen_breaks(samples: np.ndarray, rate: int, extra_s: float) -> np.ndarray:
    """Trimmed float audio with up to `extra_s` of silence added, shared among its phrase breaks (the
    voice's own short pauses at commas), at most MAX_BREAK_EXTRA_S each: calmer, with the same phrasing."""
    level, w = _levels(samples, rate)
    if extra_s <= 0.0 or len(level) == 0:
        return samples
    quiet = np.concatenate([[0], (level <= level.max() * 10 ** (SOUND_DB / 20)).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(quiet))
    breaks = [(a + b) // 2 * w for a, b in zip(edges[::2], edges[1::2], strict=True)
              if (b - a) * w >= PHRASE_BREAK_S * rate]
    if not breaks:
        return samples
    gap = np.zeros(int(min(extra_s / len(breaks), MAX_BREAK_EXTRA_S) * rate), dtype=np.float32)
    pieces = np.split(samples, breaks)
    return np.concatenate([p for piece in pieces[:-1] for p in (piece, gap)] + [pieces[-1]])


def sounding_span(samples: np.ndarray, rate: int, threshold: float = 0.01, window_s: float = 0.01
                  ) -> tuple[float, float] | None:
    """(first, last) second at which the audio is sounding (10 ms windows above `threshold` of full
    scale), or None for silence. Used to measure pace from first to last sound."""
    x = np.abs(np.asarray(samples, dtype=np.float32) / (32768.0 if samples.dtype == np.int16 else 1.0))
    w = max(1, int(window_s * rate))
    frames = x[: len(x) // w * w].reshape(-1, w).max(axis=1)
    loud = np.nonzero(frames > threshold)[0]
    if len(loud) == 0:
        return None
    return loud[0] * w / rate, (loud[-1] + 1) * w / rate


def words_per_minute(text: str, samples: np.ndarray, rate: int) -> float:
    """Pace of `samples` speaking `text`, measured from first to last sound."""
    span = sounding_span(samples, rate)
    if span is None:
        return 0.0
    return word_count(text) * 60.0 / (span[1] - span[0])
