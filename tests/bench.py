"""Benchmarks (`make bench`): ratios against a baseline measured in the same run.

- reading: our reader (calamine + XML scan) against openpyxl on the same workbooks;
- ingest with full validation against pandas+calamine merely reading the same sheets, in one process
  and as whole commands (`python -m pipeline ingest --jobs 2` against a process reading with pandas);
- a whole run over a generated tree: uncached, cached, and parallel ingest;
- the local engine against `--engine dask` on a two-worker LocalCluster;
- with PDFs: a full report, then the report after one workbook changed; the consolidated and audit
  PDFs' pages at two tree sizes (bounded: they should not grow), and pages rendered per second.

BENCH_UNITS sets the tree size (default 1000), BENCH_PDF_UNITS the trees rendered with every PDF
(default 100 and 400). Figures are printed, never asserted.
"""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.cache import IngestCache
from pipeline.config import load_settings
from pipeline.ingest import ingest_file
from pipeline.recognise import recognise
from pipeline.render.publish import publish
from pipeline.run import Engine, discover, run_report
from pipeline.workbook import SheetExtras, _read_openpyxl, read_workbook
from tests.generate import generate_realistic_tree, generate_tree


def timed(action):
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def bench_readers(files: list[Path]) -> None:
    baseline, _ = timed(lambda: [_read_openpyxl(f, {f.name: SheetExtras()}) for f in files])
    ours, _ = timed(lambda: [read_workbook(f) for f in files])
    print(
        f"读取 {len(files)} 份工作簿：openpyxl {len(files) / baseline:,.0f} 份/秒，"
        f"calamine+XML 扫描 {len(files) / ours:,.0f} 份/秒，快 {baseline / ours:.1f} 倍"
    )


def bench_recognition(files: list[Path]) -> None:
    """What finding each sheet's kind by its headers (every kind scored) costs, against reading the files."""
    contract = load_settings().contract
    books = [read_workbook(f) for f in files]
    reading, _ = timed(lambda: [read_workbook(f) for f in files])
    scoring, _ = timed(lambda: [recognise(book, contract) for book in books])
    sheets = sum(len(book.sheets) for book in books)
    print(
        f"识别 {sheets} 张工作表的种类（{len(contract.kinds())} 种台账逐一打分）：{scoring:.2f} 秒，"
        f"为读取这些文件用时的 {scoring / reading:.2f} 倍"
    )


def bench_ingest(files: list[Path], rounds: int = 3) -> None:
    """Our ingest (read, recognise, validate, account for every row) against pandas+calamine only reading.

    Alternated, best of `rounds` each: the ratio of two runs on a shared machine is steadier than either.
    """
    contract = load_settings().contract
    pandas, ours, rows = [], [], 0
    for _ in range(rounds):
        pandas.append(timed(lambda: [pd.read_excel(f, sheet_name=None, engine="calamine") for f in files])[0])
        took, books = timed(lambda: [ingest_file(f, contract, f.name) for f in files])
        ours.append(took)
        rows = sum(a.rows_read for book in books for a in book.accounts)
    print(
        f"读取并校验 {len(files)} 份工作簿（共 {rows:,} 行）：{min(ours) / min(pandas):.2f} 倍于"
        " pandas+calamine 只读取同样的表"
        f"（本流水线 {min(ours):.2f} 秒，每行 {min(ours) / rows * 1e6:.0f} 微秒；pandas {min(pandas):.2f} 秒）"
    )


PANDAS_READ = (
    "import sys, pandas as pd\nfor f in sys.argv[1:]:\n    pd.read_excel(f, sheet_name=None, engine='calamine')\n"
)


def bench_ingest_command(files: list[Path], rounds: int = 3) -> None:
    """The whole `python -m pipeline ingest` (its readers, Parquet out) against a whole process reading with pandas."""
    names = [str(f) for f in files]
    ours, pandas = [], []
    with tempfile.TemporaryDirectory() as scratch:
        for round_ in range(rounds):
            out = Path(scratch) / f"out{round_}"  # a new folder: nothing read before is reused
            command = [sys.executable, "-m", "pipeline", "ingest", *names, "--out", str(out), "--jobs", "2"]
            ours.append(timed(partial(subprocess.run, command, check=True, capture_output=True))[0])
            reading = [sys.executable, "-c", PANDAS_READ, *names]
            pandas.append(timed(partial(subprocess.run, reading, check=True, capture_output=True))[0])
    print(
        f"整个命令 python -m pipeline ingest --jobs 2（读取、校验、写 Parquet）：{min(ours) / min(pandas):.2f} 倍于"
        f"一个只用 pandas+calamine 读取的进程（本流水线 {min(ours):.2f} 秒；pandas {min(pandas):.2f} 秒，均含启动）"
    )


def pages(path: Path) -> int:
    """A PDF's page count (pdfinfo from poppler-utils)."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def bench_engines(folder: Path) -> None:
    """Reading in two local worker processes against a two-worker Dask LocalCluster (cluster start included)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("Dask 未安装（pip install -e '.[dask]'），跳过 local 与 dask 的对比")
        return
    settings, paths = load_settings(), discover(folder)
    local, ours = timed(lambda: run_report(paths, settings, folder, engine=Engine("local", 2)))
    dask, theirs = timed(lambda: run_report(paths, settings, folder, engine=Engine("dask")))
    same = [(r.unit_code, r.code, r.figure.value) for r in ours.indicators] == [
        (r.unit_code, r.code, r.figure.value) for r in theirs.indicators
    ]
    print(
        f"读取与计算 {len(paths)} 个文件：dask（本机两个 worker）用时为本机两进程的 {dask / local:.2f} 倍"
        f"（本机 {local:.1f} 秒，dask {dask:.1f} 秒，含启动集群）；指标{'完全相同' if same else '不同！'}"
    )


def timed_report(paths: list[Path], folder: Path, out: Path) -> tuple[float, float]:
    """One `make report` with its caches and two processes: (seconds computing, seconds writing with PDFs)."""
    settings = load_settings()
    cache = IngestCache(out / ".cache" / "ingest", settings.contract)
    started = time.perf_counter()
    result = run_report(paths, settings, folder, cache=cache, jobs=2)
    computed = time.perf_counter()
    publish(result, out, jobs=2)
    return computed - started, time.perf_counter() - computed


def bench_pdfs(root: Path, counts: list[int]) -> None:
    """Every PDF from scratch, then after one workbook's 职工总数 changed; the bounded PDFs' length by tree size."""
    for count in counts:
        folder, out = root / f"pdf{count}", root / f"pdf{count}-out"
        generate_tree(folder, count, missing=count // 50)
        paths = discover(folder)
        full_compute, full_write = timed_report(paths, folder, out)
        rendered = sum(pages(p) for p in out.rglob("*.pdf"))
        changed = next(p for p in paths if p.suffix == ".xlsx" and "组织" not in p.name)
        book = openpyxl.load_workbook(changed)
        sheet = book["基本情况"]
        for row in sheet.iter_rows():
            if row[0].value and "职工总数" in str(row[0].value):
                row[1].value = int(row[1].value or 0) + 1
        book.save(changed)
        again_compute, again_write = timed_report(paths, folder, out)
        full, again = full_compute + full_write, again_compute + again_write
        print(
            f"{count} 个单位、含全部 PDF：改动 1 份工作簿后重跑用时为首次的 {again / full:.0%}"
            f"（首次 {full:.1f} 秒 = 计算 {full_compute:.1f} + 写出 {full_write:.1f}；"
            f"改后 {again:.1f} 秒 = 计算 {again_compute:.1f} + 写出 {again_write:.1f}）；"
            f"首次排版 {rendered} 页，{rendered / full_write:.1f} 页/秒；"
            f"report.pdf {pages(out / 'report.pdf')} 页，audit.pdf {pages(out / 'audit.pdf')} 页"
        )
        shutil.rmtree(out, ignore_errors=True)


def bench_run(folder: Path, out: Path, count: int, rounds: int = 2) -> None:
    """A whole run's reading and computing, uncached with one and two processes, then cached; then writing it.

    `--jobs 1` and `--jobs 2` alternate, best of `rounds` each, each with a new cache and no earlier
    run's results alive (they would be walked by the collector and copied into the forked readers).
    """
    settings = load_settings()
    paths = discover(folder)

    def cold(jobs: int, name: str) -> float:
        gc.collect()
        cache = IngestCache(out / name, settings.contract)
        return timed(lambda: run_report(paths, settings, folder, cache=cache, jobs=jobs))[0]

    one, two = [], []
    for round_ in range(rounds):
        one.append(cold(1, f"jobs1-{round_}"))
        two.append(cold(2, f"jobs2-{round_}"))
    gc.collect()
    warm, result = timed(
        lambda: run_report(paths, settings, folder, cache=IngestCache(out / "jobs1-0", settings.contract))
    )
    render, _ = timed(lambda: publish(result, out / "report", pdf=False, jobs=2))
    rewrite, _ = timed(lambda: publish(result, out / "report", pdf=False, jobs=2))
    units = len(result.frames)
    print(f"汇总 {count} 个单位（{units} 份有效工作簿，{len(result.indicators)} 行指标）：")
    print(
        f"  读取与计算（未缓存）：--jobs 2 比 --jobs 1 快 {min(one) / min(two):.2f} 倍"
        f"（{min(one):.1f} → {min(two):.1f} 秒，各取 {rounds} 次中最快；逐次 "
        + "、".join(f"{a:.1f}/{b:.1f}" for a, b in zip(one, two, strict=True))
        + f"）；已缓存 {warm:.1f} 秒（{min(one) / warm:.1f} 倍）；写 CSV/HTML/XLSX/工作总结/问题标注 {render:.1f} 秒"
        f"（2 进程，不含 PDF），内容未变时再写 {rewrite:.1f} 秒（{render / rewrite:.1f} 倍，.docx 与标注副本取自缓存）"
    )


def _tree_memory(process: object) -> int:
    """Memory of a process and all its children, in bytes (0 once it has gone).

    Each process's proportional share (PSS): forked workers share their parent's pages, which a sum of
    resident sizes would count once per process.
    """
    import psutil

    total = 0
    try:
        family = [process, *process.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:
        return 0
    for member in family:
        try:
            total += member.memory_full_info().pss
        except psutil.Error:
            continue
    return total


def measured_report(inputs: Path, out: Path, *options: str) -> tuple[float, int]:
    """`python -m pipeline report` as a user runs it: (seconds, peak memory of it and its workers in bytes)."""
    import psutil

    command = [sys.executable, "-m", "pipeline", "report", "--inputs", str(inputs), "--out", str(out), *options]
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_memory(process))
        time.sleep(0.2)
    return time.perf_counter() - started, peak


def bench_scale(root: Path, counts: list[int]) -> None:
    """One tree shape at two sizes, each a whole cold `report --no-pdf --jobs 2`: time per workbook, peak memory."""
    runs = []
    for count in counts:
        folder, out = root / f"scale{count}", root / f"scale{count}-out"
        generate_tree(folder, count, missing=count // 50)
        books = len(list(folder.glob("*.xlsx")))
        seconds, peak = measured_report(folder, out, "--no-pdf", "--jobs", "2")
        runs.append((count, books, seconds, peak))
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    (small, small_books, small_s, _), (large, large_books, large_s, _) = runs[0], runs[-1]
    per_small, per_large = small_s / small_books, large_s / large_books
    print(
        f"{large} 个单位与 {small} 个单位（整次 report，不含 PDF，2 进程）："
        f"每份工作簿用时为 {per_large / per_small:.2f} 倍"
        f"（{per_small * 1000:.0f} 毫秒 → {per_large * 1000:.0f} 毫秒；共 {small_s:.0f} 秒 → {large_s:.0f} 秒）；"
        + "；".join(f"{c} 个单位峰值内存 {p / 2**30:.2f} GiB" for c, _b, _s, p in runs)
    )


def main() -> None:
    count = int(os.environ.get("BENCH_UNITS", "1000"))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        generate_tree(root / "tree", count, missing=count // 50)
        generate_realistic_tree(root / "real", int(os.environ.get("BENCH_REAL", "100")))
        real = sorted((root / "real").glob("*.xlsx"))
        bench_ingest(real)
        bench_ingest_command(real)
        bench_readers(real)
        bench_recognition(real)
        bench_run(root / "tree", root / "out", count)
        bench_engines(root / "tree")
        pdf_counts = [int(n) for n in os.environ.get("BENCH_PDF_UNITS", "100,400").split(",")]
        bench_pdfs(root, pdf_counts)
        scale = [int(n) for n in os.environ.get("BENCH_SCALE", "1000,10000").split(",")]
        bench_scale(root, scale)


if __name__ == "__main__":
    main()
