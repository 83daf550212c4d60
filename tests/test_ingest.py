"""Ingestion of real-looking 台账: every item of the contract's tolerance list, and the row account."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipeline.ingest import UnitWorkbook, ingest_file
from tests.workbooks import PROFILE, workbook

ASSIST = ["发放日期", "姓名", "类别", "金额（元）"]


def ingest(path: Path, settings) -> UnitWorkbook:
    return ingest_file(path, settings.contract)


def account(unit: UnitWorkbook, sheet: str):
    found = next(a for a in unit.accounts if a.sheet == sheet)
    assert found.rows_read == found.accepted + found.rejected + found.totals + found.blank
    return found


def test_title_rows_spacers_and_totals(tmp_path, settings):
    rows = [
        ["某某工会2024年帮扶慰问台账"],
        ["填报单位：某某工会", None, "填报日期：2025-01-05"],
        [],
        ASSIST,
        ["2024-01-05", "张三", "困难帮扶", 1000],
        [],
        ["2024-02-05", "李四", "送温暖", "500元"],
        ["小计", None, None, 1500],
        ["2024-03-01", "王五", "大病救助", 2000],
        ["合 计", None, None, 3600],
    ]
    unit = ingest(workbook(tmp_path / "a.xlsx", {"帮扶慰问": rows}), settings)
    table = unit.tables["assistance"]
    assert list(table["amount"]) == [Decimal(1000), Decimal(500), Decimal(2000)]  # totals never added in
    assert list(table["_row"]) == [5, 7, 9]
    acc = account(unit, "帮扶慰问")
    assert (acc.rows_read, acc.accepted, acc.rejected, acc.totals, acc.blank) == (6, 3, 0, 2, 1)
    checks = [(t.row, t.stated, t.computed, t.matches) for t in unit.total_checks]
    # 小计 covers rows 5–7 (1,500, right); 合计 covers all three rows (3,500, stated 3,600: wrong)
    assert checks == [(8, Decimal(1500), Decimal(1500), True), (10, Decimal(3600), Decimal(3500), False)]


def test_two_row_merged_header(tmp_path, settings):
    path = tmp_path / "ledger.xlsx"
    workbook(
        path,
        {
            "经费收支": [
                ["日期", "凭证号", "科目", "摘要", "金额（元）", None, "审批人"],
                [None, None, None, None, "收入", "支出", None],
                ["2024-01-10", "记-1", "会费收入", "会费", 800, None, "甲"],
                ["2024-01-12", "记-2", "职工活动支出", "活动", None, "300.50", "甲"],
            ]
        },
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["经费收支"]
    for col in "ABCDG":
        ws.merge_cells(f"{col}1:{col}2")
    ws.merge_cells("E1:F1")
    wb.save(path)
    table = ingest(path, settings).tables["ledger"]
    assert list(table["direction"]) == ["收入", "支出"]
    assert list(table["amount"]) == [Decimal(800), Decimal("300.50")]
    assert list(table["_row"]) == [3, 4]


def test_headers_with_units_brackets_breaks_and_marks(tmp_path, settings):
    rows = [
        ["发放\n日期*", "姓 名", "类别*", "金额(万元)"],
        ["2024-05-01", "张三", "困难帮扶", 0.3],
        ["2024-05-02", "李四", "困难帮扶", "2000元"],
    ]
    table = ingest(workbook(tmp_path / "u.xlsx", {"帮扶慰问": rows}), settings).tables["assistance"]
    assert list(table["amount"]) == [Decimal("3000.0"), Decimal("2000")]  # 万元 column; a cell's own 元 wins


def test_traditional_sheet_names_headers_and_values(tmp_path, settings):
    profile = [
        ("單位名稱", "測試工會"),
        ("單位代碼", "0002"),
        ("報告期", "2024年度"),
        ("職工總數", 50),
        ("會員總數", 48),
    ]
    rows = [
        ["發放日期", "姓名", "類別", "節日", "發放形式", "金額（元）"],
        ["2024-02-01", "陳明", "節日慰問", "春節", "實物", "300"],
    ]
    unit = ingest(workbook(tmp_path / "t.xlsx", {"幫扶慰問": rows}, profile, "基本情況"), settings)
    assert unit.profile["members"] == 48 and unit.unit_code == "0002"
    record = unit.tables["assistance"].iloc[0]
    assert (record["category"], record["festival"], record["form"]) == ("节日慰问", "春节", "实物")


def test_merged_data_cells_fill_only_inside_the_merge(tmp_path, settings):
    path = tmp_path / "m.xlsx"
    rows = [
        ["活动类别", "活动名称", "开展日期"],
        ["文体活动", "篮球赛", "2024-05-01"],
        [None, "羽毛球赛", "2024-06-01"],
        [None, "无类别的活动", "2024-07-01"],
    ]
    workbook(path, {"活动台账": rows})
    wb = openpyxl.load_workbook(path)
    wb["活动台账"].merge_cells("A2:A3")
    wb.save(path)
    unit = ingest(path, settings)
    assert list(unit.tables["activities"]["category"]) == ["文体活动", "文体活动"]
    # The third row is outside the merge: its category stays empty and the row is rejected.
    assert [(r.row, r.column, r.reason) for r in unit.rejections] == [(4, "A", "必填项「活动类别」为空")]


def test_formula_without_cached_value_is_listed_not_zero(tmp_path, settings):
    rows = [ASSIST, ["2024-01-05", "张三", "困难帮扶", 1000], ["2024-01-06", "李四", "困难帮扶", "=D2*2"]]
    unit = ingest(workbook(tmp_path / "f.xlsx", {"帮扶慰问": rows}), settings)
    assert list(unit.tables["assistance"]["amount"]) == [Decimal(1000)]
    assert [(r.row, r.column, r.action) for r in unit.rejections] == [(3, "D", "row_rejected")]
    assert "公式" in unit.rejections[0].reason


def payout_with_formula(path: Path, formula: str, cached: object) -> Path:
    """A workbook written by xlsxwriter whose one payout amount is a formula with a stored result."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("基本情况")
    for r, (key, value) in enumerate(PROFILE):
        ws.write(r, 0, key)
        ws.write(r, 1, value)
    ws = book.add_worksheet("帮扶慰问")
    ws.write_row(0, 0, ASSIST)
    ws.write_row(1, 0, ["2024-01-05", "张三", "困难帮扶"])
    ws.write_formula(1, 3, formula, None, cached)
    book.close()
    return path


def test_formula_with_cached_value_is_read(tmp_path, settings):
    path = payout_with_formula(tmp_path / "x.xlsx", "=500*2", 1000)
    assert list(ingest(path, settings).tables["assistance"]["amount"]) == [Decimal(1000)]


def test_hidden_rows_and_sheets_are_read_and_reported(tmp_path, settings):
    path = tmp_path / "h.xlsx"
    workbook(
        path, {"帮扶慰问": [ASSIST, ["2024-01-05", "张三", "困难帮扶", 100], ["2024-01-06", "李四", "送温暖", 200]]}
    )
    wb = openpyxl.load_workbook(path)
    wb["帮扶慰问"].row_dimensions[3].hidden = True
    wb["帮扶慰问"].sheet_state = "hidden"
    wb.save(path)
    unit = ingest(path, settings)
    acc = account(unit, "帮扶慰问")
    assert (acc.accepted, acc.hidden, acc.sheet_hidden) == (2, 1, True)
    assert any("隐藏" in n for n in unit.notes)


def test_whitespace_in_names(tmp_path, settings):
    rows = [ASSIST, ["2024-01-05", " 张　三 ", "困难帮扶", 100], ["2024-01-06", "张\u00a0三", "困难帮扶", 100]]
    table = ingest(workbook(tmp_path / "w.xlsx", {"帮扶慰问": rows}), settings).tables["assistance"]
    assert list(table["person"]) == ["张三", "张三"]


def test_dates_in_every_form_and_year_from_period(tmp_path, settings):
    rows = [ASSIST] + [
        [d, "张三", "困难帮扶", 1]
        for d in [datetime(2024, 3, 5), 45356, "2024/3/5", "2024.3.5", "2024年3月5日", "3月5日", "20240305"]
    ]
    table = ingest(workbook(tmp_path / "d.xlsx", {"帮扶慰问": rows}), settings).tables["assistance"]
    assert set(table["paid_on"]) == {date(2024, 3, 5)}


def test_1904_date_system(tmp_path, settings):
    path = tmp_path / "mac.xlsx"
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "基本情况"
    for row in PROFILE:
        ws.append(list(row))
    ws = wb.create_sheet("帮扶慰问")
    ws.append(ASSIST)
    ws.append([43894, "张三", "困难帮扶", 100])  # a bare serial in a 1904 workbook
    ws.append([datetime(2024, 3, 6), "李四", "困难帮扶", 100])  # a real date cell
    wb.save(path)
    table = ingest(path, settings).tables["assistance"]
    assert list(table["paid_on"]) == [date(2024, 3, 5), date(2024, 3, 6)]


def test_booleans_in_every_form(tmp_path, settings):
    header = ["企业名称", "统一社会信用代码", "职工人数", "是否建会"]
    marks = ["是", "Y", "√", "✓", "有", 1, "TRUE", "否", "N", "×", "✗", "无", 0, "FALSE"]
    rows = [header] + [[f"企业{i}", f"91330000{i:010d}", 30, m] for i, m in enumerate(marks)]
    table = ingest(workbook(tmp_path / "b.xlsx", {"集体合同": rows}), settings).tables["contracts"]
    assert list(table["unionised"]) == [True] * 7 + [False] * 7
    assert table["credit_code"].iloc[0] == "913300000000000000"


def test_codes_stay_text_with_leading_zeros(tmp_path, settings):
    unit = ingest(
        workbook(tmp_path / "c.xlsx", {}, [*PROFILE[:1], ("单位代码", "0330106"), *PROFILE[2:]])
        and tmp_path / "c.xlsx",
        settings,
    )
    assert unit.unit_code == "0330106"


def test_bad_values_point_at_row_and_column(tmp_path, settings):
    rows = [
        ["活动名称", "活动类别", "开展日期", "参与人数"],
        ["篮球赛", "文体活动", "2024-05-01", "约30人"],
        ["团建", "团建活动", "2024-05-02", 20],
        ["读书会", "思想教育", "2024-02-30", 10],
    ]
    unit = ingest(workbook(tmp_path / "r.xlsx", {"活动台账": rows}), settings)
    found = [(r.row, r.column, r.raw_value, r.action) for r in unit.rejections]
    assert found == [
        (2, "D", "约30人", "value_dropped"),
        (3, "B", "团建活动", "row_rejected"),
        (4, "C", "2024-02-30", "value_dropped"),
    ]
    acc = account(unit, "活动台账")
    assert (acc.accepted, acc.rejected) == (2, 1)
    assert unit.tables["activities"]["participants"].iloc[0] is None


def test_missing_required_column_rejects_the_sheet(tmp_path, settings):
    rows = [["姓名", "金额"], ["张三", 100], ["李四", 200]]
    unit = ingest(workbook(tmp_path / "q.xlsx", {"帮扶慰问": rows}), settings)
    acc = account(unit, "帮扶慰问")
    assert (acc.rows_read, acc.rejected) == (2, 2)
    assert all("缺少必填列" in r.reason for r in unit.rejections)
    assert "assistance" not in unit.tables


def test_sheet_with_unknown_name_found_by_its_header(tmp_path, settings):
    rows = [["活动名称", "活动类别", "开展日期", "参与人数"], ["篮球赛", "文体活动", "2024-05-01", 30]]
    unit = ingest(workbook(tmp_path / "s.xlsx", {"Sheet1": rows}), settings)
    assert len(unit.tables["activities"]) == 1


def test_profile_as_one_row_table(tmp_path, settings):
    path = tmp_path / "p.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["某某工会基本情况"])
    ws.append([k for k, _ in PROFILE])
    ws.append([v for _, v in PROFILE])
    wb.save(path)
    unit = ingest(path, settings)
    assert (unit.unit_name, unit.unit_code, unit.profile["members"]) == ("测试工会", "0001", 90)


# --- whole files that cannot be read: one clear line each, and the run goes on ---------------


def test_corrupt_empty_renamed_and_missing_profile(tmp_path, settings):
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "scan.xlsx").write_bytes(b"%PDF-1.7\n%...")
    good = tmp_path / "good.xlsx"
    workbook(good, {})
    (tmp_path / "broken.xlsx").write_bytes(good.read_bytes()[:300])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    (tmp_path / "letter.xlsx").write_bytes(buffer.getvalue())
    workbook(tmp_path / "noprofile.xlsx", {"活动台账": [["活动名称"]]}, [], "封面")
    reasons = {p.name: ingest(p, settings) for p in sorted(tmp_path.iterdir())}
    assert reasons["good.xlsx"].status == "ingested"
    assert {n: u.status for n, u in reasons.items() if n != "good.xlsx"} == {
        "broken.xlsx": "rejected",
        "empty.xlsx": "rejected",
        "letter.xlsx": "rejected",
        "noprofile.xlsx": "rejected",
        "scan.xlsx": "rejected",
    }
    assert "为空" in reasons["empty.xlsx"].reason
    assert "PDF" in reasons["scan.xlsx"].reason
    assert "损坏" in reasons["broken.xlsx"].reason
    assert "基本情况" in reasons["noprofile.xlsx"].reason
    assert all("\n" not in u.reason for u in reasons.values())


def test_encrypted_workbook(tmp_path, settings):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    workbook(plain, {})
    secret = tmp_path / "secret.xlsx"
    with plain.open("rb") as source, secret.open("wb") as target:
        OOXMLFile(source).encrypt("1234", target)
    assert msoffcrypto is not None
    unit = ingest(secret, settings)
    assert unit.status == "rejected" and "密码" in unit.reason


def test_lock_files_and_other_extensions_are_ignored(tmp_path, settings):
    (tmp_path / "~$报表.xlsx").write_bytes(b"owner")
    (tmp_path / "说明.docx").write_bytes(b"PK")
    assert {ingest(p, settings).status for p in tmp_path.iterdir()} == {"ignored"}


def _soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def saved_by_libreoffice(source: Path, convert_to: str) -> Path:
    """`source` saved again by LibreOffice in another format (`xls`, `ods`, `xlsm:<filter>`), beside it."""
    folder = source.parent
    subprocess.run(
        [_soffice(), "--headless", "--convert-to", convert_to, "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return folder / f"{source.stem}.{convert_to.split(':')[0]}"


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed (make setup installs it as root)")
def test_xls_saved_by_libreoffice(tmp_path, settings):
    source = tmp_path / "old.xlsx"
    rows = [["某某工会帮扶台账"], ASSIST, ["2024-01-05", "张三", "困难帮扶", 1000.5], ["合计", None, None, 1000.5]]
    workbook(source, {"帮扶慰问": rows})
    unit = ingest(saved_by_libreoffice(source, "xls"), settings)
    assert unit.engine == "xlrd" and unit.unit_code == "0001"
    assert list(unit.tables["assistance"]["amount"]) == [Decimal("1000.5")]
    assert [t.matches for t in unit.total_checks] == [True]


# --- the fast reader (calamine + XML scan) and openpyxl agree ------------------------------


def _snapshot(unit: UnitWorkbook):
    tables = {k: v.drop(columns=["_file"]).to_dict("records") for k, v in unit.tables.items()}
    return (unit.profile, tables, [a.__dict__ for a in unit.accounts], unit.rejections, unit.total_checks, unit.notes)


def test_calamine_and_openpyxl_read_the_same(demo_dir, settings, monkeypatch):
    fast = {p.name: ingest(p, settings) for p in sorted(demo_dir.glob("*.xlsx"))}
    assert {u.engine for u in fast.values()} == {"calamine"}

    class Panic(BaseException):
        """Stands in for pyo3's PanicException, which is not an Exception."""

    def panic(*args, **kwargs):
        raise Panic("calamine panicked")

    monkeypatch.setattr("pipeline.workbook._calamine_sheets", panic)
    slow = {p.name: ingest(p, settings) for p in sorted(demo_dir.glob("*.xlsx"))}
    assert {u.engine for u in slow.values()} == {"openpyxl"}
    for name in fast:
        assert _snapshot(fast[name]) == _snapshot(slow[name]), name


def test_error_cells_are_reported_not_blank(tmp_path, settings):
    unit = ingest(payout_with_formula(tmp_path / "e.xlsx", "=1/0", "#DIV/0!"), settings)
    assert [(r.row, r.column, r.raw_value, r.action) for r in unit.rejections] == [(2, "D", "#DIV/0!", "row_rejected")]


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed (make setup installs it as root)")
def test_ods_saved_by_libreoffice(tmp_path, settings):
    source = workbook(tmp_path / "calc.xlsx", {"帮扶慰问": [ASSIST, ["2024-01-05", "张三", "困难帮扶", 88.5]]})
    unit = ingest(saved_by_libreoffice(source, "ods"), settings)
    assert (unit.engine, list(unit.tables["assistance"]["amount"])) == ("calamine", [Decimal("88.5")])


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed (make setup installs it as root)")
def test_xlsm_saved_by_libreoffice(tmp_path, settings):
    source = workbook(tmp_path / "macro.xlsx", {"帮扶慰问": [ASSIST, ["2024-01-05", "张三", "困难帮扶", 100]]})
    unit = ingest(saved_by_libreoffice(source, "xlsm:Calc MS Excel 2007 VBA XML"), settings)
    assert unit.status == "ingested" and list(unit.tables["assistance"]["amount"]) == [Decimal(100)]


def test_spacer_columns_and_rows(tmp_path, settings):
    rows = [
        ["发放日期", None, "姓名", "类别", None, "金额（元）"],
        [None] * 6,
        ["2024-01-05", None, "张三", "困难帮扶", None, 100],
    ]
    unit = ingest(workbook(tmp_path / "sp.xlsx", {"帮扶慰问": rows}), settings)
    assert [(r["person"], r["amount"]) for r in unit.tables["assistance"].to_dict("records")] == [
        ("张三", Decimal(100))
    ]
    acc = account(unit, "帮扶慰问")
    assert (acc.rows_read, acc.accepted, acc.blank) == (2, 1, 1)


def test_sheet_names_with_years_and_notes(tmp_path, settings):
    sheets = {
        "2024年活动台账（更新）": [["活动名称", "活动类别", "开展日期"], ["讲座", "思想教育", "2024-03-01"]],
        "帮扶慰问表(2024)": [ASSIST, ["2024-01-05", "张三", "困难帮扶", 100]],
    }
    unit = ingest(workbook(tmp_path / "n.xlsx", sheets), settings)
    assert set(unit.tables) == {"activities", "assistance"}


def test_key_and_value_in_one_cell_and_units_after_a_slash(tmp_path, settings):
    profile = [
        ("单位名称：一号工会", None),
        ("单位代码：", "0042"),
        ("报告期", "2024年"),
        ("职工总数（人）", 50),
        ("会员总数/人", 45),
        ("工资总额(单位:万元)", 300),
    ]
    rows = [
        ["发放日期", "姓名", "类别", "金额/元"],
        ["2024-02-01", "甲", "春节慰问", 300],
        ["2024-09-10", "甲", "中秋慰问", 300],
        ["2024-05-01", "乙", "技能培训（线上）", 10],
    ]
    unit = ingest(workbook(tmp_path / "k.xlsx", {"帮扶慰问": rows}, profile), settings)
    assert (unit.unit_name, unit.unit_code, unit.profile["payroll"]) == ("一号工会", "0042", Decimal(3000000))
    table = unit.tables["assistance"]
    assert list(zip(table["category"], table["festival"], strict=True)) == [("节日慰问", "春节"), ("节日慰问", "中秋")]
    assert [(r.row, r.column) for r in unit.rejections] == [(4, "C")]  # a training is not a payout category


def test_pre_numbered_empty_rows_are_blank(tmp_path, settings):
    rows = [["序号", *ASSIST], [1, "2024-01-05", "张三", "困难帮扶", 100], [2], [3], [4]]
    unit = ingest(workbook(tmp_path / "pre.xlsx", {"帮扶慰问": rows}), settings)
    acc = account(unit, "帮扶慰问")
    assert (acc.rows_read, acc.accepted, acc.rejected, acc.blank) == (4, 1, 0, 3) and not unit.rejections


def test_activity_held_in_a_month_only(tmp_path, settings):
    rows = [
        ["活动名称", "活动类别", "开展日期"],
        ["讲座", "思想教育", "3月"],
        ["培训", "技能培训", "2024年5月"],
        ["比赛", "文体活动", "下旬"],
    ]
    unit = ingest(workbook(tmp_path / "mo.xlsx", {"活动台账": rows}), settings)
    assert list(unit.tables["activities"]["held_on"]) == [date(2024, 3, 1), date(2024, 5, 1), None]
    assert [(r.row, r.column, r.action) for r in unit.rejections] == [(4, "C", "value_dropped")]


def test_rows_that_are_not_data_are_named_not_rejected(tmp_path, settings):
    rows = [
        ["序号", "活动名称", "活动类别", "开展日期"],
        [None, "一、文体活动"],
        [1, "篮球赛", "文体活动", "2024-05-01"],
        ["序号", "活动名称", "活动类别", "开展日期"],
        [2, "讲座", "思想教育", "2024-06-01"],
        ["注：本表由工会办公室填写"],
        ["填表人：王丽", None, "审核人：张主席"],
    ]
    unit = ingest(workbook(tmp_path / "nd.xlsx", {"活动台账": rows}), settings)
    acc = account(unit, "活动台账")
    assert (acc.rows_read, acc.accepted, acc.rejected, acc.blank) == (6, 2, 0, 4) and not unit.rejections
    notes = " ".join(unit.notes)
    assert "第 2 行是分组标题" in notes and "第 4 行是重复的表头" in notes and "第 6、7 行是表尾签字或说明" in notes


def test_damaged_workbooks_never_stop_a_run(demo_dir, settings, tmp_path):
    """Truncated, bit-flipped and zeroed copies of real workbooks: each is read or rejected in one line."""
    import random

    from pipeline.run import discover, run_report

    rng = random.Random(20241121)
    sources = sorted(demo_dir.glob("2*.xlsx"))
    for i in range(60):
        data = bytearray(rng.choice(sources).read_bytes())
        if i % 3 == 0:
            data = data[: rng.randint(10, len(data) - 1)]
        elif i % 3 == 1:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            start = rng.randrange(len(data))
            data[start : start + 200] = bytes(200)
        (tmp_path / f"damaged_{i:02d}.xlsx").write_bytes(bytes(data))
    (tmp_path / "good.xlsx").write_bytes(sources[0].read_bytes())
    result = run_report(discover(tmp_path), settings, tmp_path)
    rejected = [f for f in result.files if f.status == "rejected"]
    assert rejected and all(f.reason and "\n" not in f.reason for f in rejected)
    assert any(f.file == "good.xlsx" and f.status == "ingested" for f in result.files)


def test_values_that_contradict_their_row_are_dropped(tmp_path, settings):
    profile = [*PROFILE, ("女职工数", 120)]  # more women than the 100 employees
    meetings = [
        ["会议类型", "日期", "应到人数", "实到人数", "提案数", "已办复数"],
        ["职代会", "2024-03-01", 50, 55, 10, 12],
        ["职代会", "2024-09-01", 50, 48, 10, 9],
    ]
    activities = [
        ["活动名称", "活动类别", "开展日期", "参与人数", "参与人次"],
        ["讲座", "思想教育", "2024-03-01", 40, 30],
    ]
    unit = ingest(workbook(tmp_path / "b.xlsx", {"民主管理": meetings, "活动台账": activities}, profile), settings)
    found = sorted((r.sheet, r.row, r.column, r.raw_value, r.action) for r in unit.rejections)
    assert found == [
        ("基本情况", 6, "B", "120", "value_dropped"),
        ("民主管理", 2, "D", "55", "value_dropped"),
        ("民主管理", 2, "F", "12", "value_dropped"),
        ("活动台账", 2, "E", "30", "value_dropped"),
    ]
    assert unit.profile["female_employees"] is None
    assert list(unit.tables["democracy"]["attended"]) == [None, 48]
    assert any("实到人数 55 大于应到人数 50" in r.reason for r in unit.rejections)
