"""The user's settings file, `config.toml` in the platform's config directory.

Users of terminal tools expect their preferences (theme, keys, default model and voice,
audio devices, where recordings go) to live in one file rather than in a shell alias.
This module finds, reads, checks and writes that file and nothing else: it knows no UI,
so the `config` command, `console.config.build_config` and the app share it.

The file is checked as strictly as the command line: bad TOML, a key this version does
not know (most likely a typo) or a value of the wrong type is one `UsageError` sentence
naming the file and the key, so the console exits with status 2 before the TUI starts
instead of quietly ignoring what the user asked for. Command-line flags override it.

Example::

    theme = "nord"
    model = "gpt-realtime"
    voice = "marin"
    protocol = "ga"
    turn_mode = "vad"          # or "ptt"
    input_device = "USB"       # index or (part of) a name
    output_device = 3
    recordings_dir = "~/recordings"
    prices = "~/prices.json"   # price overrides for `inspect` and `stats`

    [keymap]                   # binding id = key(s), comma-separated
    "app.talk" = "f9"
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.cli import UsageError
from console.realtime.protocol import DEFAULT_MODEL, PROTOCOLS, VOICES

APP_NAME = "realtime-console"
FILE_NAME = "config.toml"

#: What the console uses when neither the file nor a flag says otherwise.
DEFAULT_THEME = "textual-dark"
TURN_MODES: tuple[str, ...] = ("vad", "ptt")

#: Every top-level key the file may hold, with the types its value may have.
_SCALARS: dict[str, tuple[type, ...]] = {
    "theme": (str,),
    "model": (str,),
    "voice": (str,),
    "protocol": (str,),
    "turn_mode": (str,),
    "input_device": (str, int),
    "output_device": (str, int),
    "recordings_dir": (str,),
    "prices": (str,),
}
_TABLES = ("keymap",)
_CHOICES: dict[str, tuple[str, ...]] = {"protocol": PROTOCOLS, "turn_mode": TURN_MODES, "voice": VOICES}


def config_path() -> Path:
    """Where the settings file lives: `$XDG_CONFIG_HOME/realtime-console/config.toml` on
    Linux (`~/.config/...` when unset), the platform's own place elsewhere."""
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / FILE_NAME


@dataclass(frozen=True)
class UserSettings:
    """The settings a file gave (None: not set there); `path` is where they came from."""

    path: Path | None = None
    theme: str | None = None
    model: str | None = None
    voice: str | None = None
    protocol: str | None = None
    turn_mode: str | None = None
    input_device: str | int | None = None
    output_device: str | int | None = None
    recordings_dir: Path | None = None
    prices: Path | None = None
    #: Binding id -> key(s), as Textual's `App.set_keymap` takes them.
    keymap: dict[str, str] = field(default_factory=dict)

    def effective(self) -> dict[str, Any]:
        """The settings in effect without flags (defaults, then the file), for `config --show`.

        Settings left to someone else (the server's voice, the system's audio devices, the
        default recordings directory) are absent: TOML has no null.
        """
        out: dict[str, Any] = {
            "theme": self.theme or DEFAULT_THEME,
            "model": self.model or DEFAULT_MODEL,
            "protocol": self.protocol or "ga",
            "turn_mode": self.turn_mode or "ptt",
        }
        for name in ("voice", "input_device", "output_device"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        for name in ("recordings_dir", "prices"):
            value = getattr(self, name)
            if value is not None:
                out[name] = str(value)
        out["keymap"] = dict(self.keymap)
        return out


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    """The line a key is set on, so a message can point at it (best effort)."""
    pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ").strip("\"'")
            continue
        if current == table and pattern.match(line):
            return number
    return None


def _where(path: Path, text: str, key: str, table: str | None = None) -> str:
    line = _line_of(text, key, table)
    return f"config file {path}, line {line}:" if line else f"config file {path}:"


def _type_words(types: tuple[type, ...]) -> str:
    return " or ".join({str: "a string", int: "an integer"}[t] for t in types)


def parse_settings(text: str, path: Path) -> UserSettings:
    """Check the text of a settings file; one-line `UsageError` for the first mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = _where(path, text, key)
        if key in _TABLES:
            if not isinstance(value, dict):
                raise UsageError(f"{where} '{key}' must be a table ([{key}]), not {type(value).__name__}")
            keymap: dict[str, str] = {}
            for binding_id, keys in value.items():
                if not isinstance(keys, str) or not keys.strip():
                    raise UsageError(f"{_where(path, text, binding_id, key)} '{key}.{binding_id}' must be a "
                                     "non-empty string of keys (e.g. \"f9\" or \"ctrl+k,f9\")")
                keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
            values[key] = keymap
            continue
        types = _SCALARS.get(key)
        if types is None:
            known = ", ".join([*_SCALARS, *_TABLES])
            raise UsageError(f"{where} unknown key '{key}' (known: {known})")
        if not isinstance(value, types) or isinstance(value, bool):
            raise UsageError(f"{where} '{key}' must be {_type_words(types)}, not {type(value).__name__}")
        choices = _CHOICES.get(key)
        if choices is not None and value not in choices:
            raise UsageError(f"{where} '{key}' must be one of {', '.join(choices)}, not {value!r}")
        if isinstance(value, str) and not value.strip():
            raise UsageError(f"{where} '{key}' is empty")
        if key in ("recordings_dir", "prices"):
            value = Path(value).expanduser()
        values[key] = value
    return UserSettings(path=path, **values)


def load_settings(path: Path | None = None) -> UserSettings:
    """The settings in `path` (default: `config_path()`); no file means no settings."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserSettings(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise UsageError(f"cannot read config file {path}: {reason}") from None
    return parse_settings(text, path)


# --- writing --------------------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: dict[str, Any]) -> str:
    """TOML text for simple values and one level of tables (all this file ever holds).

    `tomllib` reads TOML but the standard library cannot write it; the settings are flat
    strings and integers plus the keymap table, so a few lines do instead of a dependency.
    """
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{_toml_key(key)}]"]
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


_THEME_LINE = re.compile(r"""^\s*(["']?)theme\1\s*=.*$""")


def save_theme(theme: str, path: Path | None = None) -> Path:
    """Remember the theme the user picked: set `theme` in the file, keeping everything else.

    The `theme` line is replaced in place (or added at the top), so the user's comments and
    other keys survive; the result is parsed again before it is written, and a file that
    does not parse now (edited meanwhile) is left alone with a `UsageError`. The file and
    its directory are created when missing.
    """
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    before = parse_settings(text, path)
    line = f"theme = {_toml_string(theme)}"
    lines = text.splitlines()
    for index, existing in enumerate(lines):
        if existing.lstrip().startswith("["):  # past the top-level keys: add it first
            lines.insert(0, line)
            break
        if _THEME_LINE.match(existing):
            lines[index] = line
            break
    else:
        lines.insert(0, line)
    new_text = "\n".join(lines) + "\n"
    after = parse_settings(new_text, path)
    if after.theme != theme or {**vars(after), "theme": None} != {**vars(before), "theme": None}:
        # A multi-line value or an odd layout fooled the line edit: rewrite from the data.
        data = tomllib.loads(text) if text else {}
        data["theme"] = theme
        new_text = to_toml(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.replace(tmp, path)
    return path
