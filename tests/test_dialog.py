"""Half-duplex with a live microphone: what it captured while Glimmer spoke is never taken as an answer.

The fake is the hardware: a live microphone whose buffer already holds the echo of Glimmer's own prompt
when listening starts (as a real one does), and which, like the real Microphone, drops that buffer when a
turn begins. Everything else (voice, listener, transcriber) is real.
"""

from datetime import datetime

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, frames_of
from assistant.audio.sinks import WavSink
from assistant.config import Settings
from assistant.dialog import SpokenDialog
from assistant.duplex import HalfDuplex
from assistant.speech.endpoint import Listener
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import Narrator, make_voice


class EchoingMicrophone:
    """A live microphone that has been capturing the room, Glimmer's own voice included."""

    simulated = False
    turn_over = False

    def __init__(self, captured: np.ndarray) -> None:
        self.buffer = list(frames_of(captured))
        self.turns_begun = 0

    def begin_turn(self) -> bool:
        self.buffer.clear()
        self.turns_begun += 1
        return True

    def read(self) -> np.ndarray:
        return self.buffer.pop(0) if self.buffer else np.zeros(FRAME_SAMPLES, dtype=np.int16)

    def close(self) -> None:
        pass


def test_neither_a_pause_nor_a_question_hears_glimmers_own_voice(tmp_path, speak):
    settings = Settings()
    echo = speak("If you like, notice one thing you can see from where you are.", seed=0)
    events: list[dict] = []
    for step in ("pause", "listen"):
        mic = EchoingMicrophone(echo)
        narrator = Narrator(make_voice(settings.tts), WavSink(tmp_path / f"{step}.wav"), settings.tts, settings.night)
        dialog = SpokenDialog(HalfDuplex(mic, narrator.sink), narrator, Listener(mic, settings.listen),
                              make_transcriber(settings.stt), events.append)
        dialog.say("If you like, notice one thing you can see from where you are.")
        heard = (dialog.pause(3) if step == "pause" else dialog.listen("answer", 3)).text
        assert not heard
        assert mic.turns_begun == 1
    assert not [e for e in events if e["event"] == "heard"]


def test_slower_slows_the_voice_itself(tmp_path):
    from assistant.audio.sources import TurnFeeder
    from assistant.speech.pacing import words_per_minute

    settings = Settings()
    prompt = "You might notice one thing you can see. It can be small. There is no hurry at all."
    rates = []
    for slower_steps in (0, 1, 2):
        sink = WavSink(tmp_path / f"s{slower_steps}.wav")
        source = TurnFeeder([])
        narrator = Narrator(make_voice(settings.tts), sink, settings.tts, settings.night,
                            clock=lambda: datetime(2026, 1, 1, 12, 0))
        dialog = SpokenDialog(HalfDuplex(source, sink), narrator,
                              Listener(source, settings.listen), make_transcriber(settings.stt), lambda e: None)
        for _ in range(slower_steps):
            dialog.slower()
        dialog.say(prompt)
        rates.append(words_per_minute(prompt, sink.samples, 16000))
    assert rates[0] > rates[1] > rates[2]
    assert rates[2] >= 100  # slower, but never dragging
