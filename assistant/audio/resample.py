"""Band-limited resampling with numpy only (windowed-sinc low-pass, then interpolation)."""

import numpy as np


def _lowpass_kernel(cutoff: float, taps: int = 63) -> np.ndarray:
    """A Hann-windowed sinc low-pass with `cutoff` as a fraction of the sample rate (0..0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hanning(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Float32 `samples` at `src_rate` resampled to `dst_rate` (anti-aliased when going down)."""
    x = np.asarray(samples, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x
    if dst_rate < src_rate:
        # Keep 90 % of the new Nyquist band; the filter's skirt stays below the alias point.
        x = np.convolve(x, _lowpass_kernel(0.45 * dst_rate / src_rate), mode="same").astype(np.float32)
    n_out = int(round(len(x) * dst_rate / src_rate))
    t_out = np.arange(n_out, dtype=np.float64) * (src_rate / dst_rate)
    return np.interp(t_out, np.arange(len(x)), x).astype(np.float32)
