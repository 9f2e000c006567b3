"""`SummaryCache`: summaries by file, cached on disk, and the listing of a directory.

A team's recordings directory grows to thousands of files; opening and analysing each on
every listing would take minutes. `SummaryCache` keeps each file's `Summary` in one file
in the user's cache directory
(`$XDG_CACHE_HOME/realtime-console/summaries.bin`, default `~/.cache/...`), keyed by the
file's absolute path and checked against its size and modification time (ns): a second
listing reads only the files that changed. The file is a `row_file` (one tuple of the
`Summary` fields per recording, loaded by `marshal`, checksummed), because the browser's
start at 10,000 recordings was mostly spent parsing the JSON document it used to be. It
is written atomically, so a crash or two listings at once never leave it half written; a
damaged or older cache (the JSON `summaries.json` included) is ignored with one message
(`SummaryCache.problem`) and rebuilt. A file that is not a recording gets a summary too,
with `problem` set, so it is reported (and not re-read) until it changes.

UI-free: the sessions browser and `stats` both use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import row_file
from .paths import APP_DIR, make_private_dirs
from .summary import Summary

#: Bumped when a summary field changes meaning: older caches are then ignored. (A field
#: added, removed or renamed needs no bump: the cache file names the fields it holds.)
CACHE_VERSION = 3
CACHE_FILE = "summaries.bin"
#: The JSON cache of earlier versions, replaced by `CACHE_FILE`.
LEGACY_CACHE_FILE = "summaries.json"


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/realtime-console` (default `~/.cache/realtime-console`).

    A relative `$XDG_CACHE_HOME` is ignored, as the XDG spec says.
    """
    env = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(env) if env and os.path.isabs(env) else Path.home() / ".cache"
    return base / APP_DIR


def default_cache_path() -> Path:
    return cache_dir() / CACHE_FILE


def recording_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every `*.jsonl` under `directory` (recursively), sorted by path.

    Raises:
        NotADirectoryError / FileNotFoundError: `directory` is not a directory.
    """
    return [Path(p) for p in recording_paths(directory)]


def recording_paths(directory: str | os.PathLike[str]) -> list[str]:
    """`recording_files` as strings (each `directory` joined with the file's path under
    it): what the sessions browser's re-check of 10,000 files uses, where making a
    `Path` of each cost more than the `stat` calls."""
    root = Path(directory)
    if not root.is_dir():
        if root.exists():
            raise NotADirectoryError(f"{root} is not a directory")
        raise FileNotFoundError(f"{root}: no such directory")
    # `scandir` and string keys: `rglob` stats every file and `Path` comparisons are slow,
    # which at 10,000 files cost more than the rest of a cached listing.
    found: list[str] = []
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".jsonl") and entry.is_file():
                    found.append(entry.path)
    found.sort(key=lambda p: p.split(os.sep))  # the order `Path`s sort in
    return found


Reader = Callable[[Path], Summary]


def _summarise(path: Path) -> Summary:
    """The default reader: `summarise_file`, whose analysis (and numpy) is imported only
    when a file has to be read, so a cached listing never loads it."""
    from .summaries import summarise_file

    return summarise_file(path)


class SummaryCache:
    """Summaries by absolute path, valid while the file's size and mtime are unchanged.

    Args:
        path: the cache file (default: `default_cache_path()`); None keeps it in memory.
        reader: how a file is summarised when the cache has nothing valid for it
            (default `summarise_file`; tests pass a counting wrapper).
        legacy: a cache file of an older format that `path` replaces: when `path` does
            not exist yet and this does, `problem` says so, and `save` deletes it.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, reader: Reader | None = None,
                 legacy: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.legacy = Path(legacy) if legacy is not None else None
        self.reader: Reader = reader or _summarise
        self.entries: dict[str, Summary] = {}
        #: Files summarised (read) by this cache object, and summaries served from the cache.
        self.reads = 0
        self.hits = 0
        #: Why the cache file was ignored (damaged, an older format): one line for the user,
        #: or None when it was read (or there was none yet).
        self.problem: str | None = None
        self._dirty = False
        if self.path is not None:
            self._load()

    @classmethod
    def default(cls, reader: Reader | None = None) -> "SummaryCache":
        """The user's cache file (replacing the JSON one of earlier versions)."""
        return cls(default_cache_path(), reader=reader, legacy=cache_dir() / LEGACY_CACHE_FILE)

    def _load(self) -> None:
        """Read the cache file; a missing one counts as empty, a damaged or foreign one
        too, with `problem` saying why."""
        assert self.path is not None
        try:
            summaries = row_file.read(self.path, Summary, CACHE_VERSION)
        except FileNotFoundError:
            if self.legacy is not None and self.legacy.is_file():
                self._ignored(self.legacy, "an older format (JSON)")
            return
        except (OSError, row_file.RowFileError) as exc:
            self._ignored(self.path, getattr(exc, "strerror", None) or str(exc))
            return
        self.entries = {s.path: s for s in summaries}

    def _ignored(self, path: Path, reason: str) -> None:
        self.problem = f"summary cache {path} ignored ({reason}): every file is read again"
        self._dirty = True  # rewritten (and a legacy file removed) even if nothing is read

    def cached(self, path: str | os.PathLike[str]) -> Summary | None:
        """The valid cached summary of `path` without reading the file (one `stat`), or None."""
        key = os.path.abspath(path)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            st = os.stat(key)
        except OSError:
            return None
        if st.st_size == entry.size and st.st_mtime_ns == entry.mtime_ns:
            return entry
        return None

    def get(self, path: str | os.PathLike[str]) -> Summary:
        """The summary of `path`: from the cache if the file is unchanged, else read now."""
        hit = self.cached(path)
        if hit is not None:
            self.hits += 1
            return hit
        return self.store(self.reader(Path(os.path.abspath(path))))

    def store(self, summary: Summary) -> Summary:
        """Keep a summary just read (by `get`, or by a pool of workers: `summary_pool`)."""
        key = summary.path = os.path.abspath(summary.path)
        self.reads += 1
        self.entries[key] = summary
        self._dirty = True
        return summary

    def summaries(
        self, paths: Iterable[str | os.PathLike[str]], progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Summary]:
        """Each path's summary in order, calling `progress(done, total)` after each."""
        items = list(paths)
        for n, path in enumerate(items, 1):
            yield self.get(path)
            if progress is not None:
                progress(n, len(items))

    def forget_missing(self, directory: str | os.PathLike[str], present: Iterable[str | os.PathLike[str]]) -> None:
        """Drop entries under `directory` whose files are gone (keeps the cache small)."""
        root = os.path.join(os.path.abspath(directory), "")
        keep = {os.path.abspath(p) for p in present}
        gone = [k for k in self.entries if k.startswith(root) and k not in keep]
        for key in gone:
            del self.entries[key]
        self._dirty = self._dirty or bool(gone)

    def save(self) -> str | None:
        """Write the cache atomically if anything changed; return a problem, or None.

        Never raises: a cache that cannot be written only costs speed next time.
        """
        if self.path is None or not self._dirty:
            return None
        try:
            make_private_dirs(self.path.parent)
            row_file.write(self.path, self.entries.values(), Summary, CACHE_VERSION)
        except (OSError, ValueError) as exc:
            return f"summary cache not saved ({self.path}): {getattr(exc, 'strerror', None) or exc}"
        if self.legacy is not None:
            try:
                self.legacy.unlink()
            except OSError:
                pass
        self._dirty = False
        return None
