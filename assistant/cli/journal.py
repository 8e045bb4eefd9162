"""`glimmer journal`: your glimmers: list, search, add, delete, play, export and import."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from assistant.errors import GlimmerError
from assistant.practices.steps import SENSES


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `journal` and its subcommands."""
    parser = sub.add_parser("journal", parents=[common], help="your glimmers: list, search, export, add, delete",
                            description="Your glimmers, kept only on this device.")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    p = actions.add_parser("list", parents=[common], help="show your glimmers, newest first")
    p.add_argument("--limit", type=int, metavar="N", help="only the N newest")
    p.set_defaults(handler=_list)

    p = actions.add_parser("search", parents=[common], help="find glimmers by their words")
    p.add_argument("query", nargs="+", help="words to look for (all must appear; 'sun' also finds 'sunlight')")
    p.set_defaults(handler=_search)

    p = actions.add_parser("add", parents=[common], help="write a glimmer down; '-' reads one per line from stdin")
    p.add_argument("text", help="the glimmer in your words, or - to read one glimmer per line from stdin")
    p.add_argument("--practice", help="the practice it came from")
    p.add_argument("--sense", action="append", default=[], choices=SENSES, metavar="SENSE",
                   help=f"a sense it touched: {', '.join(SENSES)} (repeatable)")
    p.add_argument("--calm-before", type=int, metavar="0-10", help="how calm you felt before")
    p.add_argument("--calm-after", type=int, metavar="0-10", help="how calm you felt after")
    p.set_defaults(handler=_add)

    p = actions.add_parser("delete", parents=[common], help="delete a glimmer for good (and its audio clip)")
    p.add_argument("id", type=int, help="the glimmer's number, as shown by list")
    p.set_defaults(handler=_delete)

    p = actions.add_parser("play", parents=[common], help="hear a glimmer's kept recording again")
    p.add_argument("id", type=int, help="the glimmer's number, as shown by list")
    p.add_argument("--output-wav", metavar="F", help="write the recording to this WAV file instead")
    p.set_defaults(handler=_play)

    p = actions.add_parser("export", parents=[common], help="write all your glimmers out as json, md or csv")
    p.add_argument("--format", choices=("json", "md", "csv"), default="json")
    p.add_argument("--out", metavar="FILE", help="write to FILE (private, 0600) instead of printing")
    p.set_defaults(handler=_export)

    p = actions.add_parser("import", parents=[common], help="bring back glimmers from a json or csv export")
    p.add_argument("file", help="an export written by 'glimmer journal export' (json, or csv when it ends in .csv)")
    p.add_argument("--dry-run", action="store_true", help="check the file and count what would be imported; "
                                                          "write nothing")
    p.set_defaults(handler=_import)


def _open(settings, **how):
    """The configured journal; `how`: Journal's create / writable / damaged_ok."""
    from assistant.journal.store import Journal

    return Journal(settings.journal.path, keep_audio=settings.journal.keep_audio, **how)


def _reading(settings, **how):
    """The journal opened only to read: it must exist already, and a full disk does not stop it."""
    return _open(settings, create=False, writable=False, **how)


def _line(entry) -> str:
    words = " / ".join(part.strip() for part in entry.text.splitlines() if part.strip())
    heard = f"\t(recording: glimmer journal play {entry.id})" if _clip(entry) else ""
    return f"{entry.id}\t{entry.created:%Y-%m-%d %H:%M}\t{words}{heard}"


def _clip(entry) -> Path | None:
    """The entry's kept recording, if it is still there."""
    return Path(entry.audio_path) if entry.audio_path and Path(entry.audio_path).is_file() else None


def _list(args: argparse.Namespace, settings) -> int:
    with _reading(settings) as journal:
        entries = journal.list(limit=args.limit)
    if not entries:
        print("No glimmers yet. Add one with: glimmer journal add \"the warm mug in my hands\"", file=sys.stderr)
    for entry in entries:
        print(_line(entry))
    return 0


def _search(args: argparse.Namespace, settings) -> int:
    query = " ".join(args.query)
    with _reading(settings) as journal:
        entries = journal.search(query)
    if not entries:
        print(f"No glimmers with {query!r}.", file=sys.stderr)
    for entry in entries:
        print(_line(entry))
    return 0


def _add(args: argparse.Namespace, settings) -> int:
    fields = {"practice": args.practice, "senses": args.sense,
              "calm_before": args.calm_before, "calm_after": args.calm_after}
    from assistant.journal.store import NotSaved

    with _open(settings) as journal:
        if args.text == "-":
            return _add_lines(journal, fields)
        try:
            print(journal.add(args.text, **fields))
        except NotSaved as err:
            raise GlimmerError(unsaved_advice(err)) from None
    return 0


def _add_lines(journal, fields: dict) -> int:
    """One glimmer per stdin line, each id printed once durable; a line that is not UTF-8 is named and skipped."""
    from assistant.journal.store import NotSaved

    skipped = []
    lines = enumerate(sys.stdin.buffer, start=1)
    for number, raw in lines:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            skipped.append(number)
            print(f"glimmer: line {number} is not UTF-8 text and was not saved; "
                  "save the file as UTF-8, then add that line again", file=sys.stderr, flush=True)
            continue
        if not line.strip():
            continue
        try:
            print(journal.add(line, **fields), flush=True)   # printed only after the durable commit
        except NotSaved as err:
            rest = [raw.decode("utf-8", "replace") for _, raw in lines if raw.strip()]
            if rest and err.kept:
                journal.keep_unsaved(rest)
            where = f"line {number}{' and the lines after it' if rest else ''}"
            raise GlimmerError(f"{where}: {unsaved_advice(err)}") from None
    return 1 if skipped else 0


def unsaved_advice(err) -> str:
    """NotSaved as one line: what happened, where the words are, what to do."""
    if err.kept is None:
        return f"{err}, and no copy could be kept either; free some space, then add them again"
    fix = "free some space" if err.full else "once the journal can be written"
    return (f"{err}; the words are kept in {err.kept} (private) — {fix}, "
            f"then run 'glimmer journal add - < {err.kept}' and delete that file")


def _delete(args: argparse.Namespace, settings) -> int:
    with _open(settings, create=False) as journal:
        if not journal.delete(args.id):
            raise GlimmerError(f"there is no glimmer number {args.id}; 'glimmer journal list' shows them")
    print(f"deleted {args.id}")
    return 0


def _play(args: argparse.Namespace, settings) -> int:
    """The recording kept with a glimmer, on the speaker or into a WAV file."""
    from assistant.audio.sinks import Speaker, WavSink
    from assistant.audio.wav import read_wav

    file_sink = WavSink(args.output_wav) if args.output_wav else None   # a bad path fails before anything else
    with _reading(settings) as journal:
        entry = journal.get(args.id)
    if entry is None:
        raise GlimmerError(f"there is no glimmer number {args.id}; 'glimmer journal list' shows them")
    clip = _clip(entry)
    if clip is None:
        raise GlimmerError(f"glimmer {args.id} has no recording: only its words are kept "
                           "(recordings are kept for spoken glimmers while journal.keep_audio is on)")
    sink = file_sink or Speaker(settings.audio.output_device)
    try:
        sink.play(read_wav(clip))
        sink.wait_done()
    finally:
        sink.close()
    return 0


def _export(args: argparse.Namespace, settings) -> int:
    """Every glimmer; from a damaged journal, every one that can still be read, and then a line saying so."""
    from assistant.journal.export import export
    from assistant.journal.files import write_private

    with _reading(settings, damaged_ok=True) as journal:
        if journal.damage:
            entries, lost = journal.readable()
            entries.sort(key=lambda e: (e.created, e.id))
        else:
            entries, lost = journal.list(oldest_first=True), False
        damage, path = journal.damage, journal.path
    document = export(entries, args.format)
    if args.out:
        replaced = write_private(Path(args.out), document)
        print(f"{args.out} (the file that was there is replaced by this new private one)" if replaced
              else args.out, file=sys.stderr)
    else:
        sys.stdout.write(document)
    if damage:
        raise GlimmerError(f"the journal at {path} is damaged ({damage}): exported the {len(entries)} glimmers "
                           f"that can still be read{'; some could not be read' if lost else ''}")
    return 0


def _import(args: argparse.Namespace, settings) -> int:
    """All or nothing: every entry is checked first, then all are kept in one transaction."""
    from assistant.journal.importer import read_export
    from assistant.journal.store import NotSaved

    name = "stdin" if args.file == "-" else args.file
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as err:
        raise GlimmerError(f"{name}: cannot read ({err.strerror})") from None
    found = read_export(name, data)
    for reject in found.rejects:
        print(f"glimmer: {reject}", file=sys.stderr)
    if found.rejects:
        count = len(found.rejects)
        raise GlimmerError(f"nothing imported: {count} of {found.total} entries in {name} cannot be kept; "
                           f"correct {'it' if count == 1 else 'them'} and import again")
    with _import_journal(settings, args.dry_run) as journal:
        try:
            ids = journal.put_all(found.entries, dry_run=args.dry_run)
        except NotSaved as err:   # e.g. a full disk: the transaction is rolled back, the file still holds the words
            fix = "free some space" if err.full else "once the journal can be written"
            raise GlimmerError(f"{err}; nothing was imported and the journal is as it was — {fix}, "
                               "then import again") from None
    kept = sum(entry_id is not None for entry_id in ids)
    skipped = f"{len(ids) - kept} already kept (same time and words)"
    print(f"dry run: would import {kept} glimmers; skip {skipped}; nothing written" if args.dry_run else
          f"imported {kept} glimmers; skipped {skipped}", file=sys.stderr)
    return 0


@contextmanager
def _import_journal(settings, dry_run: bool) -> Iterator:
    """The journal to import into; for a dry run with no journal yet, an empty one that is thrown away
    (after the same check of the journal's folder that the import itself would make)."""
    path = Path(settings.journal.path).expanduser().absolute()
    if not dry_run or os.path.lexists(path):   # a link or a folder there is refused by Journal, as on import
        with _open(settings) as journal:
            yield journal
        return
    from assistant.journal.files import private_folder
    from assistant.journal.store import Journal

    if path.parent.exists():
        private_folder(path.parent, create=False)
    with tempfile.TemporaryDirectory() as folder, Journal(Path(folder) / "dry-run.db") as journal:
        yield journal
