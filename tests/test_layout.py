"""The tree's placement rules, read from the imports of every module.

- Textual is imported only under `console/app/` and `widgets/`.
- `widgets/` imports nothing from `console/app/`, and no UI-free package imports either.
- `console/realtime/` (the library) imports nothing else of the project.
- No import cycles in `console/` and `widgets/`.

Every import counts: module-level, inside functions, and under `TYPE_CHECKING`, since a
cycle of type-only imports still ties the files together for a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("console", "widgets")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported_names(path: Path, name: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(module, names taken from it) of every import in the file, relative ones resolved.

    `import a.b` gives ("a.b", ()); `from a import b, c` gives ("a", ("b", "c")).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield base, tuple(alias.name for alias in node.names)


def project_imports() -> dict[str, set[str]]:
    """Each project module and the project modules it imports.

    `from package import module` is an edge to the module; `from package import name`
    (a name defined in, or re-exported by, `package/__init__.py`) an edge to the package.
    """
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for base, names in imported_names(path, name):
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in known]
            targets.update(submodules)
            if base in known and len(submodules) < len(names) or (base in known and not names):
                targets.add(base)
        targets.discard(name)
        graph[name] = targets
    return graph


def third_party(path: Path, name: str) -> set[str]:
    return {base.split(".")[0] for base, _ in imported_names(path, name)}


def test_textual_is_imported_only_by_the_app_and_the_widgets() -> None:
    offenders = [
        name for name, path in modules().items()
        if "textual" in third_party(path, name) and not name.startswith(("console.app", "widgets"))
    ]
    assert offenders == [], f"Textual imported outside console/app and widgets/: {offenders}"


def test_widgets_never_import_the_app_layer() -> None:
    graph = project_imports()
    offenders = {n: sorted(t for t in ts if t.startswith("console.app")) for n, ts in graph.items()
                 if n.startswith("widgets")}
    assert not any(offenders.values()), f"widgets importing console.app: {offenders}"


def test_ui_free_packages_never_import_the_app_or_the_widgets() -> None:
    graph = project_imports()
    offenders = {n: sorted(t for t in ts if t.startswith(("console.app", "widgets"))) for n, ts in graph.items()
                 if n.startswith("console.") and not n.startswith("console.app")}
    assert not any(offenders.values()), f"UI-free modules importing the app layer or widgets: {offenders}"


def test_the_library_imports_nothing_else_of_the_project() -> None:
    graph = project_imports()
    offenders = {n: sorted(t for t in ts if not t.startswith("console.realtime")) for n, ts in graph.items()
                 if n.startswith("console.realtime")}
    assert not any(offenders.values()), f"console.realtime importing the rest of the project: {offenders}"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other in a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles() -> None:
    cycles = strongly_connected(project_imports())
    assert cycles == [], "modules that import each other in a loop: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []
