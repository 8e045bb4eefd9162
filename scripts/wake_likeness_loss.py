"""Choose wake_likeness.LIKENESS_LOSS on dev: what each level costs the whole detector on a family it never heard.

    python -m scripts.wake_likeness_loss        (after scripts/train_wake.py; about 40 minutes here; needs torch)

The likeness threshold keeps all but LIKENESS_LOSS of the phrases of families the head never trained on,
counted over every training clip of the phrase. The clips it scores lowest are mostly ones the verifiers or
Whisper's margins refuse anyway, so the detector loses far fewer. Here, for each natural family, the model
trained without it (the bench's leave-one-family-out model) hears PER_KIND of that family's TRAIN clips (never
a TEST clip), each in one of the bench's conditions, through its first stage and its second hearing, with the
threshold each level in LEVELS gives that model's head. The table shows the phrases found and the wakes on
near misses and read sentences for each level and family.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.wake_data as wd
import scripts.wake_likeness as wl
import scripts.wake_voices as wv
from assistant.config import WakeSettings
from assistant.speech.wake import CONFIRM_AFTER_S, WakeDetector, load_wake_model
from assistant.speech.wake_confirm import confirmed
from assistant.speech.wake_model import WINDOW
from scripts.bench_wake import CONDITIONS, HIT_AFTER_S, SR, _wakes, condition_scene, embed_clip, second_hearing

LEVELS = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1)
PER_KIND = {"phrase": 150, "near": 250, "speech": 100}


def thresholds(model: Path) -> dict[float, float]:
    """The likeness threshold each level in LEVELS gives `model`'s families (as wake_likeness chooses it)."""
    families = load_wake_model(model).families
    pool = wl.natural_pool(wl.unseen_scores({f: wl.features(f) for f in families}))
    return {level: float(np.quantile(pool, level)) for level in LEVELS}


def heard_by_level(family: str) -> dict[float, dict[str, int]]:
    """For each level: phrases found, and wakes on near misses and speech, of `family` by the model without it."""
    model = wd.lofo_model(family)
    needed = thresholds(model)
    detector = WakeDetector(WakeSettings(), model_path=model)
    rng = np.random.default_rng(101)
    speech = [a for a, _, _ in wd.clips(family, "speech", "train")]
    out = {level: {"phrases": 0, "found": 0, "near": 0, "speech": 0} for level in LEVELS}
    for kind, n in PER_KIND.items():
        clips = wd.clips(family, kind, "train")
        for j, i in enumerate(rng.permutation(len(clips))[:n]):
            audio, start, end = condition_scene(rng, clips[i][0], CONDITIONS[j % len(CONDITIONS)], speech)
            for level, woke in wakes(detector, audio, needed).items():
                row = out[level]
                if kind == "phrase":
                    row["phrases"] += 1
                    row["found"] += any(start <= t <= end + HIT_AFTER_S for t in woke)
                else:
                    row[kind] += len(woke)
        print(f"  {family}: {kind} done", flush=True)
    return out


def wakes(detector: WakeDetector, audio: np.ndarray, needed: dict[float, float]) -> dict[float, list[float]]:
    """When `detector` wakes on `audio` (by the bench's rule, in seconds) with each level's likeness threshold;
    each candidate is heard a second time once."""
    m = detector.model
    assert detector.confirm_margins is not None
    onset, ending, _ = detector.confirm_margins
    emb = embed_clip(audio).astype(np.float32)
    wins = np.lib.stride_tricks.sliding_window_view(emb, (WINDOW, emb.shape[1]))[:, 0]
    spot = m.spotter.scores(wins)
    verified = np.mean([v.scores(wins) for v in m.verifiers], axis=0)
    margins: dict[int, tuple[float, float, float]] = {}
    out: dict[float, list[float]] = {}
    for level, likeness in needed.items():
        woke = out[level] = []

        def heard(at: int, likeness: float = likeness, woke: list[float] = woke) -> bool:
            if at not in margins:
                margins[at] = second_hearing(detector, audio, at)
            yes = confirmed(margins[at], (onset, ending, likeness))
            if yes:
                woke.append(at / SR + CONFIRM_AFTER_S)
            return yes

        _wakes(spot >= m.spot_threshold, verified, np.zeros(len(verified)), detector.threshold, heard)
    return out


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    table = {family: heard_by_level(family) for family in wv.NATURAL}
    print("level   " + "  ".join(f"{f:>24s}" for f in table) + "   (phrases found / near-miss wakes / speech wakes)")
    for level in LEVELS:
        cells = [f"{r[level]['found']:>3d}/{r[level]['phrases']} {r[level]['near']:>4d} {r[level]['speech']:>3d}"
                 for r in table.values()]
        print(f"{level:<7} " + "  ".join(f"{c:>24s}" for c in cells))
    chosen = LEVELS[0]
    for level in LEVELS[1:]:
        if any(r[level]["found"] < r[LEVELS[0]]["found"] for r in table.values()):
            break
        chosen = level
    print(f"the largest level up to which no family loses a phrase found at {LEVELS[0]}: {chosen}")


if __name__ == "__main__":
    main()
