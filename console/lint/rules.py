"""The catalogue of lint rules: id, severity, summary and explanation with the fix.

`RULES.md` beside this package documents the same rules for readers of the repository; a
test keeps the two in step. The checks themselves live in the `check_*` modules.
"""

from __future__ import annotations

from .findings import Rule

_ALL: tuple[Rule, ...] = (
    # --- truncation -------------------------------------------------------------------------
    Rule("truncate-beyond-audio", "error",
         "conversation.item.truncate asks for more audio than the item received",
         "`audio_end_ms` must not exceed the audio the item actually has: the sum of its decoded "
         "output audio deltas at the session's output rate (24 kHz PCM16 = 48 bytes/ms, G.711 = 8 "
         "bytes/ms). The server rejects such a truncation, so the model keeps the whole answer in "
         "context. Fix: compute audio_end_ms from samples actually played, floor(samples x 1000 / rate), "
         "using the real output rate, and clamp it to what was received."),
    Rule("barge-in-not-truncated", "warning",
         "the user spoke over the assistant's audio and the item was never truncated",
         "`input_audio_buffer.speech_started` arrived while assistant audio was still being received or "
         "still playing (estimated by playing the received audio in real time from its arrival), and no "
         "`conversation.item.truncate` for that item followed. The model's context now holds audio the "
         "user never heard, so it may refer to things it never said aloud. Fix: on speech_started, stop "
         "playback and send conversation.item.truncate with the played position."),
    Rule("truncate-not-latest", "warning",
         "a truncation targets an assistant audio item that is not the latest one",
         "Only the assistant audio item being played can have been cut short by the user; truncating an "
         "older item rewrites history the user heard in full (and usually means the app kept a stale item "
         "id). Fix: truncate the item whose audio is playing, i.e. the latest assistant audio item."),
    # --- responses ---------------------------------------------------------------------------
    Rule("response-create-while-active", "error",
         "response.create sent while a response is still active",
         "Only one response can be generated in a conversation at a time: the server refuses the second "
         "with `conversation_already_has_active_response`, and the request is lost. Detected from the "
         "server's error, or from response.created/response.done pairing (a create sent while a response "
         "was active, not answered by that response's done within 250 ms). Fix: wait for response.done "
         "(or cancel) before creating, or use `conversation: \"none\"` for out-of-band responses."),
    Rule("cancel-not-active", "warning",
         "response.cancel sent with no response active",
         "The server answers with `response_cancel_not_active`. Harmless for the conversation, but it "
         "means the app's idea of the response state is wrong (a barge-in handler cancelling a response "
         "that already finished, say). Fix: only cancel between response.created and response.done; "
         "to stop audio that is still playing, truncate instead."),
    Rule("response-failed", "error",
         "a response ended with status failed",
         "`response.done` reported `status: failed`; its `status_details.error` says why. Nothing the "
         "user asked for was answered. Fix depends on the error: retry server errors, fix invalid "
         "requests."),
    Rule("response-incomplete", "warning",
         "a response ended with status incomplete",
         "`response.done` reported `status: incomplete` with a reason such as `max_output_tokens` or "
         "`content_filter`: the answer was cut. Fix: raise max_output_tokens, or handle the filter."),
    Rule("response-never-done", "warning",
         "a response that never got its response.done",
         "A `response.created` with no `response.done` by the end of the recording: the connection "
         "dropped, or the recording stopped mid-answer, or the app closed without waiting. An app that "
         "waits for done hangs here. Fix: wait for response.done (with a timeout) before closing."),
    # --- tools --------------------------------------------------------------------------------
    Rule("tool-output-missing", "warning",
         "a function call whose output is never sent",
         "The model called a function (a completed function_call item) and no "
         "`conversation.item.create` with a `function_call_output` for its call_id followed. The model "
         "never learns the result. Fix: always answer each call_id, with an error object if the tool "
         "failed."),
    Rule("tool-output-duplicate", "error",
         "two outputs sent for one call_id",
         "A call_id was answered twice: the model sees two results for one call and may act on both. "
         "Fix: send exactly one function_call_output per call_id (guard against retries)."),
    Rule("tool-output-unknown-call", "error",
         "a function output for a call_id the session never produced",
         "The recording saw the whole session, yet no function call had this call_id: a typo, a stale "
         "id from another session, or a hand-built id. Fix: answer with the call_id of the call."),
    Rule("tool-output-not-json", "info",
         "a function output that is not valid JSON",
         "The output is a string the model reads as is; JSON is not required, but tools usually mean to "
         "send JSON and a half-serialised value is a common bug. Fix: json.dumps the result."),
    Rule("tool-call-loop", "warning",
         "the same function call repeated with the same arguments 3+ times",
         "The model keeps calling one function with identical arguments: usually the output does not "
         "answer the question, is an error the model retries, or never arrives. Fix: return a useful "
         "result or a clear error the model can act on; consider tool_choice or instructions."),
    Rule("tool-output-no-response", "warning",
         "a function output not followed by response.create while the app waits",
         "After sending a function_call_output the client must ask for a response (`response.create`); "
         "the server does not answer on its own. Here the output was the last client event before 10 s "
         "of silence, or before the end of the recording, with no response starting. Fix: send "
         "response.create after the outputs of a response's calls."),
    # --- audio input --------------------------------------------------------------------------
    Rule("commit-too-small", "error",
         "input_audio_buffer.commit with less than 100 ms of audio",
         "A commit needs at least 100 ms of audio since the last commit or clear; otherwise the server "
         "answers `input_audio_buffer_commit_empty` and nothing is committed. With server VAD the server "
         "commits by itself, so a manual commit right after is empty. Fix: count the audio appended and "
         "commit only with 100 ms or more (or not at all under VAD)."),
    Rule("append-too-fast", "warning",
         "input audio appended far faster than real time",
         "More than 4x real time of audio was appended within a few seconds (the factor is named). A "
         "live microphone cannot do this; a WAV-driven test client can, and the server's VAD timing then "
         "no longer matches the user's. Fix: pace appends in real time when testing turn-taking."),
    Rule("append-bad-size", "error",
         "an append whose byte count does not fit the audio format",
         "PCM16 audio is 2 bytes per sample, so an odd byte count means a sample was split or the "
         "payload is corrupt (and base64 whose length is not a multiple of 4 is invalid). Fix: send "
         "whole samples; carry an odd byte over to the next append."),
    # --- session ------------------------------------------------------------------------------
    Rule("beta-field-in-ga", "error",
         "beta-shaped fields in a GA session.update",
         "The GA session is nested: voice is audio.output.voice, formats are audio.input/output.format "
         "(objects such as {\"type\": \"audio/pcm\", \"rate\": 24000}, not \"pcm16\"), turn_detection and "
         "transcription are under audio.input, modalities is output_modalities, max_response_output_tokens "
         "is max_output_tokens, temperature is gone. Each field is named with the GA path it belongs at, "
         "wherever it was sent (at the top level, or nested, as in audio.output.output_audio_format). The GA "
         "server refuses the whole update (`unknown_parameter`). Fix: send each field at its GA path (and "
         "`type: \"realtime\"`)."),
    Rule("unknown-session-field", "warning",
         "a GA session.update field the GA session does not have",
         "The GA session's objects have fixed fields (the session; audio.input: format, transcription, "
         "turn_detection, noise_reduction; audio.output: format, voice, speed; and the fields of a format, "
         "a transcription and a turn detection), as the API's own types list them. Any other name is a "
         "typo or a field put one level off (audio.voice), and the server refuses the whole update "
         "(`unknown_parameter`); a warning, not an error, because the API may have added the field since. "
         "The GA path of a field of that name is suggested when there is one. Tools, prompt and tracing "
         "are not checked. Fix: move the field to the GA path named, or drop it."),
    Rule("session-update-refused", "error",
         "a session.update refused by the server",
         "The server answered a session.update with an `error` (named): none of that update applied, "
         "so the session runs with its previous settings. Fix what the error names (a voice change after "
         "the model spoke, an unsupported rate, an unknown field)."),
    Rule("instructions-too-long", "info",
         "instructions over ~8,000 characters",
         "Very long instructions cost input tokens on every response and slow the first audio. Fix: "
         "trim, or move reference material into tools."),
    Rule("session-expiry", "info",
         "the session expired, or ended close to its expiry",
         "Sessions end at `expires_at` (60 minutes for GA) with an error `session_expired`. A session that "
         "ended by expiry, or within 5 minutes of it, needs reconnect logic. Fix: reconnect before "
         "expires_at and re-create the conversation items (assistant audio as transcript text)."),
    # --- items and errors ---------------------------------------------------------------------
    Rule("unknown-item-id", "error",
         "a reference to an item id the session never had",
         "`previous_item_id`, or `item_id` in truncate/delete/retrieve, names an item that no event of "
         "this session created (checked only when the recording starts with session.created, so it saw "
         "every item). The server answers with an error. Fix: use ids from conversation.item.added/"
         "created, and forget ids after conversation.item.deleted."),
    Rule("server-error", "error",
         "an error event no other rule explains",
         "The server sent `error` (its type, code and message are named, and the client event that "
         "caused it when `error.event_id` names one). Fix what the message says."),
)

#: Every rule by id, in catalogue order.
RULES: dict[str, Rule] = {rule.id: rule for rule in _ALL}
