"""`glimmer journal`: your glimmers: list, search, add, delete, export and import."""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


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
    p.add_argument("--sense", action="append", default=[], metavar="SENSE",
                   help="a sense it touched: sight, sound, touch, smell, taste, body, connection (repeatable)")
    p.add_argument("--calm-before", type=int, metavar="0-10", help="how calm you felt before")
    p.add_argument("--calm-after", type=int, metavar="0-10", help="how calm you felt after")
    p.set_defaults(handler=_add)

    p = actions.add_parser("delete", parents=[common], help="delete a glimmer for good (and its audio clip)")
    p.add_argument("id", type=int, help="the glimmer's number, as shown by list")
    p.set_defaults(handler=_delete)

    p = actions.add_parser("export", parents=[common], help="write all your glimmers out as json, md or csv")
    p.add_argument("--format", choices=("json", "md", "csv"), default="json")
    p.add_argument("--out", metavar="FILE", help="write to FILE (private, 0600) instead of printing")
    p.set_defaults(handler=_export)

    p = actions.add_parser("import", parents=[common], help="bring back glimmers from a json or csv export")
    p.add_argument("file", help="an export written by 'glimmer journal export' (json, or csv when it ends in .csv)")
    p.add_argument("--dry-run", action="store_true", help="check the file and count what would be imported; "
                                                          "write nothing")
    p.set_defaults(handler=_import)


def _open(settings):
    from assistant.journal.store import Journal

    return Journal(settings.journal.path, keep_audio=settings.journal.keep_audio)


def _line(entry) -> str:
    words = " / ".join(part.strip() for part in entry.text.splitlines() if part.strip())
    return f"{entry.id}\t{entry.created:%Y-%m-%d %H:%M}\t{words}"


def _list(args: argparse.Namespace, settings) -> int:
    with _open(settings) as journal:
        entries = journal.list(limit=args.limit)
    if not entries:
        print("No glimmers yet. Add one with: glimmer journal add \"the warm mug in my hands\"", file=sys.stderr)
    for entry in entries:
        print(_line(entry))
    return 0


def _search(args: argparse.Namespace, settings) -> int:
    query = " ".join(args.query)
    with _open(settings) as journal:
        entries = journal.search(query)
    if not entries:
        print(f"No glimmers with {query!r}.", file=sys.stderr)
    for entry in entries:
        print(_line(entry))
    return 0


def _add(args: argparse.Namespace, settings) -> int:
    fields = {"practice": args.practice, "senses": args.sense,
              "calm_before": args.calm_before, "calm_after": args.calm_after}
    with _open(settings) as journal:
        if args.text != "-":
            print(journal.add(args.text, **fields))
            return 0
        for line in sys.stdin:
            if line.strip():
                print(journal.add(line, **fields), flush=True)   # printed only after the durable commit
    return 0


def _delete(args: argparse.Namespace, settings) -> int:
    from assistant.errors import GlimmerError

    with _open(settings) as journal:
        if not journal.delete(args.id):
            raise GlimmerError(f"there is no glimmer number {args.id}; 'glimmer journal list' shows them")
    print(f"deleted {args.id}")
    return 0


def _export(args: argparse.Namespace, settings) -> int:
    from assistant.journal.export import export, write_private

    with _open(settings) as journal:
        document = export(journal.list(oldest_first=True), args.format)
    if args.out:
        write_private(Path(args.out), document)
        print(args.out, file=sys.stderr)
    else:
        sys.stdout.write(document)
    return 0


def _import(args: argparse.Namespace, settings) -> int:
    """All or nothing: every entry is checked first, then all are kept in one transaction."""
    from assistant.errors import GlimmerError
    from assistant.journal.importer import read_export

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
        ids = journal.put_all(found.entries, dry_run=args.dry_run)
    kept = sum(entry_id is not None for entry_id in ids)
    skipped = f"{len(ids) - kept} already kept (same time and words)"
    print(f"dry run: would import {kept} glimmers; skip {skipped}; nothing written" if args.dry_run else
          f"imported {kept} glimmers; skipped {skipped}", file=sys.stderr)
    return 0


@contextmanager
def _import_journal(settings, dry_run: bool) -> Iterator:
    """The journal to import into; for a dry run with no journal yet, an empty one that is thrown away."""
    if not dry_run or Path(settings.journal.path).expanduser().exists():
        with _open(settings) as journal:
            yield journal
        return
    from assistant.journal.store import Journal

    with tempfile.TemporaryDirectory() as folder, Journal(Path(folder) / "dry-run.db") as journal:
        yield journal
