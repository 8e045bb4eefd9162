"""Test audio helpers: speech without the synthesizer's own leading and trailing quiet."""

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.speech.pacing import trim


def trimmed(samples: np.ndarray) -> np.ndarray:
    """Int16 speech cut to its first and last sound (the one trim: assistant.speech.pacing.trim)."""
    return to_int16(trim(to_float(samples), SAMPLE_RATE))
