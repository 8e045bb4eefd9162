"""Glimmer's voice looped back through a real sound server: the echo's delay is found and the echo cancelled."""

from scripts.bench_echo import PASSAGE, measure_live


def test_the_echo_through_pulseaudio_is_found_and_cancelled(synth):
    figures = measure_live(synth.hibari(PASSAGE, speed=0.85))
    assert figures["delay_ms"] is not None, figures
    # measured: the echo came 1.2-1.7 s late on one machine (unaligned speex, whose filter is 0.3 s long, then
    # removes 1 dB) and 0.17 s late on another (both 17 dB); aligned, 15-19 dB is removed either way
    assert 0 < figures["delay_ms"] < 2500 and figures["erle_aligned_db"] > 9, figures
    assert figures["erle_aligned_db"] > figures["erle_unaligned_db"] - 1.5, figures
