"""Choose a wake model's second-hearing margins on its training families' TRAIN phrases; store them in the model.

    python scripts/wake_confirm_margin.py MODEL.npz        (scripts/train_wake.py calls choose_and_store)

The model's own detector (with every candidate heard again, whatever the margin) runs on TRAIN-split phrase
clips of each family it was trained on, placed in the bench's conditions (clean, noise, rooms, running speech,
levels, digital silence); each of the two margins (onset, ending) is the one that keeps all but CONFIRM_LOSS
of the wakes it finds, each family weighing the same. Never chosen on a held-out family or on the bench's TEST phrases.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.wake_data as wd
from assistant.config import WakeSettings
from assistant.speech.wake import WakeDetector, load_wake_model
from assistant.speech.wake_model import add_to_models

CONFIRM_LOSS = 0.005          # share of the wakes on training families' phrases each margin may refuse
PER_FAMILY = 144              # phrases per family (sixteen in each of the nine conditions)


def margins(model: Path, family: str) -> list[tuple[float, float]]:
    """Second-hearing margins of the wakes `model` finds on `family`'s TRAIN phrases in every condition."""
    from scripts.bench_wake import CONDITIONS, HIT_AFTER_S, condition_scene

    detector = WakeDetector(WakeSettings(), model_path=model, confirm_margins=(-np.inf, -np.inf, -np.inf))
    rng = np.random.default_rng(41)
    phrases = wd.clips(family, "phrase", "train")
    speech = [a for a, _, _ in wd.clips(family, "speech", "train")]
    out = []
    for n, i in enumerate(rng.permutation(len(phrases))[:PER_FAMILY]):
        audio, start, end = condition_scene(rng, phrases[i][0], CONDITIONS[n % len(CONDITIONS)], speech)
        detector.reset()
        for at in range(0, audio.size, 480):
            found = detector.feed(audio[at: at + 480])
            if found is not None and found.margins is not None and start <= found.t <= end + HIT_AFTER_S:
                out.append(found.margins[:2])
                break
    return out


def choose_and_store(model: Path) -> tuple[float, float]:
    """Choose the margins for `model` (see the module docstring), write them into the file, return them."""
    families = load_wake_model(model).families
    per_family = {f: np.array(margins(model, f)).reshape(-1, 2) for f in families}
    rng = np.random.default_rng(0)
    pooled = np.concatenate([m[rng.choice(len(m), PER_FAMILY)] for m in per_family.values() if len(m)])
    onset, ending = (float(np.quantile(pooled[:, i], CONFIRM_LOSS)) for i in (0, 1))
    add_to_models(model, {}, {"confirm_margins": f"{onset:.3f},{ending:.3f}"})
    load_wake_model.cache_clear()
    refused = ", ".join(f"{f} {np.mean((m[:, 0] < onset) | (m[:, 1] < ending)):.3f}" for f, m in per_family.items())
    print(f"  second-hearing margins: onset {onset:.2f}, ending {ending:.2f} (wakes they would refuse on TRAIN "
          f"phrases: {refused})", flush=True)
    return onset, ending


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    choose_and_store(ap.parse_args().model)
