"""A budget per file: each workbook is read in a worker process with a time and a memory limit.

A higher-level union that receives one hostile or broken file among a
thousand must still get its report. Each file is read by a worker process
(forked once, reused for file after file) whose address space is capped
(`resource.RLIMIT_AS`); the parent waits for each file at most the time
limit, then kills the worker, records the file as rejected with one line,
starts a fresh worker and goes on. A worker that dies (a crash in a native
reader) costs only the file it was reading.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

Job = tuple[Path, str, str]  # path, display name, sha256


@dataclass(frozen=True)
class Limits:
    """The per-file budget (config `limits:`); the defaults are named in the README."""

    seconds: float = 30.0  # reading one file (xlrd may take 20 s over a damaged 40 KB .xls)
    memory_mb: int = 2048  # what a worker may map beyond the address space it inherited from the pipeline
    package_mb: int = 300  # an .xlsx/.ods package's uncompressed size (a zip bomb claims gigabytes)
    cells: int = 5_000_000  # the rows × columns a sheet may claim (Excel's whole grid is 17 billion)
    cell_chars: int = 32_767  # one cell's text (Excel's own limit)

    @classmethod
    def of(cls, options: dict[str, Any]) -> Limits:
        """The limits a configuration sets (its `limits:` mapping), the rest default."""
        given = options.get("limits") or {}
        return cls(**{k: type(getattr(cls, k))(v) for k, v in given.items()})


def inherited_bytes() -> int:
    """This process's address space now (Linux /proc; 0 where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


def _serve(conn: Connection, memory_mb: int, work: Callable[[Job], Any]) -> None:
    """A worker: cap its memory, then read the files it is sent until told to stop.

    The cap is `memory_mb` beyond the address space the worker inherited at fork: a parent that
    has grown (a Dask client's threads, a long test session) must not leave its readers no room.
    """
    limit = inherited_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    gc.enable()  # the parent pauses its collector while results arrive; a reader's openpyxl trees make cycles
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(work(job))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    queue: deque[tuple[int, Job]] = field(default_factory=deque)  # sent, not answered; the first is being read
    started: float = 0.0  # when the first of the queue began


AHEAD = 2  # jobs a worker holds: the next is there when it sends a result (a small file takes 4 ms)


class Workers:
    """A few reusable worker processes that read files within the budget."""

    def __init__(self, work: Callable[[Job], Any], limits: Limits, count: int = 1) -> None:
        self.done: Callable[[int], Any] | None = None
        self.work, self.limits, self.count = work, limits, max(1, count)
        self.context = multiprocessing.get_context("fork")

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child, self.limits.memory_mb, self.work), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def run(
        self, jobs: Iterable[Job], failed: Callable[[Job, str], Any], done: Callable[[int], Any] | None = None
    ) -> list[Any]:
        """Each job's result in order; a job over its time, or whose worker died, gives `failed(job, reason)`.

        `done(n)` is told as jobs finish (a progress bar's update).
        """
        self.done = done
        pending = deque(enumerate(jobs))
        results: dict[int, Any] = {}
        workers = [self._start() for _ in range(min(self.count, len(pending)) or 1)]
        try:
            while pending or any(w.queue for w in workers):
                for worker in workers:
                    while pending and len(worker.queue) < AHEAD:
                        if not worker.queue:
                            worker.started = time.monotonic()
                        index, job = pending.popleft()
                        worker.conn.send(job)
                        worker.queue.append((index, job))
                self._collect(workers, pending, results, failed)
        finally:
            for worker in workers:
                self._stop(worker)
        return [results[i] for i in sorted(results)]

    def _collect(
        self, workers: list[_Worker], pending: deque, results: dict, failed: Callable[[Job, str], Any]
    ) -> None:
        active = [w for w in workers if w.queue]
        deadline = min(w.started + self.limits.seconds for w in active)
        ready = wait([w.conn for w in active], timeout=max(0.0, deadline - time.monotonic()))
        for worker in active:
            index, job = worker.queue[0]
            if worker.conn in ready:
                try:
                    results[index] = worker.conn.recv()
                except (EOFError, OSError):
                    results[index] = failed(job, "读取时程序异常退出（文件可能已损坏），已跳过")
                    self._give_up(workers, worker, pending)
                else:
                    worker.queue.popleft()
                    worker.started = time.monotonic()
                self._finished()
            elif time.monotonic() - worker.started >= self.limits.seconds:
                results[index] = failed(job, f"读取超过 {self.limits.seconds:g} 秒，已跳过（文件过大或已损坏）")
                self._give_up(workers, worker, pending)
                self._finished()

    def _give_up(self, workers: list[_Worker], worker: _Worker, pending: deque) -> None:
        """Replace a worker that died or overran on its first job; the jobs queued behind it go back in line."""
        worker.queue.popleft()
        pending.extendleft(reversed(worker.queue))
        worker.queue.clear()
        self._replace(workers, worker)

    def _finished(self) -> None:
        if self.done is not None:
            self.done(1)

    def _replace(self, workers: list[_Worker], worker: _Worker) -> None:
        self._stop(worker, kill=True)
        workers[workers.index(worker)] = self._start()

    @staticmethod
    def _stop(worker: _Worker, kill: bool = False) -> None:
        if kill:
            worker.process.kill()
        else:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
