"""Wake phrase bench: every voice family held out in turn, the shipped model, enrollment, cost.

    python scripts/bench_wake.py [--quick] [--json F]        (scripts/bench.py calls run())

1. Leave one family out: for each natural voice family, the model trained without it (made by
   scripts/train_wake.py, kept in the training cache) is scored on that family's TEST phrases in nine
   conditions, and on all the negatives. The table shows every family and the worst one.
2. The shipped model through the real streaming detector (`WakeDetector`, 30-ms frames): recall per family
   and condition on TEST phrases (held-out sentences, seeds, speeds and speakers), false wakes per hour,
   latency after the phrase, CPU per audio second, and the peak memory of `glimmer listen` on a 1-hour file.
3. Enrollment: for each natural family, one speaker of it enrolled with 3 recordings on the model that never
   trained on the family: recall on that speaker's 40 other clips, false wakes with the profile, and the
   other families' recall with the profile loaded (must not change).
Negatives (about 4.5 h): read speech in held-out voices of every family, Glimmer's own prompts and
confusables, real human recordings (LibriVox from pocketsphinx-testdata and codec2's speakers, never used
in training), noise and quiet rooms. Nothing here chose a threshold: they come from training's dev data.
"""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.corpus as wc
import scripts.wake_data as wd
import scripts.wake_voices as wv
from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.resample import resample
from assistant.audio.rooms import add_noise, noise, reverberant
from assistant.audio.wav import write_wav
from assistant.config import WakeSettings
from assistant.speech.wake import (
    CONFIRM_AFTER_S,
    CONFIRM_SPAN_S,
    HITS_NEEDED,
    MODEL_PATH,
    RETRY_AFTER_S,
    WakeDetector,
    verdict,
)
from assistant.speech.wake_confirm import confirmed
from assistant.speech.wake_enroll import score_try, template_windows
from assistant.speech.wake_features import EMB_HOP_SAMPLES, embeddings, end_sample
from assistant.speech.wake_model import WINDOW
from assistant.speech.wake_profile import WakeProfile
from tests.support.memory import measured

SR = SAMPLE_RATE
VERSION = "wake-v4"
CONDITIONS = ("clean", "snr20", "snr10", "snr5", "reverb", "in_speech", "quiet_-40dB", "loud_-1dB", "digital_silence")
HIT_AFTER_S = 1.0             # a detection up to this long after the phrase ends counts as a hit
CODEC2 = Path("/usr/share/codec2/raw")
CODEC2_SPEECH = ("hts1.raw", "hts2.raw", "hts.raw", "kristoff.raw", "mmt1.raw", "morig.raw", "forig.raw",
                 "big_dog.raw", "cross.raw", "vk5qi.raw", "ve9qrp_10s.raw")
ENROLL_VOICES = {"hibari": "heart", "kokoro": "mix:0.6,0,0,0,0.4", "flite": "awb", "festival": "voice_kal_diphone"}


def _cache(name: str) -> Path:
    return wd.cache_root() / VERSION / name


# --- corpus ------------------------------------------------------------------------------------------------
def condition_scene(rng: np.random.Generator, phrase: np.ndarray, cond: str,
                    speech: list[np.ndarray]) -> tuple[np.ndarray, float, float]:
    """One held-out phrase clip in one condition: (int16 audio, phrase start and end in seconds)."""
    core = phrase.astype(np.float32) / 32768
    parts = [np.zeros(int(SR * rng.uniform(0.8, 1.5)), np.float32)]
    if cond == "in_speech":
        parts += [speech[int(rng.integers(len(speech)))].astype(np.float32) / 32768,
                  np.zeros(int(SR * rng.uniform(0.08, 0.3)), np.float32)]
    start = sum(p.size for p in parts)
    parts.append(core)
    end = start + core.size
    if cond == "in_speech":
        parts += [np.zeros(int(SR * rng.uniform(0.08, 0.3)), np.float32),
                  speech[int(rng.integers(len(speech)))].astype(np.float32) / 32768]
    parts.append(np.zeros(int(SR * 1.5), np.float32))
    x = np.concatenate(parts)
    snr = {"snr20": 20.0, "snr10": 10.0, "snr5": 5.0}.get(cond)
    peak = {"quiet_-40dB": -40.0, "loud_-1dB": -1.0}.get(cond, float(rng.uniform(-20, -3)))
    kw = dict(snr_db=snr, rt60=float(rng.uniform(0.3, 0.8)) if cond == "reverb" else 0.0, peak_dbfs=peak,
              digital_silence=cond == "digital_silence")
    return _plain_microphone(rng, x, **kw), start / SR, end / SR


def _plain_microphone(rng: np.random.Generator, x: np.ndarray, snr_db: float | None, rt60: float,
                      peak_dbfs: float, digital_silence: bool) -> np.ndarray:
    """A condition exactly as named (no random colouring): reverb, noise, level, a faint room floor."""
    if rt60:
        x = reverberant(rng, x, rt60)
    if snr_db is not None:
        x = add_noise(x, str(rng.choice(["white", "pink", "brown"])), snr_db, rng)
    x = wc.level(x, peak_dbfs)
    if snr_db is None and not digital_silence:
        x = x + noise("pink", x.size, rng) * 10 ** (-72 / 20)
    return to_int16(np.clip(x, -1, 1))


def positives(family: str, quick: bool) -> dict[str, list[tuple[np.ndarray, float, float]]]:
    """TEST phrases of a family, spread over the conditions; cached."""
    path = _cache(f"pos-{family}.npz")
    if not path.exists():
        rng = np.random.default_rng(31 + list(wd.COUNTS).index(family))
        phrases = [a for a, _, _ in wd.clips(family, "phrase", "test")]
        speech = [a for a, _, _ in wd.clips(family, "speech", "test")]
        arrays = {}
        for i, p in enumerate(phrases):
            cond = CONDITIONS[i % len(CONDITIONS)]
            audio, start, end = condition_scene(rng, p, cond, speech)
            arrays[f"{cond}:{i:04d}"], arrays[f"span:{cond}:{i:04d}"] = audio, np.array([start, end])
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
    out: dict[str, list[tuple[np.ndarray, float, float]]] = {}
    with np.load(path) as z:
        for key in sorted(k for k in z.files if not k.startswith("span:")):
            start, end = z[f"span:{key}"]
            out.setdefault(key.split(":")[0], []).append((z[key], float(start), float(end)))
    return {c: v[: 6 if quick else None] for c, v in out.items()}


def _codec2() -> list[np.ndarray]:
    """codec2's recordings of real speakers (8 kHz raw), as 16 kHz float32."""
    out = []
    for name in CODEC2_SPEECH:
        path = CODEC2 / name
        if path.is_file():
            raw = np.fromfile(path, dtype="<i2").astype(np.float32) / 32768
            out.append(resample(raw, 8000, SR))
    return out


def negatives(quick: bool) -> dict[str, list[np.ndarray]]:
    """Negative streams by kind (int16); about 4.5 h in all (a twelfth with --quick); cached."""
    path = _cache(f"neg-{'quick' if quick else 'full'}.npz")
    if not path.exists():
        t0 = time.time()
        rng = np.random.default_rng(77)
        out: dict[str, list[np.ndarray]] = {}
        for family in wd.COUNTS:
            speech = [a for a, _, _ in wd.clips(family, "speech", "test")]
            speech = speech[: len(speech) // 12] if quick else speech
            reps = 1 if family == "hibari" else 3           # other families' speech is scarcer: recolour it
            out[f"speech_{family}"] = [wd.negative_stream(rng, [speech[i] for i in chunk], shift=False)
                                       for _ in range(reps)
                                       for chunk in np.array_split(rng.permutation(len(speech)),
                                                                   max(1, len(speech) // 20))]
        scale = 1 / 12 if quick else 1.0
        hib = wc.sentences(rng, int(1400 * scale), "test", glimmer_share=0.5)
        out["speech_hibari_more"] = _read_hibari(rng, hib + list(wc.help_topic_sentences())[: int(900 * scale)])
        items = list(wc.CONFUSABLES + wc.CONFUSABLES_TEST_ONLY)
        frames = ("I said {} to her.", "{}.", "Oh, {}!", "Was it {}?", "{}, and then nothing.")
        conf = [frames[k % len(frames)].format(items[k % len(items)]).capitalize() for k in range(int(500 * scale))]
        out["confusables"] = _read_hibari(rng, conf)
        out["own_prompts"] = _read_hibari(rng, wd._practice_prompts() + list(wc.ASSISTANT_PROMPTS))
        real = list(wc.librivox()) + _codec2()
        out["real_people"] = [wd.microphone(rng, x) for _ in range(1 if quick else 6) for x in real]
        seconds = int(600 * scale)
        out["noise"] = [to_int16(noise(c, SR * seconds // 9, rng) * 10 ** (db / 20))
                        for c in ("white", "pink", "brown") for db in (-45, -30, -20)]
        out["quiet_room"] = [to_int16(noise("pink", SR * seconds // 2, rng) * 10 ** (-68 / 20)),
                             np.zeros(SR * seconds // 2, np.int16)]
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f"{k}:{i:04d}": a for k, v in out.items() for i, a in enumerate(v)})
        print(f"built wake negatives in {time.time() - t0:.0f} s", file=sys.stderr)
    out = {}
    with np.load(path) as z:
        for key in sorted(z.files):
            out.setdefault(key.split(":")[0], []).append(z[key])
    return out


def _read_hibari(rng: np.random.Generator, texts: list[str]) -> list[np.ndarray]:
    """Texts read by hibari at held-out seeds and speeds, in streams of about 40 sentences."""
    streams = []
    for chunk in np.array_split(np.arange(len(texts)), max(1, len(texts) // 40)):
        clips = [to_int16(wv.speak("hibari", "heart", texts[j], float(rng.choice(wc.TEST_SPEEDS)),
                                   int(wc.TEST_SEEDS[(7 * j + 3) % len(wc.TEST_SEEDS)]))) for j in chunk]
        streams.append(wd.negative_stream(rng, clips, shift=False))
    return streams


# --- scoring -----------------------------------------------------------------------------------------------
def stream(detector: WakeDetector, audio: np.ndarray) -> tuple[list[float], float]:
    """Detection times for audio fed in 30-ms frames through the real detector, and the CPU it took."""
    detector.reset()
    hits = []
    cpu = time.process_time()
    for i in range(0, audio.size, 480):
        d = detector.feed(audio[i: i + 480])
        if d is not None:
            hits.append(d.t)
    return hits, time.process_time() - cpu


def recall(detector: WakeDetector, clips: dict[str, list[tuple[np.ndarray, float, float]]]) -> tuple[dict, list[float]]:
    """Recall per condition (a wake between the phrase's start and HIT_AFTER_S after its end) and the
    latencies after the phrase end (negative: it woke during the phrase's last sounds)."""
    out, lat = {}, []
    for cond, items in clips.items():
        found = 0
        for audio, start, end in items:
            hits, _ = stream(detector, audio)
            good = [t for t in hits if start <= t <= end + HIT_AFTER_S]
            found += bool(good)
            lat += good[:1] and [good[0] - end]
        out[cond] = found / len(items)
    return out, lat


def cpu_per_audio_second(detector: WakeDetector, neg: dict[str, list[np.ndarray]], seconds: float = 300.0) -> dict:
    """CPU seconds per audio second of the real detector on up to `seconds` of each kind of negative."""
    out = {}
    for kind, streams in neg.items():
        audio = np.concatenate(streams)[: int(seconds * SR)]
        _, cpu = stream(detector, audio)
        out[kind] = cpu / (audio.size / SR)
    return out


def embed_clip(audio: np.ndarray) -> np.ndarray:
    """A whole clip's speech embeddings (float16), as if digital silence came before it."""
    return embeddings(audio, lead=WINDOW - 1).astype(np.float16)


def negative_embeddings(neg: dict[str, list[np.ndarray]], quick: bool) -> dict[str, list[np.ndarray]]:
    """The speech embeddings of every negative stream (the features the detector computes); cached."""
    path = _cache(f"neg-emb-{'quick' if quick else 'full'}.npz")
    if not path.exists():
        keys = [f"{k}:{i:04d}" for k, v in neg.items() for i in range(len(v))]
        with mp.Pool(2) as pool:
            embs = pool.map(embed_clip, [a for v in neg.values() for a in v], chunksize=4)
        np.savez(path, **dict(zip(keys, embs, strict=True)))
    out: dict[str, list[np.ndarray]] = {}
    with np.load(path) as z:
        for key in sorted(z.files):
            out.setdefault(key.split(":")[0], []).append(z[key].astype(np.float32))
    return out


def false_wakes(detector: WakeDetector, neg_emb: dict[str, list[np.ndarray]],
                neg: dict[str, list[np.ndarray]]) -> dict[str, int]:
    """False wakes per kind by the detector's rule on the embeddings the detector computes (every window
    scored, as if the voice gate were always open: never fewer than the streaming detector gives), each one
    heard a second time on its audio as the detector does (when the model has a second-hearing margin)."""
    m = detector.model
    out = {}
    for kind, streams in neg_emb.items():
        count = 0
        for emb, audio in zip(streams, neg[kind], strict=True):
            if emb.shape[0] < WINDOW:
                continue
            wins = np.lib.stride_tricks.sliding_window_view(emb, (WINDOW, emb.shape[1]))[:, 0]
            spot = m.spotter.scores(wins)
            ver = np.mean([v.scores(wins) for v in m.verifiers], axis=0)
            own = np.array([detector.profile_similarity(w) for w in wins])
            candidate = (spot >= m.spot_threshold) | (own >= WakeProfile.CANDIDATE)
            heard = functools.partial(_heard_again, detector, audio)
            count += _wakes(candidate, WakeProfile.fuse(ver, own), own, detector.threshold,
                            heard if detector.confirmer() else None)
        out[kind] = count
    return out


def _wakes(candidate: np.ndarray, score: np.ndarray, own: np.ndarray, threshold: float,
           heard: Callable[[int], bool] | None) -> int:
    """How often the detector wakes along consecutive windows: HITS_NEEDED candidates in a row that the
    detector's `verdict` accepts, and which `heard` (the second hearing, None when there is none) confirms when
    the verdict asks for it; then the refractory period, or after a refusal only the wait until the next
    candidate may come (the detector's CONFIRM_AFTER_S + RETRY_AFTER_S)."""
    hop_s = EMB_HOP_SAMPLES / SR
    refractory, retry = round(WakeSettings().refractory_s / hop_s), round((CONFIRM_AFTER_S + RETRY_AFTER_S) / hop_s)
    count, run, quiet_until = 0, 0, -1
    for i in range(len(score)):
        run = run + 1 if candidate[i] and i >= quiet_until else 0
        if run < HITS_NEEDED:
            continue
        hits = [(float(score[j]), float(own[j])) for j in range(i - HITS_NEEDED + 1, i + 1)]
        decided = verdict(hits, threshold, heard is not None)
        if decided is None:
            continue
        run = 0
        woke = decided == "wake" or (heard is not None and heard(end_sample(i)))
        count += woke
        quiet_until = i + (refractory if woke else retry)
    return count


def _heard_again(detector: WakeDetector, audio: np.ndarray, end: int) -> bool:
    """Whether the second hearing confirms a wake whose window ends at `end`."""
    assert detector.confirm_margins is not None
    return confirmed(second_hearing(detector, audio, end), detector.confirm_margins)


def second_hearing(detector: WakeDetector, audio: np.ndarray, end: int) -> tuple[float, float, float]:
    """The second hearing's (onset, ending, likeness) of a wake whose window ends at `end`, on the audio the
    detector hands it (CONFIRM_SPAN_S up to CONFIRM_AFTER_S later)."""
    confirmer = detector.confirmer()
    assert confirmer is not None
    stop = end + int(CONFIRM_AFTER_S * SR)
    return confirmer.margins(audio[max(0, stop - int(CONFIRM_SPAN_S * SR)): stop], detector.model.likeness)


def _listen_rss(path: Path) -> float:
    """Peak RSS (MB) of `glimmer listen FILE` in a fresh process."""
    run = measured("listen", str(path))
    if run["code"]:
        raise RuntimeError(f"glimmer listen failed: {run['stderr'].strip()}")
    return run["rss_mb"]


def _hour_file(neg: dict[str, list[np.ndarray]], folder: Path) -> Path:
    """About an hour of the negatives in one WAV file."""
    streams = [a for v in neg.values() for a in v]
    parts, total = [], 0
    for a in streams * 50:
        parts.append(a)
        total += a.size
        if total >= 3600 * SR:
            break
    return write_wav(folder / "hour.wav", np.concatenate(parts)[: 3600 * SR])


def enrollment(family: str, model: Path, neg: dict, neg_emb: dict, hours: float,
               others: dict[str, dict]) -> dict:
    """One speaker of `family` enrolled with 3 clips on `model`: recall on its other clips, false wakes with
    the profile, and the other families' recall with the profile loaded."""
    path = _cache(f"enroll-{family}.npz")
    if not path.exists():
        rng = np.random.default_rng(5)
        texts = [str(rng.choice(wc.PHRASE_TEXTS)) for _ in range(43)]
        clips = [to_int16(wv.speak(family, ENROLL_VOICES[family], t, float(rng.uniform(0.9, 1.1)), 60000 + k))
                 for k, t in enumerate(texts)]
        np.savez(path, **{f"c{k:02d}": c for k, c in enumerate(clips)})
    with np.load(path) as z:
        clips = [z[k] for k in sorted(z.files)]
    plain = WakeDetector(WakeSettings(), model_path=model)
    recordings = [np.concatenate([np.zeros(SR // 2, np.int16), c, np.zeros(SR // 2, np.int16)]) for c in clips[:3]]
    profile = enrolled_profile(plain, recordings)
    rng = np.random.default_rng(6)
    speech = [a for a, _, _ in wd.clips(family, "speech", "test")]
    test = {}
    for k, c in enumerate(clips[3:]):
        cond = CONDITIONS[k % len(CONDITIONS)]
        test.setdefault(cond, []).append(condition_scene(rng, c, cond, speech))
    before, _ = recall(plain, test)
    enrolled = WakeDetector(WakeSettings(), model_path=model, profile=profile)
    after, _ = recall(enrolled, test)
    fa = false_wakes(enrolled, neg_emb, neg)
    others_before = {f: mean_recall(recall(plain, clips_)[0], clips_) for f, clips_ in others.items()}
    others_after = {f: mean_recall(recall(enrolled, clips_)[0], clips_) for f, clips_ in others.items()}
    return {"voice": ENROLL_VOICES[family], "recall_before": mean_recall(before, test),
            "recall_after": mean_recall(after, test),
            "by_condition_after": after, "false_wakes": sum(fa.values()),
            "hours": hours, "others_before": others_before,
            "others_after": others_after}


def enrolled_profile(plain: WakeDetector, recordings: list[np.ndarray]) -> WakeProfile:
    """The profile `glimmer wake enroll` keeps for these recordings (each with silence around the phrase)."""
    return WakeProfile.from_windows([w for r in recordings for w in template_windows(plain, r, score_try(plain, r))],
                                    "hey glimmer")


def mean_recall(by_cond: dict[str, float], clips: dict[str, list]) -> float:
    """The recall over every condition's clips, from each condition's recall."""
    n = sum(len(v) for v in clips.values())
    return sum(by_cond[c] * len(clips[c]) for c in by_cond) / n


def run(quick: bool = False, kind: str | None = None, model: Path = MODEL_PATH) -> dict:
    """Measure everything (the full corpus, or a quick one); print the tables; return the figures."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    quick = quick or kind == "quick"
    neg = negatives(quick)
    neg_emb = negative_embeddings(neg, quick)
    pos = {f: positives(f, quick) for f in wd.COUNTS}
    res: dict = {"corpus": "quick" if quick else "full", "lofo": {}, "shipped": {}, "enrollment": {}}
    hours = sum(a.size for v in neg.values() for a in v) / SR / 3600
    res["negative_hours"] = hours
    for family in wv.NATURAL:
        path = wd.lofo_model(family)
        if not path.is_file():
            print(f"(no model without {family}: run scripts/train_wake.py first)")
            continue
        det = WakeDetector(WakeSettings(), model_path=path)
        rec, _ = recall(det, pos[family])
        fa = false_wakes(det, neg_emb, neg)
        res["lofo"][family] = {"recall": rec, "recall_all": mean_recall(rec, pos[family]),
                               "false_wakes": sum(fa.values()), "false_wakes_per_hour": sum(fa.values()) / hours,
                               "false_wakes_by_kind": fa}
        _print_lofo(family, res["lofo"][family])
    det = WakeDetector(WakeSettings(), model_path=model)
    lat: list[float] = []
    for family, clips in pos.items():
        rec, lt = recall(det, clips)
        lat += lt
        res["shipped"][family] = {"recall": rec, "recall_all": mean_recall(rec, clips)}
    fa = false_wakes(det, neg_emb, neg)
    res["shipped"]["false_wakes"] = fa
    first = false_wakes(WakeDetector(replace(WakeSettings(), confirm=False), model_path=model), neg_emb, neg)
    res["shipped"]["false_wakes_per_hour_without_second_hearing"] = sum(first.values()) / hours
    res["shipped"]["false_wakes_per_hour"] = sum(fa.values()) / hours
    res["shipped"]["hours"] = {k: sum(a.size for a in v) / SR / 3600 for k, v in neg.items()}
    res["shipped"]["cpu_s_per_audio_s"] = cpu_per_audio_second(det, neg, 60 if quick else 300)
    res["shipped"]["latency_median_s"] = float(np.median(lat)) if lat else None
    res["shipped"]["latency_p90_s"] = float(np.percentile(lat, 90)) if lat else None
    with tempfile.TemporaryDirectory() as tmp:
        res["shipped"]["listen_peak_rss_mb_1h"] = _listen_rss(_hour_file(neg, Path(tmp)))
    _print_shipped(res["shipped"], hours)
    for family in wv.NATURAL:
        if wd.lofo_model(family).is_file():
            others = {f: {c: v[:8] for c, v in pos[f].items()} for f in wv.NATURAL if f != family}
            res["enrollment"][family] = enrollment(family, wd.lofo_model(family), neg, neg_emb, hours, others)
            _print_enrollment(family, res["enrollment"][family])
    return res


def _print_lofo(family: str, r: dict) -> None:
    conds = " ".join(f"{c.split('_')[0]}={v:.2f}" for c, v in r["recall"].items())
    print(f"held out {family:<9} recall {r['recall_all']:.3f} ({conds}); false wakes {r['false_wakes']} "
          f"({r['false_wakes_per_hour']:.2f}/h)   target recall >= 0.95, <= 0.5/h", flush=True)


def _print_shipped(r: dict, hours: float) -> None:
    print("shipped model (trained on every family), TEST phrases through the streaming detector:")
    print(f"{'family':<10}" + "".join(f"{c.split('_')[0][:8]:>9}" for c in CONDITIONS) + f"{'all':>8}")
    for family in wd.COUNTS:
        rec = r[family]["recall"]
        print(f"{family:<10}" + "".join(f"{rec[c]:>9.2f}" for c in CONDITIONS) + f"{r[family]['recall_all']:>8.3f}")
    print(f"{'negatives':<20}{'hours':>7}{'wakes':>7}{'CPU-s/s':>10}")
    for kind, count in r["false_wakes"].items():
        print(f"{kind:<20}{r['hours'][kind]:>7.2f}{count:>7}{r['cpu_s_per_audio_s'][kind]:>10.4f}")
    print(f"false wakes per hour: {r['false_wakes_per_hour']:.2f} over {hours:.2f} h   target <= 0.5 "
          f"(without the second hearing: {r['false_wakes_per_hour_without_second_hearing']:.2f})")
    print(f"latency after the phrase: median {r['latency_median_s']:.3f} s, p90 {r['latency_p90_s']:.3f} s   "
          "target median <= 0.3 s")
    print(f"peak RSS of glimmer listen on a 1-hour file: {r['listen_peak_rss_mb_1h']:.0f} MB   target <= 250 MB",
          flush=True)


def _print_enrollment(family: str, r: dict) -> None:
    others = ", ".join(f"{f} {r['others_before'][f]:.3f}->{r['others_after'][f]:.3f}" for f in r["others_before"])
    print(f"enrolled {family} ({r['voice']}) on the model without it: recall {r['recall_before']:.3f} -> "
          f"{r['recall_after']:.3f}; false wakes {r['false_wakes']} in {r['hours']:.2f} h; others: {others}",
          flush=True)


def main(description: str, bench: Callable[..., dict], quick_help: str) -> None:
    """The command line of the wake benches (`bench` is one's run()): --quick, --model, --json."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--model", type=Path, default=MODEL_PATH, help="the wake model to bench (default: the shipped one)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    a = ap.parse_args()
    figures = bench(quick=a.quick, model=a.model)
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main(__doc__.splitlines()[0], run, "small corpus (figures then mean little)")
