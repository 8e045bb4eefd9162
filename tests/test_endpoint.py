"""Endpointing on synthesized turns through the simulated microphone: pauses kept, ends on time, pre-roll."""

import itertools
import time

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE, frames_of, silence
from assistant.audio.rooms import noise
from assistant.audio.sources import TurnFeeder
from assistant.config import ListenSettings, SttSettings
from assistant.speech.endpoint import FRAME_S, TAIL_S, Due, Endpointer, Listener, Prompt, State
from assistant.speech.transcribe import make_transcriber
from assistant.speech.vad import Vad
from scripts.corpus import mix_at_snr
from tests.support.audio import trimmed

SETTINGS = ListenSettings()   # command 0.8 s, answer 2.2 s of silence


def listener_for(*parts: np.ndarray, settings: ListenSettings = SETTINGS) -> Listener:
    feeder = TurnFeeder([np.concatenate(parts)])
    feeder.begin_turn()
    return Listener(feeder, settings)


@pytest.fixture(scope="module")
def answer(speak):
    """Two halves of a reflective answer, each trimmed to its first and last sound."""
    return (trimmed(speak("I noticed the warm light on the kitchen table.", seed=2)),
            trimmed(speak("And it felt a little bit safe.", seed=2)))


def test_a_two_second_pause_inside_an_answer_is_kept(answer):
    first, second = answer
    listener = listener_for(silence(1.0), first, silence(2.0), second, silence(4.0))
    heard = listener.listen("answer", timeout_s=5.0)
    assert heard is not None
    speech_s = (len(first) + len(second)) / SAMPLE_RATE + 2.0
    assert len(heard) / SAMPLE_RATE >= speech_s          # both halves and the pause
    assert listener.last.speech_end_s == pytest.approx(1.0 + speech_s, abs=0.1)


def test_a_command_ends_at_the_shorter_silence(answer):
    first, second = answer
    listener = listener_for(silence(1.0), first, silence(2.0), second, silence(4.0))
    heard = listener.listen("command", timeout_s=5.0)
    assert heard is not None
    assert len(heard) / SAMPLE_RATE < len(first) / SAMPLE_RATE + 1.0   # only the first half


@pytest.mark.parametrize("kind", ["command", "answer"])
def test_ends_within_the_configured_silence_after_the_last_word(answer, kind):
    first, _ = answer
    listener = listener_for(silence(0.5), first, silence(5.0))
    assert listener.listen(kind, timeout_s=5.0) is not None
    last_word_end = 0.5 + len(first) / SAMPLE_RATE
    waited = listener.last.returned_s - last_word_end
    assert listener.silence_s(kind) - 0.05 - 1e-9 <= waited <= listener.silence_s(kind) + 0.15  # float sums


def test_words_right_after_the_wake_phrase_survive_through_preroll(speak):
    wake = trimmed(speak("Hey glimmer.", seed=4))
    command = trimmed(speak("Guide me through grounding please.", seed=4))
    turn = np.concatenate([silence(0.5), wake, silence(0.05), command, silence(2.0)])
    # The wake detector fired 0.3 s into the command: it hands over what it buffered after the phrase.
    handover = int((0.5 + 0.05 + 0.3) * SAMPLE_RATE) + len(wake)
    preroll = turn[int(0.5 * SAMPLE_RATE) + len(wake):handover]
    feeder = TurnFeeder([turn[handover:]])
    feeder.begin_turn()
    heard = Listener(feeder, SETTINGS).listen("command", timeout_s=3.0, preroll=preroll)
    assert heard is not None and len(heard) >= len(command)
    text = make_transcriber(SttSettings(), "whisper").transcribe(heard).text.lower()
    assert text.startswith("guide me"), text


def test_silence_until_the_timeout_gives_none():
    listener = listener_for(silence(3.0))
    assert listener.listen("answer", timeout_s=2.0) is None
    assert listener.last is None


def test_maximum_length_cuts_a_long_utterance(speak):
    talk = np.concatenate([trimmed(speak("I keep talking and talking about the garden and the light.", seed=1))] * 3)
    settings = ListenSettings(max_utterance_s=5.0)
    heard = listener_for(silence(0.5), talk, silence(3.0), settings=settings).listen("answer", timeout_s=5.0)
    assert heard is not None
    assert 5.0 <= len(heard) / SAMPLE_RATE <= 5.0 + settings.preroll_s + 0.2


def test_steady_noise_is_not_speech_and_costs_almost_nothing():
    hum = (noise("pink", 12 * SAMPLE_RATE, seed=3) * 0.03 * 32768).astype(np.int16)   # about -30 dBFS
    listener = listener_for(hum)
    started = time.process_time()
    assert listener.listen("answer", timeout_s=11.0) is None
    assert (time.process_time() - started) / 11.0 < 0.01   # CPU-s per audio-s


def test_speech_in_steady_noise_is_found(answer):
    first, _ = answer
    speech = np.concatenate([silence(3.0), first, silence(3.0)])
    listener = listener_for(mix_at_snr(speech, "pink", 12, seed=5))
    heard = listener.listen("command", timeout_s=6.0)
    assert heard is not None
    assert listener.last.start_s == pytest.approx(3.0, abs=0.3)


def _chime_echo() -> np.ndarray:
    """The listening chime as the microphone hears it from the speaker: 10 dB down."""
    from assistant.speech.earcons import earcon

    return (earcon("listening") * 0.3 * 32767).astype(np.int16)


@pytest.mark.parametrize("speech_at_s", [1.35, 2.2])
def test_the_chime_s_own_sound_is_dropped_unless_someone_spoke_over_it(answer, speech_at_s):
    # The chime is queued after 1.0 s of quiet and heard 0.25 s later; the answer starts over it or after it.
    first, _ = answer
    chime = _chime_echo()
    turn = silence(4.0 + len(first) / SAMPLE_RATE)
    turn[int(1.25 * SAMPLE_RATE):][:len(chime)] += chime
    turn[int(speech_at_s * SAMPLE_RATE):][:len(first)] += first
    listener = listener_for(turn, silence(3.0))
    played = []
    heard = listener.listen("answer", timeout_s=6.0, prompt=Prompt(1.0, lambda: played.append(True)))
    assert played and heard is not None
    begins_s = listener.last.speech_end_s - len(heard) / SAMPLE_RATE + TAIL_S
    if speech_at_s < 1.25 + len(chime) / SAMPLE_RATE:       # over the chime: all since it was queued is kept
        assert begins_s <= 1.05
    else:                                                   # after it: the chime is not in the audio
        assert begins_s >= 1.25 + len(chime) / SAMPLE_RATE


@pytest.mark.parametrize("late_s", [0.0, 1.5])
def test_a_chime_whose_echo_comes_late_is_still_its_own_sound(late_s):
    # Queued after 1.0 s of quiet; its echo reaches the microphone 0.25 s + `late_s` later. Told of the late
    # echo, the listener hears nobody; not told, it took the chime for the start of an answer.
    chime = _chime_echo()
    turn = silence(8.0)
    turn[int((1.25 + late_s) * SAMPLE_RATE):][:len(chime)] += chime
    for echo_delay_s, told in ((late_s, True), (0.0, late_s == 0.0)):
        listener = listener_for(turn)
        heard = listener.listen("answer", timeout_s=6.0, prompt=Prompt(1.0, lambda: None, echo_delay_s))
        assert (heard is None) == told, (echo_delay_s, late_s)


def test_the_endpointer_goes_quiet_starting_speaking_stopping_and_ends_at_the_silence(answer):
    first, _ = answer
    endpointer = Endpointer(Vad(), SETTINGS, SETTINGS.command_silence_s, timeout_s=5.0)
    frames = frames_of(np.concatenate([silence(0.5), first, silence(3.0)]))
    states = []
    while endpointer.due() is Due.FRAME:
        endpointer.feed(next(frames))
        states.append(endpointer.state)
    runs = [(state, len(list(run))) for state, run in itertools.groupby(states)]
    assert [state for state, _ in runs[:3]] == [State.QUIET, State.STARTING, State.SPEAKING]
    assert runs[-1] == (State.STOPPING, round(SETTINGS.command_silence_s / FRAME_S))
    assert endpointer.audio is not None and endpointer.endpoints.start_s == pytest.approx(0.5, abs=0.1)
