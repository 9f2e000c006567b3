"""The proxy is UI-free and its modules import each other one way only."""

from __future__ import annotations

from tests.simulator.import_graph import cycles, import_graph, imports_anywhere


def test_proxy_imports_no_ui() -> None:
    assert imports_anywhere("console.proxy", "textual") == []
    # The command's entry point launches the live view (console.app.proxy_app) unless
    # --headless; the relay itself stays UI-free.
    assert imports_anywhere("console.proxy", "console.app") == ["console.proxy.cli"]
    assert imports_anywhere("console.proxy", "widgets") == []


def test_proxy_has_no_import_cycle() -> None:
    graph = import_graph("console.proxy")
    assert "console.proxy.session" in graph["console.proxy.server"]
    assert cycles(graph) == []
