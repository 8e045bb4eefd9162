"""Shared fixtures: synthesized speech (the real hibari voice) and the `glimmer` command."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def synth():
    """The corpus synthesizer (hibari and espeak-ng voices), loaded once per test session."""
    from scripts.corpus import Synthesizer

    return Synthesizer()


@pytest.fixture(scope="session")
def speak(synth):
    """speak(text, seed=0, speed=1.0) -> 16 kHz int16 speech from the hibari voice (a different
    seed and speed stand in for a different person)."""
    return synth.hibari


@pytest.fixture
def glimmer(tmp_path):
    """Run `glimmer ARGS…` as a user would; returns the CompletedProcess (text mode)."""
    def run(*args: str, stdin: str | None = None, cwd: Path | None = None, timeout: float = 300,
            env: dict[str, str] | None = None):
        env = dict(env or os.environ, HOME=str(tmp_path / "home"))
        return subprocess.run([sys.executable, "-m", "assistant.cli", *args], input=stdin, text=True,
                              capture_output=True, cwd=cwd or tmp_path, env=env, timeout=timeout)
    return run


def rms(samples: np.ndarray) -> float:
    """Root-mean-square level of int16 samples, 0..1."""
    return float(np.sqrt(np.mean((samples.astype(np.float64) / 32768.0) ** 2))) if len(samples) else 0.0


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB tmpfs, mounted for this test only (needs root: skipped otherwise)."""
    mount = tmp_path / "disk"
    mount.mkdir(mode=0o700)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def fill_disk(folder: Path) -> None:
    """Take every free byte of the file system holding `folder`, as a real full disk does."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix="filler", delete=False, buffering=0) as filler:
        try:
            while True:
                filler.write(bytes(4096))
        except OSError:
            pass
