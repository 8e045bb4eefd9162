"""`glimmer report`: one offline HTML page of your glimmers, with charts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `report` subcommand."""
    parser = sub.add_parser("report", parents=[common], help="an offline HTML page of your glimmers, with charts",
                            description="Write one self-contained HTML page (no internet needed) with your "
                                        "glimmers and a few gentle charts. Open it in any browser.")
    parser.add_argument("--out", metavar="FILE.html",
                        help="where to write it (default: report.html beside the journal, in its private folder)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    """Write the report and print where it is."""
    from assistant.journal.files import write_private
    from assistant.journal.report import render_report
    from assistant.journal.store import Journal

    with Journal(settings.journal.path, create=False, writable=False) as journal:
        page = render_report(journal.list())
        out = Path(args.out) if args.out else journal.path.with_name("report.html")
    if write_private(out, page):
        print(f"replaced {out} with a new private file", file=sys.stderr)
    print(out)
    return 0
