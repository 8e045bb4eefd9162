"""The settings config.yaml can set: one frozen dataclass per section, each field with its doc and limits."""

from dataclasses import dataclass, field


def _opt(default, doc: str, choices: tuple = (), low: float | None = None, high: float | None = None,
         form: str = ""):
    """A settings field with its documentation and allowed values; `form` is "text" (never blank), "path"
    (never blank; `~` and `$VARS` expanded), "clock" (a time of day, HH:MM) or "prompt" (one sentence, or
    nothing)."""
    return field(default=default, metadata={"doc": doc, "choices": choices, "low": low, "high": high, "form": form})


@dataclass(frozen=True)
class AudioSettings:
    """Sound devices: by name substring (stable across reboots) or index; empty = system default."""

    input_device: str | int | None = _opt(None, "microphone name substring or index")
    output_device: str | int | None = _opt(None, "speaker name substring or index")
    input_rate: int | None = _opt(None, "capture rate; empty = the device's native rate", low=8000, high=192000)


@dataclass(frozen=True)
class WakeSettings:
    """The wake phrase and how readily it fires."""

    phrase: str = _opt("hey glimmer", "the wake phrase the detector was trained for", form="text")
    sensitivity: float = _opt(0.5, "0 = hardest to wake, 1 = easiest", low=0.0, high=1.0)
    refractory_s: float = _opt(2.0, "seconds after a detection in which no other fires", low=0.0, high=30.0)
    mute_tail_s: float = _opt(0.4, "seconds the wake path stays muted after playback ends", low=0.0, high=5.0)
    confirm: bool = _opt(True, "hear each wake again with Whisper tiny.en before answering (fewer false wakes "
                               "on near misses; about 0.25 s later)")


@dataclass(frozen=True)
class SttSettings:
    """Speech to text."""

    engine: str = _opt("auto", "transcriber", choices=("auto", "whisper", "vosk", "pocketsphinx"))
    model_path: str | None = _opt(None, "model folder for the engine; empty = the embedded or models/ one",
                                  form="path")
    beam_size: int = _opt(5, "whisper beam size (1 = fastest; 5: fewer errors for ~25% more CPU)", low=1, high=10)
    threads: int = _opt(1, "CPU threads for recognition", low=1, high=16)
    answer_prompt: str | None = _opt("Yesterday evening, we stopped and rested.",
                                     "whisper: earlier context for a second decode of journal answers, which may "
                                     "only restore a dropped -ed (the tense guard); empty = none", form="prompt")


@dataclass(frozen=True)
class ListenSettings:
    """When an utterance starts and ends."""

    command_silence_s: float = _opt(0.8, "silence that ends a short command", low=0.2, high=5.0)
    answer_silence_s: float = _opt(2.2, "silence that ends a glimmer or an answer", low=0.5, high=10.0)
    end_of_turn: bool = _opt(True, "after turn_check_s of silence, end an answer whose words sound finished; "
                                    "words said within keep_open_s join it (needs barge-in when live)")
    turn_check_s: float = _opt(0.7, "silence after which the end-of-turn judge decides", low=0.3, high=5.0)
    keep_open_s: float = _opt(3.0, "how long after its last word an answer that ended early may still go on",
                              low=0.5, high=10.0)
    turn_model: bool = _opt(False, "end_of_turn also asks the smart-turn model (models/smart-turn-v3.2-cpu.onnx)")
    answer_timeout_s: float = _opt(10.0, "how long to wait for an answer to start", low=2.0, high=120.0)
    max_utterance_s: float = _opt(45.0, "longest utterance kept", low=5.0, high=300.0)
    preroll_s: float = _opt(0.5, "audio kept from before speech starts", low=0.0, high=3.0)
    vad_aggressiveness: int = _opt(2, "voice activity filter, 0 = lenient .. 3 = strict", low=0, high=3)
    barge_in: bool = _opt(True, "hear stop and pause said over Glimmer's voice (needs libspeexdsp1)")


@dataclass(frozen=True)
class TtsSettings:
    """The voice."""

    engine: str = _opt("auto", "voice engine", choices=("auto", "hibari", "pyttsx3"))
    voice: str = _opt("", "voice name; empty = the engine's default (hibari: heart)")
    speed: float = _opt(0.8, "speaking speed (1.0 = the engine's normal pace)", low=0.5, high=1.5)
    volume: float = _opt(0.8, "0.0 .. 1.0", low=0.0, high=1.0)
    sentence_pause_s: float = _opt(0.8, "shortest silence between sentences", low=0.0, high=3.0)
    max_sentence_pause_s: float = _opt(1.5, "longest automatic silence between sentences", low=0.0, high=5.0)
    target_wpm: float = _opt(130.0, "calm pace over a prompt, pauses included (words/min)", low=90.0, high=200.0)
    pyttsx3_rate: float = _opt(160.0, "espeak-ng speaking rate for the pyttsx3 engine (its words/min)",
                               low=80.0, high=300.0)


@dataclass(frozen=True)
class NightSettings:
    """Quieter and slower between night hours."""

    enabled: bool = _opt(True, "use night mode")
    start: str = _opt("22:00", "night starts (HH:MM, local time)", form="clock")
    end: str = _opt("07:00", "night ends (HH:MM, local time)", form="clock")
    volume: float = _opt(0.5, "volume factor at night", low=0.0, high=1.0)
    speed: float = _opt(0.9, "speed factor at night", low=0.5, high=1.0)
    earcons: str = _opt("soft", "earcons at night", choices=("on", "soft", "off"))


@dataclass(frozen=True)
class JournalSettings:
    """Where glimmers are kept."""

    path: str = _opt("~/.local/share/glimmer/journal.db", "the journal database (private: 0600 in a 0700 folder)",
                     form="path")
    keep_audio: bool = _opt(False, "also keep the audio of each spoken glimmer beside the journal")


@dataclass(frozen=True)
class PracticesSettings:
    """Guided practices."""

    folder: str = _opt("~/.config/glimmer/practices", "your own practice YAML files, loaded beside the built-ins",
                       form="path")


@dataclass(frozen=True)
class SafetySettings:
    """What is said when someone is in distress."""

    crisis_line: str = _opt("988, the Suicide and Crisis Lifeline, by call or text",
                            "the crisis line spoken in a distress response; set your own country's", form="text")
    emergency_number: str = _opt("911", "emergency services number for immediate danger", form="text")


@dataclass(frozen=True)
class Settings:
    """Everything config.yaml can set."""

    audio: AudioSettings = field(default_factory=AudioSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    stt: SttSettings = field(default_factory=SttSettings)
    listen: ListenSettings = field(default_factory=ListenSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    night: NightSettings = field(default_factory=NightSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    practices: PracticesSettings = field(default_factory=PracticesSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)
