"""`glimmer say TEXT [--output-wav F]`: speak text with the configured voice, at the calm pace."""

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `say` subcommand."""
    parser = sub.add_parser("say", parents=[common], help="speak text with the configured voice",
                            description="Speak TEXT with the configured voice, at the calm pace, to the speaker "
                                        "or into a WAV file. '[pause 3]' in TEXT is 3 s of silence (1 to 60 s).")
    parser.add_argument("text", nargs="+", metavar="TEXT", help="what to say")
    parser.add_argument("--output-wav", metavar="F", help="write the speech to this WAV file instead")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    """Speak, wait until it has really been played (or written), and exit."""
    from assistant.audio.sinks import Speaker, WavSink
    from assistant.speech.textprep import check_pauses
    from assistant.speech.tts import Narrator, make_voice

    text = " ".join(args.text)
    check_pauses(text)                  # before a file is written or a voice loaded
    file_sink = WavSink(args.output_wav) if args.output_wav else None   # a bad path fails before the voice loads
    voice = make_voice(settings.tts)
    sink = file_sink or Speaker(settings.audio.output_device)
    try:
        Narrator(voice, sink, settings.tts, settings.night).say(text)
        sink.wait_done()
    finally:
        sink.close()
    return 0
