"""The simulator's modules import each other one way only (TYPE_CHECKING imports count)."""

from __future__ import annotations

from tests.simulator.import_graph import cycles, import_graph


def test_simulator_has_no_import_cycle() -> None:
    graph = import_graph("console.simulator")
    assert "console.simulator.connection" in graph  # the graph was really read
    assert "console.simulator.response" in graph["console.simulator.connection"]
    assert cycles(graph) == []


def test_cycle_finder_finds_a_type_checking_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
