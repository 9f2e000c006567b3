"""A reconnected session's chain of recordings read as one session: found from any file
(forward by trailers, backward by headers), a missing file named in one line, `--no-follow`
reading one file, and `inspect`/`replay`/`stats` counting the chain once. Real files written
by the real recorder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from console.cli import main
from console.recording.chain import ChainRecording, find_chain, open_chain
from console.recording.chain_summaries import merge_chains
from console.recording.reader import Recording
from console.recording.rebuild import ConversationRebuilder
from console.recording.report import build_report
from console.recording.summaries import summarise_file
from console.replay.controller import ReplayController
from console.replay.log_events import log_events
from console.session.continuation import Continuation
from tests.recording.chain_fixtures import part, write_chain
from tests.recording.stats_fixtures import session, write


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(params=["ga", "beta"])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> list[Path]:
    parts = [part(2, request.param), part(3, request.param, minutes=30), part(1, request.param, minutes=60)]
    return write_chain(tmp_path, parts)


def report_of(path: Path) -> dict:
    with Recording.open(path) as rec:
        return build_report(rec)


def test_any_file_of_a_chain_opens_the_whole_session(chain: list[Path]) -> None:
    singles = [report_of(p) for p in chain]
    for given, path in enumerate(chain):
        found = find_chain(path)
        assert found.files == chain and found.given == given and found.missing == []
        with open_chain(path) as rec:
            assert isinstance(rec, ChainRecording) and rec.paths == chain
            assert len(rec) == sum(s["events"]["total"] for s in singles)
            with Recording.open(chain[0]) as head:
                assert rec.header == head.header and rec.warnings() == []
            times = rec.index.times
            assert np.all(np.diff(times) >= 0)  # one clock across the files
            assert rec.duration == pytest.approx(30 * 60 + 30 * 60 + singles[2]["duration_s"], abs=0.01)
            report = build_report(rec)
            assert len(report["turns"]) == sum(len(s["turns"]) for s in singles) == 6
            assert report["usage"]["total_tokens"] == sum(s["usage"]["total_tokens"] for s in singles)
            assert sorted(rec.boundaries) == [singles[0]["events"]["total"],
                                              singles[0]["events"]["total"] + singles[1]["events"]["total"]]
            # a read goes to the file that holds the event
            last = len(rec) - 1
            with Recording.open(chain[-1]) as tail:
                assert rec.record(last).event == tail.record(len(tail) - 1).event
                assert rec.line_of(last) == tail.line_of(len(tail) - 1)


def test_no_follow_reads_one_file(chain: list[Path]) -> None:
    with open_chain(chain[1], follow=False) as rec:
        assert not isinstance(rec, ChainRecording) and rec.paths == [chain[1]]
        assert len(rec) == report_of(chain[1])["events"]["total"]


def test_a_missing_file_is_named_and_the_rest_is_read(chain: list[Path]) -> None:
    chain[2].unlink()
    with open_chain(chain[0]) as rec:
        assert rec.paths == chain[:2]
        assert rec.warnings() == [("chain-2.jsonl continues in chain-3.jsonl, which is missing: "
                                   "the session's end is not shown")]
    chain[0].unlink()
    with open_chain(chain[1]) as rec:
        assert rec.paths == [chain[1]]
        assert [w.split(",")[0] for w in rec.warnings()] == ["chain-2.jsonl continues chain-1.jsonl",
                                                               "chain-2.jsonl continues in chain-3.jsonl"]


def test_a_file_that_does_not_link_back_ends_the_chain(chain: list[Path]) -> None:
    chain[2].write_text("not a recording\n")  # replaced since
    found = find_chain(chain[0])
    assert found.files == chain[:2]
    assert found.missing == ["chain-2.jsonl continues in chain-3.jsonl, which does not continue it "
                             "(replaced or not a recording): the session's end is not shown"]
    chain[0].write_text("")
    assert find_chain(chain[1]).missing[0] == ("chain-2.jsonl continues chain-1.jsonl, which is not a readable "
                                               "recording: the session's start is not shown")


def test_links_never_leave_the_directory_or_loop(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    outside = write(session(1), tmp_path / "outside.jsonl")
    b = part(1)
    inner = tmp_path / "sub" / "inner.jsonl"
    write_chain(tmp_path / "sub", [b])[0].rename(inner)
    lines = inner.read_text().splitlines()
    header = json.loads(lines[0])
    header["continues"] = {"file": "../outside.jsonl", "session_id": "sess_x"}
    inner.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    assert find_chain(inner).files == [inner] and "missing" in find_chain(inner).missing[0]
    header["continues"] = {"file": "inner.jsonl"}  # itself
    inner.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    assert find_chain(inner).files == [inner] and outside.exists()


def test_inspect_follows_and_says_which_files(chain: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(chain[1]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"] == [str(p) for p in chain] and len(doc["turns"]) == 6
    assert main(["inspect", str(chain[1]), "--json", "--no-follow"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"] == [str(chain[1])] and len(doc["turns"]) == 3
    assert main(["inspect", str(chain[2])]) == 0
    assert "one session over 3 files (reconnected): chain-1.jsonl, chain-2.jsonl, chain-3.jsonl" in capsys.readouterr().out
    chain[0].unlink()
    assert main(["inspect", str(chain[2]), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["files"] == [str(p) for p in chain[1:]]
    assert captured.err.splitlines()[0] == ("warning: chain-2.jsonl continues chain-1.jsonl, which is missing: "
                                            "the session's start is not shown")


def test_replay_marks_each_reconnect_and_rebuilds_the_new_session(chain: list[Path]) -> None:
    with open_chain(chain[0]) as rec, Recording.open(chain[-1]) as tail:
        ctl = ReplayController(rec)
        ctl.seek(len(rec) - 1)
        marks = [n for n in ctl.notes if n.text.startswith("⟳ reconnected")]
        assert [n.event_index for n in marks] == sorted(rec.boundaries)
        assert marks[0].text == ("⟳ reconnected (session_expired, attempt 1): the recording continues in "
                                 "chain-2.jsonl; 2 item(s) restored")
        alone = ConversationRebuilder(tail)
        alone.advance_to()
        shown = [(i.get("role"), i["formatted"].get("transcript")) for i in ctl.items()]
        assert shown == [(i.get("role"), i["formatted"].get("transcript")) for i in alone.items()]
        # seeking back across a boundary brings the earlier session back
        first_boundary = min(rec.boundaries)
        update = ctl.seek(first_boundary - 1)
        assert update.reset and not [n for n in ctl.notes if n.text.startswith("⟳")]
        assert len(ctl.items()) == 4  # two spoken turns of the first file
        rows = log_events(rec, 0, len(rec))
        assert len(rows) == len(rec)
        assert [t for _, _, t in rows] == pytest.approx(rec.index.times.tolist())
        assert [e["type"] for _, e, _ in rows[first_boundary - 2:first_boundary + 2]] == [
            rec.type_of(n) for n in range(first_boundary - 2, first_boundary + 2)]


def test_stats_count_a_chain_once(chain: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    singles = [write(session(n), tmp_path / f"single-{n}.jsonl") for n in (1, 2)]
    assert main(["stats", "--json", str(tmp_path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    reports = [report_of(p) for p in chain + singles]
    assert doc["recordings"] == 3 and doc["files"] == 5
    assert doc["turns"] == sum(len(r["turns"]) for r in reports)
    assert doc["duration_s"] == pytest.approx(sum(r["duration_s"] for r in reports), abs=0.01)
    assert doc["usage"]["total_tokens"] == sum(r["usage"]["total_tokens"] for r in reports)
    assert main(["stats", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("3 recording(s) from 2026-03-01 to 2026-03-01 (5 files: reconnected "
                                              "sessions count once), 0 skipped")
    merged = merge_chains([summarise_file(p) for p in reversed(chain + singles)])
    by_path = {s.path: s for s in merged}
    assert len(merged) == 3 and by_path[str(chain[0])].files == [str(p) for p in chain]
    assert by_path[str(chain[0])].turns == 6
    assert by_path[str(chain[0])].cost() == pytest.approx(sum(summarise_file(p).cost() for p in chain))


def test_a_chain_whose_start_is_not_listed_starts_its_own_session(chain: list[Path]) -> None:
    merged = merge_chains([summarise_file(p) for p in chain[1:]])
    assert [s.files for s in merged] == [[str(p) for p in chain[1:]]]


def test_continuation_holds_the_new_session_until_reconnected() -> None:
    def ev(source: str, etype: str, **extra: object) -> dict:
        return {"time": "2026-01-01T00:00:00.000Z", "source": source, "event": {"type": etype, **extra}}

    c = Continuation()
    assert not c.observe(0, ev("server", "session.created", session={"id": "sess_old"}))
    assert c.session_id == "sess_old"
    c.start({"attempt": 1, "reason": "session_expired", "delay": 0.1})
    assert c.observe(1, ev("client", "session.update")) and c.holding
    assert c.observe(2, ev("server", "session.created", session={"id": "sess_new"}))
    link, held = c.finish({"session_id": "sess_new", "restored": [{}, {}], "skipped": [{}]})
    assert [i for i, _ in held] == [1, 2] and c.session_id == "sess_new" and not c.holding
    assert link == {"session_id": "sess_old", "reconnect": {"attempt": 1, "reason": "session_expired",
                                                           "new_session_id": "sess_new", "restored": 2, "skipped": 1}}
    # a reconnect that gives up gives back what it held, to stay in the current file
    c.start({"attempt": 1, "reason": "connection lost"})
    assert c.observe(3, ev("client", "session.update"))
    assert [i for i, _ in c.release()] == [3] and not c.holding
    assert not c.observe(4, ev("server", "response.done"))


def test_indexing_a_chain_in_batches_never_moves_an_event(chain: list[Path]) -> None:
    with open_chain(chain[0]) as whole:
        types = [whole.type_of(n) for n in range(len(whole))]
        times = whole.index.times.tolist()
    with open_chain(chain[0], index=False) as rec:
        assert 0 < len(rec) < len(types)  # the first file's first rows, nothing of the later files
        seen = 0
        for done, total in rec.index_batches(batch_bytes=4096):
            assert done <= total
            n = len(rec)
            assert n >= seen and [rec.type_of(k) for k in range(n)] == types[:n]
            assert rec.index.times.tolist() == pytest.approx(times[:n])
            seen = n
        assert len(rec) == len(types) and done == total
