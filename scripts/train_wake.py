"""Train the wake phrase classifiers on speech embeddings of many voice families; export numpy weights.

    python scripts/train_wake.py                      # the shipped model, then the leave-one-family-out bench
    python scripts/train_wake.py --hold-out kokoro --out /tmp/no-kokoro.npz

Needs torch at training time only (`pip install torch==2.13.0` into a scratch venv that also sees the project
packages; see README); the assistant runs the exported .npz with numpy. The data comes from
scripts/wake_data.py (synthesized once and cached, about an hour on two cores the first time; minutes
after that). Every family's TRAIN scenes are split by scene into a fitting part (7/8) and a dev part (1/8):
the decision thresholds are chosen on the dev part of the families trained on, never on a held-out family
or on the bench. The spotter is a small network weighed for recall; two verifiers, weighed for precision,
confirm what it proposes: the first is shown the spotter's false alarms as hard negatives, the second also
the first one's (mined on the fitting data, so each verifier learns where the one before it was wrong).
Each model's second-hearing margins (assistant/speech/wake_confirm.py) are then chosen on the TRAIN phrases
of the families it trained on (scripts/wake_confirm_margin.py), and its likeness head is trained on those
families' TRAIN clips, its threshold chosen on each natural family as the others' head hears it
(scripts/wake_likeness.py); both are stored in it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scripts.wake_data as wd
from assistant.speech.wake import HITS_NEEDED
from assistant.speech.wake_features import EMB_HOP_SAMPLES
from assistant.speech.wake_model import WINDOW, Mlp, save_models
from scripts.torch_mlp import mlp_of

PHRASE = "hey glimmer"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assistant/speech/wake_model.npz"
# name: (hidden width, weight of a positive, weight of a spotter false alarm, epochs, seed)
MODELS = {"spotter": (32, 4.0, 1.0, 6, 11), "verifier1": (128, 1.0, 10.0, 14, 12),
          "verifier2": (128, 1.0, 10.0, 14, 13)}
NEG_STRIDE = 2                # negative windows 80 ms apart say nearly the same: fit on every second one
DEV_EVERY = 8                 # every 8th scene of each family is dev data
SPOT_RECALL = 0.995           # the spotter threshold keeps this share of dev phrases
VERIFY_THRESHOLD = 0.5        # the verifiers' own decision boundary (dev figures are printed beside it)
REFRACTORY = int(2.0 * 16000 / EMB_HOP_SAMPLES)


def windows(s: wd.Scenes, dev: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(last-embedding indices, labels, scene number) of the labelled windows of the fit or dev scenes."""
    scene = np.searchsorted(s.starts, np.arange(len(s.labels)), side="right") - 1
    ok = (s.labels >= 0) & (np.arange(len(s.labels)) - s.starts[scene] >= WINDOW - 1)
    ok &= (scene % DEV_EVERY == 0) if dev else (scene % DEV_EVERY != 0)
    if not dev:
        ok &= (s.labels != 0) | (np.arange(len(s.labels)) % NEG_STRIDE == 0)
    idx = np.flatnonzero(ok)
    return idx, s.labels[idx].astype(np.float32), scene[idx]


def gather(emb: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Windows (len(idx), WINDOW, EMB_DIM) float32 ending at the embeddings `idx`."""
    return emb[idx[:, None] + np.arange(-WINDOW + 1, 1)[None, :]].astype(np.float32)


def fit(emb: np.ndarray, idx: np.ndarray, y: np.ndarray, weight: np.ndarray, hidden: int, epochs: int,
        seed: int) -> Mlp:
    """Train one MLP (layer-normed, two hidden layers) with torch; numpy weights out."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    torch.set_num_threads(1)          # small matrices: a second thread gains little and stalls when the cores are busy
    net = nn.Sequential(nn.Flatten(), nn.Linear(WINDOW * emb.shape[1], hidden), nn.LayerNorm(hidden), nn.ReLU(),
                        nn.Dropout(0.2), nn.Linear(hidden, hidden), nn.LayerNorm(hidden), nn.ReLU(),
                        nn.Linear(hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-2)
    batch = 1024
    steps = epochs * (len(idx) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps)
    rng = np.random.default_rng(seed)
    t0 = time.time()
    for ep in range(epochs):
        order = rng.permutation(len(idx))
        total = 0.0
        for i in range(0, len(order) - batch + 1, batch):
            b = order[i: i + batch]
            xb = torch.from_numpy(gather(emb, idx[b]))
            xb = xb + 0.05 * torch.randn_like(xb)
            logits = net(xb).squeeze(1)
            loss = (nn.functional.binary_cross_entropy_with_logits(logits, torch.from_numpy(y[b]), reduction="none")
                    * torch.from_numpy(weight[b])).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        _progress(f"    width {hidden}", ep + 1, epochs, t0, f"loss {total / max(1, len(order) // batch):.4f}")
    return mlp_of(net)


def _progress(label: str, done: int, total: int, t0: float, extra: str = "") -> None:
    bar = "#" * int(30 * done / total)
    end = "\n" if done == total else ""
    print(f"\r{label} [{bar:<30}] {done}/{total} {time.time() - t0:5.0f} s {extra}", end=end, flush=True)


def scores(model: Mlp, emb: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return np.concatenate([model.scores(gather(emb, idx[i: i + 4096])) for i in range(0, len(idx), 4096)])


def events(candidate: np.ndarray, score: np.ndarray, threshold: float) -> np.ndarray:
    """Where the detector's rule fires along consecutive windows: HITS_NEEDED candidates in a row whose mean
    score passes the threshold, then a refractory period. The window positions that fire."""
    fired = []
    run = 0
    quiet_until = -1
    for i in range(len(score)):
        run = run + 1 if candidate[i] and i >= quiet_until else 0
        if run >= HITS_NEEDED and score[i - HITS_NEEDED + 1: i + 1].mean() >= threshold:
            fired.append(i)
            run = 0
            quiet_until = i + REFRACTORY
    return np.array(fired, dtype=int)


def _run_scores(models: dict[str, Mlp], s: wd.Scenes, scene_ids: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Per scene: (spot, verified, labels) over all its windows, for the scenes named."""
    out = []
    ends = np.append(s.starts[1:], len(s.labels))
    for sc in scene_ids:
        idx = np.arange(s.starts[sc] + WINDOW - 1, ends[sc])
        if not len(idx):
            continue
        spot = scores(models["spotter"], s.emb, idx)
        ver = np.mean([scores(m, s.emb, idx) for k, m in models.items() if k.startswith("verifier")], axis=0)
        out.append((spot, ver, s.labels[idx]))
    return out


def choose_thresholds(models: dict[str, Mlp], dev: list[wd.Scenes]) -> tuple[float, dict]:
    """The spotter threshold from the dev scenes of the trained families, and the dev figures at it.

    The dev negatives are far harder than a bedroom (near misses such as "hey, simmer", 0 dB noise, -40 dBFS):
    a false-alarm budget on them sets the verify threshold so high (0.99 for 1 an hour) that trained voices
    are missed inside running speech. The verifiers keep their own decision boundary, VERIFY_THRESHOLD;
    `wake.sensitivity` moves it, and the bench measures what it does.
    """
    runs = [r for s in dev for r in _run_scores(models, s, np.unique(windows(s, dev=True)[2]))]
    pos_runs = [r for r in runs if (r[2] == 1).any()]
    neg_runs = [r for r in runs if not (r[2] == 1).any()]
    ts = float(np.quantile([r[0][r[2] == 1].max() for r in pos_runs], 1 - SPOT_RECALL))
    hours = sum(len(r[0]) for r in neg_runs) * EMB_HOP_SAMPLES / 16000 / 3600
    recall = np.mean([any(r[2][i] != 0 for i in events(r[0] >= ts, r[1], VERIFY_THRESHOLD)) for r in pos_runs])
    fa = sum(len(events(r[0] >= ts, r[1], VERIFY_THRESHOLD)) for r in neg_runs)
    return ts, {"dev_recall": float(recall), "dev_fa": fa, "dev_hours": hours}


def train(families: list[str]) -> tuple[dict[str, Mlp], dict[str, str]]:
    """Fit the spotter and verifiers on `families`, choose thresholds on their dev scenes."""
    t0 = time.time()
    data = [wd.scenes(f, "train").extend(wd.more_scenes(f)).extend(wd.pause_scenes(f)) for f in families]
    offsets = np.cumsum([0] + [len(s.labels) for s in data[:-1]])
    emb = np.concatenate([s.emb for s in data])
    fit_sets = [windows(s, dev=False) for s in data]
    idx = np.concatenate([i + o for (i, _, _), o in zip(fit_sets, offsets, strict=True)])
    y = np.concatenate([lab for _, lab, _ in fit_sets])
    # each family weighs the same, whatever its size
    fam_w = np.concatenate([np.full(len(lab), len(y) / (len(families) * len(lab))) for _, lab, _ in fit_sets])
    print(f"  training on {', '.join(families)}: {int(y.sum())} positive, {int((y == 0).sum())} negative windows",
          flush=True)
    models: dict[str, Mlp] = {}
    hard = np.zeros(len(y), bool)                       # negatives a model before this one took for the phrase
    for name, (hidden, w_pos, w_hard, epochs, seed) in MODELS.items():
        weight = fam_w * np.where(y == 1, w_pos, 1.0) * np.where(hard, w_hard, 1.0)
        models[name] = fit(emb, idx, y, weight.astype(np.float32), hidden, epochs, seed)
        hard |= (y == 0) & (scores(models[name], emb, idx) >= (0.3 if name == "spotter" else 0.2))
    ts, dev = choose_thresholds(models, data)
    tv = VERIFY_THRESHOLD
    mean = emb[idx[:: max(1, len(idx) // 200000)]].astype(np.float32).mean(axis=0)
    print(f"  thresholds from dev scenes: spotter {ts:.3f}, verify {tv:.2f} (dev recall {dev['dev_recall']:.3f}, "
          f"{dev['dev_fa']} false alarms in {dev['dev_hours']:.2f} h); {time.time() - t0:.0f} s", flush=True)
    meta = {"phrase": PHRASE, "spot_threshold": f"{ts:.4f}", "verify_threshold": f"{tv:.4f}",
            "families": ",".join(families), "embedding_mean": mean}
    return models, meta


def export(path: Path, models: dict[str, Mlp], meta: dict) -> Path:
    """Write the model, then add its second hearing: the margins and the likeness head, from its families'
    TRAIN clips."""
    from scripts import wake_confirm_margin, wake_likeness

    path.parent.mkdir(parents=True, exist_ok=True)
    save_models(path, models, meta)
    wake_confirm_margin.choose_and_store(path)
    wake_likeness.choose_and_store(path)
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--hold-out", choices=list(wd.COUNTS), help="train without this voice family")
    ap.add_argument("--no-bench", action="store_true",
                    help="only the model: no leave-one-family-out models and no bench at the end")
    args = ap.parse_args()
    t0 = time.time()
    families = [f for f in wd.COUNTS if f != args.hold_out]
    print(f"wake phrase training: families {', '.join(families)} (cache {wd.cache_root()})", flush=True)
    print(f"wrote {export(args.out, *train(families))} in {time.time() - t0:.0f} s", flush=True)
    if args.no_bench or args.hold_out:
        return 0
    from scripts import bench_wake, wake_voices
    for held_out in wake_voices.NATURAL:
        print(f"model without {held_out}:", flush=True)
        export(wd.lofo_model(held_out), *train([f for f in wd.COUNTS if f != held_out]))
    bench_wake.run(model=args.out)
    print(f"training and bench took {(time.time() - t0) / 60:.0f} min", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
