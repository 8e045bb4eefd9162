"""Smart end of turn: after a short silence, is the person done, or only pausing mid-thought?

pipecat's smart-turn v3.2 (BSD-2-Clause, models/smart-turn-v3.2-cpu.onnx, an int8 Whisper-tiny encoder with a
classifier) reads the last 8 s of the answer, silence included, as Whisper's 80-band log-mel spectrogram and
gives the probability that the turn is complete. The features are computed here in numpy, after the
Whisper feature extractor's recipe: left-pad with zeros (or keep the last 8 s), normalize the waveform to zero
mean and unit variance, 25 ms periodic-Hann frames every 10 ms centred with reflection at the edges, power
spectrum, Slaney-normalized mel filters up to 8 kHz, log10 floored at 1e-10, the last frame dropped, the
range clamped to 8 below the maximum and scaled by (x + 4) / 4.

The model learned on answers that end MODEL_SILENCE_S after the last word (pipecat asks it once its voice
activity detector has heard 0.2 s of silence). Longer silence makes it call more answers complete (on the
bench, answers cut after half their words: 13 of 28 with 0.2 s of silence, 22 of 28 with 0.7 s), so however
long the loop has waited, the model sees only the first MODEL_SILENCE_S of the silence. That also means the
loop can ask as soon as 0.2 s of silence has passed and have the answer ready when its own wait ends.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.models import REPO_MODELS

MODEL = REPO_MODELS / "smart-turn-v3.2-cpu.onnx"
WINDOW_SAMPLES = 8 * SAMPLE_RATE
N_FFT, HOP, N_MELS = 400, 160, 80
COMPLETE_AT = 0.5  # the model's own decision threshold
MODEL_SILENCE_S = 0.2


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear to 1 kHz (3 mels per 200 Hz), logarithmic above (27 mels per factor 6.4)."""
    hz = np.asarray(hz, dtype=np.float64)
    return np.where(hz < 1000.0, hz * 3.0 / 200.0, 15.0 + 27.0 * np.log(np.maximum(hz, 1e-9) / 1000.0) / np.log(6.4))


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel < 15.0, mel * 200.0 / 3.0, 1000.0 * np.exp((mel - 15.0) * np.log(6.4) / 27.0))


def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters evenly spaced in mels from 0 to 8 kHz, each of unit area."""
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2))
    bins = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)) * (2.0 / (upper - lower))


_FILTERS = mel_filters()
_WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann


def last_window(samples: np.ndarray) -> np.ndarray:
    """The last 8 s of `samples` (int16 or float) as float32, zeros in front when shorter."""
    audio = to_float(np.asarray(samples))[-WINDOW_SAMPLES:]
    return np.concatenate([np.zeros(WINDOW_SAMPLES - len(audio), np.float32), audio])


def log_mel(window: np.ndarray) -> np.ndarray:
    """The model's input for 8 s of float audio: (N_MELS, 800) float32, roughly in [-1, 1]."""
    x = np.asarray(window, dtype=np.float32)
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=1)) ** 2
    spectrum = np.log10(np.maximum(power @ _FILTERS.T, 1e-10))[:-1].T
    spectrum = np.maximum(spectrum, spectrum.max() - 8.0)
    return ((spectrum + 4.0) / 4.0).astype(np.float32)


class EndOfTurn:
    """The smart-turn model on one thread."""

    def __init__(self, model: Path = MODEL, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        self._session = ort.InferenceSession(str(model), sess_options=options,
                                             providers=["CPUExecutionProvider"])

    def probability(self, samples: np.ndarray, silence_s: float) -> float:
        """How likely the speaker is done, 0..1: `samples` is the answer so far (16 kHz mono, int16 or float)
        ending with the `silence_s` seconds of silence heard since the last word."""
        extra = max(0, int(round((silence_s - MODEL_SILENCE_S) * SAMPLE_RATE)))
        samples = np.asarray(samples)
        features = log_mel(last_window(samples[:len(samples) - extra]))[None]
        return float(self._session.run(None, {"input_features": features})[0][0, 0])


def load_end_of_turn(model: Path = MODEL) -> tuple[EndOfTurn | None, str]:
    """The model and a line saying so, or None and why (then answers wait for the full silence)."""
    if not model.is_file():
        return None, f"no end-of-turn model at {model}: answers end after listen.answer_silence_s of silence"
    try:
        return EndOfTurn(model), f"end of turn: smart-turn v3.2 ({model.name})"
    except ImportError:
        return None, "no end-of-turn model (pip install onnxruntime): answers end after the full silence"
