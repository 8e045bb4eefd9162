"""`glimmer transcribe [--json] [--engine E] [--model DIR] FILE…`: write down what is said in WAV files."""

import argparse
import dataclasses
import json

ENGINE_CHOICES = ("auto", "whisper", "vosk", "pocketsphinx")


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `transcribe` subcommand."""
    parser = sub.add_parser("transcribe", parents=[common], help="write down what is said in WAV files",
                            description="Transcribe each WAV file (PCM or float, any rate and channels) "
                                        "with the configured speech engine. The file is cut into utterances "
                                        "as a live session would hear it: silence and steady noise give no "
                                        "text, and files of any length are read in constant memory.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="WAV files")
    parser.add_argument("--json", action="store_true",
                        help='one JSON line per file: {"file", "text", "words", "segments", "confidence", '
                             '"engine"}; segments: each utterance\'s start and end (s) and text')
    parser.add_argument("--engine", choices=ENGINE_CHOICES, help="override stt.engine")
    parser.add_argument("--model", metavar="DIR", help="override stt.model_path (a model folder)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    """Check every file's header first (a bad one fails before any model loads), then transcribe them in
    order."""
    from assistant.audio.wav import check_wav
    from assistant.speech.recording import transcribe_file
    from assistant.speech.transcribe import make_transcriber

    for path in args.files:
        check_wav(path)
    stt = dataclasses.replace(settings.stt, model_path=args.model) if args.model else settings.stt
    transcriber = make_transcriber(stt, args.engine)
    for path in args.files:
        transcript, segments = transcribe_file(path, transcriber, settings.listen)
        if args.json:
            print(json.dumps({"file": path, "text": transcript.text,
                              "words": [dataclasses.asdict(w) for w in transcript.words],
                              "segments": [dataclasses.asdict(s) for s in segments],
                              "confidence": transcript.confidence, "engine": transcriber.choice.engine},
                             ensure_ascii=False), flush=True)
        elif len(args.files) > 1:
            print(f"{path}: {transcript.text}", flush=True)
        else:
            print(transcript.text, flush=True)
    return 0
