"""Words the voice must not turn into others: heard back through the project's own transcriber."""

from assistant.audio.sinks import to_int16_16k
from assistant.config import SttSettings, TtsSettings
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import make_voice


def test_a_sentence_final_no_is_said_as_no_not_number():
    voice = make_voice(TtsSettings(engine="hibari"))
    samples, rate = voice.synthesize("Would you like to stay with it? You can say yes, or no.")
    heard = make_transcriber(SttSettings()).transcribe(to_int16_16k(samples, rate)).text.lower()
    assert "number" not in heard
    assert heard.rstrip(".!? ").endswith("no")
