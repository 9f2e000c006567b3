"""What the replay does when the user acts on a conversation card: play, save, delete, copy.

The replay's conversation is rebuilt from the recording, so these act on the
`ReplayController`'s conversation as of the cursor and never send anything. Kept apart
from `ReplayScreen` (which only routes the `ConversationView` messages here) because
each action has its own failure to explain: no audio in a WebRTC recording, a directory
that cannot be written, a delete that a read-only replay cannot honour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from console.audio.playback import Speaker
from console.replay.controller import ReplayController

#: Show a sentence in the replay's notice line, with a severity ("information", ...).
Notice = Callable[[str, str], None]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def wav_name(item_id: str) -> str:
    """`<item id>.wav` with anything that is not safe in a file name replaced by `_`."""
    return _UNSAFE.sub("_", item_id) + ".wav"


class ReplayItemActions:
    """The per-item actions of the replay's conversation pane (read-only replay)."""

    def __init__(
        self,
        controller: ReplayController,
        speaker: Speaker,
        notice: Notice,
        copy_to_clipboard: Callable[[str], None],
    ) -> None:
        self.controller = controller
        self.speaker = speaker
        self.notice = notice
        self.copy_to_clipboard = copy_to_clipboard

    def _audio(self, item_id: str) -> np.ndarray | None:
        """The item's rebuilt audio at the cursor, or None if it has none."""
        item = self.controller.conversation.get_item(item_id)
        audio = (item or {}).get("formatted", {}).get("audio")
        return audio if audio is not None and len(audio) else None

    def _seconds(self, audio: np.ndarray) -> float:
        return len(audio) / self.controller.conversation.output_rate

    def play(self, item_id: str) -> None:
        """Play the item's audio from its start, cutting off whatever was playing."""
        audio = self._audio(item_id)
        if audio is None:
            self.notice(f"item {item_id} has no audio (a WebRTC recording carries none)", "warning")
            return
        self.speaker.interrupt()
        self.speaker.enqueue(f"replay:{item_id}", audio.copy())
        if not self.speaker.enabled:  # a virtual clock: nothing is heard
            self.notice(f"nothing to hear (audio off): {self._seconds(audio):.1f} s of {item_id} "
                        "runs on a silent clock", "warning")
            return
        self.notice(f"playing {self._seconds(audio):.1f} s of {item_id}", "information")

    def save(self, item_id: str, directory: Path | None = None) -> Path | None:
        """Write the item's audio as `<item id>.wav` (in the working directory by default)."""
        from console.audio.wavfile import write_wav

        audio = self._audio(item_id)
        if audio is None:
            self.notice(f"item {item_id} has no audio to save", "warning")
            return None
        path = (directory or Path.cwd()) / wav_name(item_id)
        try:
            write_wav(path, audio, self.controller.conversation.output_rate)
        except OSError as exc:
            self.notice(f"cannot write {path}: {exc.strerror or exc}", "error")
            return None
        self.notice(f"saved {self._seconds(audio):.1f} s to {path}", "information")
        return path

    def delete(self, item_id: str) -> None:
        """Refuse, saying why: a replay never sends anything."""
        self.notice("a replay is read-only: nothing is sent", "warning")

    def copy(self, item_id: str, text: str) -> None:
        """Put the card's text on the clipboard (and say truthfully where it went)."""
        from console.app.clipboard import copy_text
        from console.recording.paths import sessions_dir

        outcome = copy_text(text, f"item {item_id}", osc52=self.copy_to_clipboard, save_dir=sessions_dir().parent)
        self.notice(outcome.message, outcome.severity)
