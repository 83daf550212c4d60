"""Audit checks A01–A14: each with a planted case that fires and a near miss that does not."""

from __future__ import annotations

from decimal import Decimal

from tests.workbooks import run, unit

PAY = ["发放日期", "姓名", "工号", "是否会员", "类别", "节日", "发放形式", "金额", "审批单号", "凭证号", "备注"]
LEDGER = ["日期", "凭证号", "收支", "科目", "摘要", "金额", "审批人"]


def findings(folder, rule, config=None):
    return [f for f in run(folder, config).findings if f.rule == rule]


def pay(day, name, category, amount, festival=None, form="转账", member="是", voucher=None, note=None, approval="SP"):
    return [day, name, None, member, category, festival, form, amount, approval, voucher, note]


def test_a01_total_mismatch_and_exact_total(tmp_path):
    rows = [
        PAY,
        pay("2024-01-05", "甲", "困难帮扶", 100),
        pay("2024-01-06", "乙", "困难帮扶", 200),
        ["合计", None, None, None, None, None, None, 310],
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    found = findings(tmp_path, "A01")
    assert [(f.severity, f.sheet, f.cell, f.amount) for f in found] == [("中", "帮扶慰问", "H4", Decimal(10))]
    rows[-1][-1] = 300
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    assert findings(tmp_path, "A01") == []


def test_a02_voucher_duplicate_names_both_rows(tmp_path):
    rows = [
        LEDGER,
        ["2024-01-05", "记-1", "支出", "维权支出", "帮扶", 100, "甲"],
        ["2024-03-05", "记-1", "支出", "业务支出", "培训", 300, "甲"],
        ["2024-04-01", "记-2", "支出", "业务支出", "会议", 50, "甲"],
        ["2024-04-01", "记-2", "支出", "业务支出", "茶水", 20, "甲"],
    ]
    unit(tmp_path, "U1", sheets={"经费收支": rows})
    found = findings(tmp_path, "A02")
    assert [(f.row, f.severity) for f in found] == [(3, "高")] and "第 2 行" in found[0].message
    # near miss: the same voucher number in next year's ledger (numbers restart each year)
    other = tmp_path / "other"
    other.mkdir()
    unit(other, "U1", sheets={"经费收支": rows[:2]})
    unit(
        other,
        "U1",
        period="2023年",
        sheets={"经费收支": [LEDGER, ["2023-01-05", "记-1", "支出", "维权支出", "帮扶", 100, "甲"]]},
    )
    assert findings(other, "A02") == []


def test_a03_voucher_gap_is_a_question(tmp_path):
    rows = [LEDGER] + [[f"2024-01-0{n}", f"记-00{n}", "支出", "业务支出", "办公", 10 * n, "甲"] for n in (1, 2, 4, 5)]
    unit(tmp_path, "U1", sheets={"经费收支": rows})
    found = findings(tmp_path, "A03")
    assert [(f.severity, f.row) for f in found] == [("低", 4)] and "记-003" in found[0].message
    unit(tmp_path, "U1", sheets={"经费收支": rows[:3]})
    assert findings(tmp_path, "A03") == []


def test_a04_no_approval(tmp_path):
    rows = [
        LEDGER,
        ["2024-01-05", "记-1", "支出", "业务支出", "培训", 100, None],
        ["2024-01-06", "记-2", "收入", "会费收入", "会费", 500, None],
    ]
    unit(tmp_path, "U1", sheets={"经费收支": rows})
    assert [(f.row, f.column) for f in findings(tmp_path, "A04")] == [(2, "G")]  # income needs no approver


def test_a05_forbidden_form_by_column_and_by_text(tmp_path):
    rows = [
        PAY,
        pay("2024-09-12", "甲", "节日慰问", 500, "中秋", "购物卡"),
        pay("2024-02-01", "乙", "节日慰问", 300, "春节", "实物", note="发放超市卡"),
        pay("2024-05-01", "丙", "生病住院慰问", 500, form="现金"),  # cash is allowed for illness
        pay("2024-06-01", "丁", "生日慰问", 200, form="实物"),
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    found = findings(tmp_path, "A05")
    assert [(f.cell, f.severity) for f in found] == [("G2", "高"), ("K3", "高")]
    assert found[0].message == (
        "单位U1 › 帮扶慰问!G2：节日慰问以购物卡形式发放 500.00 元"
        "（规定节日、生日慰问应发放实物，不得发放现金、购物卡、代金券）"
    )


def test_a06_over_cap_and_cap_met_exactly(tmp_path):
    rows = [
        PAY,
        pay("2024-02-01", "甲", "节日慰问", 1200, "春节", "实物"),
        pay("2024-09-10", "甲", "节日慰问", 800, "中秋", "实物"),
        pay("2024-02-01", "乙", "节日慰问", 1500, "春节", "实物"),
        pay("2024-09-10", "乙", "节日慰问", 501, "中秋", "实物"),
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    found = findings(tmp_path, "A06")
    assert [(f.row, f.amount) for f in found] == [(5, Decimal(1))]  # 甲 at exactly 2,000 is within the cap


def test_a06_a_union_changes_its_cap_in_config(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    rows = [PAY, pay("2024-02-01", "甲", "节日慰问", 1600, "春节", "实物")]
    unit(data, "U1", sheets={"帮扶慰问": rows})
    assert findings(data, "A06") == []
    config = tmp_path / "安徽2018.yaml"
    config.write_text('audit:\n  caps:\n    - {category: 节日慰问, amount: "1500", per: year}\n', encoding="utf-8")
    assert [f.amount for f in findings(data, "A06", config)] == [Decimal(100)]


def test_a07_non_member(tmp_path):
    rows = [
        PAY,
        pay("2024-02-01", "甲", "节日慰问", 300, "春节", "实物", member="否"),
        pay("2024-03-01", "乙", "困难帮扶", 1000, member="否"),
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    assert [f.row for f in findings(tmp_path, "A07")] == [2]


def test_a08_duplicate_payout(tmp_path):
    rows = [
        PAY,
        pay("2024-02-01", "甲", "节日慰问", 300, "春节", "实物"),
        pay("2024-02-03", "甲", "节日慰问", 300, "春节", "实物"),
        pay("2024-09-10", "甲", "节日慰问", 300, "中秋", "实物"),
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    found = findings(tmp_path, "A08")
    assert [f.row for f in found] == [3] and "第 2 行" in found[0].message


def test_a09_split_payment_is_a_question(tmp_path):
    rows = [
        PAY,
        pay("2024-04-01", "甲", "困难帮扶", 3000),
        pay("2024-04-01", "甲", "困难帮扶", 2500),
        pay("2024-04-02", "乙", "困难帮扶", 3000),
        pay("2024-04-02", "乙", "困难帮扶", 1000),
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    found = findings(tmp_path, "A09")
    assert [(f.severity, f.amount) for f in found] == [("低", Decimal(5500))]


def test_a10_future_date(tmp_path):
    rows = [PAY, pay("2099-01-01", "甲", "困难帮扶", 100)]
    unit(tmp_path, "U1", period="2099年", sheets={"帮扶慰问": rows})
    assert ["晚于今天" in f.message for f in findings(tmp_path, "A10")] == [True]


def test_a11_payouts_against_the_ledger(tmp_path):
    payouts = [
        PAY,
        pay("2024-01-05", "甲", "困难帮扶", 1000, voucher="记-1"),
        pay("2024-01-06", "乙", "困难帮扶", 400, voucher="记-9"),  # voucher not in the ledger
        pay("2024-02-01", "丙", "送温暖", 300),  # matched by date and amount
        pay("2024-02-02", "丁", "送温暖", 250),
    ]  # no ledger line at all
    ledger = [
        LEDGER,
        ["2024-01-05", "记-1", "支出", "维权支出", "甲困难帮扶", 1000, "主席"],
        ["2024-02-01", "记-2", "支出", "维权支出", "丙送温暖", 300, "主席"],
        ["2024-03-01", "记-3", "支出", "职工活动支出", "三八节慰问品", 800, "主席"],
    ]  # no payout list
    unit(tmp_path, "U1", sheets={"帮扶慰问": payouts, "经费收支": ledger})
    found = sorted((f.sheet, f.row) for f in findings(tmp_path, "A11"))
    assert found == [("帮扶慰问", 3), ("帮扶慰问", 5), ("经费收支", 4)]


def test_a12_remittance(tmp_path):
    ledger = [LEDGER, ["2024-12-31", "记-1", "收入", "拨缴经费收入", "全年拨缴", 11880, None]]
    unit(tmp_path, "U1", payroll=1000000, sheets={"经费收支": ledger})  # 2% × 60% = 12,000; 1 % tolerance = 120
    assert findings(tmp_path, "A12") == []
    ledger[1][5] = 11879
    unit(tmp_path, "U1", payroll=1000000, sheets={"经费收支": ledger})
    assert [f.amount for f in findings(tmp_path, "A12")] == [Decimal(-121)]


def test_a13_category_unknown_or_wrong_side(tmp_path):
    ledger = [
        LEDGER,
        ["2024-01-01", "记-1", "支出", "招待费", "宴请", 800, "甲"],
        ["2024-01-02", "记-2", "支出", "会费收入", "退会费", 20, "甲"],
        ["2024-01-03", "记-3", "支出", "业务支出", "会议", 50, "甲"],
    ]
    unit(tmp_path, "U1", sheets={"经费收支": ledger})
    assert [f.row for f in findings(tmp_path, "A13")] == [2, 3]


def test_a14_round_amounts_is_a_question(tmp_path):
    ledger = [LEDGER] + [
        [f"2024-01-{n:02d}", f"记-{n}", "支出", "业务支出", "办公", 100 * n, "甲"] for n in range(1, 11)
    ]
    unit(tmp_path, "U1", sheets={"经费收支": ledger})
    assert [f.severity for f in findings(tmp_path, "A14")] == ["低"]
    ledger[1][5] = 123.45  # 9 of 10 round is 90 %, the threshold itself
    ledger[2][5] = 67.8
    unit(tmp_path, "U1", sheets={"经费收支": ledger})
    assert findings(tmp_path, "A14") == []


def test_clean_unit_has_no_medium_or_high_finding(tmp_path):
    payouts = [
        PAY,
        pay("2024-01-05", "甲", "困难帮扶", 1000, voucher="记-1"),
        pay("2024-02-01", "乙", "节日慰问", 300, "春节", "实物", voucher="记-2"),
    ]
    ledger = [
        LEDGER,
        ["2024-01-05", "记-1", "支出", "维权支出", "甲困难帮扶", 1000, "主席"],
        ["2024-02-01", "记-2", "支出", "职工活动支出", "春节慰问品", 300, "主席"],
        ["2024-03-31", "记-3", "收入", "拨缴经费收入", "拨缴", 12000, None],
    ]
    unit(tmp_path, "U1", payroll=1000000, sheets={"帮扶慰问": payouts, "经费收支": ledger})
    assert [f for f in run(tmp_path).findings if f.severity in ("高", "中")] == []


def test_a06_dated_province_table(tmp_path):
    config = tmp_path / "安徽.yaml"
    config.write_text("audit: {caps_table: 安徽}\n", encoding="utf-8")
    found = {}
    for year in (2024, 2025):
        data = tmp_path / str(year)
        data.mkdir()
        rows = [PAY, pay(f"{year}-02-01", "甲", "节日慰问", 1600, "春节", "实物")]
        unit(data, "U1", period=f"{year}年", sheets={"帮扶慰问": rows})
        found[year] = [f.amount for f in findings(data, "A06", config)]
    # 2024 payouts fall under the 2018 table (1,500 a year); from 2025 the cap is 2,200.
    assert found == {2024: [Decimal(100)], 2025: []}


def test_a06_per_festival_caps(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    config = tmp_path / "贵州.yaml"
    config.write_text("audit: {caps_table: 贵州}\n", encoding="utf-8")
    rows = [
        PAY,
        pay("2024-02-01", "甲", "节日慰问", 500, "春节", "实物"),
        pay("2024-06-10", "甲", "节日慰问", 200, "端午", "实物"),
        pay("2024-09-17", "甲", "节日慰问", 250, "中秋", "实物"),
    ]
    unit(data, "U1", sheets={"帮扶慰问": rows})
    assert [(f.row, f.amount) for f in findings(data, "A06", config)] == [(4, Decimal(50))]


def test_unknown_caps_table_is_a_config_error(tmp_path):
    from pipeline.config import load_settings
    from pipeline.errors import ConfigError

    config = tmp_path / "x.yaml"
    config.write_text("audit: {caps_table: 火星}\n", encoding="utf-8")
    try:
        load_settings(config)
    except ConfigError as exc:
        assert "火星" in str(exc) and "安徽" in str(exc)
    else:
        raise AssertionError("an unknown table must be refused before any workbook is read")
