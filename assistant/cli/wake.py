"""`glimmer wake enroll | test`: a personal wake profile from the owner's own voice, and a check of it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import GlimmerError

if TYPE_CHECKING:                       # numpy loads in the handlers: `glimmer --help` stays light
    import numpy as np

TRIES = 3
TRY_SECONDS = 3.0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `wake` subcommand with `enroll` and `test`."""
    parser = sub.add_parser("wake", parents=[common], help="teach Glimmer your voice saying the wake phrase")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    enroll = actions.add_parser("enroll", parents=[common], help="record the phrase a few times (or give WAV "
                                "files) and keep a personal profile",
                                description="Say the wake phrase a few times (microphone), or give WAV files of "
                                            "it. Writes a private profile (0600) that 'run' and 'listen' use.")
    test = actions.add_parser("test", parents=[common], help="the score of each try against the threshold",
                              description="Score each try (live, or each WAV file) against the threshold, "
                                          "with the profile when there is one.")
    for p in (enroll, test):
        p.add_argument("files", nargs="*", metavar="FILE", help="WAV recordings of the phrase (else: microphone)")
        p.add_argument("--profile", metavar="PATH", help="profile file (default: beside the journal)")
    enroll.set_defaults(handler=run_enroll)
    test.set_defaults(handler=run_test)


def _recordings(args: argparse.Namespace, settings, prompt: str) -> list[tuple[str, np.ndarray]]:
    """(name, 16 kHz int16 audio) for each WAV file given, else TRIES tries from the microphone."""
    if args.files:
        from assistant.audio.wav import read_wav
        return [(f, read_wav(f)) for f in args.files]
    return list(_live_tries(settings, prompt))


def _live_tries(settings, prompt: str):
    """Glimmer asks in its calm voice, chimes, and records TRY_SECONDS for each try."""
    import numpy as np

    from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
    from assistant.audio.sinks import Speaker
    from assistant.audio.sources import Microphone
    from assistant.speech.tts import Narrator, make_voice

    speaker = Speaker(settings.audio.output_device)
    mic = Microphone(settings.audio.input_device, settings.audio.input_rate)
    narrator = Narrator(make_voice(settings.tts), speaker, settings.tts, settings.night)
    try:
        narrator.say(prompt)
        for k in range(TRIES):
            narrator.chime("listening")
            speaker.wait_done()
            mic.begin_turn()
            frames = [mic.read() for _ in range(int(TRY_SECONDS * SAMPLE_RATE / FRAME_SAMPLES))]
            yield f"try {k + 1}", np.concatenate(frames)
            if k < TRIES - 1:
                narrator.say("Thank you. Once more, whenever you're ready.")
    finally:
        mic.close()
        speaker.close()


def _profile_path(args: argparse.Namespace, settings) -> Path:
    from assistant.speech.wake_profile import default_path
    return Path(args.profile).expanduser() if args.profile else default_path(settings.journal.path)


def run_enroll(args: argparse.Namespace, settings) -> int:
    """Check each recording, keep templates of each usable one (as said, in noise, in a room), write the profile."""
    from assistant.speech.transcribe import make_transcriber
    from assistant.speech.wake import WakeDetector
    from assistant.speech.wake_enroll import (
        check_level,
        score_try,
        sounds_like_phrase,
        template_windows,
    )
    from assistant.speech.wake_profile import WakeProfile

    phrase = settings.wake.phrase
    detector = WakeDetector(settings.wake)
    transcriber = make_transcriber(settings.stt)
    windows: list[np.ndarray] = []
    usable = 0
    prompt = f"Let's help me learn your voice. After each soft tone, say '{phrase}', the way you usually would."
    for name, audio in _recordings(args, settings, prompt):
        check_level(audio, name)
        heard = transcriber.transcribe(audio).text
        attempt = score_try(detector, audio)
        if not (sounds_like_phrase(heard, phrase) or attempt.wakes):
            raise GlimmerError(f"{name}: that did not sound like '{phrase}' (heard: '{heard.strip()}'); "
                               "record it again")
        windows += template_windows(detector, audio, attempt)
        usable += 1
        print(f"{name}: ok (score {attempt.score:.2f} without the profile, threshold {detector.threshold:.2f})")
    if usable < 2:
        raise GlimmerError("need at least two recordings of the phrase for a profile")
    path = WakeProfile.from_windows(windows, phrase).save(
        _profile_path(args, settings))
    print(f"kept your wake profile: {path} (used by 'glimmer run' and 'glimmer listen'; "
          "check it with 'glimmer wake test')")
    return 0


def run_test(args: argparse.Namespace, settings) -> int:
    """Print each try's score against the threshold, and whether it wakes Glimmer."""
    from assistant.speech.wake import WakeDetector
    from assistant.speech.wake_enroll import check_level, score_try
    from assistant.speech.wake_profile import find

    profile = find(settings.journal.path, args.profile)
    detector = WakeDetector(settings.wake, profile=profile)
    print(f"threshold {detector.threshold:.2f}; profile: {'yes' if profile else 'none'}")
    failed = 0
    for name, audio in _recordings(args, settings, f"After each soft tone, say '{settings.wake.phrase}'."):
        try:
            check_level(audio, name)
        except GlimmerError as err:
            print(err, flush=True)
            failed += 1
            continue
        attempt = score_try(detector, audio)
        failed += not attempt.wakes
        outcome = "does not wake"
        if attempt.wakes:
            outcome = "wakes" if attempt.score >= detector.threshold else "wakes (your profile knew it; heard again)"
        print(f"{name}: score {attempt.score:.2f} -> {outcome}", flush=True)
    return 1 if failed else 0
