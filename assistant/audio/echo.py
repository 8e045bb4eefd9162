"""Echo cancellation: the microphone with what the speaker played taken out, so words said over Glimmer's
own voice can be heard.

A canceller takes 16 kHz mono microphone samples and the samples sent to the speaker at the same time (the
reference), both a whole number of 10 ms blocks long, int16 or float in [-1, 1], and returns the microphone
as int16 with the echo removed. It keeps its adaptive filter between calls, so feed it one continuous stream.

The engine is speexdsp's MDF canceller followed by its residual-echo suppressor, through ctypes to the
system's libspeexdsp (BSD-3-Clause; Debian and Raspberry Pi OS package `libspeexdsp1`). Chosen over WebRTC's
AEC3 by measurement (scripts/bench_echo.py): a similar echo reduction, but AEC3's suppressor also removes
much of a word said over Glimmer's voice, which is the very thing to be heard.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Protocol

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16

BLOCK = SAMPLE_RATE // 100  # 10 ms: the block the canceller works in
DEFAULT_TAIL_MS = 300  # speexdsp's filter length: the playback delay plus the room's reverberation (the bench
#                        keeps 28 dB ERLE up to a 150 ms delay with 0.3 s of reverberation; hold the reference
#                        back for longer delays)
# How far the residual echo is pushed down while the person is talking too (speexdsp's default is -15 dB):
# gentler keeps more of a word said over its voice (Whisper read 13 of 20 stops at -5 dB, 10 at -15, in a trial
# like scripts/bench_echo.py with five voices at four moments over a shorter passage).
DOUBLE_TALK_SUPPRESS_DB = -5


class EchoCanceller(Protocol):
    """Removes the speaker's echo from the microphone."""

    name: str

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """`mic` with the echo of `reference` removed (int16, same length)."""

    def reset(self) -> None:
        """Forget the echo path learned so far (it has moved): adapt afresh from the next block."""


def blocks_of(mic: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both streams as int16 arrays of shape (blocks, BLOCK); ValueError if they do not fit."""
    mic, reference = to_int16(np.asarray(mic)), to_int16(np.asarray(reference))
    if mic.ndim != 1 or mic.shape != reference.shape or len(mic) % BLOCK:
        raise ValueError(f"echo cancellation takes mono mic and reference of equal length, a multiple of "
                         f"{BLOCK} samples (10 ms); got {mic.shape} and {reference.shape}")
    return mic.reshape(-1, BLOCK), reference.reshape(-1, BLOCK)


# Request numbers from speex/speex_echo.h and speex/speex_preprocess.h.
_ECHO_SET_SAMPLING_RATE = 24
_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22
_PREPROCESS_SET_ECHO_STATE = 24
_INT16_P = ctypes.POINTER(ctypes.c_int16)


def _load_speexdsp() -> ctypes.CDLL:
    """libspeexdsp with its argument types declared; OSError when it is not installed."""
    lib = ctypes.CDLL(ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1")
    void_p, c_int = ctypes.c_void_p, ctypes.c_int
    for name, restype, argtypes in (
            ("speex_echo_state_init", void_p, [c_int, c_int]),
            ("speex_echo_ctl", c_int, [void_p, c_int, void_p]),
            ("speex_echo_cancellation", None, [void_p, _INT16_P, _INT16_P, _INT16_P]),
            ("speex_echo_state_reset", None, [void_p]),
            ("speex_echo_state_destroy", None, [void_p]),
            ("speex_preprocess_state_init", void_p, [c_int, c_int]),
            ("speex_preprocess_ctl", c_int, [void_p, c_int, void_p]),
            ("speex_preprocess_run", c_int, [void_p, _INT16_P]),
            ("speex_preprocess_state_destroy", None, [void_p])):
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


class SpeexCanceller:
    """speexdsp's MDF echo canceller followed by its preprocessor's residual-echo suppressor and denoiser."""

    name = "speex"

    def __init__(self, tail_ms: int = DEFAULT_TAIL_MS, reference_delay_ms: int = 0) -> None:
        """`tail_ms`: the echo path the filter can model (delay plus reverberation); `reference_delay_ms`:
        how long to hold the reference back first, for playback that reaches the room later than the tail
        covers (e.g. the output device's latency)."""
        self._held = np.zeros(SAMPLE_RATE * reference_delay_ms // 1000, dtype=np.int16)
        self._lib = lib = _load_speexdsp()
        self._echo = lib.speex_echo_state_init(BLOCK, SAMPLE_RATE * tail_ms // 1000)
        self._pre = lib.speex_preprocess_state_init(BLOCK, SAMPLE_RATE)
        rate = ctypes.c_int(SAMPLE_RATE)
        lib.speex_echo_ctl(self._echo, _ECHO_SET_SAMPLING_RATE, ctypes.byref(rate))
        lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_STATE, self._echo)
        suppress = ctypes.c_int(DOUBLE_TALK_SUPPRESS_DB)
        lib.speex_preprocess_ctl(self._pre, _PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, ctypes.byref(suppress))

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """`mic` with the echo of `reference` removed (int16, same length)."""
        mics, references = blocks_of(mic, reference)
        if len(self._held):
            stream = np.concatenate([self._held, references.ravel()])
            references, self._held = stream[:mics.size].reshape(-1, BLOCK), stream[mics.size:]
        mics, references = np.ascontiguousarray(mics), np.ascontiguousarray(references)
        out = np.empty_like(mics)
        for row in range(len(mics)):
            pointer = out[row].ctypes.data_as(_INT16_P)
            self._lib.speex_echo_cancellation(self._echo, mics[row].ctypes.data_as(_INT16_P),
                                              references[row].ctypes.data_as(_INT16_P), pointer)
            self._lib.speex_preprocess_run(self._pre, pointer)
        return out.ravel()

    def reset(self) -> None:
        """Forget the echo path learned so far (it has moved): adapt afresh from the next block."""
        self._lib.speex_echo_state_reset(self._echo)

    def __del__(self) -> None:
        if getattr(self, "_pre", None):
            self._lib.speex_preprocess_state_destroy(self._pre)
        if getattr(self, "_echo", None):
            self._lib.speex_echo_state_destroy(self._echo)


def make_echo_canceller(tail_ms: int = DEFAULT_TAIL_MS, reference_delay_ms: int = 0
                        ) -> tuple[EchoCanceller | None, str]:
    """A canceller and a line saying so, or None and why (then Glimmer stays half-duplex)."""
    try:
        return (SpeexCanceller(tail_ms, reference_delay_ms),
                f"echo cancellation: speexdsp ({tail_ms} ms tail, reference held {reference_delay_ms} ms)")
    except OSError as error:
        return None, (f"no echo canceller ({error}; apt install libspeexdsp1): half-duplex, "
                      "Glimmer hears nothing while it speaks")
