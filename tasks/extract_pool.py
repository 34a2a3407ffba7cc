"""Where extraction runs: a small pool of worker processes, never the runner's threads.

Why processes. The first release extracted in the thread-pool runner's threads, two batches in
flight. On real 135 KB pages that run died once in glibc's ``double free or corruption`` and
once grew to 23.5 GB before the kernel killed it (about twenty 300-page runs; single-batch runs
survived). Every thread shared C state: trafilatura parses through one module-level lxml
``HTMLParser`` (``trafilatura.utils.HTML_PARSER``, also ``htmldate.utils.HTML_PARSER``), whose
libxml2 parser context lxml serialises with a lock and re-points at each thread's string
dictionary; the trees, XPath evaluators and libxml2's globals all live in one heap. The
exact corrupting call was not pinned down in the time boxed for it (a 4-thread stress of 300
real pages x 8 rounds under MALLOC_CHECK_=3 did not reproduce it; see benchmarks/stress.py).
So the fix is by design rather than by patching one call: each worker process owns its parser,
its trees and its heap, and no C-backed object (lxml parser or tree, DuckDB connection) is
reachable from two threads at once. Only picklable values cross: ``Fetched`` in, ``Article`` and
``StageError`` out.

It also bounds the damage a pathological page can do: a worker's address space is capped
(``settings.EXTRACT_WORKER_MEMORY_MB``), so a runaway C routine gets a MemoryError (a per-page
error) instead of taking the machine; a worker that still dies breaks only its chunk, whose
pages are then retried one by one so the culprit is named and the rest extracted. Workers are
replaced after ``settings.EXTRACT_CHUNKS_PER_WORKER`` chunks, so a long run's fragmentation
does not accumulate: peak memory follows the batch size and the batches in flight.

- ``extract_in_workers(batch, extract)``: ``extract`` (``tasks.extract.extract_batch``, passed in
  by reference so this module does not import the stage it serves) over the batch, in the pool.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from kabar import settings
from kabar.models import Article, Fetched, RunStopped, StageError

LOGGER = logging.getLogger(__name__)
Extract = Callable[[list[Fetched]], tuple[list[Article], list[StageError]]]

_LOCK = threading.Lock()
_POOL: ProcessPoolExecutor | None = None
#: Set by ``stop()`` (a run interrupted): no pool is started and no chunk submitted until ``resume()``.
_STOPPED = threading.Event()


def _start_worker(megabytes: int, owner: int) -> None:
    """Worker initialiser: cap the address space so a runaway page fails with MemoryError, and
    exit when the owning kabar process is gone (a killed run left its workers and their fork
    server behind: their parent is the fork server, so no pipe closes to tell them)."""
    def watch() -> None:
        import os
        import time

        while True:
            time.sleep(2.0)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()
    # A terminal's Ctrl-C reaches the whole process group: the owner stops the workers (stop());
    # a worker of its own printed a KeyboardInterrupt traceback per chunk.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if megabytes > 0:
        import resource

        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _pool() -> ProcessPoolExecutor:
    """The process's extraction pool, started on first use (forkserver: a clean, thread-free
    parent for the workers; forking this multi-threaded process could copy a held lock)."""
    global _POOL
    with _LOCK:
        if _STOPPED.is_set():  # checked under the lock: stop() may have run since _attempt looked
            raise RunStopped("extraction stopped: the run was interrupted")
        if _POOL is None:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the extraction code once; each worker forks ready to work.
            context.set_forkserver_preload(["tasks.extract", "tasks.extract_pool"])
            _POOL = ProcessPoolExecutor(
                max_workers=settings.EXTRACT_PROCESSES, mp_context=context,
                initializer=_start_worker, initargs=(settings.EXTRACT_WORKER_MEMORY_MB, os.getpid()),
                max_tasks_per_child=settings.EXTRACT_CHUNKS_PER_WORKER,
            )
        return _POOL


def _discard(pool: ProcessPoolExecutor) -> None:
    global _POOL
    with _LOCK:
        if _POOL is pool:
            _POOL = None
    pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def shutdown() -> None:
    """Stop the workers (at exit, or from tests)."""
    global _POOL
    with _LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def release_workers() -> None:
    """The run extracts nothing more: stop the idle workers now (a later run in this process
    starts new ones). Issue 11: a run's memory peaks in the main process near its end (the last
    batch's enrichment, then the search index, checks and report), while two idle workers held
    about 300 MB RSS beside it; the peak of a whole 3,000-page ingest was that sum."""
    shutdown()


def stop() -> None:
    """Stop extraction at once (the run was interrupted): kill the workers, whose chunks would
    otherwise run to the end (minutes on a huge page), and refuse new chunks with RunStopped, so
    the threads waiting on them end now instead of retrying each page in a new pool.
    (ProcessPoolExecutor.shutdown never stops a running worker; terminate_workers() is 3.14+.)"""
    global _POOL
    _STOPPED.set()
    with _LOCK:
        pool, _POOL = _POOL, None
    if pool is None:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


def resume() -> None:
    """Allow extraction again (a new run in this process)."""
    _STOPPED.clear()


#: glibc's malloc_trim in a worker, looked up on first use; False where libc has none.
_TRIM = None


def _give_back_heap() -> None:
    """Return the free pages of this worker's C heap to the system (glibc ``malloc_trim(0)``).

    Why: libxml2 builds each page's tree out of many small ``malloc`` blocks. Once a chunk's trees
    are freed, glibc keeps the memory in its heap for reuse: it returns only a free stretch at the
    very top of the heap, and only above its trim threshold, which glibc raises on its own (up to
    tens of MB) whenever a large mmapped block (a page's decoded text, a parse buffer) is freed
    (glibc malloc/malloc.c, the "dynamic mmap threshold"). The free pages below the top stay
    resident until a later chunk reuses them. ``malloc_trim(0)`` also releases free whole pages
    inside the heap (madvise): 7-13 MB after each 25-page chunk of real pages (one process
    extracting them as a worker does), a few milliseconds a chunk. It is not all of the growth
    (one chunk of real pages raised that process from 239 to 275 MB, 268 after the trim).
    A no-op where libc has no malloc_trim (musl, macOS)."""
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


def _extract_chunk(extract: Extract, chunk: list[Fetched]) -> tuple[list[Article], list[StageError]]:
    """In a worker: ``extract(chunk)``, then the chunk's freed C memory back to the system."""
    try:
        return extract(chunk)
    finally:
        _give_back_heap()


def _attempt(extract: Extract, chunk: list[Fetched]) -> tuple[list[Article], list[StageError]] | None:
    """``extract(chunk)`` in a worker; None when the pool broke (a worker died) meanwhile;
    RunStopped once ``stop()`` was called."""
    if _STOPPED.is_set():
        raise RunStopped("extraction stopped: the run was interrupted")
    pool = _pool()
    try:
        return pool.submit(_extract_chunk, extract, chunk).result()
    except BrokenProcessPool:
        _discard(pool)
    except RuntimeError:  # another thread discarded this pool between _pool() and submit()
        _discard(pool)
    except CancelledError:  # queued, not started, when stop() shut the pool down
        if _STOPPED.is_set():
            raise RunStopped("extraction stopped: the run was interrupted") from None
        _discard(pool)
    return None


def _in_pool(extract: Extract, chunk: list[Fetched]) -> tuple[list[Article], list[StageError]]:
    """One chunk in a worker; if the pool breaks, each page alone, so one page's crash is that
    page's error and the others are still extracted. A single page gets a second attempt: a
    dying worker breaks the whole pool, and so the chunks of other threads in flight with it."""
    if (done := _attempt(extract, chunk)) is not None:
        return done
    if len(chunk) == 1:
        if (done := _attempt(extract, chunk)) is not None:
            return done
        fetched = chunk[0]
        LOGGER.warning("extraction worker died on %s", fetched.item.url)
        return [], [StageError(fetched.item.url, fetched.item.source, "extract",
                               "the extractor crashed on this page (worker process died)")]
    articles: list[Article] = []
    errors: list[StageError] = []
    for fetched in chunk:
        got, failed = _in_pool(extract, [fetched])
        articles += got
        errors += failed
    return articles, errors


def _daemonic() -> bool:
    # A Dask worker process is daemonic and may not start children: it is already a process
    # of its own, so it extracts in place.
    return multiprocessing.current_process().daemon


def extract_in_workers(batch: list[Fetched], extract: Extract) -> tuple[list[Article], list[StageError]]:
    """Articles and per-page errors of a fetched batch: ``extract`` (a module-level function,
    pickled by reference) run in worker processes on chunks of ``settings.EXTRACT_CHUNK`` pages,
    results in the batch's order."""
    todo = [f for f in batch if f.ok]
    if not todo:
        return [], []
    if settings.EXTRACT_PROCESSES < 1 or _daemonic():
        return extract(todo)
    size = max(1, settings.EXTRACT_CHUNK)
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    try:
        if len(chunks) == 1:
            parts = [_in_pool(extract, chunks[0])]
        else:
            # The caller is one of the runner's threads; fan the chunks out and wait in order.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=min(len(chunks), max(1, settings.EXTRACT_PROCESSES))) as waiters:
                parts = list(waiters.map(lambda chunk: _in_pool(extract, chunk), chunks))
    except RunStopped as stopped:
        # stop(): the run is ending and loads nothing more; an error per page rather than an
        # exception, which Prefect would log as a failed task with a traceback
        return [], [StageError(f.item.url, f.item.source, "extract", str(stopped)) for f in todo]
    articles = [a for got, _ in parts for a in got]
    errors = [e for _, failed in parts for e in failed]
    return articles, errors


def worker_pids() -> list[int]:
    """PIDs of the live workers (for benchmarks measuring their memory)."""
    pool = _POOL
    return [p.pid for p in (getattr(pool, "_processes", None) or {}).values()] if pool else []

