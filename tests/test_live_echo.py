"""Glimmer's voice looped back through a real sound server: the echo's delay is found and the echo cancelled."""

from scripts.bench_echo import PASSAGE
from scripts.live_echo import measure


def test_the_echo_through_pulseaudio_is_found_and_cancelled(synth):
    figures = measure(synth.hibari(PASSAGE, speed=0.85))
    assert figures["delay_ms"] is not None, figures
    # measured: found at 1.2-1.7 s; 15 dB removed aligned, 1 dB unaligned (speexdsp's tail is 0.3 s)
    assert 0 < figures["delay_ms"] < 2500 and figures["erle_aligned_db"] > 9 > 4 > figures["erle_unaligned_db"], figures
