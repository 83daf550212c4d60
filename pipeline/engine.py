"""Where the per-file work runs: here (worker processes on this machine), or on a Dask cluster.

`--engine dask` sends the files to a `distributed` cluster in batches (one task per small
file would cost more than the file), each batch read by the same budgeted worker process a
local run uses, so a hostile file is cut off by time and memory on the cluster too. Each
task also computes each unit it read, as a local reader does (pipeline.ahead: the derived
rows, figures and their mergeable shares, section figures, audit findings). What comes back
is what a local read gives, in the same order: the figures, findings and submissions are
identical whichever engine read the files. Without `--scheduler` a two-worker `LocalCluster`
is started for the run.

The workers open the files by their paths: on several machines, the inputs must be on storage
every worker sees under the same path (see the README).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.ahead import Ahead, ReadAhead, compute_ahead
from pipeline.budget import Limits, Workers
from pipeline.config import Settings
from pipeline.errors import PipelineError
from pipeline.ingest import UnitWorkbook, ingest_file

Job = tuple[Path, str, str]  # (path, display name, sha256)
BATCH_FILES = 25  # files per task: enough that a task costs more than its scheduling


def read_batch(
    batch: list[Job], settings: Settings, limits: Limits, run: tuple[date, str] | None
) -> list[tuple[UnitWorkbook, Ahead | None]]:
    """One task: a batch of files read each within its budget, in a worker process of the Dask worker.

    With `run` (the run's date and key), each unit read is computed there too (pipeline.ahead).
    """

    def work(job: Job) -> tuple[UnitWorkbook, Ahead | None]:
        path, name, sha = job
        unit = ingest_file(path, settings.contract, name, sha, limits)
        return unit, compute_ahead(unit, settings, *run) if run is not None else None

    def failed(job: Job, reason: str) -> tuple[UnitWorkbook, None]:
        return UnitWorkbook(file=job[1], sha256=job[2], status="rejected", reason=reason), None

    return Workers(work, limits, 1).run(batch, failed)


def read_on_dask(
    jobs: list[Job], settings: Settings, scheduler: str | None, done: Callable[[int], Any], ahead: ReadAhead | None
) -> list[UnitWorkbook]:
    """Every job's result in order, read on the cluster at `scheduler` (or a LocalCluster of two workers)."""
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # an optional extra
        raise PipelineError("--engine dask 需要安装 Dask：pip install -e '.[dask]'（make setup 会安装）") from exc
    batches = [jobs[i : i + BATCH_FILES] for i in range(0, len(jobs), BATCH_FILES)]
    limits, run = Limits.of(settings.options), (ahead.today, ahead.key) if ahead is not None else None
    environment = dict(os.environ)  # LocalCluster sets OMP_NUM_THREADS, MALLOC_TRIM_THRESHOLD_… in this process too
    # The budgeted reader starts its own worker process; Dask's worker processes are daemons, which may not.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = None if scheduler else LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        try:
            with Client(scheduler or cluster, timeout=20) as client:
                shared = client.scatter([settings, limits], broadcast=True)
                futures = [client.submit(read_batch, batch, *shared, run, pure=False) for batch in batches]
                order = {future.key: index for index, future in enumerate(futures)}
                results: dict[int, list[tuple[UnitWorkbook, Ahead | None]]] = {}
                for future in as_completed(futures):
                    results[order[future.key]] = future.result()
                    done(len(results[order[future.key]]))
        except (OSError, TimeoutError) as exc:
            raise PipelineError(f"连接不上 Dask 调度器 {scheduler}：{exc}") from exc
        finally:
            if cluster is not None:
                cluster.close()
            os.environ.clear()
            os.environ.update(environment)  # LibreOffice, run later, misbehaves under them
    units = []
    for index in range(len(batches)):
        for unit, computed in results[index]:
            units.append(unit)
            if ahead is not None:
                ahead.keep(unit, computed)
    return units
