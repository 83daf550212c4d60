"""The round trip with sub-unions: marked copies, 整改通知, index.csv, pre-filled templates, corrected resubmissions."""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from pipeline.__main__ import main

STREET, CLEAN, MESSY, TOTALS = "0330106000", "0330106101", "0330106102", "0330106103"


def roster(folder: Path) -> Path:
    """组织架构 as a street federation keeps it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "组织架构"
    ws.append(["单位名称", "单位代码", "上级单位代码", "单位类型"])
    for row in (
        ("西湖街道总工会", STREET, "", "街道"),
        ("翠苑社区工会", CLEAN, STREET, "社区"),
        ("文新社区工会", MESSY, STREET, "社区"),
        ("古荡社区工会", TOTALS, STREET, "社区"),
        ("西溪社区工会", "0330106104", STREET, "社区"),
    ):
        ws.append(row)
    path = folder / "组织架构.xlsx"
    wb.save(path)
    return path


def clerk_workbook(path: Path, code: str, name: str, activities: list[list], payouts: list[list], filled: date) -> Path:
    """A unit's workbook as a clerk fills the template: a title row, bold headers, a merged title, a money format."""
    wb = openpyxl.Workbook()
    profile = wb.active
    profile.title = "基本情况"
    for row in (
        ("项目", "内容"),
        ("单位名称", name),
        ("单位代码", code),
        ("上级单位代码", STREET),
        ("报告期", "2024年"),
        ("职工总数", 320),
        ("会员总数", 301),
        ("填报人", "王丽"),
        ("联系电话", "0571-88886000"),
        ("填报日期", filled),
    ):
        profile.append(row)
    ws = wb.create_sheet("活动台账")
    ws.append([f"{name}2024年活动台账"])
    ws.merge_cells("A1:G1")
    headers = ["活动名称", "活动类别", "计划月份", "开展日期", "状态", "参与人数", "负责人电话"]
    ws.append(headers[: max(len(r) for r in activities)])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in activities:
        ws.append(row)
    pay = wb.create_sheet("帮扶慰问")
    pay.append(["姓名", "慰问类别", "发放日期", "发放形式", "金额", "是否会员", "审批单号"])
    for row in payouts:
        pay.append(row)
    for row in pay.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "#,##0.00"
    wb.save(path)
    return path


GOOD_ACTIVITIES = [
    ["安全生产培训", "技能培训", 3, "2024-03-15", "已完成", 45],
    ["职工运动会", "文体活动", 5, "2024-05-20", "已完成", 120],
]
MESSY_ACTIVITIES = [
    ["安全生产培训", "技能培训", 3, "2024-13-45", "已完成", 45, "13900001111"],  # D3: no such date
    ["团建", "团建活动", 5, "2024-05-20", "已完成", 120, ""],  # B4: not a category → the row is left out
    ["读书会", "文体活动", 6, "2024-06-18", "已完成", "约80人", ""],  # F5: not a number
    ["摄影讲座", "技能培训", 7, "2024-07-09", "已完成", "=30+12", ""],  # F6: a formula openpyxl saves uncalculated
]
PAYOUTS = [["张三", "困难帮扶", "2024-01-20", "现金", 2000, "是", "审-2024-001"]]
CARD = [["李四", "节日慰问", "2024-02-05", "购物卡", 500, "是", "审-2024-002"]]  # D2: A05 购物卡, 高


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    roster(inputs)
    clerk_workbook(inputs / "翠苑社区工会_2024.xlsx", CLEAN, "翠苑社区工会", GOOD_ACTIVITIES, PAYOUTS, date(2025, 1, 5))
    clerk_workbook(inputs / "文新社区工会_2024.xlsx", MESSY, "文新社区工会", MESSY_ACTIVITIES, CARD, date(2025, 1, 6))
    (inputs / "古荡社区工会_2024.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")  # damaged
    return inputs


def rows_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8-sig")))


def test_each_problem_is_marked_at_its_cell_and_listed(tree, tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(tree), "--out", str(out), "--no-pdf", "--deadline", "2025-01-20"]) == 0
    index = {r["file"]: r for r in rows_of(out / "feedback" / "index.csv")}
    assert set(index) == {"文新社区工会_2024.xlsx", "古荡社区工会_2024.xlsx"}  # the clean unit gets nothing
    assert not list((out / "feedback").glob("翠苑*"))
    copy = out / "feedback" / index["文新社区工会_2024.xlsx"]["feedback_file"]
    assert copy.name == "文新社区工会_2024_问题标注.xlsx"
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[0] == "问题清单"
    commented = {
        (ws.title, cell.coordinate)
        for ws in book.worksheets[1:]
        for row in ws.iter_rows()
        for cell in row
        if cell.comment is not None
    }
    rejected = rows_of(out / "rejected.csv")
    expected = {(r["sheet"], f"{r['column']}{r['row']}") for r in rejected if r["file"] == "文新社区工会_2024.xlsx"}
    assert expected == {("活动台账", "D3"), ("活动台账", "B4"), ("活动台账", "F5"), ("活动台账", "F6")}
    high = [r for r in rows_of(out / "audit_findings.csv") if r["severity"] in ("高", "中") and r["unit_code"] == MESSY]
    expected |= {(r["sheet"], r["cell"]) for r in high}
    expected.add(("活动台账", "G2"))  # 负责人电话: a header the ledger does not read
    assert ("帮扶慰问", "D2") in expected and any(r["rule"] == "A05" for r in high)
    assert commented == expected
    listed = book["问题清单"]
    links = [c.hyperlink.location for c in listed["C"] if c.hyperlink is not None]
    assert len(links) == len(expected) == int(index["文新社区工会_2024.xlsx"]["problems"])
    assert "'活动台账'!D3" in links
    assert "2024年" in book["活动台账"]["D3"].comment.text  # what to write instead
    assert "保存" in book["活动台账"]["F6"].comment.text  # open and save in Excel/WPS so the formula has a value
    assert book["活动台账"]["A4"].fill.fgColor.rgb.endswith("FFD7D2")  # the rejected row, marked across
    original = openpyxl.load_workbook(tree / "文新社区工会_2024.xlsx")
    for ws in original.worksheets:  # the copy keeps every value and merge of the original
        assert [[c.value for c in r] for r in ws.iter_rows()] == [
            [c.value for c in r] for r in book[ws.title].iter_rows()
        ]
        assert {str(m) for m in ws.merged_cells.ranges} == {str(m) for m in book[ws.title].merged_cells.ranges}
    damaged = openpyxl.load_workbook(out / "feedback" / index["古荡社区工会_2024.xlsx"]["feedback_file"])
    assert damaged.sheetnames == ["问题清单"]  # a damaged file gets the list only
    notice = (out / "feedback" / index["文新社区工会_2024.xlsx"]["notice"]).with_suffix(".html").read_text()
    assert "2025年1月20日" in notice and "D3" in notice and "文新社区工会_2024_问题标注.xlsx" in notice


def test_a_corrected_resubmission_flips_what_it_fixed(tree, tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(tree), "--out", str(out), "--no-pdf"]) == 0
    first = rows_of(out / "feedback" / "index.csv")
    before = next(int(r["problems"]) for r in first if r["unit_code"] == MESSY)
    fixed = [list(r) for r in MESSY_ACTIVITIES]
    fixed[0][3] = "2024-03-15"  # the date corrected; the category and the 约80人 left as they were
    clerk_workbook(tree / "文新社区工会_2024_改.xlsx", MESSY, "文新社区工会", fixed, CARD, date(2025, 1, 12))
    assert main(["report", "--inputs", str(tree), "--out", str(out), "--no-pdf"]) == 0
    index = {r["unit_code"]: r for r in rows_of(out / "feedback" / "index.csv")}
    entry = index[MESSY]
    assert entry["file"] == "文新社区工会_2024_改.xlsx"
    assert (int(entry["fixed"]), int(entry["remaining"]), int(entry["problems"])) == (1, before - 1, before - 1)
    assert not (out / "feedback" / "文新社区工会_2024_问题标注.xlsx").exists()  # the old copy is gone
    listed = openpyxl.load_workbook(out / "feedback" / entry["feedback_file"])["问题清单"]
    statuses = [row[6] for row in listed.iter_rows(min_row=3, values_only=True)]
    assert statuses.count("已整改") == 1 and statuses.count("未整改（上次已指出）") == before - 1
    submission = next(r for r in rows_of(out / "submissions.csv") if r["unit_code"] == MESSY)
    assert (submission["fixed"], submission["remaining"]) == ("1", str(before - 1))
    assert "已整改 1 处" in submission["note"]
    assert "已整改 1 处" in (out / "report.html").read_text(encoding="utf-8")


def test_prefilled_templates_come_back_clean_and_matched_by_code(tree, tmp_path):
    targets = tmp_path / "目标任务.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位代码", "指标", "目标值", "比较"])
    wb.active.append([CLEAN, "培训场次", "4场", "≥"])
    wb.save(targets)
    templates = tmp_path / "templates"
    args = ["template", "--roster", str(tree / "组织架构.xlsx"), "--targets", str(targets)]
    assert main([*args, "--period", "2025年", "--out", str(templates)]) == 0
    names = sorted(p.name for p in templates.glob("*.xlsx"))
    assert f"{CLEAN}_翠苑社区工会_2025年.xlsx" in names and len(names) == 5
    path = templates / f"{CLEAN}_翠苑社区工会_2025年.xlsx"
    book = openpyxl.load_workbook(path)
    profile = book["基本情况"]
    assert profile.protection.sheet
    values = {r[0].value: r[1] for r in profile.iter_rows(min_row=2)}
    assert values["单位代码*"].value == CLEAN and values["单位代码*"].protection.locked
    assert not values["职工总数*"].protection.locked  # the unit fills in the rest
    values["职工总数*"].value, values["会员总数*"].value = 320, 301
    activities = book["活动台账"]
    activities.append(["安全生产培训", "技能培训", 3, "2025-03-15"])
    book.save(path)  # the unit fills it in and sends it back, renamed as clerks do
    returned = tmp_path / "returned"
    returned.mkdir()
    shutil.copy(path, returned / "翠苑2025台账（已填）.xlsx")
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(returned), "--out", str(out), "--no-pdf"]) == 0
    assert rows_of(out / "rejected.csv") == []
    files = rows_of(out / "files.csv")
    assert [(f["status"], f["unit_code"], f["period"]) for f in files] == [("ingested", CLEAN, "2025")]
    training = next(
        r for r in rows_of(out / "indicators.csv") if r["indicator"] == "training_sessions" and r["level"] == "unit"
    )
    assert (training["value"], training["target"], training["target_source"]) == ("1", "4", "本单位年度目标")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make setup")
def test_the_marked_copy_opens_in_libreoffice_and_an_xls_gets_an_xlsx_copy(tree, tmp_path):
    out = tmp_path / "out"
    saved_as_xls = tmp_path / "xls"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls"]
        + ["--outdir", str(saved_as_xls), str(tree / "文新社区工会_2024.xlsx")],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (tree / "文新社区工会_2024.xlsx").unlink()
    shutil.copy(saved_as_xls / "文新社区工会_2024.xls", tree)
    assert main(["feedback", "--inputs", str(tree), "--out", str(out), "--no-pdf"]) == 0
    copy = out / "feedback" / "文新社区工会_2024_问题标注.xlsx"
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[:2] == ["问题清单", "基本情况"]
    assert book["活动台账"]["D3"].comment is not None and book["活动台账"]["D3"].value == "2024-13-45"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(copy)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / f"{copy.stem}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "需要改正" in text and "2024-13-45" in text


def test_a_problem_of_the_whole_sheet_is_noted_on_its_first_cell():
    from pipeline.feedback import AUDIT, Problem
    from pipeline.render.feedback import _mark

    book = openpyxl.Workbook()
    book.active.title = "帮扶慰问"
    book.active.append(["姓名", "金额"])
    missing = Problem("x.xlsx", "帮扶慰问", None, "", AUDIT, "没有「审批单号」列", "补填审批单号", severity="中")
    assert _mark(book, missing)
    assert "没有「审批单号」列" in book["帮扶慰问"]["A1"].comment.text
    assert book["帮扶慰问"]["A1"].fill.fgColor.rgb in (None, "00000000")  # noted, not marked as a wrong value
    assert not _mark(book, Problem("x.xlsx", "别的表", 3, "B", AUDIT, "…", "…"))  # a sheet the copy lacks


def _sheets(path: Path) -> list[list[tuple]]:
    book = openpyxl.load_workbook(path)
    return [
        [
            tuple((c.value, c.fill.fgColor.rgb, c.comment.text if c.comment else None) for c in row)
            for row in ws.iter_rows()
        ]
        for ws in book
    ]


def test_copies_written_by_two_processes_are_those_written_here(settings, tmp_path):
    from pipeline.render.feedback import POOLED_FROM, feedback_stem, write_marked_copies
    from pipeline.run import discover, run_report
    from tests.generate import generate_tree

    generate_tree(tmp_path / "in", 14, missing=1)
    result = run_report(discover(tmp_path / "in"), settings, tmp_path / "in")
    entries = [e for e in result.feedback if e.problems]
    assert len(entries) >= POOLED_FROM  # enough to share between processes
    written = {}
    for jobs in (1, 2):
        folder = tmp_path / f"jobs{jobs}"
        folder.mkdir()
        copies = [(e, folder / f"{feedback_stem(e.file)}.xlsx") for e in entries]
        write_marked_copies(result.inputs, copies, jobs)
        written[jobs] = {target.name: _sheets(target) for _e, target in copies}
    assert written[1] == written[2] and len(written[2]) == len(entries)
    assert all(sheets[0][0][0][0].endswith("处需要改正") for sheets in written[2].values())  # 问题清单 first


def test_the_feedback_command_writes_with_the_results_frozen(tree, tmp_path, monkeypatch):
    """Each notice's PDF and each batch of copies collects garbage: over a federation's results unfrozen, 0.25 s."""
    import gc

    import pipeline.render.feedback as feedback_module

    frozen = []
    original = feedback_module.write_feedback

    def watched(*args, **kwargs):
        frozen.append(gc.get_freeze_count())
        return original(*args, **kwargs)

    monkeypatch.setattr(feedback_module, "write_feedback", watched)
    out = tmp_path / "out"
    assert main(["feedback", "--inputs", str(tree), "--out", str(out), "--no-pdf"]) == 0
    assert frozen and frozen[0] > 10_000 and gc.get_freeze_count() == 0  # frozen while writing, let go after
    assert rows_of(out / "feedback" / "index.csv")
