"""realtime-console: an inspector and debugger for OpenAI Realtime API sessions."""

__version__ = "0.1.0"
