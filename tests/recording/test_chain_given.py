"""Which file of a chain was opened: `given` (where the replay starts), where each file
starts (`file_starts`) and which file holds an event (`file_of`); and the reports that
cover the whole chain (`inspect`, `export`) do not depend on the file named. Real files
written by the real recorder."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.recording.chain import open_chain
from console.recording.reader import Recording
from tests.recording.chain_fixtures import part, write_chain


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def chain(tmp_path: Path) -> list[Path]:
    return write_chain(tmp_path, [part(2), part(3, minutes=30), part(1, minutes=60)])


def test_the_opened_file_and_where_each_file_starts(chain: list[Path]) -> None:
    sizes = []
    for path in chain:
        with Recording.open(path) as one:
            sizes.append(len(one))
    for given, path in enumerate(chain):
        with open_chain(path) as rec:
            assert rec.given == given
            assert rec.file_starts == [0, sizes[0], sizes[0] + sizes[1]]
            assert [rec.file_of(n) for n in (-1, 0, sizes[0] - 1, sizes[0], len(rec) - 1)] == [0, 0, 0, 1, 2]
            with Recording.open(path) as alone:  # the named file's first event is where it starts
                assert rec.event(rec.file_starts[given]) == alone.event(0)
    with open_chain(chain[1], follow=False) as alone:
        assert alone.given == 0 and alone.file_starts == [0] and alone.file_of(5) == 0


def test_inspect_and_export_report_the_whole_chain_whichever_file_is_named(
    chain: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = []
    for path in chain:
        capsys.readouterr()
        assert main(["inspect", str(path), "--json"]) == 0
        report = capsys.readouterr().out
        assert main(["export", str(path), "--transcript", "-", "--events", str(tmp_path / f"{path.stem}.events")]) == 0
        outputs.append((report, capsys.readouterr().out, (tmp_path / f"{path.stem}.events").read_text()))
    assert outputs[0] == outputs[1] == outputs[2]
    assert "question 2" in outputs[0][1]  # the second file's last turn: the transcript is the chain's
