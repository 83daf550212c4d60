"""The blank template: generated from the contract, filled by hand (openpyxl), read back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl

from pipeline.ingest import ingest_file
from pipeline.template import write_template


def test_template_round_trip(tmp_path, settings):
    path = tmp_path / "模板.xlsx"
    write_template(settings, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "填表说明" and wb["下拉列表"].sheet_state == "hidden"
    profile = wb["基本情况"]
    values = {
        "单位名称*": "青山小学工会",
        "单位代码*": "0420001",
        "报告期*": "2024年上半年",
        "职工总数*": 80,
        "会员总数*": 78,
        "工资总额（元）": 9600000,
        "填报日期": date(2024, 7, 5),
    }
    for row in profile.iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    ws = wb["帮扶慰问"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["发放日期*", "姓名*"] and "金额（元）*" in headers
    assert all(c.comment is not None for c in ws[1])
    row = {
        "发放日期*": date(2024, 3, 1),
        "姓名*": "刘一",
        "工号": "007",
        "是否会员": "是",
        "类别*": "困难帮扶",
        "发放形式": "转账",
        "金额（元）*": 1234.56,
        "审批单号": "SP-1",
    }
    ws.append([row.get(h) for h in headers])
    ledger = wb["经费收支"]
    ledger_headers = [c.value for c in ledger[1]]
    assert "收支*" in ledger_headers and not any(h.startswith(("收入", "支出")) for h in ledger_headers)
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date", "decimal"} <= kinds
    assert ws.freeze_panes == "A2"
    wb.save(path)

    unit = ingest_file(path, settings.contract)
    assert unit.status == "ingested" and not unit.rejections and not unit.notes
    assert (unit.unit_code, unit.period.key(), unit.profile["payroll"]) == (
        "0420001",
        "2024-01..2024-06",
        Decimal(9600000),
    )
    record = unit.tables["assistance"].iloc[0].to_dict()
    assert (record["paid_on"], record["person"], record["person_id"], record["is_member"], record["amount"]) == (
        date(2024, 3, 1),
        "刘一",
        "007",
        True,
        Decimal("1234.56"),
    )
    assert [a.sheet for a in unit.accounts if a.rows_read] == ["基本情况", "帮扶慰问"]


def test_the_targets_sheet_has_dropdowns_a_title_and_an_example_that_is_not_data(tmp_path, settings):
    path = tmp_path / "模板.xlsx"
    write_template(settings, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["年度目标"]
    assert ws["A1"].value.startswith("年度目标") and ws["A2"].value.startswith("示例")
    headers = [c.value for c in ws[3]]
    assert headers[:2] == ["指标*", "目标值*"]
    sources = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(sources) == {"A", "C"}  # indicator names and comparators from the hidden list sheet
    lists = wb["下拉列表"]
    names = [c.value for c in next(col for col in lists.iter_cols() if col[0].value == "indicator")[1:] if c.value]
    assert "培训场次" in names and "建会率（25人以上企业）" in names
    assert ws.page_setup.paperSize == 9
    filled = {"单位名称*": "某工会", "单位代码*": "0001", "报告期*": "2024年"}
    for label, value in wb["基本情况"].iter_rows(min_row=2):
        if label.value in filled:
            value.value = filled[label.value]
    ws.append(["培训场次", "4场", "≥"])
    wb.save(path)
    unit = ingest_file(path, settings.contract)
    targets = unit.tables["targets"]
    assert list(targets["indicator"]) == ["培训场次"] and list(targets["_row"]) == [4]
