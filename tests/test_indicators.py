"""Indicators worked out by hand on small workbooks, including the edge cases of indicators.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.periods import parse_period
from pipeline.render.machine import plain
from pipeline.targets import judge, parse_target
from tests.conftest import figure
from tests.workbooks import run, unit, workbook

CONTRACT_HEAD = [
    "企业名称",
    "统一社会信用代码",
    "职工人数",
    "是否正常经营",
    "是否建会",
    "建会日期",
    "是否签订集体合同",
    "集体合同到期日",
    "是否签订工资专项集体合同",
    "工资专项到期日",
    "覆盖职工人数",
]
ACT_HEAD = ["活动名称", "活动类别", "计划月份", "开展日期", "状态", "参与人数"]
ASSIST_HEAD = ["发放日期", "姓名", "类别", "金额"]


def test_contract_rates_with_threshold_operating_and_expiry(tmp_path):
    rows = [
        CONTRACT_HEAD,
        [
            "甲",
            "A1",
            30,
            "是",
            "是",
            "2010-01-01",
            "是",
            "2024-12-31",
            "是",
            "2024-12-30",
            30,
        ],  # expires on the last day
        ["乙", "A2", 25, "是", "是", "2024-05-01", "否", None, "否", None, None],  # new this year
        ["丙", "A3", 24, "是", "否", None, None, None, None, None, None],  # under 25
        ["丁", "A4", 80, "否", "否", None, None, None, None, None, None],  # not operating
        ["戊", "A5", 40, "是", "否", None, None, None, None, None, None],
    ]
    unit(tmp_path, "U1", sheets={"集体合同": rows})
    result = run(tmp_path)
    rate = figure(result, "U1", "unionisation_rate").figure
    assert (rate.numerator, rate.denominator) == (2, 3)  # 甲 乙 of 甲 乙 戊 (丙 < 25, 丁 closed)
    assert figure(result, "U1", "unionisation_rate_all").figure.denominator == 4
    assert figure(result, "U1", "new_unions").figure.value == 1
    collective = figure(result, "U1", "collective_contract_rate").figure
    assert (collective.numerator, collective.denominator) == (1, 2)  # 甲's contract is in force on 12-31
    assert figure(result, "U1", "wage_agreement_rate").figure.numerator == 0  # expired the day before
    coverage = figure(result, "U1", "contract_coverage").figure
    assert (coverage.numerator, coverage.denominator) == (30, 55)


def test_zero_denominator_and_missing_sheet_are_no_data(tmp_path):
    meetings = [
        ["会议类型", "日期", "提案数", "已办复数"],
        ["职代会", "2024-03-01", None, None],
        ["厂务公开", "2024-06-01"],
    ]
    unit(tmp_path, "U1", sheets={"民主管理": meetings})
    result = run(tmp_path)
    motions = figure(result, "U1", "motion_answer_rate")  # the column is there, every cell empty: 0 / 0
    assert (motions.figure.value, motions.figure.denominator, motions.status) == (None, 0, "no_data")
    assert figure(result, "U1", "disclosure_count").figure.value == 1
    missing = figure(result, "U1", "hardship_assistance")
    assert (missing.figure.value, missing.status) == (None, "no_data")


def test_a_missing_column_is_no_data_not_zero(tmp_path):
    roster = [
        ["企业名称", "统一社会信用代码", "职工人数", "是否建会", "是否签订集体合同"],
        ["甲", "A1", 30, "是", "是"],
    ]
    unit(tmp_path, "U1", sheets={"集体合同": roster, "民主管理": [["会议类型", "日期"], ["职代会", "2024-03-01"]]})
    result = run(tmp_path)
    assert figure(result, "U1", "collective_contract_rate").figure.value == 1
    for code in ("wage_agreement_rate", "contract_coverage", "new_unions", "motion_answer_rate"):
        row = figure(result, "U1", code)  # no 工资专项 / 覆盖人数 / 建会日期 / 提案数 column at all
        assert (row.figure.value, row.status) == (None, "no_data"), code
    assert figure(result, "U1", "congress_count").figure.value == 1


def test_a_unit_without_the_sheet_is_left_out_of_the_rollup(tmp_path):
    unit(tmp_path, "TOP", employees=10, members=10)
    unit(
        tmp_path,
        "A",
        parent="TOP",
        employees=100,
        members=50,
        sheets={"集体合同": [CONTRACT_HEAD[:5], ["甲", "A1", 30, "是", "是"], ["乙", "A2", 30, "是", "否"]]},
    )
    unit(tmp_path, "B", parent="TOP", employees=200, members=190)  # no roster: not in the 建会率 denominator
    result = run(tmp_path)
    union = figure(result, "TOP", "unionisation_rate", "rollup")
    assert (union.figure.numerator, union.figure.denominator, union.figure.units) == (1, 2, 1)
    members = figure(result, "TOP", "membership_rate", "rollup").figure
    assert (members.numerator, members.denominator) == (250, 310)  # sums, not the mean of 1.0, 0.5, 0.95


def test_cancelled_unheld_and_unplanned_activities(tmp_path):
    rows = [
        ACT_HEAD,
        ["讲座", "思想教育", 3, "2024-03-10", "已完成", 50],
        ["培训", "技能培训", 4, None, "已取消", None],
        ["比赛", "文体活动", 5, "2024-06-20", None, 40],  # held late, status derived from the date
        ["联欢", "文体活动", None, "2024-12-30", "已完成", 100],  # no plan month: sessions yes, completion no
        ["去年的", "文体活动", "2023年12月", "2023-12-20", "已完成", 70],
    ]  # planned and held last year
    unit(tmp_path, "U1", sheets={"活动台账": rows})
    result = run(tmp_path)
    completion = figure(result, "U1", "activity_completion").figure
    assert (completion.numerator, completion.denominator) == (2, 3)
    assert figure(result, "U1", "activity_on_time").figure.numerator == 1
    assert figure(result, "U1", "participants").figure.value == 190  # 50 + 40 + 100, not last year's 70
    assert figure(result, "U1", "culture_sessions").figure.value == 2
    assert any(f.rule == "A10" and f.row == 6 for f in result.findings)


def test_out_of_period_payout_is_kept_but_not_counted(tmp_path):
    rows = [ASSIST_HEAD, ["2024-03-01", "甲", "困难帮扶", 1000], ["2023-12-28", "乙", "困难帮扶", 500]]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    result = run(tmp_path)
    assert figure(result, "U1", "hardship_assistance").figure.value == Decimal(1000)
    assert len(result.frames["U1"].frames["assistance"]) == 2
    assert [(f.rule, f.row) for f in result.findings if f.rule == "A10"] == [("A10", 3)]


def test_mid_year_progress(tmp_path):
    rows = [
        ACT_HEAD,
        ["培训一", "技能培训", 3, "2024-03-01", "已完成", 80],
        ["培训二", "技能培训", 5, "2024-05-01", "已完成", 90],
    ]
    unit(tmp_path, "H1", period="2024年上半年", sheets={"活动台账": rows})
    unit(tmp_path, "H2", period="2024年上半年", sheets={"活动台账": rows[:2]})
    result = run(tmp_path)
    # target 4 sessions a year; by 30 June half the year has passed: 2 is on track, 1 is behind.
    assert figure(result, "H1", "training_sessions").status == "on_track"
    assert figure(result, "H2", "training_sessions").status == "behind"
    # 500 participants a year: 170 by June is behind (< 250); a rate is compared as is.
    assert figure(result, "H1", "participants").status == "behind"
    assert figure(result, "H1", "membership_rate").status == "met"  # 90 / 100 ≥ 90 %


def test_status_rules():
    year, half = parse_period("2024"), parse_period("2024年1-6月")
    four = parse_target("4场", "count")
    assert judge(Decimal(3), four, "count", year) == "missed"
    assert judge(Decimal(4), four, "count", year) == "met"
    assert judge(Decimal(2), four, "count", half) == "on_track"
    assert judge(None, four, "count", half) == "no_data"
    rate = parse_target("95%", "rate")
    assert judge(Decimal("0.9"), rate, "rate", half) == "behind"
    assert judge(Decimal("0.9"), rate, "rate", year) == "missed"
    cap = parse_target("不超过5000元", "money")
    assert cap.comparator == "<=" and judge(Decimal(6000), cap, "money", year) == "missed"
    assert judge(Decimal(1), None, "count", year) == ""


@pytest.mark.parametrize(
    ("text", "unit", "value", "comparator"),
    [
        ("95%", "rate", "0.95", ">="),
        ("９５％", "rate", "0.95", ">="),
        ("0.95", "rate", "0.95", ">="),
        ("≥95%", "rate", "0.95", ">="),
        ("达到90%", "rate", "0.9", ">="),
        ("不少于2家", "count", "2", ">="),
        ("不少于２家", "count", "2", ">="),
        ("6场", "count", "6", ">="),
        ("0.8万元", "money", "8000", ">="),
        ("7000元以上", "money", "7000", ">="),
        ("不超过3000元", "money", "3000", "<="),
        ("500人", "people", "500", ">="),
        ("100%", "rate", "1", ">="),
        ("2次", "count", "2", ">="),
    ],
)
def test_targets_as_people_write_them(text, unit, value, comparator):
    target = parse_target(text, unit)
    assert (target.value, target.comparator) == (Decimal(value), comparator)


def test_targets_workbook_and_own_sheet(tmp_path):
    unit(tmp_path, "TOP")
    unit(tmp_path, "A", parent="TOP", sheets={"年度目标": [["指标", "目标值", "比较"], ["会员入会率", "８０％", "≥"]]})
    unit(tmp_path, "B", parent="TOP")
    workbook(tmp_path / "targets.xlsx", {}, [], "目标任务")
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "targets.xlsx")
    ws = wb["目标任务"]
    for row in [["单位代码", "指标", "目标值"], ["A", "membership_rate", "99%"], ["B", "会员入会率", "99%"]]:
        ws.append(row)
    wb.save(tmp_path / "targets.xlsx")
    result = run(tmp_path)
    assert figure(result, "A", "membership_rate").target.value == Decimal("0.8")  # its own sheet wins
    assert figure(result, "B", "membership_rate").target.value == Decimal("0.99")
    assert figure(result, "B", "membership_rate").status == "missed"


def test_sum_of_half_cent_amounts_is_exact(tmp_path):
    rows = [ASSIST_HEAD] + [["2024-03-01", f"职工{i}", "困难帮扶", "0.005"] for i in range(3)]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    value = figure(run(tmp_path), "U1", "hardship_assistance").figure.value
    assert value == Decimal("0.015") and plain(value, "money") == "0.02"
    assert round(0.005 + 0.005 + 0.005, 2) == 0.01  # what binary floats would have reported


def test_a_union_adds_an_indicator_in_its_config(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        """
indicators:
  - code: female_work_sessions
    name: 女职工工作场次
    kind: aggregate
    unit: count
    value: {sheet: activities, agg: count, where: [held_in_period, {category: 女职工工作}]}
    target: "2场"
    comparator: ">="
domain: {unionisation_threshold: 10}
""",
        encoding="utf-8",
    )
    data = tmp_path / "in"
    data.mkdir()
    rows = [
        ACT_HEAD,
        ["三八活动", "女职工工作", 3, "2024-03-08", "已完成", 40],
        ["讲座", "思想教育", 4, "2024-04-01", "已完成", 9],
    ]
    unit(data, "U1", sheets={"活动台账": rows, "集体合同": [CONTRACT_HEAD[:5], ["甲", "A1", 12, "是", "是"]]})
    result = run(data, config)
    added = figure(result, "U1", "female_work_sessions")
    assert (added.figure.value, added.status) == (1, "missed")
    assert figure(result, "U1", "unionisation_rate").figure.denominator == 1  # threshold 10 from the config


def test_lineage_names_the_rows(tmp_path):
    rows = [
        ASSIST_HEAD,
        ["2024-03-01", "甲", "困难帮扶", 1000],
        ["2024-03-02", "乙", "生日慰问", 100],
        ["2024-03-03", "丙", "送温暖", 200],
    ]
    unit(tmp_path, "U1", sheets={"帮扶慰问": rows})
    row = figure(run(tmp_path), "U1", "hardship_assistance")
    assert row.figure.rows == [("U1_2024年.xlsx", "帮扶慰问", 2), ("U1_2024年.xlsx", "帮扶慰问", 4)]


def test_previous_period_feeds_yoy_not_totals(tmp_path):
    unit(tmp_path, "U1", employees=100, members=90)
    unit(tmp_path, "U1", period="2023年", employees=100, members=80)
    result = run(tmp_path)
    row = figure(result, "U1", "membership_rate")
    assert (row.figure.numerator, row.previous) == (90, Decimal("0.8"))
    assert result.period.key() == "2024" and date(2024, 1, 1) == result.period.start


def test_membership_rate_over_unionised_enterprises_by_config(tmp_path):
    """入会率 has two denominators in use; a union switches by redefining the indicator in its config."""
    config = tmp_path / "config.yaml"
    config.write_text(
        """
indicators:
  - code: membership_rate
    numerator: {sheet: contracts, agg: sum, column: members, where: [operating, unionised]}
    denominator: {sheet: contracts, agg: sum, column: employees, where: [operating, unionised]}
""",
        encoding="utf-8",
    )
    data = tmp_path / "in"
    data.mkdir()
    head = ["企业名称", "统一社会信用代码", "职工人数", "是否建会", "会员人数"]
    rows = [head, ["甲", "A1", 100, "是", 96], ["乙", "A2", 50, "是", 40], ["丙", "A3", 80, "否", None]]
    unit(data, "U1", employees=900, members=300, sheets={"集体合同": rows})
    default = figure(run(data), "U1", "membership_rate").figure
    switched = figure(run(data, config), "U1", "membership_rate").figure
    assert (default.numerator, default.denominator) == (300, 900)
    assert (switched.numerator, switched.denominator) == (136, 150)


def test_quarter_report_counts_the_plan_year_to_date(tmp_path):
    rows = [
        ACT_HEAD,
        ["二月讲座", "思想教育", 2, "2024-02-20", "已完成", 40],
        ["五月培训", "技能培训", 5, "2024-05-10", "已完成", 30],
        ["六月比赛", "文体活动", 6, None, "未开展", None],
        ["八月活动", "文体活动", 8, None, "未开展", None],
    ]
    unit(tmp_path, "U1", period="2024Q2", sheets={"活动台账": rows})
    result = run(tmp_path)
    completion = figure(result, "U1", "activity_completion").figure
    assert (completion.numerator, completion.denominator) == (2, 3)  # Feb–Jun planned, Feb and May done
    assert figure(result, "U1", "participants").figure.value == 30  # only what was held in April–June


def test_a_wrong_indicator_definition_is_refused_before_reading(tmp_path):
    from pipeline.errors import ConfigError

    config = tmp_path / "bad.yaml"
    config.write_text(
        "indicators:\n  - {code: typo, name: 错的, kind: ratio, unit: rate,\n"
        "     numerator: {sheet: activities, agg: count}, denominator: {sheet: activites, agg: count}}\n",
        encoding="utf-8",
    )
    data = tmp_path / "in"
    data.mkdir()
    unit(data, "U1")
    with pytest.raises(ConfigError, match="指标「typo」.*denominator.sheet"):
        run(data, config)
