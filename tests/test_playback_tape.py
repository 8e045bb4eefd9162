"""The speaker's tape: what left the speaker when, sample-exact however late the callbacks come."""

import time

import numpy as np

from assistant.audio.playback_tape import MAX_QUEUED_S, PlaybackTape

RATE = 16000
BLOCK = 800   # 50 ms


def _played(tape: PlaybackTape, start: float, samples: np.ndarray, jitter_s: float = 0.0, seed: int = 0) -> None:
    """Hand `samples` to the tape block by block, each stamped up to `jitter_s` late, as the callback does."""
    rng = np.random.default_rng(seed)
    for first in range(0, len(samples), BLOCK):
        tape.played(start + first / RATE + rng.uniform(0, jitter_s), samples[first:first + BLOCK])


def test_samples_are_found_by_when_they_left_the_speaker_despite_late_callbacks():
    tape = PlaybackTape(RATE)
    ramp = (np.arange(4 * RATE) / (4 * RATE) * 0.5).astype(np.float32)
    _played(tape, 100.0, ramp, jitter_s=0.04)
    tape.update()
    got = tape.at(101.0, 480) / 32767
    assert np.allclose(got, ramp[RATE:RATE + 480], atol=1e-3)
    assert not tape.at(99.0, 480).any() and not tape.at(110.0, 480).any()   # before and after: silence


def test_a_break_in_the_stream_starts_a_new_stretch_and_the_last_one_stays_readable():
    tape = PlaybackTape(RATE)
    _played(tape, 100.0, np.full(RATE, 0.25, np.float32))
    _played(tape, 105.0, np.full(RATE, -0.25, np.float32))   # five seconds later, not one
    tape.update()
    assert tape.at(105.2, 100).mean() < -8000 and tape.at(100.2, 100).mean() > 8000
    assert not tape.at(103.0, 100).any()


def test_after_an_underrun_the_rest_is_placed_where_it_really_played():
    """The device ran dry for 60 ms (less than a stream that lost blocks would be off by): what follows
    played that much later than the sample count puts it, and its echo is looked for there."""
    tape = PlaybackTape(RATE)
    _played(tape, 100.0, np.full(RATE, 0.25, np.float32), jitter_s=0.02)
    tape.played(101.06, np.full(BLOCK, -0.25, np.float32), after_underrun=True)
    _played(tape, 101.06 + BLOCK / RATE, np.full(RATE, -0.25, np.float32), jitter_s=0.02, seed=1)
    tape.update()
    assert tape.at(100.9, 100).mean() > 8000                  # before the underrun: as it was
    assert not tape.at(101.01, 400).any()                     # the gap: silence
    assert tape.at(101.07, 400).mean() < -8000                # after it: 60 ms later than counted


def test_undrained_blocks_stop_being_kept():
    tape = PlaybackTape(RATE)
    _played(tape, 0.0, np.zeros(int((MAX_QUEUED_S + 2) * RATE), np.float32))
    assert tape.dropped == 2 * RATE // BLOCK


def test_the_sentences_playing_at_a_moment():
    tape, now = PlaybackTape(RATE), time.monotonic()
    tape.spoke(now, now + 2.0, "You can say stop at any time.")
    tape.spoke(now + 2.5, now + 4.0, "Notice your breath.")
    tape.spoke(now - 60.0, now - 58.0, "Long ago.")
    tape.update()
    assert [text for _, _, text in tape.spoken_between(now + 1.5, now + 1.8)] == ["You can say stop at any time."]
    assert [text for _, _, text in tape.spoken_between(now + 1.9, now + 2.6)] == [
        "You can say stop at any time.", "Notice your breath."]
    assert tape.spoken_between(now - 60.0, now - 50.0) == []   # older than the tape's history
