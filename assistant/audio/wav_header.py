"""The RIFF/WAVE header: where the samples are and how they are stored, or one line saying what is wrong.

Read by hand rather than with the `wave` module, which refuses WAVE_FORMAT_EXTENSIBLE (how most tools
write 24- and 32-bit files) and float samples. Accepted: integer PCM of 8, 16, 24 or 32 bits and 32-bit
float, any number of channels, MIN_RATE..MAX_RATE. A data size past the end of the file (a recording cut
short, or a streamed header that never got its size) is read as far as the file goes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE
INT_WIDTHS = (1, 2, 3, 4)      # bytes per integer sample
MIN_RATE, MAX_RATE = 1000, 768000


class BadWav(ValueError):
    """The file is not a WAV Glimmer can read; the message says why, in a few words."""


@dataclass(frozen=True)
class WavFormat:
    """How the samples are stored, and where."""

    rate: int
    channels: int
    width: int          # bytes per sample (one channel)
    is_float: bool
    data_offset: int    # where the samples start in the file
    data_frames: int    # whole frames of samples in the file

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame: one sample of every channel."""
        return self.channels * self.width


def read_header(handle: BinaryIO, file_size: int) -> WavFormat:
    """Walk the chunks up to the data chunk and return the format; BadWav when that cannot be done."""
    riff = handle.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:] != b"WAVE":
        raise BadWav("no RIFF/WAVE header")
    fmt: tuple[int, int, int, bool] | None = None
    while True:
        head = handle.read(8)
        if len(head) < 8:
            raise BadWav("no data chunk" if fmt else "no fmt chunk")
        chunk_id, size = head[:4], struct.unpack("<I", head[4:])[0]
        if chunk_id == b"data":
            if fmt is None:
                raise BadWav("data chunk before the fmt chunk")
            rate, channels, width, is_float = fmt
            offset = handle.tell()
            frames = min(size, max(0, file_size - offset)) // (channels * width)
            return WavFormat(rate, channels, width, is_float, offset, frames)
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(handle.read(min(size, 40)))
            handle.seek(size - min(size, 40), 1)
        else:
            handle.seek(size, 1)
        handle.seek(size & 1, 1)   # chunks are padded to an even size


def _parse_fmt(body: bytes) -> tuple[int, int, int, bool]:
    """(rate, channels, bytes per sample, float?) from a fmt chunk's body."""
    if len(body) < 16:
        raise BadWav("fmt chunk too short")
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == EXTENSIBLE:
        if len(body) < 40:
            raise BadWav("extensible fmt chunk too short")
        tag = struct.unpack("<H", body[24:26])[0]   # the sub-format GUID starts with the format tag
    if tag not in (PCM, FLOAT):
        raise BadWav(f"format {tag} is compressed, not PCM")
    if channels == 0:
        raise BadWav("0 channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise BadWav(f"sample rate {rate} Hz, expected {MIN_RATE}-{MAX_RATE}")
    width = (bits + 7) // 8
    if tag == FLOAT and bits != 32:
        raise BadWav(f"{bits}-bit float samples; use 32-bit float or PCM")
    if tag == PCM and width not in INT_WIDTHS:
        raise BadWav(f"{bits}-bit samples; use 8, 16, 24 or 32-bit PCM")
    if block_align != channels * width:
        raise BadWav(f"block align {block_align} for {channels} channel(s) of {bits} bits")
    return rate, channels, width, tag == FLOAT
