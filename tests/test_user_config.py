"""The settings file (`console/user_config.py`) and the `config` command, without the UI.

Every test points `XDG_CONFIG_HOME` at its own temporary directory, so the developer's
real settings are never read or written.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from console.cli import UsageError, main
from console.config import build_config
from console.app.launch import build_parser
from tests.config_files import write_config
from console.user_config import config_path, load_settings, save_theme, to_toml


#: Every test here writes its own settings file under a temporary XDG_CONFIG_HOME.
pytestmark = pytest.mark.usefixtures("config_home")



GOOD = """\
# my settings
theme = "nord"
model = "gpt-realtime-mini"
voice = "marin"
protocol = "beta"
turn_mode = "vad"
input_device = 2
output_device = "USB Speaker"
prices = "~/prices.json"

[keymap]
"app.talk" = "f9"
"main.focus_log" = "ctrl+k, f8"
"""


def test_the_file_lives_under_xdg_config_home(config_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config_path() == config_home / "realtime-console" / "config.toml"
    assert main(["config", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_home / "realtime-console" / "config.toml")


def test_no_file_means_defaults() -> None:
    settings = load_settings()
    assert settings.theme is None and settings.keymap == {}
    assert settings.effective() == {"theme": "textual-dark", "model": "gpt-realtime", "protocol": "ga",
                                    "turn_mode": "ptt", "keymap": {}}


def test_a_good_file() -> None:
    path = write_config(GOOD)
    settings = load_settings()
    assert settings.path == path
    assert (settings.theme, settings.model, settings.voice, settings.protocol, settings.turn_mode) == (
        "nord", "gpt-realtime-mini", "marin", "beta", "vad")
    assert settings.input_device == 2 and settings.output_device == "USB Speaker"
    assert settings.prices == Path.home() / "prices.json"
    assert settings.keymap == {"app.talk": "f9", "main.focus_log": "ctrl+k,f8"}


@pytest.mark.parametrize("text, expected", [
    ('theme = "nord"\ncolour = "red"\n', "line 2: unknown key 'colour'"),
    ('model = 3\n', "line 1: 'model' must be a string, not int"),
    ('input_device = true\n', "line 1: 'input_device' must be a string or an integer, not bool"),
    ('turn_mode = "auto"\n', "line 1: 'turn_mode' must be one of vad, ptt, not 'auto'"),
    ('protocol = "v2"\n', "'protocol' must be one of ga, beta"),
    ('voice = "bob"\n', "'voice' must be one of"),
    ('keymap = "f9"\n', "'keymap' must be a table ([keymap]), not str"),
    ('[keymap]\n"app.talk" = 9\n', "line 2: 'keymap.app.talk' must be a non-empty string of keys"),
    ('theme = "nord"\nmodel = \n', "is not valid TOML: Invalid value (at line 2, column 9)"),
    ('theme = "nord"\ntheme = "dracula"\n', "is not valid TOML"),
])
def test_a_bad_file_is_one_line_naming_the_key_and_exit_2(text: str, expected: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(text)
    assert main(["config", "--show"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"config file {path}" in err and expected in err
    # The console itself stops the same way, before any UI.
    assert main(["--no-audio"]) == 2
    assert expected in capsys.readouterr().err


def test_an_unreadable_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config("")
    path.unlink()
    path.mkdir()  # a directory where the file should be
    assert main(["config", "--show"]) == 2
    assert f"cannot read config file {path}" in capsys.readouterr().err


def test_show_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    write_config(GOOD)
    assert main(["config", "--show"]) == 0
    shown = capsys.readouterr().out
    data = tomllib.loads(shown)
    assert data["theme"] == "nord" and data["keymap"] == {"app.talk": "f9", "main.focus_log": "ctrl+k,f8"}
    assert data["input_device"] == 2 and data["prices"] == str(Path.home() / "prices.json")
    # What --show prints is itself a settings file giving the same settings.
    before = load_settings()
    write_config(shown)
    after = load_settings()
    assert after.effective() == before.effective()


def test_show_without_a_file_prints_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--show"]) == 0
    out = capsys.readouterr().out
    assert "(no file: defaults)" in out
    assert tomllib.loads(out)["turn_mode"] == "ptt"


def test_to_toml_quotes_what_needs_quoting() -> None:
    data = {"a": 'say "hi"\\\n', "n": 3, "t": {"x.y": "ctrl+k", "plain": "f1"}}
    assert tomllib.loads(to_toml(data)) == data


def options(*argv: str):
    return build_parser("realtime-console").parse_args(["--no-audio", "--no-record", *argv])


def test_the_file_fills_in_what_no_flag_gives() -> None:
    write_config(GOOD)
    config = build_config(options(), load_settings())
    assert (config.theme, config.model, config.protocol, config.turn_mode) == ("nord", "gpt-realtime-mini", "beta", "vad")
    assert config.session["voice"] == "marin"
    assert config.input_device == 2 and config.output_device == "USB Speaker"
    assert config.keymap == {"app.talk": "f9", "main.focus_log": "ctrl+k,f8"}


def test_flags_override_the_file() -> None:
    write_config(GOOD)
    config = build_config(options("--theme", "dracula", "--model", "m2", "--voice", "alloy", "--protocol", "ga",
                                  "--ptt", "--input-device", "5", "--output-device", "Other"), load_settings())
    assert (config.theme, config.model, config.protocol, config.turn_mode) == ("dracula", "m2", "ga", "ptt")
    assert config.session["voice"] == "alloy"
    assert config.input_device == 5 and config.output_device == "Other"


def test_without_a_file_build_config_is_unchanged() -> None:
    config = build_config(options())
    assert (config.theme, config.protocol, config.turn_mode, config.keymap) == ("textual-dark", "ga", "ptt", {})


def test_recordings_dir_replaces_the_default_directory(tmp_path: Path) -> None:
    directory = tmp_path / "recs" / "deep"
    write_config(f'recordings_dir = "{directory}"\n')
    args = build_parser("realtime-console").parse_args(["--no-audio"])
    config = build_config(args, load_settings())
    assert config.record is not None and config.record.parent == directory and directory.is_dir()
    # --record and --no-record still win.
    assert build_config(options(), load_settings()).record is None
    explicit = tmp_path / "one.jsonl"
    args = build_parser("realtime-console").parse_args(["--no-audio", "--record", str(explicit)])
    assert build_config(args, load_settings()).record == explicit


def test_recordings_dir_that_cannot_be_made_names_the_key(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    write_config(f'recordings_dir = "{blocker / "sub"}"\n')
    args = build_parser("realtime-console").parse_args(["--no-audio"])
    with pytest.raises(UsageError, match="recordings_dir"):
        build_config(args, load_settings())


def test_save_theme_creates_the_file() -> None:
    path = save_theme("dracula")
    assert path == config_path() and load_settings().theme == "dracula"


def test_save_theme_keeps_every_other_key_and_the_comments() -> None:
    write_config(GOOD)
    save_theme("dracula")
    text = config_path().read_text()
    assert "# my settings" in text and 'theme = "dracula"' in text and "nord" not in text
    after = load_settings()
    assert after.theme == "dracula" and after.keymap == {"app.talk": "f9", "main.focus_log": "ctrl+k,f8"}
    assert after.model == "gpt-realtime-mini" and after.input_device == 2


def test_save_theme_adds_the_key_before_the_tables() -> None:
    write_config('[keymap]\n"app.talk" = "f9"\n')
    save_theme("nord")
    after = load_settings()
    assert after.theme == "nord" and after.keymap == {"app.talk": "f9"}


def test_save_theme_leaves_a_broken_file_alone() -> None:
    write_config("theme = \n")
    with pytest.raises(UsageError, match="not valid TOML"):
        save_theme("nord")
    assert config_path().read_text() == "theme = \n"


def test_inspect_takes_its_prices_from_the_settings_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from console.recording.synthetic import SessionBuilder

    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"date": "2026-12-01", "models": {"gpt-realtime": {
        "text_input": 0.0, "text_cached_input": 0.0, "text_output": 0.0,
        "audio_input": 0.0, "audio_cached_input": 0.0, "audio_output": 0.0}}}))
    recording = tmp_path / "s.jsonl"
    b = SessionBuilder(protocol="ga")
    b.session()
    b.user_text("hello")
    b.response_create()
    b.response(text_only=True, transcript="Hi.")
    b.write(recording)
    assert main(["inspect", "--json", str(recording)]) == 0
    default_total = json.loads(capsys.readouterr().out)["cost"]["total"]
    write_config(f'prices = "{prices}"\n')
    assert main(["inspect", "--json", str(recording)]) == 0
    cost = json.loads(capsys.readouterr().out)["cost"]
    assert default_total > 0 and cost["total"] == 0.0 and cost["prices_date"] == "2026-12-01"
