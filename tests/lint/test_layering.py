"""The linter sits just above the library: it imports nothing else of the project, so the
recordings (`inspect`, summaries, the `lint` command) and the sessions can all import it."""

from __future__ import annotations

from tests.test_layout import project_imports


def test_the_linter_imports_only_the_library() -> None:
    graph = project_imports()
    offenders = {name: sorted(t for t in targets if not t.startswith(("console.lint", "console.realtime")))
                 for name, targets in graph.items() if name == "console.lint" or name.startswith("console.lint.")}
    assert offenders and not any(offenders.values()), f"console.lint importing the rest of the project: {offenders}"
