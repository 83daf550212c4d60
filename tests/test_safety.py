"""Safe and repeatable outputs: no formula injection, escaped HTML, one run at a time, the same bytes twice."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from pipeline.render.publish import publish
from tests.workbooks import run, workbook

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile")
    profile = [("单位名称", HOSTILE), ("单位代码", "X1"), ("报告期", "2024年"), ("职工总数", 10), ("会员总数", 9)]
    rows = [
        ["发放日期", "姓名", "类别", "金额", "备注"],
        ["2024-03-01", '=HYPERLINK("http://evil","点我")', "困难帮扶", 100, "+cmd|' /C calc'!A0"],
        ["2024-03-02", "@SUM(1+1)*cmd", "困难帮扶", 200, "-2+3"],
        ["2024-03-03", "王五", "=1+1", 300, None],  # rejected: its raw value lands in rejected.csv
    ]
    path = workbook(data / "x.xlsx", {"帮扶慰问": rows}, profile)
    book = openpyxl.load_workbook(path)
    for row in book["帮扶慰问"].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a clerk pastes it (not a formula)
    book.save(path)
    return run(data), tmp_path_factory.mktemp("hostile_out")


def test_workbook_text_never_becomes_a_formula(hostile_run):
    result, out = hostile_run
    publish(result, out, pdf=False)
    cells = []
    for name in ("lineage.csv", "indicators.csv", "rejected.csv", "audit_findings.csv"):
        with (out / name).open(encoding="utf-8-sig") as handle:
            cells += [c for row in csv.reader(handle) for c in row]
    assert "'=1+1" in cells  # the rejected cell's raw value, made inert
    assert not [c for c in cells if c and (c[0] in "=+@" or (c[0] == "-" and not c[1:].replace(".", "").isdigit()))]
    book = openpyxl.load_workbook(out / "consolidated.xlsx")
    sheet = book["明细-帮扶慰问"]
    column = next(c.column for c in sheet[1] if c.value == "姓名")
    assert sheet.cell(2, column).value == '=HYPERLINK("http://evil","点我")'
    assert sheet.cell(2, column).data_type == "s"  # text, not a formula


def test_a_unit_named_like_a_script_shows_as_text(hostile_run):
    result, out = hostile_run
    publish(result, out, pdf=False)
    for page in [out / "report.html", out / "audit.html", *(out / "units").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        assert HOSTILE not in html, page.name
        assert not re.search(r'(src|href)="(https?:)?//', html), page.name  # no remote resources
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / "report.html").read_text(encoding="utf-8")


def test_the_same_inputs_give_the_same_bytes(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    workbook(
        data / "a.xlsx", {"活动台账": [["活动名称", "活动类别", "开展日期"], ["运动会", "文体活动", "2024-05-01"]]}
    )
    result = run(data)
    first, second = tmp_path / "one", tmp_path / "two"
    publish(result, first, use_cache=False)
    time.sleep(1.1)  # a clock that leaked into a file would show now
    publish(run(data), second, use_cache=False)
    produced = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file() and ".cache" not in p.parts)
    assert {p.suffix for p in produced} >= {".csv", ".xlsx", ".html", ".pdf"}
    different = [p for p in produced if (first / p).read_bytes() != (second / p).read_bytes()]
    assert different == []


def test_a_second_run_on_the_same_outputs_waits_and_says_who_holds_them(tmp_path):
    from pipeline.paths import output_lock

    out = tmp_path / "out"
    hold = "import sys, time, pathlib\nfrom pipeline.paths import output_lock\n"
    hold += "with output_lock(pathlib.Path(sys.argv[1])):\n"
    hold += "    print('held', flush=True)\n    time.sleep(float(sys.argv[2]))"
    holder = subprocess.Popen([sys.executable, "-c", hold, str(out), "1.5"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    waited = subprocess.run([sys.executable, "-c", hold, str(out), "0"], capture_output=True, text=True)
    assert time.monotonic() - started > 0.5 and f"进程 {holder.pid}" in waited.stderr
    holder.wait()
    with output_lock(out):  # free again once the holder is gone
        assert (out / ".lock").read_text(encoding="utf-8") == str(__import__("os").getpid())


def test_staged_outputs_replace_the_old_ones_only_when_all_are_written(tmp_path, monkeypatch):
    from pipeline.render import publish as publishing

    data = tmp_path / "in"
    data.mkdir()
    workbook(data / "a.xlsx", {})
    out = tmp_path / "out"
    publish(run(data), out, pdf=False)
    before = (out / "indicators.csv").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publishing, "write_consolidated", broken)
    with pytest.raises(RuntimeError):
        publish(run(data), out, pdf=False)
    assert (out / "indicators.csv").read_bytes() == before and not list(out.glob(".staging-*"))
    assert Path(out / "report.html").is_file()
