"""How late the speaker's echo reaches the microphone, and echo cancellation that waits for it.

A sound server can put far more between the played samples and their echo than a canceller's filter covers:
on PulseAudio's virtual devices with the speaker looped back into the room, 1.2 to 1.7 s (different in each
session, steady within one), against speexdsp's 300-ms tail. On such recordings of Glimmer's voice (13-40 s)
the canceller removed 1 dB of the echo unaligned and 15 to 26 dB with the reference held back by the delay.

The delay is found by generalized cross-correlation with phase transform (GCC-PHAT) between the microphone
and the played reference: whitening the cross-spectrum leaves one sharp peak at the echo's lag whatever the
voice's spectrum. On 2 s of that recording the peak stood more than 100 times above the correlation's spread.
"""

from __future__ import annotations

import numpy as np

from assistant.audio.echo import EchoCanceller, SpeexCanceller
from assistant.audio.frames import SAMPLE_RATE, to_int16

MAX_DELAY_S = 2.5        # the longest echo delay looked for
ESTIMATE_SPAN_S = 2.0    # the played audio the estimate compares with the microphone
CLEAR_PEAK = 20.0        # a lag counts when its peak stands this many standard deviations above the rest
AUDIBLE_RMS = 100.0      # int16 RMS of the reference span below which there is nothing to estimate from
RETRY_S = 0.5            # an unclear or silent span: the next try starts this much later
REALIGN_MS = 2.0         # a measured delay that moved further than this is taken on (speexdsp follows less)


def echo_delay(mic: np.ndarray, reference: np.ndarray, max_delay: int) -> tuple[int, float]:
    """The lag (samples, 0..max_delay-1) at which `reference` best explains `mic`, and how clearly: the peak
    over the standard deviation of the whitened cross-correlation. `mic` should run `max_delay` past the end
    of `reference`."""
    size = 1 << int(np.ceil(np.log2(len(mic) + len(reference))))
    spectrum = (np.fft.rfft(np.asarray(mic, np.float64), size)
                * np.conj(np.fft.rfft(np.asarray(reference, np.float64), size)))
    correlation = np.fft.irfft(spectrum / (np.abs(spectrum) + 1e-9), size)[:max_delay]
    lag = int(np.argmax(correlation))
    return lag, float(correlation[lag] / (np.std(correlation) + 1e-12))


class DelayFinder:
    """Finds the echo's delay in microphone and reference samples fed side by side, as they were captured and
    played: on ESTIMATE_SPAN_S of audible reference with MAX_DELAY_S of microphone after it, tried again
    `retry_s` later (RETRY_S) until the peak is clear. The span is the earliest one fed (the first playback
    heard)."""

    def __init__(self, max_delay_s: float = MAX_DELAY_S, retry_s: float = RETRY_S) -> None:
        self._max_delay = int(max_delay_s * SAMPLE_RATE)
        self._span = int(ESTIMATE_SPAN_S * SAMPLE_RATE)
        self._retry = int(retry_s * SAMPLE_RATE)
        self._mic = np.zeros(0, np.int16)
        self._reference = np.zeros(0, np.int16)
        self.clarity = 0.0   # of the last try

    def feed(self, mic: np.ndarray, reference: np.ndarray) -> int | None:
        """More of both streams (int16, the same length); the delay in samples once it is found, else None."""
        self._mic = np.concatenate([self._mic, to_int16(np.asarray(mic))])
        self._reference = np.concatenate([self._reference, to_int16(np.asarray(reference))])
        if len(self._mic) < self._span + self._max_delay:
            return None
        played = self._reference[:self._span]
        lag = None
        if np.sqrt(np.mean(played.astype(np.float64) ** 2)) >= AUDIBLE_RMS:
            lag, self.clarity = echo_delay(self._mic[:self._span + self._max_delay], played, self._max_delay)
        if lag is not None and self.clarity >= CLEAR_PEAK:
            return lag
        self._mic, self._reference = self._mic[self._retry:], self._reference[self._retry:]
        return None


class DelayTracker:
    """The echo's delay, measured and then measured again, one DelayFinder after another: the first clear
    measurement is the delay; a later one that moved by more than `moved_s` replaces it (a canceller's
    adaptive filter follows smaller moves itself). Once the delay is known, an unclear try is repeated
    `tracking_retry_s` later."""

    def __init__(self, max_delay_s: float = MAX_DELAY_S, moved_s: float = REALIGN_MS / 1000,
                 tracking_retry_s: float = RETRY_S) -> None:
        self._max_delay_s = max_delay_s
        self._moved = moved_s * SAMPLE_RATE
        self._tracking_retry_s = tracking_retry_s
        self.delay: int | None = None   # samples, once found
        self.moves = 0                  # how often a delay that had moved was taken on
        self._finder = self._next_finder()

    def feed(self, mic: np.ndarray, reference: np.ndarray) -> int | None:
        """More of both streams, side by side; the delay (samples) when it was just found or just moved, else
        None."""
        lag = self._finder.feed(mic, reference)
        if lag is None:
            return None
        self._finder = DelayFinder(self._max_delay_s, self._tracking_retry_s)
        if self.delay is not None and abs(lag - self.delay) <= self._moved:
            return None
        self.moves += self.delay is not None
        self.delay = lag
        return lag

    def restart(self) -> None:
        """Begin the measurement in progress again (the streams had a gap), keeping the delay known."""
        self._finder = self._next_finder()

    def forget(self) -> None:
        """Find the delay anew (another microphone has its own)."""
        self.delay = None
        self._finder = self._next_finder()

    def _next_finder(self) -> DelayFinder:
        retry_s = RETRY_S if self.delay is None else self._tracking_retry_s
        return DelayFinder(self._max_delay_s, retry_s)


class AlignedCanceller:
    """An echo canceller fed with the reference held back by the echo's measured delay.

    Feed it the microphone and the samples sent to the speaker at the same moments, as one continuous
    stream. Until the delay is known (it needs ESTIMATE_SPAN_S of audible playback and MAX_DELAY_S more of
    microphone) the microphone passes through unchanged; then the canceller starts, aligned. The delay keeps
    being measured: when the stream slips (samples lost in an overrun, a sound server that nudges its rate)
    by more than REALIGN_MS, the reference is held back by the new delay and the canceller starts afresh."""

    def __init__(self, make: type[EchoCanceller] = SpeexCanceller, max_delay_s: float = MAX_DELAY_S) -> None:
        self._make = make
        self._max_delay = int(max_delay_s * SAMPLE_RATE)
        self._tracker = DelayTracker(max_delay_s)
        self._played = np.zeros(0, np.int16)      # the last samples sent to the speaker, at least the delay's
        self._canceller: EchoCanceller | None = None
        self.found_at: int | None = None   # how many microphone samples had been fed when it was first found
        self._fed = 0

    @property
    def delay(self) -> int | None:
        """The echo's delay in samples, once found."""
        return self._tracker.delay

    @property
    def realigned(self) -> int:
        """How often a changed delay was taken on."""
        return self._tracker.moves

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """`mic` with the echo of the reference removed once the delay is known (int16, same length)."""
        mic, reference = to_int16(np.asarray(mic)), to_int16(np.asarray(reference))
        self._fed += len(mic)
        self._played = np.concatenate([self._played, reference])[-(self._max_delay + len(mic)):]
        if self._tracker.feed(mic, reference) is not None:   # found, or moved: the canceller starts afresh, aligned
            self.found_at = self._fed if self.found_at is None else self.found_at
            self._canceller = self._make()
        if self._canceller is None or self.delay is None:
            return mic
        end = len(self._played) - self.delay   # the history holds more than the delay: `end` > len(mic)
        return self._canceller.process(mic, self._played[end - len(mic):end])
