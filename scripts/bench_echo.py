"""Echo cancellation bench: Glimmer's own voice looped back into a simulated room, with people saying "stop".

    python -m scripts.bench_echo [--quick]

Offline, no sound server. The far end is a practice passage as the Narrator plays it (hibari voice, real
pauses). The microphone hears it DELAY_MS later, LOOPBACK_DB below the played level, through a synthetic
room (direct path plus an exponentially decaying tail, RT60_S), with a HISS_DBFS hiss. Cancellers: speexdsp
(what Glimmer uses, assistant/audio/echo.py) and, when `livekit` is installed, WebRTC's AEC3 for comparison.
- Echo alone: ERLE (echo return loss enhancement, dB: echo energy / output energy over the 30 ms frames where
  the echo is audible, after the first CONVERGED_S seconds); convergence (seconds until ERLE over a sliding
  0.5 s first reaches 10 dB); CPU seconds per audio second (one thread, fed 30 ms frames as the microphone
  delivers them).
- "Stop" over Glimmer's voice, every STOP_EVERY_S seconds in espeak-ng, flite and hibari voices through a
  small room, once at a normal level (NORMAL_DBFS) and once only as loud as the echo: how many Whisper
  tiny.en reads as "stop" in a window around the word (also in the word alone and in the raw microphone, for
  comparison), how much of the word the output keeps (least-squares gain, dB) and the output level over it.
- Live: the passage through a real sound server (scripts/live_room.py: PulseAudio null sinks, the speaker
  looped back into the room at LOOPBACK_DB, a hiss), played and recorded by one duplex PortAudio stream as a
  full-duplex Glimmer would. Offline, assistant/audio/echo_delay.py finds the echo's delay and cancels it, fed
  30-ms frames as the microphone delivers them; the same canceller also runs unaligned. ERLE over the frames
  with audible echo from SETTLED_S after the delay was found.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.audio.echo import BLOCK, EchoCanceller, SpeexCanceller, blocks_of
from assistant.audio.echo_delay import AlignedCanceller
from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, to_float, to_int16
from assistant.config import SttSettings, TtsSettings
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import make_voice
from scripts.bench_tts import spoken
from scripts.live_room import Room
from scripts.wake_voices import speak

PASSAGE = ("If you like, let your eyes rest on something steady in the room. You might notice its colour, "
           "or its shape. There is no need to do anything more. Let your breath be as it is, and notice where "
           "your body meets the chair or the bed. Whenever you are ready, bring to mind one small moment "
           "from today that felt okay.")
DELAY_MS = 70
LOOPBACK_DB = -10.0
RT60_S = 0.3
HISS_DBFS = -70.0
NORMAL_DBFS = -23.0  # a person at a normal level: the level of the harness's spoken turns
CONVERGED_S = 3.0
STOP_VOICES = (("espeak", "en-us"), ("flite", "slt"), ("espeak", "en-gb+f3"), ("flite", "awb"), ("hibari", "heart"),
               ("flite", "rms"), ("espeak", "en-us+m3"), ("flite", "kal16"), ("espeak", "en-gb"), ("hibari", "heart"))
FIRST_STOP_S, STOP_EVERY_S = 4.0, 2.4
WINDOW_S = (0.3, 0.5)  # Whisper reads the word with this much before and after it
LIVE_LEAD_S = 0.5      # silence before and after the passage played live
SETTLED_S = 3.0        # the live canceller's time to converge once aligned
AUDIBLE_DBFS = -45.0   # a live microphone frame louder than this has echo to measure


def room_response(rt60_s: float, delay_ms: float, seed: int) -> np.ndarray:
    """A synthetic impulse response: a direct path after `delay_ms`, then a tail of noise decaying by 60 dB
    in `rt60_s`, unit energy."""
    rng = np.random.default_rng(seed)
    delay = int(delay_ms * SAMPLE_RATE / 1000)
    tail = np.arange(int(rt60_s * SAMPLE_RATE))
    response = np.zeros(delay + len(tail))
    response[delay] = 1.0
    reflections = rng.standard_normal(len(tail)) * 10 ** (-3 * tail / len(tail)) * 0.3
    reflections[:int(0.003 * SAMPLE_RATE)] = 0.0  # the first reflection arrives a few ms after the direct one
    response[delay:] += reflections
    return response / np.sqrt(np.sum(response ** 2))


def frame_power(x: np.ndarray) -> np.ndarray:
    """Mean power of each whole 30 ms frame."""
    return np.mean(x[:len(x) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES).astype(np.float64) ** 2,
                   axis=1)


def active_rms(x: np.ndarray) -> float:
    """RMS over the 30 ms frames within 40 dB of the loudest one (the speech, not its pauses)."""
    power = frame_power(x)
    return float(np.sqrt(np.mean(power[power > power.max() * 1e-4])))


def dbfs(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.asarray(x, np.float64) ** 2)) + 1e-12))


def echo_scene(far: np.ndarray, delay_ms: float = DELAY_MS) -> tuple[np.ndarray, np.ndarray]:
    """(echo, hiss) as the microphone hears them, float64."""
    played = to_float(far).astype(np.float64)
    echo = np.convolve(played, room_response(RT60_S, delay_ms, seed=1))[:len(played)]
    echo *= active_rms(played) * 10 ** (LOOPBACK_DB / 20) / active_rms(echo)
    return echo, np.random.default_rng(3).standard_normal(len(echo)) * 10 ** (HISS_DBFS / 20)


def stop_words(length: int, level_rms: float, quick: bool) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """A track of people saying "stop" over Glimmer's voice at `level_rms` (active RMS), and each one's span."""
    near = np.zeros(length)
    spans = []
    for number, (family, voice) in enumerate(STOP_VOICES[:4 if quick else None]):
        word = speak(family, voice, "Stop.", seed=number).astype(np.float64)
        word = np.convolve(word, room_response(0.2, 0, seed=2 + number))
        word *= level_rms / active_rms(word)
        start = int((FIRST_STOP_S + number * STOP_EVERY_S) * SAMPLE_RATE)
        if start + len(word) + WINDOW_S[1] * SAMPLE_RATE > length:
            break
        near[start:start + len(word)] = word
        spans.append((start, start + len(word), f"{family}:{voice}"))
    return near, spans


class WebRtcCanceller:
    """WebRTC's AEC3 (with its residual-echo suppressor) from the `livekit` wheel, for comparison only."""

    name = "webrtc"

    def __init__(self) -> None:
        from livekit import rtc

        self._frame = rtc.AudioFrame
        self._rtc = rtc
        self.reset()

    def reset(self) -> None:
        self._apm = self._rtc.AudioProcessingModule(echo_cancellation=True, high_pass_filter=True)
        self._apm.set_stream_delay_ms(0)  # AEC3 finds the delay itself

    def process(self, mic: np.ndarray, reference: np.ndarray) -> np.ndarray:
        mics, references = blocks_of(mic, reference)
        out = np.empty_like(mics)
        for row, (near, far) in enumerate(zip(mics, references, strict=True)):
            self._apm.process_reverse_stream(self._frame(far.tobytes(), SAMPLE_RATE, 1, BLOCK))
            frame = self._frame(near.tobytes(), SAMPLE_RATE, 1, BLOCK)
            self._apm.process_stream(frame)
            out[row] = np.frombuffer(frame.data, dtype=np.int16)
        return out.ravel()


CANCELLERS = {"speex": SpeexCanceller, "webrtc": WebRtcCanceller}


def available() -> list[str]:
    """The cancellers that load here (webrtc needs `pip install livekit`, speex the libspeexdsp1 package)."""
    names = []
    for name, make in CANCELLERS.items():
        try:
            make()
        except (ImportError, OSError) as error:
            print(f"{name}: not available ({error})")
            continue
        names.append(name)
    return names


def cancel(canceller: EchoCanceller, mic: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, float]:
    """The canceller's output, fed 30 ms at a time, and its CPU seconds per audio second."""
    mic, n = to_int16(mic), len(mic) // FRAME_SAMPLES * FRAME_SAMPLES
    out, cpu = [], 0.0
    for start in range(0, n, FRAME_SAMPLES):
        began = time.thread_time()
        out.append(canceller.process(mic[start:start + FRAME_SAMPLES], reference[start:start + FRAME_SAMPLES]))
        cpu += time.thread_time() - began
    return to_float(np.concatenate(out)).astype(np.float64), cpu / (n / SAMPLE_RATE)


def erle(echo_power: np.ndarray, out_power: np.ndarray, keep: np.ndarray) -> float:
    """10 log10(echo energy / output energy) over the frames in `keep`."""
    return float(10 * np.log10(echo_power[keep].sum() / max(out_power[keep].sum(), 1e-20)))


def echo_figures(echo: np.ndarray, out: np.ndarray) -> dict:
    """ERLE after CONVERGED_S and the seconds until a 0.5 s window first reaches 10 dB."""
    echo_power, out_power = frame_power(echo), frame_power(out)
    frames = len(out_power)
    echo_power = echo_power[:frames]
    audible = echo_power > echo_power.max() * 1e-4
    window = int(0.5 * SAMPLE_RATE / FRAME_SAMPLES)
    converged_s = None
    for first in range(frames - window):
        keep = np.zeros(frames, bool)
        keep[first:first + window] = True
        if (keep & audible).sum() >= window // 2 and erle(echo_power, out_power, keep & audible) >= 10.0:
            converged_s = round((first + window) * FRAME_SAMPLES / SAMPLE_RATE, 2)
            break
    settled = np.arange(frames) * FRAME_SAMPLES >= CONVERGED_S * SAMPLE_RATE
    return {"erle_db": round(erle(echo_power, out_power, audible & settled), 1), "converged_s": converged_s}


def says_stop(transcriber, samples: np.ndarray, start: int, end: int) -> bool:
    """Whether Whisper reads "stop" in the window around samples[start:end]."""
    window = samples[start - int(WINDOW_S[0] * SAMPLE_RATE):end + int(WINDOW_S[1] * SAMPLE_RATE)]
    return "stop" in re.findall(r"[a-z]+", transcriber.transcribe(to_int16(window)).text.lower())


def kept_db(word: np.ndarray, out: np.ndarray, start: int) -> float:
    """How much of the clean word is in the output (least-squares gain, dB), at the output's own lag (<= 20 ms)."""
    end, lags = start + len(word), range(0, int(0.02 * SAMPLE_RATE))
    gain = max(float(np.dot(out[start + lag:end + lag], word)) for lag in lags) / float(np.dot(word, word))
    return round(20 * np.log10(max(gain, 1e-6)), 1)


def stop_figures(near: np.ndarray, spans: list, mic: np.ndarray, outs: dict, transcriber) -> dict:
    """Per engine: stops Whisper reads after cancellation, the median share of the word kept and its level
    after; and, for comparison, stops read in the word alone (with the hiss) and in the raw microphone."""
    figures = {"clean": sum(says_stop(transcriber, near, s, e) for s, e, _ in spans),
               "raw": sum(says_stop(transcriber, mic, s, e) for s, e, _ in spans), "of": len(spans),
               "word_dbfs": round(float(np.median([dbfs(near[s:e]) for s, e, _ in spans])), 1)}
    for engine, out in outs.items():
        figures[engine] = {
            "heard": sum(says_stop(transcriber, out, s, e) for s, e, _ in spans),
            "kept_db": float(np.median([kept_db(near[s:e], out, s) for s, e, _ in spans])),
            "out_dbfs": round(float(np.median([dbfs(out[s:e]) for s, e, _ in spans])), 1)}
    return figures


def measure(far: np.ndarray, quick: bool) -> dict:
    """Figures for every engine that loads here: echo alone, then stops at a normal level and at the echo's."""
    engines = available()
    echo, hiss = echo_scene(far)
    results: dict = {}
    for engine in engines:
        out, cpu = cancel(CANCELLERS[engine](), echo + hiss, far)
        results[engine] = {**echo_figures(echo, out), "cpu_per_audio_s": round(cpu, 4)}
    transcriber = make_transcriber(SttSettings())
    levels = {"normal": 10 ** (NORMAL_DBFS / 20), "at_echo_level": active_rms(echo)}
    for level, rms in levels.items():
        near, spans = stop_words(len(far), rms, quick)
        mic = echo + near + hiss
        outs = {engine: cancel(CANCELLERS[engine](), mic, far)[0] for engine in engines}
        figures = stop_figures(near, spans, mic, outs, transcriber)
        results[f"stops_{level}"] = figures
    return results


def record_duplex(reference: Path, out: Path) -> None:
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


def measure_live(voice: np.ndarray, loopback_db: float = LOOPBACK_DB) -> dict:
    """Play `voice` (int16, 16 kHz) through a looped-back room; {"delay_ms" (the last measured),
    "erle_aligned_db", "erle_unaligned_db", "realigned" (how often the delay moved), "seconds"}."""
    lead = np.zeros(int(LIVE_LEAD_S * SAMPLE_RATE), np.int16)
    played = np.concatenate([lead, voice, lead])
    with tempfile.TemporaryDirectory() as folder, \
            Room(loopback_db=loopback_db, hiss_dbfs=HISS_DBFS, record=False) as room:
        reference, heard = Path(folder) / "reference.npy", Path(folder) / "mic.npy"
        np.save(reference, played)
        subprocess.run([sys.executable, "-m", "scripts.bench_echo", "--record", str(reference), str(heard)],
                       env=room.env, check=True, cwd=Path(__file__).resolve().parents[1], timeout=120)
        mic = np.load(heard)
    n = min(len(mic), len(played)) // FRAME_SAMPLES * FRAME_SAMPLES
    mic, played = mic[:n], played[:n]
    aligned = AlignedCanceller()
    out = cancel(aligned, mic, played)[0]
    if aligned.delay is None:
        return {"delay_ms": None, "erle_aligned_db": None, "erle_unaligned_db": None, "realigned": 0,
                "seconds": n / SAMPLE_RATE}
    mic_power = frame_power(to_float(mic))
    settled = np.arange(len(mic_power)) * FRAME_SAMPLES >= aligned.found_at + SETTLED_S * SAMPLE_RATE
    keep = settled & (mic_power > 10 ** (AUDIBLE_DBFS / 10))
    unaligned = cancel(SpeexCanceller(), mic, played)[0]
    return {"delay_ms": round(1000 * aligned.delay / SAMPLE_RATE, 1),
            "erle_aligned_db": round(erle(mic_power, frame_power(out), keep), 1),
            "erle_unaligned_db": round(erle(mic_power, frame_power(unaligned), keep), 1),
            "realigned": aligned.realigned, "seconds": n / SAMPLE_RATE}


def _print(results: dict, far: np.ndarray, echo_dbfs: float) -> None:
    print(f"far end {len(far) / SAMPLE_RATE:.1f} s, speech at {20 * np.log10(active_rms(far / 32768)):.1f} dBFS; "
          f"echo {DELAY_MS} ms late at {echo_dbfs:.1f} dBFS ({LOOPBACK_DB:+.0f} dB), RT60 {RT60_S} s, "
          f"hiss {HISS_DBFS:.0f} dBFS")
    engines = [key for key in results if not key.startswith("stops_")]
    print(f"{'canceller':10s} {'ERLE dB':>8s} {'conv. s':>8s} {'CPU s/s':>8s}")
    for engine in engines:
        r = results[engine]
        print(f"{engine:10s} {r['erle_db']:8.1f} {str(r['converged_s']):>8s} {r['cpu_per_audio_s']:8.4f}")
    for level in ("normal", "at_echo_level"):
        f = results[f"stops_{level}"]
        print(f"\"stop\" over Glimmer's voice, person {level.replace('_', ' ')} ({f['word_dbfs']:.1f} dBFS): "
              f"Whisper reads {f['clean']}/{f['of']} of the words alone, {f['raw']}/{f['of']} in the raw mic")
        for engine in engines:
            e = f[engine]
            print(f"    {engine:8s} reads {e['heard']}/{f['of']}; word kept {e['kept_db']:+.1f} dB, "
                  f"output over the word {e['out_dbfs']:.1f} dBFS")


def run(quick: bool = False) -> dict:
    """Measure every engine that loads here, print a table, return {"echo.<name>.<metric>": value}."""
    settings = replace(TtsSettings(), engine="hibari")
    far, _ = spoken(make_voice(settings), settings, PASSAGE)
    far = far[:len(far) // FRAME_SAMPLES * FRAME_SAMPLES]
    results = measure(far, quick)
    _print(results, far, 20 * np.log10(active_rms(echo_scene(far)[0])))
    flat = {}
    for name, figures in results.items():
        for key, value in figures.items():
            if isinstance(value, dict):
                flat.update({f"echo.{name}.{key}.{k}": v for k, v in value.items()})
            else:
                flat[f"echo.{name}.{key}"] = value
    live = measure_live(far, LOOPBACK_DB)
    print(f"  through PulseAudio, the speaker looped back at {LOOPBACK_DB:.0f} dB (scripts/live_room.py): echo "
          f"{live['delay_ms']} ms late; speex aligned to it removes {live['erle_aligned_db']} dB, "
          f"unaligned {live['erle_unaligned_db']} dB; the delay moved {live['realigned']} time(s)")
    flat.update({f"echo.live.{key}": value for key, value in live.items()})
    return flat


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four stops instead of ten")
    parser.add_argument("--record", nargs=2, type=Path, metavar=("REFERENCE", "OUT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.record:
        record_duplex(*arguments.record)
    else:
        run(arguments.quick)
