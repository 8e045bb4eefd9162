"""WAV files as other programs write them: every PCM width, float, extensible headers, many channels, odd
chunks, and broken headers, each read whole or in blocks, or refused in one line; and random and mutated
files (Hypothesis) through the reader and `glimmer transcribe`: a result or one line, never a traceback."""

import json
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.wav import read_wav, stream_wav
from assistant.errors import GlimmerError

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def encode(audio: np.ndarray, bits: int, is_float: bool = False) -> bytes:
    """Float samples in [-1, 1] (frames x channels) as little-endian PCM or float bytes."""
    if is_float:
        return audio.astype("<f4").tobytes()
    if bits == 8:
        return np.round(audio * 127 + 128).astype(np.uint8).tobytes()
    ints = np.round(audio * (2 ** (bits - 1) - 1)).astype("<i4")
    if bits == 24:
        return np.frombuffer(ints.tobytes(), dtype=np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return ints.astype("<i2" if bits == 16 else "<i4").tobytes()


def wav_bytes(audio: np.ndarray, rate: int, bits: int, is_float: bool = False, extensible: bool = False,
              data_size: int | None = None, before_data: bytes = b"") -> bytes:
    """A WAV file of `audio` (frames x channels, floats in [-1, 1]) as another program would write it."""
    channels = audio.shape[1]
    tag = FLOAT if is_float else PCM
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", EXTENSIBLE if extensible else tag, channels, rate, rate * align, align, bits)
    if extensible:
        fmt += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", tag) + _GUID_TAIL
    data = encode(audio, bits, is_float)
    size = len(data) if data_size is None else data_size
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + before_data
    body += b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(rate: int, channels: int, seconds: float = 1.0, level: float = 0.5) -> np.ndarray:
    """A 440 Hz tone in every channel (quieter in each further channel)."""
    t = np.arange(int(rate * seconds)) / rate
    wave = level * np.sin(2 * np.pi * 440 * t)
    return np.stack([wave * (1 - 0.1 * c) for c in range(channels)], axis=1)


def _dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)[np.argmax(spectrum)])


@pytest.mark.parametrize("bits, is_float, extensible, channels, rate", [
    (24, False, True, 2, 44100),    # what sox, ffmpeg and most recorders write for 24 bits
    (32, False, True, 1, 16000),
    (32, True, False, 1, 22050),    # plain IEEE float
    (32, True, True, 6, 48000),     # extensible float, 5.1
    (16, False, True, 4, 96000),
    (8, False, False, 3, 8000),
    (24, False, False, 1, 11025),
])
def test_pcm_and_float_wavs_of_any_width_channels_and_rate(tmp_path, bits, is_float, extensible, channels, rate):
    path = tmp_path / "t.wav"
    path.write_bytes(wav_bytes(tone(rate, channels), rate, bits, is_float, extensible))
    whole = read_wav(path)
    assert abs(len(whole) - SAMPLE_RATE) <= 2
    assert abs(_dominant_hz(whole) - 440) < 3
    expected = 0.5 * np.mean([1 - 0.1 * c for c in range(channels)])   # the channels' mean
    assert abs(np.max(np.abs(whole)) / 32768 - expected) < 0.02
    assert np.array_equal(np.concatenate(list(stream_wav(path, seconds=0.37))), whole)


def test_other_chunks_and_an_unknown_data_size_are_read_through(tmp_path):
    audio = tone(16000, 1, level=0.25)
    exact = read_wav(_write(tmp_path / "exact.wav", wav_bytes(audio, 16000, 16)))
    listed = wav_bytes(audio, 16000, 16, before_data=b"LIST" + struct.pack("<I", 5) + b"info\x00\x00")
    assert np.array_equal(read_wav(_write(tmp_path / "list.wav", listed)), exact)
    streamed = wav_bytes(audio, 16000, 16, data_size=0xFFFFFFFF)   # a header written before the end
    assert np.array_equal(read_wav(_write(tmp_path / "streamed.wav", streamed)), exact)
    cut = wav_bytes(audio, 16000, 16)[: 44 + 16001]                 # cut short, mid-sample
    assert np.array_equal(read_wav(_write(tmp_path / "cut.wav", cut)), exact[:8000])


@pytest.mark.parametrize("field, value, says", [
    (24, 0, "sample rate 0 Hz"),
    (24, 10, "sample rate 10 Hz"),
    (22, 0, "0 channels"),
    (34, 20, "block align 2 for 1 channel(s) of 20 bits"),
    (34, 0, "0-bit samples"),
    (32, 4, "block align 4"),
    (20, 2, "format 2 is compressed"),
])
def test_a_broken_header_is_one_line_naming_the_file_and_the_fault(tmp_path, field, value, says):
    data = bytearray(wav_bytes(tone(16000, 1, 0.1), 16000, 16))
    struct.pack_into("<I" if field == 24 else "<H", data, field, value)
    path = _write(tmp_path / "broken.wav", bytes(data))
    with pytest.raises(GlimmerError) as err:
        read_wav(path)
    assert str(path) in str(err.value) and says in str(err.value) and "\n" not in str(err.value)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


# ---- random and mutated files ------------------------------------------------------------------------

HEADER_FIELDS = {"riff size": (4, "<I"), "fmt size": (16, "<I"), "format": (20, "<H"), "channels": (22, "<H"),
                 "rate": (24, "<I"), "byte rate": (28, "<I"), "block align": (32, "<H"), "bits": (34, "<H")}


@st.composite
def valid_wavs(draw: st.DrawFn) -> bytes:
    """A valid WAV of random noise: any width, float or not, plain or extensible, 1-6 channels, any rate."""
    bits, is_float = draw(st.sampled_from([(8, False), (16, False), (24, False), (32, False), (32, True)]))
    rate = draw(st.sampled_from([8000, 16000, 22050, 44100, 48000]) | st.integers(1000, 768000))
    shape = (draw(st.integers(0, 800)), draw(st.integers(1, 6)))
    audio = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))).uniform(-1, 1, shape)
    return wav_bytes(audio, rate, bits, is_float, extensible=draw(st.booleans()))


@st.composite
def faulty_wavs(draw: st.DrawFn) -> bytes:
    """A valid WAV with one header field or the data size set to anything, cut short, with bytes overwritten,
    or random bytes (with or without a RIFF/WAVE header)."""
    data = bytearray(draw(valid_wavs()))
    fault = draw(st.sampled_from(["field", "data size", "cut", "overwrite", "random"]))
    if fault == "field":
        offset, form = HEADER_FIELDS[draw(st.sampled_from(sorted(HEADER_FIELDS)))]
        top = 2 ** (8 * struct.calcsize(form)) - 1
        struct.pack_into(form, data, offset, draw(st.sampled_from([0, 1, 3, top]) | st.integers(0, top)))
    elif fault == "data size":
        struct.pack_into("<I", data, data.index(b"data") + 4, draw(st.integers(0, 2 ** 32 - 1)))
    elif fault == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif fault == "overwrite":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, min(len(data), 80) - 1))] = draw(st.integers(0, 255))
    else:
        data = bytearray(draw(st.sampled_from([b"", b"RIFF\xff\xff\xff\xffWAVE"])) + draw(st.binary(max_size=400)))
    return bytes(data)


@pytest.mark.filterwarnings("error")
@settings(max_examples=400, deadline=2000, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=faulty_wavs())
def test_any_file_reads_or_is_refused_in_one_line(tmp_path, data):
    path = _write(tmp_path / "fuzz.wav", data)
    try:
        whole = read_wav(path)
    except GlimmerError as err:
        assert str(path) in str(err) and "\n" not in str(err)
        return
    assert whole.dtype == np.int16
    assert np.array_equal(np.concatenate([np.zeros(0, np.int16), *stream_wav(path, seconds=0.01)]), whole)


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=faulty_wavs())
def test_transcribe_on_any_file_gives_a_result_or_one_line(glimmer, tmp_path, data):
    path = _write(tmp_path / "fuzz.wav", data)
    result = glimmer("transcribe", "--json", str(path), timeout=60)
    assert "Traceback" not in result.stderr
    if result.returncode:
        assert result.returncode == 1 and result.stderr.count("\n") == 1 and str(path) in result.stderr
    else:
        assert result.stdout.count("\n") == 1 and json.loads(result.stdout)["file"] == str(path)
