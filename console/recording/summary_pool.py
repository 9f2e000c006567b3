"""Summarising many recordings at once in worker processes: the first scan of a big directory.

A summary is the full `inspect` analysis of a file (about 2 ms for a small session), so
the first listing of 10,000 recordings is CPU-bound in one process. `summarise_all` hands
the files to a process pool in chunks and yields the summaries in the files' order; each
is made by the same `summarise_file` as in-process, so the figures are the same. The pool
uses the `spawn` start method (forking a process that runs Textual's threads is unsafe),
which costs a few tenths of a second per worker, and the workers' reading costs about a
third more CPU than reading in-process (start-up, pickling). So it runs `cores() - 1`
workers, leaving a core to the caller (the browser's UI): on a 2-core machine that is one
worker, no gain, and files are read here, as they are below `POOL_FROM` files or with a
custom reader (tests count reads in their own process). `bench/bench_sessions.py` measures
a 2-worker pool against one process.

UI-free: the sessions browser's scan worker uses it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .summaries import summarise_file

from .summary import Summary

from .summary_cache import Reader

#: Fewer files than this are summarised in this process (a pool's start-up would cost more).
POOL_FROM = 200
#: Files per task sent to a worker (one message per file would cost more than the reading).
CHUNK = 16


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def summarise_all(paths: Sequence[Path], *, reader: Reader = summarise_file, jobs: int | None = None,
                  cancel: threading.Event | None = None) -> Iterator[Summary]:
    """Each path's summary, in order; stops early (and stops the pool) once `cancel` is set
    or the caller stops iterating. `jobs`: worker processes (default: `cores() - 1`)."""
    jobs = cores() - 1 if jobs is None else jobs
    if reader is not summarise_file or jobs <= 1 or len(paths) < POOL_FROM:
        for path in paths:
            if cancel is not None and cancel.is_set():
                return
            yield reader(path)
        return
    done = 0
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        for summary in pool.map(summarise_file, paths, chunksize=CHUNK):
            if cancel is not None and cancel.is_set():
                return
            done += 1
            yield summary
    except (BrokenProcessPool, OSError):  # a worker killed (out of memory), or no processes to be had
        pass
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    yield from summarise_all(paths[done:], jobs=1, cancel=cancel)  # whatever the pool did not finish
