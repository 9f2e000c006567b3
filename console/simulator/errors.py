"""Errors in the Realtime API's own shape.

Handlers raise `ApiError`; the connection turns it into one `error` event whose
`error.event_id` echoes the client event that caused it, and keeps the connection open.
Fatal errors (bad key, bad model, refused beta shape, expiry) are `FatalError`s: the
connection sends the event, then closes with upstream's code and a reason
`<error.type>.<error.code>`.
"""

from __future__ import annotations

from typing import Any

from console.realtime.protocol import new_event_id


class ApiError(Exception):
    """A client mistake reported as an `error` event; the connection stays open."""

    def __init__(self, code: str | None, message: str, param: str | None = None,
                 error_type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.error_type = error_type

    def event(self, client_event_id: str | None) -> dict[str, Any]:
        """The `error` server event for this error, linked to the client's event id."""
        return {
            "type": "error",
            "event_id": new_event_id(),
            "error": {
                "type": self.error_type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
                "event_id": client_event_id,
            },
        }


class FatalError(ApiError):
    """An error after which upstream closes the connection with `close_code`."""

    def __init__(self, code: str, message: str, close_code: int,
                 error_type: str = "invalid_request_error") -> None:
        super().__init__(code, message, None, error_type)
        self.close_code = close_code

    @property
    def close_reason(self) -> str:
        return f"{self.error_type}.{self.code}"
