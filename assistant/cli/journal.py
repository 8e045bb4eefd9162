"""`glimmer journal`: your glimmers: list, search, add, delete, export and import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    p.add_argument("file", help="an export written by 'glimmer journal export' (json or csv)")
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
    from assistant.errors import GlimmerError
    from assistant.journal.export import import_entries, parse

    path = Path(args.file)
    fmt = "csv" if path.suffix.lower() == ".csv" else "json"
    try:
        text = sys.stdin.read() if args.file == "-" else path.read_text(encoding="utf-8")
    except OSError as err:
        raise GlimmerError(f"{path}: cannot read ({err.strerror})") from None
    entries = parse(text, fmt)
    with _open(settings) as journal:
        ids = import_entries(journal, entries)
    print(f"imported {len(ids)} glimmers", file=sys.stderr)
    return 0

