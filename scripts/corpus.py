"""Labelled test and bench audio made on this machine: natural and robotic voices, noise, real speech."""

import subprocess
import tempfile
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.resample import resample
from assistant.audio.wav import read_wav
from assistant.speech.pacing import trim

LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


class Synthesizer:
    """Speech for tests and benches: hibari (natural; seeds and speeds vary it) and espeak-ng (robotic)."""

    @cached_property
    def _hibari(self):
        from hibari import Hibari
        return Hibari()

    def hibari(self, text: str, seed: int = 0, speed: float = 1.0) -> np.ndarray:
        """`text` in the hibari voice as 16 kHz int16."""
        audio = self._hibari(text, seed=seed, speed=speed)
        return to_int16(resample(np.asarray(audio, dtype=np.float32), 24000, SAMPLE_RATE))

    @staticmethod
    def espeak(text: str, voice: str = "en-us", words_per_minute: int = 150, pitch: int = 50) -> np.ndarray:
        """`text` spoken by espeak-ng with `voice` (e.g. "en-us+f3", "en-gb+m2") as 16 kHz int16."""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "say.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-p", str(pitch),
                            "-w", str(out), text], check=True, capture_output=True)
            return read_wav(out)


def noise(kind: str, n: int, seed: int = 0) -> np.ndarray:
    """Float32 noise of `kind` white | pink | brown, unit RMS, `n` samples."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    if kind == "white":
        shaped = white
    else:
        spectrum = np.fft.rfft(white)
        freqs = np.fft.rfftfreq(n)
        freqs[0] = freqs[1]
        shaped = np.fft.irfft(spectrum / (freqs ** (0.5 if kind == "pink" else 1.0)), n)
    return (shaped / np.sqrt(np.mean(shaped ** 2))).astype(np.float32)


def mix_at_snr(speech: np.ndarray, kind: str, snr_db: float, seed: int = 0) -> np.ndarray:
    """`speech` (int16) with `kind` noise at `snr_db` (speech power measured where it is active)."""
    x = speech.astype(np.float32) / 32768.0
    active = x[np.abs(x) > 0.01 * np.max(np.abs(x))] if np.any(x) else x
    speech_rms = float(np.sqrt(np.mean(active ** 2))) if len(active) else 0.0
    mixed = x + noise(kind, len(x), seed) * speech_rms / (10 ** (snr_db / 20))
    return to_int16(mixed)


def librivox_clips() -> list[tuple[Path, str]]:
    """The real human recordings from Debian's pocketsphinx-testdata, with their transcripts."""
    transcripts = {}
    listing = LIBRIVOX / "transcription"
    if not listing.is_file():
        return []
    for line in listing.read_text().splitlines():
        # Format: "text words (file-id)"
        if "(" in line:
            text, _, ident = line.rpartition("(")
            words = [w for w in text.split() if w not in ("<s>", "</s>")]
            transcripts[ident.rstrip(") ").strip()] = " ".join(words).lower()
    return [(wav, transcripts[wav.stem]) for wav in sorted(LIBRIVOX.glob("*.wav")) if wav.stem in transcripts]


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance / reference length, ignoring case and punctuation."""
    def words(text: str) -> list[str]:
        return "".join(c if c.isalnum() or c in "' " else " " for c in text.lower()).split()
    ref = words(reference)
    return edit_distance(ref, words(hypothesis)) / max(len(ref), 1)


def spoken_turn(synth: "Synthesizer", sentences: list[str] | tuple[str, ...], seed: int, speed: float,
                gap_s: float = 0.3, edge_s: float = 0.4) -> np.ndarray:
    """One microphone turn: `sentences` said in one go by the hibari voice, `gap_s` apart, room silence around."""
    parts = [np.zeros(int(edge_s * SAMPLE_RATE), dtype=np.int16)]
    for number, sentence in enumerate(sentences):
        if number:
            parts.append(np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.int16))
        speech = to_float(synth.hibari(sentence, seed=seed, speed=speed))
        parts.append(to_int16(trim(speech, SAMPLE_RATE)))  # without the synthesizer's own padding
    parts.append(np.zeros(int(edge_s * SAMPLE_RATE), dtype=np.int16))
    return np.concatenate(parts)
