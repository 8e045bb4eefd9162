"""Labelled speech embeddings for training and judging the wake phrase model, by voice family.

    python scripts/wake_data.py [--families hibari,kokoro,...]     (builds the caches; train_wake.py calls it)

Step 1, voices: for each family in COUNTS (scripts/wake_voices.py has these and piper, which only the bench
uses), the phrase and negative texts (everyday and glimmer sentences, confusables, near misses, commands,
Glimmer's own prompts) are synthesized once and kept as 16 kHz clips. TRAIN and TEST use different sentence
templates, seeds, speeds and speakers (kokoro mixes, espeak variants), and every family is in both, so a family
can be held out of training whole.
Step 2, scenes: each clip is placed in a scene (silence, digital silence, other speech before and after,
a command after the phrase), coloured like a real microphone (noise 0-30 dB, rooms, levels from -40 to
-1 dBFS, a hiss floor, band limits, DC offset, a 44.1/48 kHz capture, a pseudo-speaker with shifted pitch
and formants), and turned into speech embeddings; each phrase once more with a short break between "hey" and
"glimmer", as some voices say it at a comma. Every embedding gets a label: 1 where the window ends just after
the phrase, 0 where no phrase has ended in it, -1 (unused) in between.
Real human recordings (LibriVox, codec2's speakers) are never used here: they stay held out for the bench.
Caches live under $GLIMMER_WAKE_CACHE (default ~/.cache/glimmer-wake); delete it to rebuild from scratch.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.corpus as wc
import scripts.wake_voices as wv
from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.resample import resample
from assistant.audio.rooms import add_noise, noise, reverberant
from assistant.speech.wake_enroll import with_pause
from assistant.speech.wake_features import EMB_HOP_SAMPLES, EMB_SPAN, embeddings
from assistant.speech.wake_model import WINDOW

SR = SAMPLE_RATE
POS_BEFORE_S, POS_AFTER_S = 0.04, 0.30      # a window ending this near the phrase end is a positive
NEG_BEFORE_S = 0.30                          # ... and one ending earlier than this before it a negative
# clips to synthesize per family: (phrase train, phrase test, speech train, near train, speech test)
COUNTS = {"hibari": (1200, 240, 1200, 1000, 300), "kokoro": (450, 160, 400, 700, 80),
          "flite": (600, 240, 700, 600, 250), "festival": (400, 120, 250, 400, 100),
          "espeak": (600, 240, 700, 600, 250)}
# more training negatives per family: everyday, docstring and glimmer-rich sentences, "<word> glimmer" in frames
MORE = {"hibari": 1500, "kokoro": 300, "flite": 1500, "festival": 500, "espeak": 1500}
KINDS = ("phrase", "speech", "near", "more")
# a break between "hey" and "glimmer", as some voices put at a comma ("Hey, Glimmer."): seconds, drawn per phrase
PAUSE_S = (0.1, 0.35)


def cache_root() -> Path:
    return Path(os.environ.get("GLIMMER_WAKE_CACHE", Path.home() / ".cache/glimmer-wake"))


def lofo_model(family: str) -> Path:
    """Where scripts/train_wake.py keeps the model trained without `family` (for the bench)."""
    return cache_root() / "models" / f"without-{family}.npz"


# --- step 1: clips -----------------------------------------------------------------------------------------
def _texts(kind: str, split: str, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    if kind == "phrase":
        return [str(rng.choice(wc.PHRASE_TEXTS)) for _ in range(n)]
    if kind == "speech":
        out = wc.sentences(rng, n, split, glimmer_share=0.4)
        if split == "train":
            doc = wc.docstring_sentences()
            extra = list(wc.commands("train")) + list(wc.ASSISTANT_PROMPTS) + _practice_prompts()
            out = [doc[int(rng.integers(len(doc)))] if i % 3 == 1 else
                   (extra[int(rng.integers(len(extra)))] if i % 7 == 3 else s) for i, s in enumerate(out)]
        return out
    if kind == "more":
        return wc.more_negatives(rng, n)
    near = list(wc.CONFUSABLES + wc.CONFUSABLES_HARD) + [f"{w.capitalize()} glimmer." for w in wc.RHYMES_HEY]
    near += [f"Hey, {w}." for w in (*wc.NEAR_GLIMMER, *wc.sound_alikes())]
    return [near[int(rng.integers(len(near)))] if rng.random() < 0.6 else wc.near_phrases(rng, 1)[0]
            for _ in range(n)]


def _practice_prompts() -> list[str]:
    """The sentences Glimmer itself says in its built-in practices (it must never wake itself)."""
    import re

    import yaml

    folder = Path(__file__).resolve().parents[1] / "assistant/practices/builtin"
    out = []
    for path in sorted(folder.glob("*.yaml")):
        def walk(node) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("say", "ask", "reask", "prompt") and isinstance(value, str):
                        out.extend(s for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\[pause \d+\]", " ", value))
                                   if len(s.split()) >= 3)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)
        walk(yaml.safe_load(path.read_text()))
    return out


@dataclass(frozen=True)
class Job:
    family: str
    kind: str
    split: str
    index: int
    text: str
    seed: int


def _speaker(job: Job, rng: np.random.Generator) -> tuple[str, float]:
    """The voice and speed of one clip; TEST speakers and speeds differ from TRAIN ones."""
    if job.family == "espeak":
        pool = wc.ESPEAK_TRAIN if job.split == "train" else wc.ESPEAK_TEST
        return str(pool[int(rng.integers(len(pool)))]), float(rng.uniform(0.75, 1.3))
    if job.family == "kokoro":
        return wv.voices("kokoro", rng), float(rng.uniform(0.85, 1.2))
    speeds = wc.TRAIN_SPEEDS if job.split == "train" else wc.TEST_SPEEDS
    return wv.voices(job.family, rng), float(rng.choice(speeds)) + float(rng.uniform(-0.03, 0.03))


def _synth(job: Job) -> tuple[np.ndarray, str]:
    rng = np.random.default_rng(job.seed)
    voice, speed = _speaker(job, rng)
    if job.family == "hibari":
        seed = int(wc.TEST_SEEDS[job.index % len(wc.TEST_SEEDS)] if job.split == "test"
                   else 100000 + job.seed % 400000)
        x = wv.speak("hibari", voice, job.text, speed, seed)
    else:
        x = wv.speak(job.family, voice, job.text, speed, job.seed)
    return to_int16(np.clip(x, -1, 1)), voice


def clips(family: str, kind: str, split: str) -> list[tuple[np.ndarray, str, str]]:
    """(int16 clip, text, voice) for one family, kind and split; synthesized once, then cached."""
    path = cache_root() / "clips" / f"{family}-{kind}-{split}.npz"
    if not path.exists():
        n_pos_train, n_pos_test, n_speech, n_near, n_speech_test = COUNTS[family]
        n = {("phrase", "train"): n_pos_train, ("phrase", "test"): n_pos_test, ("speech", "train"): n_speech,
             ("near", "train"): n_near, ("speech", "test"): n_speech_test,
             ("more", "train"): MORE[family]}[(kind, split)]
        base = (1_000_000 * (1 + list(COUNTS).index(family)) + 100_000 * KINDS.index(kind)
                + (50_000 if split == "test" else 0))
        texts = _texts(kind, split, n, base)
        jobs = [Job(family, kind, split, i, t, base + i) for i, t in enumerate(texts)]
        t0 = time.time()
        wv.prepare(family)
        with mp.Pool(_workers()) as pool:
            out = pool.map(_synth, jobs, chunksize=8)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f"a{i:05d}": a for i, (a, _) in enumerate(out)},
                 texts=np.array(texts), voices=np.array([v for _, v in out]))
        print(f"  {family}/{kind}/{split}: {n} clips in {time.time() - t0:.0f} s", flush=True)
    with np.load(path, allow_pickle=False) as z:
        texts, voices = z["texts"], z["voices"]
        return [(z[f"a{i:05d}"], str(texts[i]), str(voices[i])) for i in range(len(texts))]


def _workers() -> int:
    return int(os.environ.get("GLIMMER_WAKE_WORKERS", "2"))


# --- step 2: scenes ----------------------------------------------------------------------------------------
def microphone(rng: np.random.Generator, x: np.ndarray, snr_db: float | None = None,
               rt60: float | None = None, peak_dbfs: float | None = None, digital_silence: bool = False) -> np.ndarray:
    """Colour float audio like a real microphone and room; random where an argument is None. Int16 out."""
    if rt60 is None and rng.random() < 0.25:
        rt60 = float(rng.uniform(0.2, 0.8))
    if rt60:
        x = reverberant(rng, x, rt60)
    if rng.random() < 0.2:
        x = _band_limit(rng, x)
    if snr_db is None and not digital_silence and rng.random() < 0.6:
        snr_db = float(rng.choice([30, 20, 15, 10, 5, 0]))
    if snr_db is not None:
        x = add_noise(x, str(rng.choice(["white", "pink", "brown"])), snr_db, rng)
    peak = float(rng.uniform(-40, -1)) if peak_dbfs is None else peak_dbfs
    x = wc.level(x, peak)
    if not digital_silence and snr_db is None:
        x = x + noise("pink", x.size, rng) * 10 ** (float(rng.uniform(-85, -60)) / 20)
    if rng.random() < 0.1:
        x = x + float(rng.uniform(-0.01, 0.01))
    if rng.random() < 0.1:
        rate = int(rng.choice([44100, 48000]))
        x = resample(resample(x.astype(np.float32), SR, rate), rate, SR)[: x.size]
    return to_int16(np.clip(x, -1, 1))


def _band_limit(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """A cheap microphone: a high-pass at 100-300 Hz or a low-pass at 3.4-7 kHz (FFT mask)."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, 1 / SR)
    if rng.random() < 0.5:
        spec[f < rng.uniform(100, 300)] *= 0.05
    else:
        spec[f > rng.uniform(3400, 7000)] *= 0.02
    return np.fft.irfft(spec, x.size).astype(np.float32)


def _f(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float32) / 32768.0


def positive_scene(rng: np.random.Generator, phrase: np.ndarray, others: list[np.ndarray],
                   shift: bool = True) -> tuple[np.ndarray, int]:
    """A phrase between silence or other speech, coloured; (int16 scene, sample where the phrase ends)."""
    core = _f(phrase)
    if shift and rng.random() < 0.5:
        core = wv.speaker_shift(core, float(rng.uniform(0.85, 1.18)))
    parts = [np.zeros(int(SR * rng.uniform(0.3, 2.0)), np.float32)]
    if rng.random() < 0.35 and others:
        other = _f(others[int(rng.integers(len(others)))])
        parts += [other[-int(SR * rng.uniform(0.5, 2.5)):], np.zeros(int(SR * rng.uniform(0.05, 0.5)), np.float32)]
    start = sum(p.size for p in parts)
    parts.append(core)
    end = start + core.size
    parts.append(np.zeros(int(SR * rng.uniform(0.05, 0.9)), np.float32))
    if rng.random() < 0.4 and others:
        parts.append(_f(others[int(rng.integers(len(others)))])[: int(SR * rng.uniform(0.4, 2.0))])
    parts.append(np.zeros(int(SR * 0.6), np.float32))
    digital = rng.random() < 0.2
    return microphone(rng, np.concatenate(parts), digital_silence=digital), end


def negative_stream(rng: np.random.Generator, items: list[np.ndarray], shift: bool = True) -> np.ndarray:
    """Clips one after another with short pauses, each maybe a pseudo-speaker, coloured as one recording."""
    parts = [np.zeros(int(SR * 0.5), np.float32)]
    for a in items:
        x = _f(a)
        if shift and rng.random() < 0.4:
            x = wv.speaker_shift(x, float(rng.uniform(0.85, 1.18)))
        parts += [x, np.zeros(int(SR * rng.uniform(0.1, 0.9)), np.float32)]
    return microphone(rng, np.concatenate(parts), digital_silence=rng.random() < 0.15)


def labels_for(n_emb: int, phrase_end: int | None) -> np.ndarray:
    """Per embedding row (of `embeddings(..., lead=WINDOW - 1)`): 1 (the window ends just after the phrase),
    0 (no phrase ended in it), -1 (unused)."""
    ends = EMB_HOP_SAMPLES * (np.arange(n_emb) - (WINDOW - 1)) + EMB_SPAN
    if phrase_end is None:
        return np.zeros(n_emb, np.int8)
    lab = np.full(n_emb, -1, np.int8)
    lab[ends < phrase_end - NEG_BEFORE_S * SR] = 0
    lab[(ends >= phrase_end - POS_BEFORE_S * SR) & (ends <= phrase_end + POS_AFTER_S * SR)] = 1
    return lab


@dataclass
class Scenes:
    """Embeddings of many scenes, end to end (`starts` marks where each begins) and a label per embedding."""
    emb: np.ndarray
    labels: np.ndarray
    starts: np.ndarray

    def extend(self, other: "Scenes") -> "Scenes":
        """These scenes followed by `other`'s."""
        return Scenes(np.concatenate([self.emb, other.emb]), np.concatenate([self.labels, other.labels]),
                      np.concatenate([self.starts, other.starts + len(self.labels)]))

    @staticmethod
    def join(parts: list[tuple[np.ndarray, np.ndarray]]) -> "Scenes":
        sizes = [e.shape[0] for e, _ in parts]
        return Scenes(np.concatenate([e for e, _ in parts]).astype(np.float16),
                      np.concatenate([lab for _, lab in parts]), np.cumsum([0] + sizes[:-1]))


Jobs = list[tuple[np.ndarray, int | None]]


def _embed_job(job: tuple[np.ndarray, int | None]) -> tuple[np.ndarray, np.ndarray]:
    audio, end = job
    e = embeddings(audio, lead=WINDOW - 1)
    return e.astype(np.float16), labels_for(e.shape[0], end)


def _embed_and_keep(path: Path, jobs: Jobs) -> Scenes:
    """Embed and label the scenes on all workers, and cache them at `path`."""
    with mp.Pool(_workers()) as pool:
        s = Scenes.join(pool.map(_embed_job, jobs, chunksize=16))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, emb=s.emb, labels=s.labels, starts=s.starts)
    return s


def _load_scenes(path: Path) -> Scenes:
    with np.load(path) as z:
        return Scenes(z["emb"], z["labels"], z["starts"])


def _cached_scenes(name: str, seed: int, build: Callable[[np.random.Generator], Jobs], what: str) -> Scenes:
    """Scenes cached as `scenes/{name}.npz`; built once from `build(rng)` with rng seeded by `seed`."""
    path = cache_root() / "scenes" / f"{name}.npz"
    if not path.exists():
        t0 = time.time()
        jobs = build(np.random.default_rng(seed))
        s = _embed_and_keep(path, jobs)
        print(f"  {what} {name}: {len(jobs)} scenes, {int((s.labels == 1).sum())} positive and "
              f"{int((s.labels == 0).sum())} negative windows in {time.time() - t0:.0f} s", flush=True)
    return _load_scenes(path)


def _family_seed(base: int, family: str) -> int:
    """A scene builder's seed for `family`: each family's scenes drawn with their own, the same on every rebuild."""
    return base + list(COUNTS).index(family)


def _streams(rng: np.random.Generator, group: list[np.ndarray]) -> Jobs:
    """The clips of `group` in a random order, about six to a negative stream."""
    order = rng.permutation(len(group))
    return [(negative_stream(rng, [group[i] for i in chunk]), None)
            for chunk in np.array_split(order, max(1, len(group) // 6))]


def scenes(family: str, split: str, copies: int = 2) -> Scenes:
    """Training (or dev) scenes of one family: each phrase `copies` times, negatives once; cached."""
    def build(rng: np.random.Generator) -> Jobs:
        phrases = [a for a, _, _ in clips(family, "phrase", split)]
        speech = [a for a, _, _ in clips(family, "speech", split)]
        near = [a for a, _, _ in clips(family, "near", "train")] if split == "train" else []
        jobs = [positive_scene(rng, p, speech) for _ in range(copies) for p in phrases]
        for group in (speech, near):
            jobs += _streams(rng, group)
        return jobs
    return _cached_scenes(f"{family}-{split}", _family_seed(7 + (100 if split == "test" else 0), family), build,
                          "scenes")


def more_scenes(family: str, copies: int = 2) -> Scenes:
    """Negative streams of the family's "more" clips, each clip `copies` times in other company and colouring;
    cached."""
    def build(rng: np.random.Generator) -> Jobs:
        more = [a for a, _, _ in clips(family, "more", "train")]
        return [job for _ in range(copies) for job in _streams(rng, more)]
    return _cached_scenes(f"{family}-more", _family_seed(500, family), build, "more negatives")


def pause_scenes(family: str) -> Scenes:
    """Each TRAIN phrase once more with a break of PAUSE_S between "hey" and "glimmer", in a scene; cached.

    Voices that break at the comma (flite's awb) were the ones a model that never heard them missed most."""
    def build(rng: np.random.Generator) -> Jobs:
        speech = [a for a, _, _ in clips(family, "speech", "train")]
        return [positive_scene(rng, with_pause(p, float(rng.uniform(*PAUSE_S))), speech)
                for p, _, _ in clips(family, "phrase", "train")]
    return _cached_scenes(f"{family}-pause", _family_seed(900, family), build, "phrases with a pause")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default=",".join(COUNTS), help="comma-separated voice families")
    a = ap.parse_args()
    chosen = a.families.split(",")
    for fam in chosen:
        for kind, split in (("phrase", "train"), ("speech", "train"), ("near", "train"), ("phrase", "test"),
                            ("speech", "test")):
            clips(fam, kind, split)
    for fam in chosen:
        scenes(fam, "train")
        more_scenes(fam)
        pause_scenes(fam)
