"""Replaying a recording, UI-free: the cursor that rebuilds the session as of any event
(`controller`), the checkpoints that make seeking back cheap (`checkpoints`), and the
events as the event log loads them (`log_events`)."""
