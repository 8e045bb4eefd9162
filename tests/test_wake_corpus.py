"""The wake phrase's training data: near misses from the dictionary, the bench's confusables held out, and
pseudo-speakers that are the same on every rebuild."""

import numpy as np

import scripts.corpus as wc
import scripts.wake_data as wd
import scripts.wake_voices as wv


def _held_out_words() -> set[str]:
    """The word that makes each bench-only confusable ("hey, slimmer" -> "slimmer"), unless training has it."""
    trained = {w.strip(",.").lower() for phrase in wc.CONFUSABLES + wc.CONFUSABLES_HARD for w in phrase.split()}
    return {phrase.split()[-1].strip(",.").lower() for phrase in wc.CONFUSABLES_TEST_ONLY} - trained


def test_sound_alikes_are_near_glimmer_and_leave_the_bench_its_own():
    found = set(wc.sound_alikes())
    assert {"glitter", "dimmer", "clamor", "slipper", "trimmer"} <= found
    assert not {"glimmer", "glimmers", "glimmered"} & found
    assert not _held_out_words() & found            # "slimmer", "limber", "grammar", "swimmer" stay unseen
    assert not {"table", "window", "morning", "sister"} & found
    assert 40 <= len(found) <= 200


def test_no_training_text_holds_a_confusable_kept_for_the_bench():
    held_out = _held_out_words()
    assert held_out == {"timmy", "slimmer", "limber", "glenda", "grammar", "swimmer"}
    for kind in ("near", "more"):
        texts = wd._texts(kind, "train", 3000, seed=11)
        words = {w.strip(",.!?;:'\"").lower() for text in texts for w in text.split()}
        assert not held_out & words, kind
    near = wd._texts("near", "train", 3000, seed=11)
    assert sum(t.split()[-1].strip(".!").lower() in set(wc.sound_alikes()) for t in near) > 300
    assert len(set(near)) > 0.2 * len(near)
    assert np.mean([t.lower().startswith("hey") for t in near]) > 0.5


def test_a_pseudo_speaker_is_the_same_every_time():
    phrase = wc.hibari("Hey, Glimmer.", seed=3, speed=1.0)
    first, second = wv.speaker_shift(phrase, 0.9), wv.speaker_shift(phrase, 0.9)
    assert np.array_equal(first, second)                       # a rebuilt training cache is the same cache
    assert abs(first.size - phrase.size) < 0.02 * phrase.size    # tempo kept
    assert not np.allclose(first[: phrase.size // 2], phrase[: phrase.size // 2], atol=0.01)   # the voice moved
