"""RingBuffer: wrap-around, overrun counting, latest(), and a real two-thread handoff."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from console.audio.ring import RingBuffer


def test_read_returns_written_samples_in_order_across_wrap() -> None:
    ring = RingBuffer(10)
    ring.write(np.arange(7, dtype=np.int16))
    assert ring.read().tolist() == list(range(7))
    ring.write(np.arange(7, 13, dtype=np.int16))  # wraps past the end
    assert ring.available == 6
    assert ring.read().tolist() == list(range(7, 13))
    assert ring.read().tolist() == []
    assert ring.overruns == 0


def test_overrun_is_counted_and_reader_resumes_at_oldest_intact_sample() -> None:
    ring = RingBuffer(8)
    ring.write(np.arange(5, dtype=np.int16))
    ring.write(np.arange(5, 12, dtype=np.int16))  # 12 written, capacity 8: 4 lost
    out = ring.read()
    assert out.tolist() == list(range(4, 12))
    assert ring.overruns == 4


def test_block_larger_than_capacity_keeps_its_tail() -> None:
    ring = RingBuffer(4)
    ring.write(np.arange(10, dtype=np.int16))
    assert ring.written == 10
    assert ring.latest(4).tolist() == [6, 7, 8, 9]
    assert ring.read().tolist() == [6, 7, 8, 9]
    assert ring.overruns == 6


def test_read_max_samples_and_clear() -> None:
    ring = RingBuffer(16)
    ring.write(np.arange(10, dtype=np.int16))
    assert ring.read(4).tolist() == [0, 1, 2, 3]
    assert ring.available == 6
    ring.clear()
    assert ring.available == 0
    ring.write(np.array([42], dtype=np.int16))
    assert ring.read().tolist() == [42]


def test_latest_pads_with_zeros_and_does_not_move_the_reader() -> None:
    ring = RingBuffer(8)
    ring.write(np.array([1, 2, 3], dtype=np.int16))
    assert ring.latest(5).tolist() == [0, 0, 1, 2, 3]
    assert ring.latest(100).tolist() == [0, 0, 0, 0, 0, 1, 2, 3]  # clamped to capacity
    assert ring.read().tolist() == [1, 2, 3]


def test_invalid_capacity() -> None:
    with pytest.raises(ValueError):
        RingBuffer(0)


def test_writer_thread_and_reader_see_every_sample_or_count_it_lost() -> None:
    """A real writer thread racing a reader: what is read is an in-order, gap-free
    continuation except where overruns were counted."""
    ring = RingBuffer(4096)
    blocks, size = 2000, 97
    def writer() -> None:
        for b in range(blocks):
            ring.write((np.arange(b * size, (b + 1) * size) % 30000).astype(np.int16))

    t = threading.Thread(target=writer)
    t.start()
    got: list[np.ndarray] = []
    while t.is_alive() or ring.available:
        got.append(ring.read())
    t.join()
    data = np.concatenate(got).astype(np.int64)
    assert len(data) + ring.overruns == blocks * size
    # Every read chunk is internally consecutive (mod 30000): no torn data.
    for chunk in got:
        if len(chunk) > 1:
            diffs = np.diff(chunk.astype(np.int64)) % 30000
            assert np.all(diffs == 1)

