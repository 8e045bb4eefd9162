"""Numpy inference for the small wake phrase classifiers (trained by scripts/train_wake.py).

A classifier reads the last WINDOW speech embeddings (about 2 s of audio) and gives the probability that
the wake phrase has just ended. Each is a multilayer perceptron with layer normalization; one .npz file
holds several named models (the spotter and the verifiers) and the metadata they were trained with.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

WINDOW = 16          # embeddings (80 ms apart) seen by a classifier


@dataclass(frozen=True)
class Mlp:
    """One classifier; `scores(windows)` takes (n, WINDOW, EMB_DIM) embeddings (or any (n, ...) inputs of the
    size it was trained on) and returns n probabilities."""
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]     # (weights (n_in, n_out), bias (n_out,))
    norms: tuple[tuple[np.ndarray, np.ndarray], ...]      # layer-norm (gain, bias) after each hidden layer

    def scores(self, windows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(windows), -60.0, 60.0)))

    def logits(self, windows: np.ndarray) -> np.ndarray:
        """The log-odds behind `scores` (one per window)."""
        h = windows.reshape(windows.shape[0], -1).astype(np.float32)
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.norms):
                g, c = self.norms[i]
                mu = h.mean(axis=1, keepdims=True)
                var = h.var(axis=1, keepdims=True)
                h = np.maximum((h - mu) / np.sqrt(var + 1e-5) * g + c, 0.0)
        return h[:, 0]

    def score(self, window: np.ndarray) -> float:
        return float(self.scores(window[None])[0])


def load_models(path: Path) -> tuple[dict[str, Mlp], dict[str, str]]:
    """Models by name and the metadata (e.g. the phrase they were trained for) stored in `path`."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = {k[5:]: str(v) for k, v in arrays.items() if k.startswith("meta.") and v.ndim == 0}
    names = sorted({k.split(".")[0] for k in arrays if not k.startswith("meta.")})
    models = {name: Mlp(_pairs(arrays, f"{name}.dense", "w", "b"), _pairs(arrays, f"{name}.norm", "g", "b"))
              for name in names}
    return models, meta


def _pairs(arrays: dict[str, np.ndarray], prefix: str, a: str, b: str) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The (`a`, `b`) arrays of layers `prefix`0, `prefix`1, ... as float32."""
    n = sum(1 for k in arrays if k.startswith(prefix) and k.endswith(f".{a}"))
    return tuple((arrays[f"{prefix}{i}.{a}"].astype(np.float32), arrays[f"{prefix}{i}.{b}"].astype(np.float32))
                 for i in range(n))


def save_models(path: Path, models: dict[str, Mlp], meta: dict[str, str]) -> None:
    """Write models and metadata in the format `load_models` reads."""
    arrays: dict[str, np.ndarray] = {f"meta.{k}": np.array(v) for k, v in meta.items()}
    for name, m in models.items():
        for i, (w, b) in enumerate(m.layers):
            arrays[f"{name}.dense{i}.w"], arrays[f"{name}.dense{i}.b"] = w, b
        for i, (g, c) in enumerate(m.norms):
            arrays[f"{name}.norm{i}.g"], arrays[f"{name}.norm{i}.b"] = g, c
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub fears a key named allow_pickle


def add_to_models(path: Path, models: dict[str, Mlp], meta: dict[str, str]) -> None:
    """Rewrite `path` with `models` and `meta` added to what it holds (same names replaced), its other
    metadata (arrays, such as the embedding mean, too) kept."""
    held, held_meta = load_models(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k[5:]: z[k] for k in z.files if k.startswith("meta.") and z[k].ndim}
    save_models(path, {**held, **models}, {**held_meta, **arrays, **meta})
