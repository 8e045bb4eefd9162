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


def _loaded(settings: Settings):
    """The practice library; each problem in the person's folder is said once on stderr."""
    from assistant.practices.library import PracticeLibrary

    library = PracticeLibrary.load(settings.practices)
    for issue in library.problems:
        print(f"glimmer: not loaded: {issue}", file=sys.stderr)
    return library


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """One line per practice: name, minutes, title; problems in the person's folder on stderr."""
    library = _loaded(settings)
    for name in sorted(library.practices):
        practice = library.practices[name]
        own = "" if library.is_builtin(practice) else "  (yours)"
        print(f"{name:<12} {practice.minutes:>4g} min  {practice.title}{own}")
    return 0


def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """The practice's description and an outline of its steps."""
    from assistant.practices.outline import outline

    practice = _loaded(settings).get(args.name)
    print("\n".join(outline(practice)))
    return 0


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate each file; `file:line: problem` lines on stderr and exit 1 if any file is broken."""
    from assistant.config import expand_path
    from assistant.practices.library import BUILTIN_DIR, name_clash, practice_files
    from assistant.practices.reader import PracticeError
    from assistant.practices.schema import load_practice

    files: list[Path] = []
    for path in args.files:
        files += practice_files(path) if path.is_dir() else [path]
    if not args.files:
        files = practice_files(BUILTIN_DIR) + practice_files(expand_path(settings.practices.folder))
    broken = 0
    names: dict[str, Path] = {}
    for path in files:
        try:
            practice = load_practice(path)
        except PracticeError as err:
            issues = err.issues
        else:
            builtin = path.resolve().parent == BUILTIN_DIR.resolve()   # yours may replace it: no clash
            clash = None if builtin else name_clash(practice, path, names)
            issues = [clash] if clash else []
        if issues:
            broken += 1
            for issue in issues:
                print(issue, file=sys.stderr)
            continue
        print(f"{path}: ok ({practice.name}, {len(practice.steps)} steps, about {practice.minutes:g} min)")
    if broken:
        print(f"glimmer: {broken} of {len(files)} practice file(s) have problems", file=sys.stderr)
    return 1 if broken else 0
