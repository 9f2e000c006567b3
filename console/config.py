"""Typed console options and the connection settings they resolve to.

`launch.py` parses the command line; this module turns the parsed options into one
`ConsoleConfig` that the app consumes, and is the only place that decides where to
connect, which key to use, what the first session looks like and where it is recorded.
Every user mistake (missing key variable, unreadable `--session` file, malformed tool
list, a `--record` directory that does not exist, ...) becomes a
`console.cli.UsageError` with one readable sentence, so the CLI prints one line and exits
with status 2 instead of a traceback.

The API key is kept in a field excluded from `repr` and is never formatted into any
label: screens, logs and screenshots show where the key came from (`key_source`), never
the key itself.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from console.cli import UsageError
from console.realtime.api import azure_url
from console.realtime.protocol import DEFAULT_MODEL, DEFAULT_URL, PROTOCOLS, VOICES
from console.realtime.session_config import DEFAULT_SERVER_VAD
from console.session.editable import SessionFileError, load_preset
from console.tools.registry import ToolRegistry, ToolSpecError, demo_specs
from console.user_config import DEFAULT_THEME, UserSettings

TurnMode = Literal["vad", "ptt"]

OPENAI_KEY_ENV = "OPENAI_API_KEY"
AZURE_KEY_ENV = "AZURE_OPENAI_API_KEY"

#: Input transcription the console turns on unless the session preset says otherwise.
DEFAULT_TRANSCRIPTION: dict[str, Any] = {"model": "whisper-1"}



@dataclass(frozen=True)
class ConsoleConfig:
    """Everything the app needs to start: where to connect, how, and the first session.

    `url is None` with `offline=True` means: start the embedded simulator on loopback.
    """

    url: str | None
    model: str
    protocol: str
    offline: bool
    endpoint_label: str
    api_key: str | None = field(default=None, repr=False, compare=False)
    key_source: str | None = None
    azure: bool = False
    azure_deployment: str | None = None
    api_version: str | None = None
    turn_mode: TurnMode = "ptt"
    session: dict[str, Any] = field(default_factory=dict)
    input_device: str | int | None = None
    output_device: str | int | None = None
    no_audio: bool = False
    input_wav: Path | None = None
    tools_spec: str | None = None
    tools: ToolRegistry = field(default_factory=ToolRegistry, repr=False, compare=False)
    #: Where this session is recorded; None: not at all. `build_config` sets a default
    #: path unless `--no-record`; a config built by hand records only when asked.
    record: Path | None = None
    #: Pace the embedded simulator as fast as possible (tests) instead of in real time.
    simulator_fast: bool = False
    #: Feed `--input-wav` faster than real time (tests); 1.0 is real time.
    wav_speed: float = 1.0
    theme: str = DEFAULT_THEME
    #: Binding id -> key(s) from the settings file, for Textual's `App.set_keymap`.
    keymap: dict[str, str] = field(default_factory=dict)
    #: Reconnect on an expired session or a dropped connection, restoring the conversation
    #: (`--no-reconnect` turns it off; `/reconnect` always starts a fresh session).
    reconnect: bool = True

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `RealtimeClient` (contains the key: never log them)."""
        kwargs: dict[str, Any] = {"url": self.url, "protocol": self.protocol, "auto_reconnect": self.reconnect}
        if self.azure:
            kwargs.update(azure_deployment=self.azure_deployment, api_version=self.api_version,
                          azure_api_key=self.api_key)
        else:
            kwargs.update(api_key=self.api_key, model=self.model)
        return kwargs

    def redact(self, text: str) -> str:
        """`text` with the API key (if any) replaced: a last guard for error messages."""
        if self.api_key and self.api_key in text:
            return text.replace(self.api_key, "[redacted]")
        return text


def _device(value: str | None) -> str | int | None:
    """Audio devices are given by index or by (part of) a name."""
    if value is None or value == "":
        return None
    return int(value) if value.strip().isdigit() else value


def _flag_or(flag: str | None, setting: str | int | None) -> str | None:
    """A flag's value, else the settings file's (an integer device index as text)."""
    if flag is not None:
        return flag
    return None if setting is None else str(setting)


def load_session(path_text: str, tool_names: list[str]) -> dict[str, Any]:
    """The flat session fields of a `--session` preset file, checked as the editor checks them.

    `session_model.load_preset` is the one loader (flat, GA or `session.update` shapes,
    per-field checks); here its message just becomes a one-line `UsageError`.
    `tool_choice` may name a tool the file defines or one from `--tools`.
    """
    try:
        return load_preset(path_text, tool_names=tool_names)
    except SessionFileError as exc:
        raise UsageError(f"--session {' '.join(str(exc).split())}") from None


def backend_word(offline: bool, azure: bool, url: str | None) -> str:
    """The short word recording names use for where a session ran."""
    if offline:
        return "sim"
    if azure:
        return "azure"
    if url == DEFAULT_URL:
        return "openai"
    return urlsplit(url or "").hostname or "custom"


def record_path(option: str | None, disabled: bool, *, model: str, backend: str) -> Path | None:
    """Where to record the session: `--record PATH`, nowhere with `--no-record`, else a new
    default-named file under the XDG state directory.

    An explicit `--record` is checked now, before the TUI starts: a user who asked for a
    recording in a given place would rather fix a typo than discover afterwards that the
    session went unrecorded, so a missing or unwritable directory, or an existing file
    (which would be overwritten), is a `UsageError`. An existing directory gets a
    default-named file inside it. The default directory is created (0700) by the recorder
    when the session starts; if that fails the session runs unrecorded, with a message.
    """
    from console.recording.paths import default_path, new_recording_path

    if disabled:
        return None
    if option is None:
        return default_path(model=model, backend=backend)
    if not option.strip():
        raise UsageError("--record needs a file or directory path")
    path = Path(option).expanduser()
    if path.is_dir():  # the user named the directory itself: a default-named file in it
        path = new_recording_path(path, model=model, backend=backend)
    elif option.endswith(("/", os.sep)):
        raise UsageError(f"--record {option}: no such directory")
    elif path.exists():
        raise UsageError(f"--record {option}: the file already exists (give a new name, or a directory)")
    directory = path.parent
    if not directory.exists():
        raise UsageError(f"--record {option}: directory {directory} does not exist")
    if not directory.is_dir():
        raise UsageError(f"--record {option}: {directory} is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"--record {option}: cannot write in {directory}")
    return path.absolute()


def load_tools(spec: str | None) -> ToolRegistry:
    """The tool registry for `--tools FILE.json|module:attr`, or the demo tools without it.

    Without `--tools` the console offers the React console's demo tools (`get_weather`,
    `set_memory`), so a new user sees a tool call on the simulator at once; the tool
    editor can remove them. Loading errors become one-line `UsageError`s.
    """
    if not spec:
        return ToolRegistry(demo_specs())
    registry = ToolRegistry()
    try:
        registry.load(spec)
    except ToolSpecError as exc:
        raise UsageError(f"--tools: {exc}") from None
    return registry


def _check_wav(path_text: str) -> Path:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UsageError(f"--input-wav file not found: {path_text}")
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise UsageError(f"--input-wav {path_text}: only 16-bit PCM WAV files are supported")
            if wav.getnframes() == 0:
                raise UsageError(f"--input-wav {path_text}: the file has no audio")
    except (wave.Error, EOFError, OSError) as exc:
        raise UsageError(f"--input-wav {path_text} is not a readable WAV file: {exc}") from None
    return path


def _env_key(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _azure_url(endpoint: str, deployment: str, api_version: str | None) -> str:
    try:
        return azure_url(endpoint, deployment, api_version)
    except ValueError:
        raise UsageError(f"--azure-endpoint {endpoint!r} is not a URL") from None


def _endpoint_label(url: str) -> str:
    """Scheme, host and path of a URL, without its query (it may carry secrets)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _recordings_dir(settings: UserSettings) -> str | None:
    """The settings file's `recordings_dir`, created (0700) so it can act as `--record DIR`."""
    from console.recording.paths import make_private_dirs

    directory = settings.recordings_dir
    if directory is None:
        return None
    try:
        make_private_dirs(directory)
    except OSError as exc:
        raise UsageError(f"config file {settings.path}: recordings_dir {directory}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    return str(directory)


def build_config(args: Any, settings: UserSettings | None = None) -> ConsoleConfig:
    """Resolve parsed options (an `argparse.Namespace`) to a `ConsoleConfig`.

    `settings` (the user's settings file, `console.user_config`) fills in what no flag
    gives: theme, keymap, model, voice, protocol, turn mode, audio devices and the
    recordings directory. A flag always wins over the file.

    Key resolution, in order: `--api-key-env NAME` (must be set), Azure's
    `AZURE_OPENAI_API_KEY` when `--azure-endpoint` is given, then `OPENAI_API_KEY`.
    Without any key and without `--url`, the console runs offline on the embedded
    simulator; `--url` without a key connects without authentication (e.g. to a simulator
    started with `realtime-console simulator`).
    """
    settings = settings or UserSettings()
    protocol = getattr(args, "protocol", None) or settings.protocol or "ga"
    if protocol not in PROTOCOLS:
        raise UsageError(f"--protocol must be one of {', '.join(PROTOCOLS)}")
    model = getattr(args, "model", None) or settings.model or DEFAULT_MODEL
    url: str | None = getattr(args, "url", None)
    azure_endpoint: str | None = getattr(args, "azure_endpoint", None)
    azure_deployment: str | None = getattr(args, "azure_deployment", None)
    api_version: str | None = getattr(args, "api_version", None)
    key_env: str | None = getattr(args, "api_key_env", None)

    if url is not None:
        scheme = urlsplit(url).scheme
        if scheme not in ("ws", "wss", "http", "https") or not urlsplit(url).netloc:
            raise UsageError(f"--url {url!r} is not a ws:// or wss:// URL")
    if azure_endpoint and url:
        raise UsageError("give either --url or --azure-endpoint, not both")
    if (azure_deployment or api_version) and not azure_endpoint:
        raise UsageError("--azure-deployment and --api-version need --azure-endpoint")
    if azure_endpoint and not azure_deployment:
        raise UsageError("--azure-endpoint needs --azure-deployment NAME")

    api_key: str | None
    key_source: str | None
    if key_env:
        api_key = _env_key(key_env)
        if api_key is None:
            raise UsageError(f"--api-key-env {key_env}: that environment variable is not set")
        key_source = key_env
    elif azure_endpoint:
        api_key, key_source = _env_key(AZURE_KEY_ENV), AZURE_KEY_ENV
        if api_key is None:
            raise UsageError(f"Azure needs a key: set {AZURE_KEY_ENV} (or use --api-key-env NAME)")
    else:
        api_key = _env_key(OPENAI_KEY_ENV)
        key_source = OPENAI_KEY_ENV if api_key else None

    offline = False
    if azure_endpoint:
        assert azure_deployment is not None
        url = _azure_url(azure_endpoint, azure_deployment, api_version)
        model = azure_deployment
        endpoint_label = f"Azure {urlsplit(url).netloc} ({azure_deployment})"
    elif url is not None:
        endpoint_label = _endpoint_label(url)
    elif api_key is not None:
        url = DEFAULT_URL
        endpoint_label = "api.openai.com"
    else:
        offline = True
        endpoint_label = "offline: local simulator"

    tools_spec = getattr(args, "tools", None)
    tools = load_tools(tools_spec)

    session: dict[str, Any] = {}
    session_path = getattr(args, "session", None)
    if session_path:
        session.update(load_session(session_path, tools.names()))
    instructions = getattr(args, "instructions", None)
    if instructions is not None:
        session["instructions"] = instructions
    voice = getattr(args, "voice", None)
    if voice is None and "voice" not in session:
        voice = settings.voice
    if voice is not None:
        if voice not in VOICES:
            raise UsageError(f"--voice {voice!r} is not a voice (one of {', '.join(VOICES)})")
        session["voice"] = voice

    # As the React console does: transcribe the user's speech, so voice turns show text.
    session.setdefault("input_audio_transcription", dict(DEFAULT_TRANSCRIPTION))

    turn = getattr(args, "turn", None)
    if turn is None and "turn_detection" not in session:
        turn = settings.turn_mode
    if turn == "vad":
        session["turn_detection"] = dict(DEFAULT_SERVER_VAD)
    elif turn == "ptt":
        session["turn_detection"] = None
    turn_mode: TurnMode = "vad" if session.get("turn_detection") else "ptt"

    input_wav = getattr(args, "input_wav", None)
    wav_path = _check_wav(input_wav) if input_wav else None

    record_option = getattr(args, "record", None)
    no_record = bool(getattr(args, "no_record", False))
    if record_option is None and not no_record:
        record_option = _recordings_dir(settings)
    record = record_path(record_option, no_record,
                         model=model, backend=backend_word(offline, bool(azure_endpoint), url))

    return ConsoleConfig(
        url=url,
        model=model,
        protocol=protocol,
        offline=offline,
        endpoint_label=endpoint_label,
        api_key=api_key,
        key_source=key_source,
        azure=bool(azure_endpoint),
        azure_deployment=azure_deployment,
        api_version=api_version,
        turn_mode=turn_mode,
        session=session,
        input_device=_device(_flag_or(getattr(args, "input_device", None), settings.input_device)),
        output_device=_device(_flag_or(getattr(args, "output_device", None), settings.output_device)),
        no_audio=bool(getattr(args, "no_audio", False)),
        input_wav=wav_path,
        tools_spec=tools_spec,
        tools=tools,
        record=record,
        reconnect=not bool(getattr(args, "no_reconnect", False)),
        theme=getattr(args, "theme", None) or settings.theme or DEFAULT_THEME,
        keymap=dict(settings.keymap),
    )
