"""Soft, short earcons made with numpy: warm sine tones with gentle attacks and long, smooth decays.

No square waves, no high pitches, no sudden onsets: each note is a sine (plus a quiet octave for warmth)
between about 330 and 800 Hz, with a 25 ms raised-cosine attack and an exponential fade to silence.
"""

import numpy as np

from assistant.audio.frames import SAMPLE_RATE

MAX_PEAK = 0.25            # normal earcons stay 12 dB below full scale
SOFT_PEAK = 0.12           # night-time ("soft") earcons
ATTACK_S = 0.025

# name -> notes as (start s, frequency Hz, duration s)
_NOTES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "listening": ((0.0, 523.25, 0.22), (0.11, 659.25, 0.30)),             # C5 -> E5, rising: "I'm listening"
    "done": ((0.0, 659.25, 0.22), (0.11, 523.25, 0.32)),                  # E5 -> C5, falling: "got it"
    "saved": ((0.0, 523.25, 0.25), (0.10, 659.25, 0.25), (0.20, 783.99, 0.40)),  # C-E-G, a small warm "kept"
    "error": ((0.0, 392.00, 0.28), (0.14, 329.63, 0.36)),                 # G4 -> E4, low and gentle
}
NAMES = tuple(_NOTES)


def _note(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    tone = np.sin(2 * np.pi * freq * t) + 0.15 * np.sin(4 * np.pi * freq * t)
    attack = min(int(ATTACK_S * rate), len(t))
    envelope = np.exp(-t / (seconds / 4.0))
    envelope[:attack] *= 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, attack))
    envelope *= np.linspace(1.0, 0.0, len(t)) ** 0.5       # reach exact zero at the end
    return (tone * envelope).astype(np.float32)


def earcon(name: str, soft: bool = False, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The earcon `name` ("listening", "done", "saved", "error") as float32 at `rate`, peak-limited."""
    if name not in _NOTES:
        raise ValueError(f"unknown earcon {name!r}; one of {', '.join(NAMES)}")
    notes = _NOTES[name]
    out = np.zeros(int(max(s + d for s, _, d in notes) * rate) + 1, dtype=np.float32)
    for start, freq, seconds in notes:
        tone = _note(freq, seconds, rate)
        i = int(start * rate)
        out[i:i + len(tone)] += tone
    return out * ((SOFT_PEAK if soft else MAX_PEAK) / float(np.abs(out).max()))
