"""`glimmer transcribe [--json] [--engine E] [--model DIR] FILE…`: write down what is said in WAV files."""

import argparse
import dataclasses
import json

ENGINE_CHOICES = ("auto", "whisper", "vosk", "pocketsphinx")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `transcribe` subcommand."""
    parser = sub.add_parser("transcribe", parents=[common], help="write down what is said in WAV files",
                            description="Transcribe each WAV file (any PCM rate, mono or stereo) as one "
                                        "utterance with the configured speech engine.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="WAV files")
    parser.add_argument("--json", action="store_true",
                        help='one JSON line per file: {"file", "text", "words", "confidence", "engine"}')
    parser.add_argument("--engine", choices=ENGINE_CHOICES, help="override stt.engine")
    parser.add_argument("--model", metavar="DIR", help="override stt.model_path (a model folder)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:  # noqa: ANN001 (Settings, imported lazily)
    """Read every file first (a bad one fails before any model loads), then transcribe them in order."""
    from assistant.audio.wav import read_wav
    from assistant.speech.transcribe import make_transcriber

    audio = [(path, read_wav(path)) for path in args.files]
    stt = dataclasses.replace(settings.stt, model_path=args.model) if args.model else settings.stt
    transcriber = make_transcriber(stt, args.engine)
    for path, samples in audio:
        transcript = transcriber.transcribe(samples)
        if args.json:
            print(json.dumps({"file": path, "text": transcript.text,
                              "words": [dataclasses.asdict(w) for w in transcript.words],
                              "confidence": transcript.confidence, "engine": transcriber.choice.engine},
                             ensure_ascii=False), flush=True)
        elif len(audio) > 1:
            print(f"{path}: {transcript.text}", flush=True)
        else:
            print(transcript.text, flush=True)
    return 0
