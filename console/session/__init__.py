"""The UI-free session model: what the console knows about one Realtime session.

The event store and its row views, event summaries, the annotations the conversation
does not record (truncation marks, response ends, error notes), statistics, the editable
session with its sent-versus-applied diff, drift checks and slash-command parsing. No
module here imports Textual, so every part is tested without a UI.
"""
