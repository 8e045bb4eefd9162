"""Glimmer's voice through a real sound server, looped back into its microphone: the echo's delay and how
much of the echo the canceller removes once aligned to it.

    python -m scripts.live_echo [--loopback-db -10]

The room is scripts/live_room.py (PulseAudio null sinks, the speaker looped back into the room, a -70 dBFS
hiss). One duplex PortAudio stream plays a practice passage in Glimmer's voice and records the microphone at
the same time, as a full-duplex Glimmer would. Then, offline, assistant/audio/echo_delay.py finds the echo's
delay and cancels it, fed 30-ms frames as the microphone delivers them; for comparison the same canceller runs
unaligned. ERLE (dB) is measured over the frames with audible echo from SETTLED_S after the delay was found.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.audio.echo import SpeexCanceller
from assistant.audio.echo_delay import AlignedCanceller
from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from scripts.live_room import Room

LEAD_S = 0.5          # silence before and after the passage
SETTLED_S = 3.0       # the canceller's time to converge once aligned
AUDIBLE_DBFS = -45.0  # a microphone frame louder than this has echo to measure


def record(reference: Path, out: Path) -> None:
    """Play `reference` (int16 .npy) and record the microphone through one duplex stream (run in the room's
    environment: PortAudio must see its server from the start)."""
    import sounddevice as sd

    played = np.load(reference)
    position, heard = [0], []

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, _time, _status) -> None:
        chunk = played[position[0]:position[0] + frames]
        outdata[:] = 0
        outdata[:len(chunk), 0] = chunk
        position[0] += frames
        heard.append(indata[:, 0].copy())

    with sd.Stream(samplerate=SAMPLE_RATE, blocksize=FRAME_SAMPLES, channels=1, dtype="int16", callback=callback):
        sd.sleep(int(1000 * (len(played) / SAMPLE_RATE + 1.0)))
    np.save(out, np.concatenate(heard))


def erle_db(mic: np.ndarray, out: np.ndarray, from_sample: int) -> float:
    """Echo return loss enhancement over the audible frames from `from_sample` on."""
    mic_power, out_power = [], []
    floor = (32768 * 10 ** (AUDIBLE_DBFS / 20)) ** 2
    for start in range(from_sample, len(mic) - FRAME_SAMPLES, FRAME_SAMPLES):
        power = float(np.mean(mic[start:start + FRAME_SAMPLES].astype(np.float64) ** 2))
        if power > floor:
            mic_power.append(power)
            out_power.append(float(np.mean(out[start:start + FRAME_SAMPLES].astype(np.float64) ** 2)))
    return float(10 * np.log10(sum(mic_power) / max(sum(out_power), 1e-9))) if mic_power else float("nan")


def framewise(canceller, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.concatenate([canceller.process(mic[i:i + FRAME_SAMPLES], reference[i:i + FRAME_SAMPLES])
                           for i in range(0, len(mic), FRAME_SAMPLES)])


def measure(voice: np.ndarray, loopback_db: float = -10.0) -> dict:
    """Play `voice` (int16, 16 kHz) through a looped-back room; {"delay_ms", "erle_aligned_db",
    "erle_unaligned_db", "seconds"}."""
    lead = np.zeros(int(LEAD_S * SAMPLE_RATE), np.int16)
    played = np.concatenate([lead, voice, lead])
    with tempfile.TemporaryDirectory() as folder, Room(loopback_db=loopback_db, hiss_dbfs=-70, record=False) as room:
        reference, heard = Path(folder) / "reference.npy", Path(folder) / "mic.npy"
        np.save(reference, played)
        subprocess.run([sys.executable, "-m", "scripts.live_echo", "--record", str(reference), str(heard)],
                       env=room.env, check=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
        mic = np.load(heard)
    n = min(len(mic), len(played)) // FRAME_SAMPLES * FRAME_SAMPLES
    mic, played = mic[:n], played[:n]
    aligned = AlignedCanceller()
    out = framewise(aligned, mic, played)
    if aligned.delay is None:
        return {"delay_ms": None, "erle_aligned_db": None, "erle_unaligned_db": None, "seconds": n / SAMPLE_RATE}
    settled = aligned.found_at + int(SETTLED_S * SAMPLE_RATE)
    return {"delay_ms": round(1000 * aligned.delay / SAMPLE_RATE, 1),
            "erle_aligned_db": round(erle_db(mic, out, settled), 1),
            "erle_unaligned_db": round(erle_db(mic, framewise(SpeexCanceller(), mic, played), settled), 1),
            "seconds": n / SAMPLE_RATE}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loopback-db", type=float, default=-10.0)
    parser.add_argument("--record", nargs=2, type=Path, metavar=("REFERENCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        record(*args.record)
        return 0
    from assistant.audio.frames import to_int16
    from scripts.bench_echo import PASSAGE
    from scripts.wake_voices import speak
    voice = to_int16(np.clip(speak("hibari", "heart", PASSAGE, 0.85, 3) * 0.5, -1, 1))
    print(measure(voice, args.loopback_db))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
