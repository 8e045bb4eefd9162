"""Train a wake model's likeness head (its second hearing's third score) and choose its threshold; store both.

    python scripts/wake_likeness.py MODEL.npz        (scripts/train_wake.py calls choose_and_store)

The head is a small classifier on Whisper tiny.en's encoding of the 1.2 s the detector hands to the second
hearing (assistant/speech/wake_confirm.py). It learns the phrase against near misses ("hey, dimmer", "they
glimmer"), running speech and other negatives of the model's own voice families, TRAIN clips only, each placed
in one of the bench's conditions (clean, noise, rooms, running speech, levels, digital silence) and cut where
a candidate would be heard, DRAWS times over (each draw picks its own clips where a family has more than
CLIPS, and its own conditions and moments): three draws let a head trained without a family pass 42-49% of
its near misses and 3-10% of its running speech at a threshold kept by 99.5% of the phrases of families it
never trained on, where one draw let 54-73% and 21-50% through (the threshold now keeps 98%, below).

Its threshold is chosen as a person's voice never trained on would meet it: each family's phrases are scored
by a head trained on the other families, and the threshold keeps all but LIKENESS_LOSS of the natural
families' phrases, each family weighing the same. Robotic voices (espeak-ng) are trained on but do not set
it: a head that has not heard them scores their phrases far lower (at the shipped model's threshold keeping
99.5% it would refuse 18% of them, and 0-1.3% of each natural family's), and people are natural voices. The
head that ships is then trained on every family, espeak-ng too. Needs torch.

LIKENESS_LOSS counts every training clip of the phrase, but most of those the head scores lowest are clips the
verifiers or Whisper's margins refuse anyway, so the detector loses far fewer. It is chosen with
scripts/wake_likeness_loss.py (the whole detector, each natural family held out of training, on its TRAIN
clips) as the largest level at which no family loses a phrase found at 0.5%: at 2%, near-miss wakes 110 -> 96
of 1,000 near-miss clips, no phrase lost of 600; at 3% festival loses one.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.wake_data as wd
import scripts.wake_voices as wv
from assistant.speech.wake import CONFIRM_AFTER_S, CONFIRM_SPAN_S, load_wake_model
from assistant.speech.wake_confirm import WakeConfirmer, heard_frames
from assistant.speech.wake_model import Mlp, add_to_models
from scripts.torch_mlp import mlp_of

LIKENESS_LOSS = 0.02      # share of the phrases of a natural family it never trained on that the threshold may refuse
PER_FAMILY = 400          # phrases per family in the threshold's pool
CLIPS = {"phrase": 400, "near": 600, "speech": 250, "more": 250}     # TRAIN clips per family and kind
DRAWS = 3                 # CLIPS drawn this many times: other clips, conditions and cut moments each time
HIDDEN, EPOCHS, SEED = 64, 60, 5


def features(family: str) -> tuple[np.ndarray, np.ndarray]:
    """The head's inputs for `family`'s TRAIN clips, DRAWS times over (cached), and whether each is the phrase."""
    x, y = zip(*(_draw(family, draw) for draw in range(DRAWS)), strict=True)
    return np.concatenate(x), np.concatenate(y)


def _draw(family: str, draw: int) -> tuple[np.ndarray, np.ndarray]:
    """One draw of the head's inputs: CLIPS of `family`'s TRAIN clips, each placed in a condition and cut at a
    moment drawn with the draw's own seed; encoded once, then cached."""
    path = wd.cache_root() / "likeness" / f"{family}-{draw}.npz"
    if not path.exists():
        from assistant.speech.models import embedded_whisper
        from scripts.bench_wake import CONDITIONS, condition_scene

        confirmer = WakeConfirmer(embedded_whisper())
        rng = np.random.default_rng(11 + draw)
        span = int(CONFIRM_SPAN_S * wd.SR)
        speech = [a for a, _, _ in wd.clips(family, "speech", "train")]
        x, y = [], []
        for kind, n in CLIPS.items():
            clips = wd.clips(family, kind, "train")
            for i in rng.permutation(len(clips))[:n]:
                audio, start, end = condition_scene(rng, clips[i][0], CONDITIONS[int(rng.integers(len(CONDITIONS)))],
                                                    speech)
                # where the detector hands a candidate over (phrase and near misses), anywhere in other speech
                at = (end + CONFIRM_AFTER_S + rng.uniform(-0.05, 0.3) if kind in ("phrase", "near")
                      else rng.uniform(start + 0.6, end + 0.3))
                stop = min(max(int(at * wd.SR), span), audio.size)
                x.append(heard_frames(confirmer.encoding(audio[stop - span: stop]))[0].astype(np.float16))
                y.append(kind == "phrase")
            print(f"  likeness features: {family} {kind}, draw {draw + 1} of {DRAWS} ({len(x)})", flush=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, x=np.array(x), y=np.array(y))
    with np.load(path) as z:
        return z["x"].reshape(len(z["x"]), -1).astype(np.float32), z["y"]


def fit(x: np.ndarray, y: np.ndarray) -> Mlp:
    """One head (input standardized, one layer-normed hidden layer) trained with torch; numpy weights out."""
    import torch
    from torch import nn

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-3
    z, target = torch.from_numpy((x - mean) / scale), torch.from_numpy(y.astype(np.float32))
    net = nn.Sequential(nn.Dropout(0.2), nn.Linear(x.shape[1], HIDDEN), nn.LayerNorm(HIDDEN), nn.ReLU(),
                        nn.Linear(HIDDEN, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-3)
    for _ in range(EPOCHS):
        order = torch.randperm(len(z))
        for b in range(0, len(z), 128):
            i = order[b: b + 128]
            opt.zero_grad()
            nn.functional.binary_cross_entropy_with_logits(net(z[i])[:, 0], target[i]).backward()
            opt.step()
    head = mlp_of(net)
    (w, b), *rest = head.layers                     # the standardizing folded into the first layer
    first = ((w / scale[:, None]).astype(np.float32), (b - (mean / scale) @ w).astype(np.float32))
    return Mlp((first, *rest), head.norms)


def unseen_scores(data: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """PER_FAMILY of each family's phrases (`data`: its `features`) as a head trained on the others scores them."""
    rng = np.random.default_rng(0)
    unseen = {}
    for family, (x_own, y_own) in data.items():
        x, y = (np.concatenate(a) for a in zip(*(v for f, v in data.items() if f != family), strict=True))
        unseen[family] = rng.choice(fit(x, y).logits(x_own[y_own]), PER_FAMILY)
    return unseen


def natural_pool(unseen: dict[str, np.ndarray]) -> np.ndarray:
    """The natural families' unseen phrase scores, the pool the threshold is a quantile of."""
    return np.concatenate([u for f, u in unseen.items() if f in wv.NATURAL])


def choose_and_store(model: Path) -> float:
    """Train `model`'s likeness head on its families, choose its threshold (see the module docstring), write
    both into the file, return the threshold."""
    t0 = time.time()
    families = load_wake_model(model).families
    if len(families) < 2 or not set(families) & set(wv.NATURAL):
        raise SystemExit(f"{model}: the likeness head's threshold needs at least two voice families, one of them "
                         f"natural ({', '.join(wv.NATURAL)})")
    data = {f: features(f) for f in families}
    unseen = unseen_scores(data)
    threshold = float(np.quantile(natural_pool(unseen), LIKENESS_LOSS))
    head = fit(*(np.concatenate(a) for a in zip(*data.values(), strict=True)))
    add_to_models(model, {"likeness": head}, {"confirm_likeness": f"{threshold:.3f}"})
    load_wake_model.cache_clear()
    missed = ", ".join(f"{f} {np.mean(u < threshold):.3f}" for f, u in unseen.items())
    print(f"  likeness head: threshold {threshold:.2f} (phrases of a family it never trained on refused: {missed}); "
          f"{time.time() - t0:.0f} s", flush=True)
    return threshold


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    choose_and_store(ap.parse_args().model)
