"""Half-duplex and the one VAD: turns pass between Glimmer and the person in one place, and the noise floor
learned while listening for the wake phrase is the one the endpointer starts with. Real engines; the only
fake is a live microphone's hardware."""

import itertools

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, silence
from assistant.audio.sinks import WavSink
from assistant.audio.sources import TurnFeeder
from assistant.config import ListenSettings, SttSettings, WakeSettings
from assistant.duplex import TURN_GRACE_S, HalfDuplex
from assistant.intents import parse_intent
from assistant.speech.endpoint import Listener
from assistant.speech.transcribe import make_transcriber
from assistant.speech.vad import Vad
from assistant.speech.wake import WakeDetector
from scripts.corpus import mix_at_snr
from tests.test_endpoint import trimmed


class LiveMicrophone:
    """A live microphone's hardware: a room that is never over, and turns that only drop what it caught."""

    simulated = False
    turn_over = False

    def __init__(self) -> None:
        self.turns_begun = 0

    def begin_turn(self) -> bool:
        self.turns_begun += 1
        return True

    def read(self) -> np.ndarray:
        return np.zeros(FRAME_SAMPLES, dtype=np.int16)

    def close(self) -> None:
        pass


def test_a_simulated_wake_turn_ends_a_grace_after_its_audio_and_the_turns_run_out(tmp_path):
    turn = silence(1.0)
    duplex = HalfDuplex(TurnFeeder([turn, turn]), WavSink(tmp_path / "out.wav"))
    for _ in range(2):
        assert duplex.next_wake_turn()
        frames = sum(1 for _ in duplex.wake_turn_frames())
        assert frames == len(turn) // FRAME_SAMPLES + round(TURN_GRACE_S * SAMPLE_RATE / FRAME_SAMPLES)
    assert not duplex.next_wake_turn()


def test_a_live_wake_turn_never_ends_and_a_pause_drops_the_echo_too(tmp_path):
    mic = LiveMicrophone()
    duplex = HalfDuplex(mic, WavSink(tmp_path / "out.wav"))
    assert duplex.next_wake_turn()
    assert sum(1 for _ in itertools.islice(duplex.wake_turn_frames(), 3000)) == 3000
    duplex.ready_to_listen(new_turn=False)
    assert mic.turns_begun == 2


def test_the_floor_learned_while_idle_finds_words_right_after_the_wake_phrase(speak):
    # Steady pink noise, then the wake phrase and a request in the same breath, 12 dB above the noise.
    wake = trimmed(speak("Hey glimmer.", seed=4))
    command = trimmed(speak("Guide me through grounding please.", seed=4))
    turn = mix_at_snr(np.concatenate([silence(2.0), wake, silence(0.05), command, silence(2.5)]), "pink", 12, seed=5)
    vad = Vad()
    detector = WakeDetector(WakeSettings(), vad=vad)
    source = TurnFeeder([turn])
    source.begin_turn()
    while (detection := detector.feed(source.read())) is None:
        assert not source.turn_over
    listener = Listener(source, ListenSettings(), vad=vad)
    tail = detector.tail
    heard = listener.listen("command", timeout_s=3.0, preroll=tail)
    assert heard is not None
    # found where the request starts in the hand-over itself: the room's floor was already known
    request_in_tail_s = (2.0 + len(wake) / SAMPLE_RATE + 0.05) - (detection.t - len(tail) / SAMPLE_RATE)
    assert listener.last.start_s <= max(0.0, request_in_tail_s) + 0.1, (listener.last, request_in_tail_s)
    text = make_transcriber(SttSettings(), "whisper").transcribe(heard).text.lower()
    words = text.replace(",", "").replace(".", "").split()
    assert words[0].startswith("guide") and words[1:] == ["me", "through", "grounding", "please"], text
    assert parse_intent(text).name == "ground", text
