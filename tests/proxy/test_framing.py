"""The relay's own frames parse, with websockets' parser, to the message they carry."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from console.proxy.framing import encode_frame


def _parse(data: bytes, *, masked: bool) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=masked, max_size=None, extensions=[])
    try:
        next(parser)
    except StopIteration as done:
        assert not reader.buffer, "bytes left over after the frame"
        return done.value
    raise AssertionError("the frame is incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
@pytest.mark.parametrize("masked", [False, True])
def test_text_and_binary_frames_carry_the_payload_unchanged(size: int, masked: bool) -> None:
    payload = bytes(i % 251 for i in range(size))
    for text, opcode in ((True, Opcode.TEXT), (False, Opcode.BINARY)):
        frame = _parse(encode_frame(payload, text=text, mask=masked), masked=masked)
        assert (frame.opcode, frame.fin, frame.data) == (opcode, True, payload)
        assert not (frame.rsv1 or frame.rsv2 or frame.rsv3)


def test_masked_frames_use_a_fresh_key_each_time() -> None:
    first, second = (encode_frame(b"same payload", text=True, mask=True) for _ in range(2))
    assert first[2:6] != second[2:6] and first[6:] != second[6:]
    assert encode_frame(b"same payload", text=True, mask=False) == b"\x81\x0csame payload"
