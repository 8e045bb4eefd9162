"""The audio layer without hardware: WAV conversion, resampling, the simulated microphone, the WAV speaker."""

import stat
import wave

import numpy as np
import pytest

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, frames_of
from assistant.audio.resample import StreamResampler, resample
from assistant.audio.sinks import WavSink
from assistant.audio.sources import TurnFeeder
from assistant.audio.wav import read_wav, write_wav
from assistant.errors import GlimmerError


def _write_pcm(path, samples: np.ndarray, rate: int, channels: int, width: int = 2) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def test_44k1_stereo_becomes_16k_mono_frames(tmp_path, speak):
    speech = speak("The rain on the window sounded soothing.", seed=3)
    # Make a real 44.1 kHz stereo file of that speech: left and right slightly different.
    high = resample(speech.astype(np.float32) / 32768, SAMPLE_RATE, 44100)
    stereo = np.stack([high * 0.9, high * 0.7], axis=1)
    _write_pcm(tmp_path / "s.wav", (stereo * 32767).astype(np.int16), 44100, 2)
    mono = read_wav(tmp_path / "s.wav")
    assert mono.dtype == np.int16
    assert abs(len(mono) - len(speech)) <= 2
    frames = list(frames_of(mono))
    assert all(len(f) == FRAME_SAMPLES and f.dtype == np.int16 for f in frames)
    # The conversion keeps the speech: it lines up with the original at 0.8 of its level.
    n = min(len(mono), len(speech))
    corr = np.corrcoef(mono[:n].astype(float), speech[:n].astype(float))[0, 1]
    assert corr > 0.95


@pytest.mark.parametrize("rate, width", [(8000, 1), (22050, 2), (48000, 3), (32000, 4)])
def test_any_pcm_rate_and_width_is_accepted(tmp_path, rate, width):
    t = np.arange(rate) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    if width == 1:
        data = (tone * 127 + 128).astype(np.uint8)
    elif width == 2:
        data = (tone * 32767).astype(np.int16)
    elif width == 3:
        ints = (tone * (2 ** 23 - 1)).astype(np.int32)
        data = np.frombuffer(ints.astype("<i4").tobytes(), dtype=np.uint8).reshape(-1, 4)[:, :3].copy()
    else:
        data = (tone * (2 ** 31 - 1)).astype(np.int32)
    _write_pcm(tmp_path / "t.wav", data, rate, 1, width)
    out = read_wav(tmp_path / "t.wav")
    assert abs(len(out) - SAMPLE_RATE) <= 2
    assert abs(_dominant_hz(out, SAMPLE_RATE) - 440) < 3
    assert 0.3 < np.max(np.abs(out)) / 32768 < 0.55


def test_downsampling_removes_what_16k_cannot_hold():
    rate = 48000
    t = np.arange(rate) / rate
    above_nyquist = np.sin(2 * np.pi * 11000 * t).astype(np.float32)  # would alias to 5 kHz
    out = resample(above_nyquist, rate, SAMPLE_RATE)
    assert np.sqrt(np.mean(out[100:-100] ** 2)) < 0.01


def test_streaming_resampler_matches_whole_file_resampling():
    rate = 44100
    rng = np.random.default_rng(1)
    signal = np.sin(2 * np.pi * 300 * np.arange(rate) / rate).astype(np.float32) + 0.01 * rng.standard_normal(rate)
    stream = StreamResampler(rate, SAMPLE_RATE)
    pieces = [stream.process(signal[i:i + 1323]) for i in range(0, rate, 1323)]
    streamed = np.concatenate(pieces)
    assert SAMPLE_RATE - 0.03 * SAMPLE_RATE <= len(streamed) <= SAMPLE_RATE  # less only by the filter's delay
    assert abs(_dominant_hz(streamed, SAMPLE_RATE) - 300) < 2
    # No seams: the block joins are as smooth as the rest.
    assert np.max(np.abs(np.diff(streamed))) < 0.2


def test_non_audio_and_missing_files_are_one_clear_line(tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio")
    with pytest.raises(GlimmerError, match="notes.wav: not a PCM WAV file"):
        read_wav(text)
    with pytest.raises(GlimmerError, match="nowhere.wav: no such file"):
        read_wav(tmp_path / "nowhere.wav")


def test_turn_feeder_plays_each_turn_then_silence(tmp_path, speak):
    first = speak("Hey glimmer.", seed=1)
    write_wav(tmp_path / "one.wav", first)
    feeder = TurnFeeder([tmp_path / "one.wav", np.full(1000, 500, dtype=np.int16)])
    assert feeder.turns_left == 2
    assert feeder.begin_turn()
    heard = np.concatenate([feeder.read() for _ in range(len(first) // FRAME_SAMPLES + 20)])
    assert np.array_equal(heard[:len(first)], first)
    assert not np.any(heard[len(first):])  # silence after the turn
    assert feeder.begin_turn()  # the second turn starts fresh, whatever was left of the first
    assert np.all(feeder.read()[:1000 % FRAME_SAMPLES] == 500)
    assert not feeder.begin_turn()  # used up
    assert not np.any(feeder.read())


def test_turn_feeder_rejects_a_bad_turn_before_anything_starts(tmp_path):
    (tmp_path / "bad.wav").write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(GlimmerError, match="bad.wav"):
        TurnFeeder([tmp_path / "bad.wav"])


def test_wav_sink_writes_a_private_16k_file(tmp_path):
    sink = WavSink(tmp_path / "out" / "spoken.wav")
    sink.play(np.full(1600, 1000, dtype=np.int16))
    sink.play(np.zeros(800, dtype=np.int16))
    sink.wait_done()
    sink.close()
    out = tmp_path / "out" / "spoken.wav"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    samples = read_wav(out)
    assert len(samples) == 2400 and samples[0] == 1000 and samples[-1] == 0
