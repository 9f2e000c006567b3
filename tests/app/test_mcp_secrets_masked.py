"""MCP credentials typed by hand never reach a recording, the event log or the screen.

A `/send {json}` steering a proxied session with an MCP tool's `authorization` and
`headers` goes upstream as typed (the server needs them), but the proxy's recording, the
session's event store and the detail pane shown on screen all hold them masked. Real
proxy in front of the real simulator, a real app client, the Textual app with Pilot.
"""

from __future__ import annotations

import json
from pathlib import Path

from console.app.proxy_app import ProxyConsoleApp
from console.recording import Recording
from tests.app.console_harness import wait_for
from tests.app.test_proxy_app import _app_client, _notice, _shown_view, _submit, proxy  # noqa: F401 - the fixture
from tests.proxy.helpers import TIMEOUT
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog

TOKEN = "Bearer mcp-token-typed-by-hand"
HEADER = "mcp-header-typed-by-hand"


def _update() -> str:
    tool = {"type": "mcp", "server_label": "demo", "server_url": "sim://demo", "require_approval": "never",
            "authorization": TOKEN, "headers": {"X-Api-Token": HEADER, "X-Other": "second-header-value"}}
    return "/send " + json.dumps({"type": "session.update", "session": {"type": "realtime", "tools": [tool]}})


async def test_hand_sent_mcp_credentials_are_masked_in_recording_log_and_screen(proxy, tmp_path: Path) -> None:  # noqa: F811
    app = ProxyConsoleApp(proxy, record_dir=tmp_path / "rec")
    async with app.run_test(size=(140, 44)) as pilot:
        client = await _app_client(proxy)
        try:
            view = await wait_for(pilot, lambda: _shown_view(app), what="the session shown")
            await _submit(pilot, _update())
            store = view.session.store
            await wait_for(pilot, lambda: any(
                store.event_type(i) == "mcp_list_tools.completed" for i in range(len(store))),
                timeout=TIMEOUT, what="the server listing the tools it was given")
            assert "injected into session #1: session.update" in _notice(app)
            sent = max(i for i in range(len(store)) if store.event_type(i) == "session.update")
            echo = max(i for i in range(len(store)) if store.event_type(i) == "session.updated")
            for index in (sent, echo):
                logged = json.dumps(store.full_event(index))
                assert TOKEN not in logged and HEADER not in logged and "second-header-value" not in logged
            tool = store.event(sent)["session"]["tools"][0]
            assert tool["authorization"] == "<redacted>" and tool["headers"] == {
                "X-Api-Token": "<redacted>", "X-Other": "<redacted>"}
            # The screen: the sent event in the detail pane (names kept, values masked).
            log = view.query_one(EventLog)
            assert log.select_event(sent)
            detail = view.query_one(EventDetail)
            await wait_for(pilot, lambda: detail.index == sent, what="the detail pane showing the update")
            detail.scroll_end(animate=False)
            await wait_for(pilot, lambda: "X-Api-Token" in app.export_screenshot(), what="the headers on screen")
            shown = app.export_screenshot()
            assert "&lt;redacted&gt;" in shown and "typed-by-hand" not in shown and "second-header-value" not in shown
        finally:
            await client.disconnect()
        await wait_for(pilot, lambda: not view.session.live, what="the session to end")
    files = list((tmp_path / "rec").rglob("*.jsonl")) or list(Path(proxy.record_dir).rglob("*.jsonl"))
    assert files
    text = "".join(f.read_text() for f in files)
    assert "X-Api-Token" in text and "mcp_list_tools" in text  # the update and the listing were recorded
    assert TOKEN not in text and HEADER not in text and "second-header-value" not in text
    with Recording.open(files[0]) as rec:
        updates = [e for _, e in rec.iter_events(range(len(rec))) if e and e["type"] in ("session.update", "session.updated")]
    tools = [t for e in updates for t in e["session"].get("tools") or [] if t.get("type") == "mcp"]
    assert tools and all(set(t["headers"].values()) <= {"[redacted]", "<redacted>"} for t in tools)
