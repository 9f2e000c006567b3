"""A file of dataclass rows that loads fast: what the summary cache is stored in.

The sessions browser's start was mostly loading the summary cache: at 10,000 recordings,
a JSON document of one object per file (every key spelled out each time) is 9.7 MB, and
`json.loads` plus one dataclass built from keywords per entry took 0.3–0.5 s of CPU.
Here each object is one tuple of its fields, in the dataclass's field order, and the
whole list is one `marshal` payload (stdlib, C, no parsing; about 5.5 MB): the same rows
load in 60–75 ms of CPU, each handed to the dataclass positionally
(`bench/bench_sessions.py` measures both in the same run).

Layout: `MAGIC`, then `<IIIQ`: this layout's `FORMAT`, the caller's `version` (bumped
when a field changes meaning), the CRC-32 and the length of the payload; then the payload,
`marshal.dumps((field names, [row, ...]), 4)`. The field names are the dataclass's, so a
file written for other fields (one added, removed or renamed) is refused without anyone
having to remember a version bump.

A file is read only when everything above matches; anything else raises `RowFileError`
with a one-line reason (an older JSON cache, damage, another version), and the caller
rebuilds. The checksum is checked before `marshal` sees a byte: `marshal` is not meant
for damaged input. Nor for hostile input; the file lives in the user's own private cache
directory (mode 0700), where whoever can write it can change the user's programs anyway.

Written atomically (a temporary file renamed over the old one), so a crash or two
writers at once never leave half a file. UI-free; the dataclass is a parameter, so this
module knows nothing of summaries.
"""

from __future__ import annotations

import gc
import marshal
import os
import struct
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

#: The first bytes of every row file.
MAGIC = b"RTCROWS\n"
#: This module's layout; bumped if the header or the payload's shape changes.
FORMAT = 1
#: The `marshal` format written (readable by every later Python).
MARSHAL_VERSION = 4
_HEADER = struct.Struct("<IIIQ")

T = TypeVar("T")


class RowFileError(ValueError):
    """The file is not a row file this code can read; the message says why, in a few words."""


def field_names(cls: type) -> tuple[str, ...]:
    """The dataclass's fields, in the order its `__init__` takes them."""
    return tuple(f.name for f in fields(cls) if f.init)


def encode(items: Iterable[Any], cls: type, version: int) -> bytes:
    """The file's bytes for `items` (instances of the dataclass `cls`).

    Each row is a shallow tuple of the fields (nested dicts and lists are written as
    they are), so values must be what `marshal` takes: None, bool, int, float, str,
    bytes and lists, tuples, dicts and sets of them; anything else raises ValueError.
    """
    names = field_names(cls)
    rows = [tuple([getattr(item, name) for name in names]) for item in items]
    payload = marshal.dumps((names, rows), MARSHAL_VERSION)
    return MAGIC + _HEADER.pack(FORMAT, version, zlib.crc32(payload), len(payload)) + payload


def decode(data: bytes, cls: type[T], version: int) -> list[T]:
    """The objects in a file's bytes; raises `RowFileError` saying why it cannot."""
    if not data.startswith(MAGIC):
        if data.lstrip()[:1] == b"{":
            raise RowFileError("an older format (JSON)")
        raise RowFileError("not a row file")
    start = len(MAGIC) + _HEADER.size
    if len(data) < start:
        raise RowFileError("cut short")
    layout, written, crc, length = _HEADER.unpack_from(data, len(MAGIC))
    if layout != FORMAT:
        raise RowFileError(f"another layout ({layout}, this code reads {FORMAT})")
    if written != version:
        raise RowFileError(f"another version ({written}, this code reads {version})")
    payload = memoryview(data)[start:]
    if len(payload) != length:
        raise RowFileError("cut short" if len(payload) < length else "trailing bytes")
    if zlib.crc32(payload) != crc:
        raise RowFileError("damaged (checksum mismatch)")
    names = field_names(cls)
    with _gc_paused():  # many small dicts and lists: the collector would walk them again and again
        try:
            stored, rows = marshal.loads(payload)
        except (ValueError, EOFError, TypeError) as exc:
            raise RowFileError(f"damaged ({exc})") from None
        if stored != names:
            raise RowFileError("written for other fields")
        if type(rows) is not list:
            raise RowFileError("damaged (no rows)")
        width = len(names)
        # The dataclass's own `__init__`, positionally: with keywords it cost more than
        # the loading itself (keywords only for a dataclass with keyword-only fields).
        positional = not any(f.kw_only for f in fields(cls) if f.init)
        out: list[T] = []
        try:
            for row in rows:
                if type(row) is not tuple or len(row) != width:
                    raise RowFileError("damaged (a row of another width)")
                out.append(cls(*row) if positional else cls(**dict(zip(names, row))))
        except TypeError as exc:
            raise RowFileError(f"damaged ({exc})") from None
        return out


def read(path: str | os.PathLike[str], cls: type[T], version: int) -> list[T]:
    """The objects stored in `path`. Raises OSError (FileNotFoundError: no file yet) or
    `RowFileError`."""
    return decode(Path(path).read_bytes(), cls, version)


def write(path: str | os.PathLike[str], items: Iterable[Any], cls: type, version: int) -> None:
    """Write `items` to `path` atomically (the directory must exist). Raises OSError, or
    ValueError for a value `marshal` cannot write; `path` is then left as it was."""
    target = Path(path)
    data = encode(items, cls, version)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (it frees nothing while a load only
    allocates, and at 10,000 rows its passes cost a third of the load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
