"""Numpy inference for the small wake phrase classifiers (trained by scripts/train_wake.py).

A model is three strided 1-D convolutions over time (log-mel bins as channels) and two dense layers; it maps
the last CONTEXT frames of log-mel features (1.5 s) to the probability that the wake phrase has just ended.
Weights live in one .npz file holding several named models (the spotter and the verifier).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CONTEXT = 150        # feature frames (10 ms each) seen by a model
KERNEL = 5
STRIDE = 2


@dataclass(frozen=True)
class ConvNet:
    """One classifier; `score(window)` takes (CONTEXT, N_MELS) log-mel frames."""
    mean: np.ndarray
    std: np.ndarray
    convs: tuple[tuple[np.ndarray, np.ndarray], ...]   # (weights (KERNEL*c_in, c_out), bias (c_out,))
    dense: tuple[tuple[np.ndarray, np.ndarray], ...]   # (weights (n_in, n_out), bias (n_out,))

    def score(self, window: np.ndarray) -> float:
        x = (window - self.mean) / self.std
        for w, b in self.convs:
            n = (x.shape[0] - KERNEL) // STRIDE + 1
            cols = np.lib.stride_tricks.as_strided(
                x, shape=(n, KERNEL * x.shape[1]), strides=(x.strides[0] * STRIDE, x.strides[1]))
            x = np.maximum(cols @ w + b, 0.0)
            x = np.ascontiguousarray(x)
        h = x.reshape(-1)
        for i, (w, b) in enumerate(self.dense):
            h = h @ w + b
            if i < len(self.dense) - 1:
                h = np.maximum(h, 0.0)
        return float(1.0 / (1.0 + np.exp(-np.clip(h[0], -60.0, 60.0))))


def load_models(path: Path) -> tuple[dict[str, ConvNet], dict[str, str]]:
    """Models by name and the metadata (e.g. the phrase they were trained for) stored in `path`."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = {k[5:]: str(v) for k, v in arrays.items() if k.startswith("meta.")}
    names = sorted({k.split(".")[0] for k in arrays if not k.startswith("meta.")})
    models = {}
    for name in names:
        def layers(kind: str) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
            n = sum(1 for k in arrays if k.startswith(f"{name}.{kind}") and k.endswith(".w"))
            return tuple((arrays[f"{name}.{kind}{i}.w"].astype(np.float32),
                          arrays[f"{name}.{kind}{i}.b"].astype(np.float32)) for i in range(n))
        models[name] = ConvNet(arrays[f"{name}.mean"].astype(np.float32), arrays[f"{name}.std"].astype(np.float32),
                               layers("conv"), layers("dense"))
    return models, meta
