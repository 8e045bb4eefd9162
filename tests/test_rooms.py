"""The one converter to int16 and the one way to put a sound in a room: noise at an SNR, reverberation."""

import numpy as np
import pytest

from assistant.audio.frames import to_float, to_int16
from assistant.audio.rooms import add_noise, noise, reverberant


def test_full_scale_floats_never_overflow_and_int16_round_trips_exactly():
    assert to_int16(np.array([-1.5, -1.0, 0.0, 1.0, 1.5], dtype=np.float32)).tolist() == [
        -32768, -32768, 0, 32767, 32767]
    every = np.arange(-32768, 32768, dtype=np.int16)
    assert np.array_equal(to_int16(to_float(every)), every)


@pytest.mark.parametrize("kind", ["white", "pink", "brown"])
def test_noise_has_unit_level_and_its_colour(kind):
    x = noise(kind, 2 ** 16, seed=1)
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    low, high = spectrum[100:1000].mean(), spectrum[10000:20000].mean()
    assert abs(float(np.sqrt(np.mean(x ** 2))) - 1.0) < 1e-3
    assert {"white": 0.7 < low / high < 1.4, "pink": 15 < low / high < 80, "brown": low / high > 200}[kind]


def test_noise_is_mixed_at_the_asked_snr_over_the_speech_not_its_pauses(speak):
    speech = to_float(np.concatenate([np.zeros(16000, np.int16), speak("A cup of warm tea.", seed=3)]))
    noisy = add_noise(speech, "pink", 10.0, seed=np.random.default_rng(0))
    voiced = np.abs(speech) > 0.02 * np.abs(speech).max()
    snr = 20 * np.log10(np.sqrt(np.mean(speech[voiced] ** 2)) / np.sqrt(np.mean((noisy - speech) ** 2)))
    assert abs(snr - 10.0) < 0.1


def test_a_room_keeps_the_energy_and_smears_the_sound_out(speak):
    dry = to_float(speak("Hey glimmer.", seed=4))
    wet = reverberant(np.random.default_rng(0), dry, rt60=0.6)
    assert wet.shape == dry.shape and abs(np.sum(wet ** 2) / np.sum(dry ** 2) - 1.0) < 1e-3
    tail = slice(-1600, None)                       # the last 0.1 s: the dry voice has ended, the room rings on
    assert np.sqrt(np.mean(wet[tail] ** 2)) > 3 * np.sqrt(np.mean(dry[tail] ** 2))
