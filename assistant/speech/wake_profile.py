"""A personal wake profile: the owner's own "hey glimmer", as templates of speech embeddings.

`glimmer wake enroll` keeps, for each of a few recordings, the embedding window in which the shipped model
hears the phrase best (or, when it hears nothing, the one just after the loudest stretch of speech), and the
window at that moment of copies of the recording in noise, in rooms and far from the microphone, and the same
again for the recording with a pause put between its words (`wake_enroll.template_windows`). While listening,
the cosine similarity of the current window's last ROWS embeddings (the phrase, not what was said before it)
to the nearest template's proposes candidates, and above CANDIDATE it adds up to BOOST logits to the verifiers'
score, never subtracts; a phrase like the owner's that the verifiers still refuse goes to the second hearing,
which has the last word on the owner's wakes as on anyone's (`wake.verdict`). A profile makes its owner
easier to hear and leaves everyone else exactly as before. The file holds numbers only, no audio, and is
private (0600).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import GlimmerError
from assistant.speech.wake_features import EMB_DIM

VERSION = 1
FILE_NAME = "wake-profile.npz"


def default_path(journal_path: str | Path) -> Path:
    """Where a profile lives unless told otherwise: beside the journal, in its private folder."""
    return Path(journal_path).expanduser().parent / FILE_NAME


def find(journal_path: str | Path, explicit: str | Path | None = None) -> "WakeProfile | None":
    """The profile named (it must exist), else the default one when it exists, else None."""
    if explicit is not None:
        return WakeProfile.load(Path(explicit).expanduser())
    path = default_path(journal_path)
    return WakeProfile.load(path) if path.is_file() else None


@dataclass(frozen=True)
class WakeProfile:
    """Unit-length templates (m, WINDOW * EMB_DIM) of mean-removed embedding windows; they are compared on
    their last ROWS embeddings only (about 1.4 s of audio: the phrase, not what came before it)."""
    templates: np.ndarray
    phrase: str

    # Chosen on dev speakers (three clips of each of a flite, a festival, a Kokoro and two espeak-ng voices, never
    # the bench's, against their other clips in noise, rooms and running speech, and against 45,000 windows of
    # hibari's TRAIN speech and near misses): others' speech reaches a cosine of 0.66-0.72 once in 10,000
    # windows, the owners' phrases are above 0.77-0.85 in 90 % of tries; the owner's own near misses ("hey,
    # shimmer") come as close as the phrase, which is why the verifiers or the second hearing always decide.
    ROWS = 8                  # embeddings compared (the last ones of the window)
    COS_FLOOR = 0.62          # cosine at and below which a window is nothing like the owner's phrase
    COS_FULL = 0.82           # cosine at which the similarity reaches 1
    CANDIDATE = 0.5           # similarity (cosine 0.72) that proposes a candidate to the verifiers by itself
    BOOST = 6.0               # logits added to the verified score at similarity 1 (none at CANDIDATE or below)

    @classmethod
    def fuse(cls, verified: np.ndarray | float, similarity: np.ndarray | float) -> np.ndarray:
        """The verified score raised by the owner's similarity (never lowered)."""
        v = np.clip(np.asarray(verified, dtype=np.float64), 1e-6, 1 - 1e-6)
        lift = cls.BOOST * np.clip((np.asarray(similarity) - cls.CANDIDATE) / (1 - cls.CANDIDATE), 0.0, 1.0)
        return np.maximum(v, 1 / (1 + np.exp(-(np.log(v / (1 - v)) + lift))))

    def similarity(self, centred_window: np.ndarray) -> float:
        """0..1: how close a mean-removed window's last ROWS embeddings are to the nearest template's."""
        v = centred_window[-self.ROWS:].reshape(-1)
        cos = float(np.max(self._tails @ v) / max(1e-6, float(np.linalg.norm(v))))
        return float(np.clip((cos - self.COS_FLOOR) / (self.COS_FULL - self.COS_FLOOR), 0.0, 1.0))

    @functools.cached_property
    def _tails(self) -> np.ndarray:
        """The templates' last ROWS embeddings, unit length."""
        m = len(self.templates)
        tails = self.templates.reshape(m, -1, EMB_DIM)[:, -self.ROWS:].reshape(m, -1)
        return tails / np.maximum(1e-6, np.linalg.norm(tails, axis=1, keepdims=True))

    @staticmethod
    def from_windows(windows: list[np.ndarray], phrase: str) -> "WakeProfile":
        flat = np.stack([w.reshape(-1) for w in windows]).astype(np.float32)
        return WakeProfile(flat / np.linalg.norm(flat, axis=1, keepdims=True), phrase)

    def save(self, path: Path) -> Path:
        """Write the profile readable only by its owner, in a private folder."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, templates=self.templates, phrase=np.array(self.phrase), version=np.array(VERSION))
        os.replace(tmp, path)
        return path

    @staticmethod
    def load(path: Path) -> "WakeProfile":
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["version"]) != VERSION:
                    raise ValueError("another version")
                return WakeProfile(z["templates"].astype(np.float32), str(z["phrase"]))
        except FileNotFoundError:
            raise GlimmerError(f"{path}: no wake profile there; make one with 'glimmer wake enroll'") from None
        except (OSError, ValueError, KeyError) as err:
            raise GlimmerError(f"{path}: not a wake profile Glimmer can read ({err}); "
                               "make a new one with 'glimmer wake enroll'") from None
