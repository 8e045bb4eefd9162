"""Wake phrase bench on a natural voice that no model ever trained on: Piper's "joe" (one real man's recordings).

    python -m scripts.bench_wake_unseen [--quick] [--json F]      (scripts/bench.py: --only wake_unseen)

The shipped model through the streaming detector, with and without the second hearing: recall on "hey glimmer"
in the wake bench's nine conditions (seeds vary the voice's delivery, speeds its pace), the latency after the
phrase, and false wakes while the same voice reads held-out sentences, near misses and Glimmer's own prompts.
Then the voice enrolled with 3 recordings: recall on its other phrases and false wakes with the profile.
Needs no training cache and chooses nothing: the thresholds are the model's own. The corpus is built once
(about 4 minutes) and kept beside the wake caches ($GLIMMER_WAKE_CACHE).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.corpus as wc
import scripts.wake_data as wd
import scripts.wake_voices as wv
from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.config import WakeSettings
from assistant.speech.wake import MODEL_PATH, WakeDetector
from scripts.bench_wake import (
    CONDITIONS,
    condition_scene,
    embed_clip,
    enrolled_profile,
    false_wakes,
    main,
    mean_recall,
    recall,
)

FAMILY, VOICE = "piper", "joe"
PHRASES = ("Hey glimmer.", "Hey, glimmer.", "Hey Glimmer!", "hey glimmer", "Hey, glimmer?", "Hey glimmer...")
FRAMES = ("I said {} to her.", "{}.", "Oh, {}!", "Was it {}?", "{}, and then nothing.")
ENROLLED = 3
VERSION = "wake-unseen-v1"


def _say(job: tuple[str, float, int]) -> np.ndarray:
    text, speed, seed = job
    return to_int16(wv.speak(FAMILY, VOICE, text, speed, seed))


def _speak_all(texts: list[str], rng: np.random.Generator, seed0: int) -> list[np.ndarray]:
    """Each text said once, at a held-out speed and its own delivery, on two processes."""
    jobs = [(t, float(rng.choice(wc.TEST_SPEEDS)), seed0 + k) for k, t in enumerate(texts)]
    with mp.Pool(2) as pool:
        return pool.map(_say, jobs, chunksize=8)


def corpus(quick: bool) -> tuple[dict, dict, list[np.ndarray]]:
    """(phrase scenes by condition, negative streams by kind, the enrollment recordings), built once and kept:
    Piper draws its own noise inside the model on every call, so a rebuilt corpus differs a little."""
    path = wd.cache_root() / f"{VERSION}-{'quick' if quick else 'full'}.npz"
    if not path.exists():
        pos, neg, recordings = _build(quick)
        arrays = {f"rec:{k}": r for k, r in enumerate(recordings)}
        arrays |= {f"neg:{kind}:{i:03d}": a for kind, v in neg.items() for i, a in enumerate(v)}
        for cond, items in pos.items():
            for i, (a, start, end) in enumerate(items):
                arrays[f"pos:{cond}:{i:03d}"], arrays[f"span:{cond}:{i:03d}"] = a, np.array([start, end])
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
    pos, neg, recordings = {}, {}, []
    with np.load(path) as z:
        for key in sorted(z.files):
            kind, *rest = key.split(":")
            if kind == "rec":
                recordings.append(z[key])
            elif kind == "neg":
                neg.setdefault(rest[0], []).append(z[key])
            elif kind == "pos":
                start, end = z[f"span:{rest[0]}:{rest[1]}"]
                pos.setdefault(rest[0], []).append((z[key], float(start), float(end)))
    return pos, neg, recordings


def _build(quick: bool) -> tuple[dict, dict, list[np.ndarray]]:
    rng = np.random.default_rng(2026)
    scale = 6 if quick else 1
    sentences = _speak_all(wc.sentences(rng, 600 // scale, "test", glimmer_share=0.5), rng, 70000)
    items = list(wc.CONFUSABLES + wc.CONFUSABLES_TEST_ONLY)
    near = [FRAMES[k % len(FRAMES)].format(items[k % len(items)]).capitalize() for k in range(300 // scale)]
    prompts = (wd._practice_prompts() + list(wc.ASSISTANT_PROMPTS))[: None if not quick else 40]
    neg = {}
    for kind, clips in (("read_speech", sentences), ("near_misses", _speak_all(near, rng, 80000)),
                        ("own_prompts", _speak_all(prompts, rng, 90000))):
        chunks = np.array_split(np.arange(len(clips)), max(1, len(clips) // 20))
        neg[kind] = [wd.negative_stream(rng, [clips[i] for i in c], shift=False) for c in chunks]
    n = 180 // scale
    phrases = _speak_all([PHRASES[k % len(PHRASES)] for k in range(n + ENROLLED)], rng, 60000)
    pos: dict[str, list] = {}
    for k, p in enumerate(phrases[ENROLLED:]):
        cond = CONDITIONS[k % len(CONDITIONS)]
        pos.setdefault(cond, []).append(condition_scene(rng, p, cond, sentences))
    return pos, neg, phrases[:ENROLLED]


def run(quick: bool = False, model: Path = MODEL_PATH) -> dict:
    """Measure the shipped model on the unseen voice; print a table; return the figures."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    pos, neg, recordings = corpus(quick)
    with mp.Pool(2) as pool:
        neg_emb = {k: pool.map(embed_clip, v) for k, v in neg.items()}
    neg_emb = {k: [e.astype(np.float32) for e in v] for k, v in neg_emb.items()}
    hours = sum(a.size for v in neg.values() for a in v) / SAMPLE_RATE / 3600
    res: dict = {"voice": f"{FAMILY} {VOICE}", "phrases": sum(len(v) for v in pos.values()),
                 "negative_hours": hours}
    plain = WakeDetector(WakeSettings(), model_path=model)
    assert FAMILY not in plain.model.families, "the unseen voice must never be trained on"
    rows = {"second hearing": plain,
            "verifiers alone": WakeDetector(replace(WakeSettings(), confirm=False), model_path=model)}
    padded = [np.concatenate([np.zeros(SAMPLE_RATE // 2, np.int16), r, np.zeros(SAMPLE_RATE // 2, np.int16)])
              for r in recordings]
    rows["enrolled (3 recordings)"] = WakeDetector(WakeSettings(), model_path=model,
                                                   profile=enrolled_profile(plain, padded))
    for name, det in rows.items():
        rec, lat = recall(det, pos)
        fa = false_wakes(det, neg_emb, neg)
        res[name] = {"recall": rec, "recall_all": mean_recall(rec, pos), "false_wakes_by_kind": fa,
                     "false_wakes_per_hour": sum(fa.values()) / hours,
                     "latency_median_s": float(np.median(lat)) if lat else None}
    _print(res)
    return res


def _print(res: dict) -> None:
    print(f"unseen natural voice ({res['voice']}; no model trained on it): {res['phrases']} phrases, "
          f"{res['negative_hours']:.2f} h of its speech as negatives")
    print(f"{'':<24}" + "".join(f"{c.split('_')[0][:8]:>9}" for c in CONDITIONS) + f"{'all':>8}{'FW/h':>7}"
          f"{'latency':>9}")
    for name in ("second hearing", "verifiers alone", "enrolled (3 recordings)"):
        r = res[name]
        lat = f"{r['latency_median_s']:.2f}" if r["latency_median_s"] is not None else "-"
        print(f"{name:<24}" + "".join(f"{r['recall'][c]:>9.2f}" for c in CONDITIONS)
              + f"{r['recall_all']:>8.3f}{r['false_wakes_per_hour']:>7.2f}{lat:>9}")
    print("targets: recall >= 0.95 held out (>= 0.98 enrolled), <= 0.5 false wakes/h, latency <= 0.3 s", flush=True)


if __name__ == "__main__":
    main(__doc__.splitlines()[0], run, "a sixth of the corpus (figures then mean little)")
