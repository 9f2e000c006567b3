"""The still picture the replay's waveforms show after a jump (pure: no Textual).

While playing, the model waveform follows the speaker. After a seek or a pause there is
nothing flowing, so the panes draw the audio that ends at the cursor instead: the user's
input still in the buffer (or, once committed, the last user item's) and the last
assistant item's audio so far.
"""

from __future__ import annotations

import numpy as np

from console.replay.controller import ReplayController


def audio_at_cursor(controller: ReplayController, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(user, assistant) int16 audio ending at the cursor.

    Each is `window` samples of silence followed by at most the last `window` samples of
    that audio, so writing it to a waveform's ring scrolls out what was drawn before.
    """
    user = controller.rebuilder.input_audio  # the input not yet committed at the cursor
    assistant = np.zeros(0, np.int16)
    for item in reversed(controller.items()):
        audio = (item.get("formatted") or {}).get("audio")
        if audio is None or not len(audio):
            continue
        if item.get("role") == "assistant" and not len(assistant):
            assistant = audio
        elif item.get("role") == "user" and not len(user):
            user = audio
        if len(user) and len(assistant):
            break
    silence = np.zeros(window, np.int16)
    return np.concatenate([silence, user[-window:]]), np.concatenate([silence, assistant[-window:]])
