"""The practices on offer: the built-ins, and the person's own folder loaded beside them."""

from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import PracticesSettings, expand_path
from assistant.errors import GlimmerError
from assistant.practices.reader import Issue, PracticeError
from assistant.practices.schema import load_practice
from assistant.practices.steps import Practice

BUILTIN_DIR = Path(__file__).parent / "builtin"


def practice_files(folder: Path) -> list[Path]:
    """The YAML files directly in `folder`, sorted; none if it does not exist."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def name_clash(practice: Practice, path: Path, seen: dict[str, Path]) -> Issue | None:
    """An issue naming both files when another of the person's files has this practice's name; else the name
    is recorded in `seen` (a built-in may share it: the person's own practice replaces it)."""
    if practice.name in seen:
        return Issue(str(path), 1, f"name '{practice.name}' is also used by {seen[practice.name]}; rename one")
    seen[practice.name] = path
    return None


@dataclass
class PracticeLibrary:
    """Practices by name. The person's own file replaces a built-in of the same name."""

    practices: dict[str, Practice] = field(default_factory=dict)
    problems: list[Issue] = field(default_factory=list)  # the person's files that could not be used

    @classmethod
    def load(cls, settings: PracticesSettings) -> "PracticeLibrary":
        """Built-ins (any error is a bug: raised), then the person's folder (errors kept in `problems`, for the
        caller to show once)."""
        library = cls()
        for path in practice_files(BUILTIN_DIR):
            practice = load_practice(path)
            library.practices[practice.name] = practice
        own: dict[str, Path] = {}
        for path in practice_files(expand_path(settings.folder)):
            try:
                practice = load_practice(path)
            except PracticeError as err:
                library.problems += err.issues
                continue
            clash = name_clash(practice, path, own)
            if clash is not None:
                library.problems.append(clash)
                continue
            library.practices[practice.name] = practice
        return library

    def get(self, name: str) -> Practice:
        """The practice called `name`."""
        if name not in self.practices:
            raise GlimmerError(f"no practice named '{name}'; 'glimmer practices list' shows them")
        return self.practices[name]

    def is_builtin(self, practice: Practice) -> bool:
        """True when `practice` is the built-in one, not the person's own."""
        return practice.source.startswith(str(BUILTIN_DIR))
