"""`export FILES… --parquet DIR`: many recordings as three Apache Parquet tables.

`sessions.parquet` (one row per recording), `turns.parquet` (one row per turn, with its
timeline spans) and `events.parquet` (one row per event, without payloads) let a fleet of
recordings be queried with DuckDB on a laptop or Spark / Trino / BigQuery at scale. Every
figure comes from the same `build_report` as `inspect --json`, so the tables and the
report agree; the event columns come from the recording's index (time, source, type,
size), plus the item and response ids read from each event.

The columns are declared once below (`SESSIONS`, `TURNS`, `EVENTS`: name, Arrow type,
meaning); the schemas and PARQUET.md's tables are both made from them. pyarrow is an
optional extra (`pip install 'realtime-console[parquet]'`), imported only when a table is
written, so `export` without `--parquet` never pays for it. The tables are written file by
file (one row group per recording and table), so memory stays that of one recording.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .index import SOURCE_NAMES
from .prices import PriceTable
from .reader import Recording
from .report import build_report
from .summary import source_of
from .timeline import SPANS
from .usage import estimate_cost, usage_totals

#: A column: (name, Arrow type name, what it holds). Types: string, int64, float64, bool,
#: timestamp (UTC, microseconds).
ColumnSpec = tuple[str, str, str]

#: Token columns of a usage object (`usage_totals`): (column, path in the object).
TOKENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total_tokens", ("total_tokens",)),
    ("input_tokens", ("input", "total")),
    ("input_text_tokens", ("input", "text")),
    ("input_audio_tokens", ("input", "audio")),
    ("input_cached_tokens", ("input", "cached")),
    ("input_cached_text_tokens", ("input", "cached_text")),
    ("input_cached_audio_tokens", ("input", "cached_audio")),
    ("output_tokens", ("output", "total")),
    ("output_text_tokens", ("output", "text")),
    ("output_audio_tokens", ("output", "audio")),
)
_TOKEN_COLUMNS: tuple[ColumnSpec, ...] = tuple(
    (name, "int64", f"tokens: {' '.join(path).replace('_', ' ')} (summed `response.done` usage)") for name, path in TOKENS
)

SESSIONS: tuple[ColumnSpec, ...] = (
    ("file", "string", "the recording's absolute path (the key the other tables join on)"),
    ("session_id", "string", "the server's session id (from `session.created`), null if not recorded"),
    ("source", "string", "who recorded it: console, proxy, attach (the header's `source`), unknown without a header"),
    ("kind", "string", "file format: recording, headerless or bare (`format.kind` of the report)"),
    ("protocol", "string", "ga or beta"),
    ("model", "string", "the recorded model"),
    ("started_at", "timestamp", "time of the first event (UTC), null when the file has no event times"),
    ("duration_s", "float64", "seconds from the first to the last event"),
    ("events", "int64", "events in the file"),
    ("client_events", "int64", "events sent by the client"),
    ("server_events", "int64", "events sent by the server"),
    ("turns", "int64", "turns (rows of `turns` for this file)"),
    ("interrupted_turns", "int64", "turns whose answer was interrupted"),
    ("interruptions", "int64", "interruptions (`interruptions` of the report)"),
    ("truncations", "int64", "truncations (`conversation.item.truncate`)"),
    ("errors", "int64", "errors (`errors` of the report: error events, failed responses, …)"),
    ("responses", "int64", "responses the server ended"),
    ("responses_cancelled", "int64", "responses that ended cancelled"),
    ("responses_failed", "int64", "responses that ended failed"),
    *_TOKEN_COLUMNS,
    ("cost_usd", "float64", "estimated cost in USD (`cost.total` of the report), null when the model has no price"),
    ("priced_as", "string", "the price table entry used, null when none"),
    ("bad_lines", "int64", "lines skipped as unreadable"),
)

TURNS: tuple[ColumnSpec, ...] = (
    ("file", "string", "the recording (joins `sessions.file`)"),
    ("turn", "int64", "turn number, from 1 (`turns[].number`)"),
    ("start_event", "int64", "index of the event that started the turn (joins `events.index`)"),
    ("start_s", "float64", "seconds from the session start"),
    ("trigger", "string", "what started it: speech_started, commit, item.create, response.create, …"),
    ("user_kind", "string", "the user's input: audio, text, or null"),
    ("response_id", "string", "the answer's response id"),
    ("status", "string", "how the answer ended: completed, cancelled, failed, incomplete"),
    ("interrupted", "bool", "whether the answer was interrupted"),
    *((span, "float64", f"timeline span `{span}` (REPORT.md), null when one of its ends is missing")
      for span in SPANS),
    *_TOKEN_COLUMNS,
    ("cost_usd", "float64", "estimated cost of this turn's usage in USD, null when the model has no price"),
)

EVENTS: tuple[ColumnSpec, ...] = (
    ("file", "string", "the recording (joins `sessions.file`)"),
    ("index", "int64", "event number, from 0, as `inspect`, `lint` and the replay count them"),
    ("t", "float64", "seconds since the first event"),
    ("source", "string", "client or server"),
    ("type", "string", "the event type as recorded"),
    ("item_id", "string", "`item_id`, or `item.id`, of the event; null if none"),
    ("response_id", "string", "`response_id`, or `response.id`, of the event; null if none"),
    ("size", "int64", "bytes of the event's line in the file (payloads are not exported)"),
)

TABLES: dict[str, tuple[ColumnSpec, ...]] = {"sessions": SESSIONS, "turns": TURNS, "events": EVENTS}

#: The one line `export --parquet` prints when pyarrow is missing.
NO_PYARROW = "--parquet needs pyarrow: pip install 'realtime-console[parquet]'"


class PyarrowMissing(RuntimeError):
    """pyarrow is not installed (it is an optional extra)."""


def _pyarrow() -> tuple[Any, Any]:
    """(pyarrow, pyarrow.parquet), imported on first use."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise PyarrowMissing(NO_PYARROW) from None
    return pyarrow, pyarrow.parquet


def arrow_schema(columns: tuple[ColumnSpec, ...]) -> Any:
    pa, _ = _pyarrow()
    types: dict[str, Callable[[], Any]] = {
        "string": pa.string, "int64": pa.int64, "float64": pa.float64, "bool": pa.bool_,
        "timestamp": lambda: pa.timestamp("us", tz="UTC"),
    }
    return pa.schema([pa.field(name, types[kind]()) for name, kind, _ in columns])


def _dig(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _tokens(usage: dict[str, Any]) -> dict[str, int]:
    return {name: int(_dig(usage, path) or 0) for name, path in TOKENS}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ids(event: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(item id, response id) an event names: its own field, else its object's id."""
    if event is None:
        return None, None
    item = _str(event.get("item_id"))
    if item is None and isinstance(event.get("item"), dict):
        item = _str(event["item"].get("id"))
    response = _str(event.get("response_id"))
    if response is None and isinstance(event.get("response"), dict):
        response = _str(event["response"].get("id"))
    return item, response


@dataclass
class FileTables:
    """One recording's rows of the three tables, column by column."""

    sessions: dict[str, list[Any]] = field(default_factory=dict)
    turns: dict[str, list[Any]] = field(default_factory=dict)
    events: dict[str, Any] = field(default_factory=dict)


def file_tables(rec: Recording, prices: PriceTable) -> FileTables:
    """The rows of one indexed recording (its report built once)."""
    report = build_report(rec, prices)
    path = os.path.abspath(rec.path)
    model = report["format"]["model"]
    header = rec.header if isinstance(rec.header, dict) else None
    index = rec.index
    n = len(rec)
    item_ids: list[str | None] = [None] * n
    response_ids: list[str | None] = [None] * n
    session_id: str | None = None
    for i, event in rec.iter_events(range(n)):
        item_ids[i], response_ids[i] = _ids(event)
        if session_id is None and event is not None and event.get("type") == "session.created":
            session_id = _str(_dig(event, ("session", "id")))
    start = rec.start_epoch
    responses = report["responses"]
    turns = report["turns"]
    session_row: dict[str, Any] = {
        "file": path, "session_id": session_id, "source": source_of(report["format"]["kind"], header),
        "kind": report["format"]["kind"], "protocol": rec.protocol, "model": model,
        "started_at": datetime.fromtimestamp(start, timezone.utc) if start is not None else None,
        "duration_s": float(report["duration_s"]), "events": report["events"]["total"],
        "client_events": report["events"]["by_source"]["client"],
        "server_events": report["events"]["by_source"]["server"],
        "turns": len(turns), "interrupted_turns": sum(1 for t in turns if t["interrupted"]),
        "interruptions": len(report["interruptions"]), "truncations": len(report["truncations"]),
        "errors": len(report["errors"]), "responses": responses["total"],
        "responses_cancelled": responses["cancelled"], "responses_failed": responses["failed"],
        **_tokens(report["usage"]),
        "cost_usd": report["cost"]["total"], "priced_as": report["cost"]["priced_as"],
        "bad_lines": int(report["format"]["bad_lines"]),
    }
    out = FileTables()
    out.sessions = {name: [session_row[name]] for name, _, _ in SESSIONS}
    out.turns = {name: [] for name, _, _ in TURNS}
    for turn in turns:
        assistant = turn.get("assistant") or {}
        usage = usage_totals([assistant.get("usage")])
        spans = turn["timeline"]["spans_ms"]
        row: dict[str, Any] = {
            "file": path, "turn": turn["number"], "start_event": turn["start_event"], "start_s": turn["start_s"],
            "trigger": _str(turn.get("trigger")), "user_kind": _str((turn.get("user") or {}).get("kind")),
            "response_id": _str(assistant.get("response_id")), "status": _str(assistant.get("status")),
            "interrupted": bool(turn["interrupted"]), **{span: spans.get(span) for span in SPANS},
            **_tokens(usage), "cost_usd": estimate_cost(usage, model, prices)["total"],
        }
        for name, _, _ in TURNS:
            out.turns[name].append(row[name])
    out.events = {
        "file": [path] * n,
        "index": list(range(n)),
        "t": index.times[:n],
        "source": [SOURCE_NAMES[s] for s in index.sources[:n].tolist()],
        "type": [index.types[t] for t in index.type_ids[:n].tolist()],
        "item_id": item_ids,
        "response_id": response_ids,
        "size": index.lengths[:n],
    }
    return out


@dataclass
class ExportResult:
    """What `export_parquet` wrote: rows per table, bytes of recordings read, files skipped."""

    rows: dict[str, int]
    bytes_read: int
    files: int
    skipped: list[tuple[str, str]]


def export_parquet(paths: Iterable[str | os.PathLike[str]], directory: str | os.PathLike[str],
                   prices: PriceTable | None = None,
                   open_file: Callable[[str], Recording] | None = None) -> ExportResult:
    """Write `sessions.parquet`, `turns.parquet` and `events.parquet` into `directory`.

    A file that cannot be opened as a recording is skipped and listed in `skipped` with the
    reason (`open_file` turns failures into an exception whose text is the reason; the
    default is `Recording.open`). Raises `PyarrowMissing` before anything is written when
    pyarrow is not installed.
    """
    pa, pq = _pyarrow()
    prices = prices or PriceTable()
    opener = open_file or (lambda p: Recording.open(p))
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    schemas = {name: arrow_schema(columns) for name, columns in TABLES.items()}
    writers = {name: pq.ParquetWriter(out / f"{name}.parquet", schemas[name], compression="zstd")
               for name in TABLES}
    rows = dict.fromkeys(TABLES, 0)
    skipped: list[tuple[str, str]] = []
    bytes_read = files = 0
    try:
        for path in paths:
            try:
                rec = opener(str(path))
            except Exception as exc:  # noqa: BLE001 - one bad file must not stop a fleet's export
                skipped.append((str(path), str(exc)))
                continue
            with rec:
                tables = file_tables(rec, prices)
                bytes_read += os.path.getsize(rec.path)
            files += 1
            for name, columns in (("sessions", tables.sessions), ("turns", tables.turns), ("events", tables.events)):
                if len(columns["file"]):
                    batch = pa.RecordBatch.from_pydict(columns, schema=schemas[name])
                    writers[name].write_batch(batch)
                    rows[name] += batch.num_rows
    finally:
        for writer in writers.values():
            writer.close()
    return ExportResult(rows, bytes_read, files, skipped)


def schema_markdown() -> str:
    """The tables' columns as Markdown (PARQUET.md holds this text; a test keeps them equal)."""
    parts: list[str] = []
    for name, columns in TABLES.items():
        parts += [f"### `{name}`", "", "| column | type | meaning |", "|---|---|---|"]
        parts += [f"| `{col}` | {kind} | {meaning} |" for col, kind, meaning in columns]
        parts.append("")
    return "\n".join(parts)
