"""No import cycles in assistant/: the import graph, read statically from every module's source, has none.

Every `import` and `from ... import` of an assistant module counts, wherever it stands in the file (at the
top, inside a function, under `if TYPE_CHECKING:`): a cycle hidden in a function still ties the two modules
together. Relative imports are resolved, and `from package import name` points at the module `name` when
there is one.
"""

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path, root: Path) -> str:
    """assistant/speech/wake.py -> assistant.speech.wake; a package's __init__.py is the package."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, package: str, modules: set[str]) -> list[str]:
    """The module names one import statement names (relative ones resolved against `package`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]


def import_graph(root: Path, top: str) -> dict[str, set[str]]:
    """{module: the modules of `top` it imports}, for every .py file below root / top."""
    files = {module_name(path, root): path for path in sorted((root / top).rglob("*.py"))}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                targets.update(t for t in _imported(node, package, modules) if t == top or t.startswith(top + "."))
        unknown = targets - modules
        assert not unknown, f"{path}: imports {sorted(unknown)}, which are not modules of {top}"
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None when the graph has none."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph.get(module, ())):
            if target in on_path:
                return path[path.index(target):] + [target]
            if target not in done and (cycle := visit(target)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return None


def test_assistant_has_no_import_cycle():
    graph = import_graph(ROOT, "assistant")
    assert len(graph) > 50 and "assistant.safety" in graph["assistant.session"]   # the graph was really read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def test_cycles_through_function_level_type_checking_and_relative_imports_are_found(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "low.py": "import json\n",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub.b import B\n",
        "sub/__init__.py": "",
        "sub/b.py": "def late():\n    from ..c import f\n    return f\n",
        "c.py": "from pkg import a, low\n",
    })
    graph = import_graph(root, "pkg")
    assert graph["pkg.c"] == {"pkg.a", "pkg.low"} and graph["pkg.sub.b"] == {"pkg.c"}
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]
    (root / "pkg" / "c.py").write_text("from . import low\n")
    assert find_cycle(import_graph(root, "pkg")) is None
