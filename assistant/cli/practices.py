"""`glimmer practices list / show NAME / check FILE…`: the guided practices and their validation."""

import argparse
import sys
from pathlib import Path

from assistant.config import Settings


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `practices` with its list, show and check actions."""
    parser = sub.add_parser("practices", parents=[common], help="list, show and check guided practices")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="the practices on offer").set_defaults(handler=run_list)
    show = actions.add_parser("show", parents=[common], help="what a practice says and asks, step by step")
    show.add_argument("name")
    show.set_defaults(handler=run_show)
    check = actions.add_parser("check", parents=[common],
                               help="validate practice files (errors name file and line); "
                                    "without FILE: the built-ins and your folder")
    check.add_argument("files", nargs="*", metavar="FILE", type=Path)
    check.set_defaults(handler=run_check)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """One line per practice: name, minutes, title; problems in the person's folder on stderr."""
    from assistant.practices.library import PracticeLibrary

    library = PracticeLibrary.load(settings.practices)
    for name in sorted(library.practices):
        practice = library.practices[name]
        own = "" if library.is_builtin(practice) else "  (yours)"
        print(f"{name:<12} {practice.minutes:>4g} min  {practice.title}{own}")
    for issue in library.problems:
        print(f"glimmer: not loaded: {issue}", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """The practice's description and an outline of its steps."""
    from assistant.practices.library import PracticeLibrary
    from assistant.practices.outline import outline

    practice = PracticeLibrary.load(settings.practices).get(args.name)
    print("\n".join(outline(practice)))
    return 0


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate each file; `file:line: problem` lines on stderr and exit 1 if any file is broken."""
    from assistant.config import expand_path
    from assistant.practices.library import BUILTIN_DIR, practice_files
    from assistant.practices.schema import PracticeError, load_practice

    files: list[Path] = []
    for path in args.files:
        files += practice_files(path) if path.is_dir() else [path]
    if not args.files:
        files = practice_files(BUILTIN_DIR) + practice_files(expand_path(settings.practices.folder))
    broken = 0
    for path in files:
        try:
            practice = load_practice(path)
        except PracticeError as err:
            broken += 1
            for issue in err.issues:
                print(issue, file=sys.stderr)
            continue
        print(f"{path}: ok ({practice.name}, {len(practice.steps)} steps, about {practice.minutes:g} min)")
    if broken:
        print(f"glimmer: {broken} of {len(files)} practice file(s) have problems", file=sys.stderr)
    return 1 if broken else 0
