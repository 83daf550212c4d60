"""Where the per-file reading runs: here (worker processes on this machine), or on a Dask cluster.

`--engine dask` sends the files to a `distributed` cluster in batches (one task per small
file would cost more than the file), each batch read by the same budgeted worker process a
local run uses, so a hostile file is cut off by time and memory on the cluster too. What
comes back is the same `UnitWorkbook` a local read gives, in the same order: the figures,
findings and submissions are identical whichever engine read the files. Without
`--scheduler` a two-worker `LocalCluster` is started for the run.

The workers open the files by their paths: on several machines, the inputs must be on storage
every worker sees under the same path (see the README).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.budget import Limits, Workers
from pipeline.config import Contract
from pipeline.errors import PipelineError
from pipeline.ingest import UnitWorkbook, ingest_file

Job = tuple[Path, str, str]  # (path, display name, sha256)
BATCH_FILES = 25  # files per task: enough that a task costs more than its scheduling


def read_batch(batch: list[Job], contract: Contract, limits: Limits) -> list[UnitWorkbook]:
    """One task: a batch of files read each within its budget, in a worker process of the Dask worker."""

    def work(job: Job) -> UnitWorkbook:
        path, name, sha = job
        return ingest_file(path, contract, name, sha, limits)

    def failed(job: Job, reason: str) -> UnitWorkbook:
        return UnitWorkbook(file=job[1], sha256=job[2], status="rejected", reason=reason)

    return Workers(work, limits, 1).run(batch, failed)


def read_on_dask(
    jobs: list[Job], contract: Contract, limits: Limits, scheduler: str | None, done: Callable[[int], Any]
) -> list[UnitWorkbook]:
    """Every job's result in order, read on the cluster at `scheduler` (or a LocalCluster of two workers)."""
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # an optional extra
        raise PipelineError("--engine dask 需要安装 Dask：pip install -e '.[dask]'（make setup 会安装）") from exc
    batches = [jobs[i : i + BATCH_FILES] for i in range(0, len(jobs), BATCH_FILES)]
    environment = dict(os.environ)  # LocalCluster sets OMP_NUM_THREADS, MALLOC_TRIM_THRESHOLD_… in this process too
    # The budgeted reader starts its own worker process; Dask's worker processes are daemons, which may not.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = None if scheduler else LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        try:
            with Client(scheduler or cluster, timeout=20) as client:
                shared = client.scatter([contract, limits], broadcast=True)
                futures = [client.submit(read_batch, batch, *shared, pure=False) for batch in batches]
                order = {future.key: index for index, future in enumerate(futures)}
                results: dict[int, list[UnitWorkbook]] = {}
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
    return [unit for index in range(len(batches)) for unit in results[index]]
