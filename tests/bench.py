"""Benchmarks (`make bench`): ratios against a baseline measured in the same run.

- reading: our reader (calamine + XML scan) against openpyxl on the same workbooks;
- a whole run over a generated tree: uncached, cached, and parallel ingest.

BENCH_UNITS sets the tree size (default 1000). Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from pipeline.cache import IngestCache
from pipeline.config import load_settings
from pipeline.recognise import recognise
from pipeline.render.publish import publish
from pipeline.run import discover, run_report
from pipeline.workbook import SheetExtras, _read_openpyxl, read_workbook
from tests.generate import generate_tree


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


def bench_run(folder: Path, out: Path, count: int) -> None:
    settings = load_settings()
    paths = discover(folder)
    cold, result = timed(lambda: run_report(paths, settings, folder, cache=IngestCache(out / "c1", settings.contract)))
    warm, _ = timed(lambda: run_report(paths, settings, folder, cache=IngestCache(out / "c1", settings.contract)))
    parallel, _ = timed(
        lambda: run_report(paths, settings, folder, cache=IngestCache(out / "c2", settings.contract), jobs=2)
    )
    render, _ = timed(lambda: publish(result, out / "report", pdf=False))
    units = len(result.frames)
    print(f"汇总 {count} 个单位（{units} 份有效工作簿，{len(result.indicators)} 行指标）：")
    print(
        f"  未缓存 {cold:.1f} 秒；已缓存 {warm:.1f} 秒（{cold / warm:.1f} 倍）；2 进程读取 {parallel:.1f} 秒"
        f"（{cold / parallel:.1f} 倍）；写 CSV/HTML/XLSX {render:.1f} 秒（不含 PDF）"
    )


def main() -> None:
    count = int(os.environ.get("BENCH_UNITS", "1000"))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        generate_tree(root / "tree", count, missing=count // 50)
        files = sorted((root / "tree").glob("*.xlsx"))
        bench_readers(files[:300])
        bench_recognition(files[:300])
        bench_run(root / "tree", root / "out", count)


if __name__ == "__main__":
    main()
