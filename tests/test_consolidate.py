"""Consolidation over a generated tree: who is missing, and roll-ups that are sums of the leaves."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from pipeline.config import load_settings
from pipeline.run import discover, run_report
from tests.generate import generate_tree
from tests.workbooks import run, unit

CONTRACTS = ["企业名称", "统一社会信用代码", "职工人数", "是否建会"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tree")
    units = generate_tree(folder, 220, missing=9)
    result = run_report(discover(folder), load_settings(), folder)
    return units, result


def test_submissions_name_exactly_the_missing_units(tree):
    units, result = tree
    missing = sorted(u.code for u in units if not u.reports)
    assert len(missing) == 9
    assert sorted(s.code for s in result.submissions if s.status == "missing") == missing
    assert sum(s.status == "received" for s in result.submissions) == 211


def test_every_rollup_is_the_sum_of_the_units_below(tree):
    units, result = tree
    parent = {u.code: u.parent for u in units}
    own = {(r.unit_code, r.code): r.figure for r in result.indicators if r.level == "unit"}
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for (code, indicator), fig in own.items():
        if fig.value is None and fig.numerator is None:
            continue  # no data: out of numerator and denominator
        node = code
        while node:
            total = sums[(node, indicator)]
            total[0] += fig.numerator or 0
            total[1] += fig.denominator or 0
            total[2] += 1
            node = parent.get(node, "")
    rollups = [r for r in result.indicators if r.level == "rollup"]
    assert len({r.unit_code for r in rollups}) == sum(1 for u in units if u.unit_type != "企业")
    for row in rollups:
        expected = sums.get((row.unit_code, row.code))
        if expected is None:
            assert row.figure.value is None
            continue
        assert (row.figure.numerator or 0, row.figure.denominator or 0, row.figure.units) == tuple(expected), row.code


def test_leaf_figures_match_the_generator(tree):
    units, result = tree
    by_code = {u.code: u for u in units}
    for row in result.indicators:
        if row.level != "unit":
            continue
        source = by_code[row.unit_code]
        if row.code == "participants":
            assert row.figure.value == sum(p for _, _, p in source.activities)
        if row.code == "hardship_assistance":
            assert row.figure.value == sum(Decimal(a) for _, c, a in source.payouts if c in ("困难帮扶", "送温暖"))
        if row.code == "unionisation_rate" and source.enterprises:
            large = [e for e in source.enterprises if e[1] >= 25]
            assert (row.figure.numerator, row.figure.denominator) == (sum(e[2] for e in large), len(large))


def test_shared_enterprise_counted_once(tmp_path):
    unit(tmp_path, "TOP")
    unit(tmp_path, "A", parent="TOP", sheets={"集体合同": [CONTRACTS, ["甲", "913300000000000001", 30, "是"]]})
    unit(
        tmp_path,
        "B",
        parent="TOP",
        sheets={
            "集体合同": [CONTRACTS, ["甲", "913300000000000001", 30, "是"], ["乙", "913300000000000002", 40, "否"]]
        },
    )
    result = run(tmp_path)
    rate = next(r for r in result.rollup_rows("TOP") if r.code == "unionisation_rate").figure
    assert (rate.numerator, rate.denominator) == (1, 2)
    assert result.shared == {"913300000000000001": ["A", "B"]}


def test_two_workbooks_for_one_unit_and_period(tmp_path):
    unit(tmp_path, "A", members=50).rename(tmp_path / "A_初版.xlsx")
    unit(tmp_path, "A", members=60).rename(tmp_path / "A_更正版.xlsx")
    result = run(tmp_path)
    submission = next(s for s in result.submissions if s.code == "A")
    assert submission.status == "duplicate" and len(submission.files) == 2
    # same 填报日期 (none): the later file name is used, and the report says so
    assert "A_更正版.xlsx" in submission.note
    assert next(r for r in result.unit_rows("A") if r.code == "membership_rate").figure.numerator == 60


def test_rejected_workbook_is_named(tmp_path):
    unit(tmp_path, "TOP")
    broken = unit(tmp_path, "A", parent="TOP")
    broken.write_bytes(broken.read_bytes()[:200])
    result = run(tmp_path)
    assert [f.status for f in result.files if f.file == broken.name] == ["rejected"]


def test_late_submissions_with_a_deadline(tmp_path):
    from tests.workbooks import workbook

    data = tmp_path / "in"
    data.mkdir()
    unit(data, "TOP")
    for code, filled in (("A", "2025-01-10"), ("B", "2025-01-20")):
        workbook(
            data / f"{code}.xlsx",
            {},
            [
                ("单位名称", code),
                ("单位代码", code),
                ("上级单位代码", "TOP"),
                ("报告期", "2024年"),
                ("职工总数", 10),
                ("会员总数", 9),
                ("填报日期", filled),
            ],
        )
    config = tmp_path / "c.yaml"
    config.write_text('domain: {submission_deadline: "2025-01-15"}\n', encoding="utf-8")
    notes = {s.code: s.note for s in run(data, config).submissions}
    assert "逾期" not in notes["A"] and notes["B"] == "逾期报送：填报日期 2025-01-20，截止日期 2025-01-15"
    assert all("逾期" not in n for n in ({s.code: s.note for s in run(data).submissions}).values())


def test_units_without_or_with_a_wrong_code_are_matched_to_the_roster_by_name(tmp_path):
    from tests.workbooks import workbook

    data = tmp_path / "in"
    data.mkdir()
    workbook(data / "roster.xlsx", {}, [], "组织架构")
    import openpyxl

    book = openpyxl.load_workbook(data / "roster.xlsx")
    for row in [
        ["单位代码", "单位名称", "上级单位代码"],
        ["TOP", "总工会", ""],
        ["A01", "西湖区人民医院工会", "TOP"],
        ["B01", "第二小学工会", "TOP"],
    ]:
        book["组织架构"].append(row)
    book.save(data / "roster.xlsx")
    profile = [("单位名称", "西湖區人民醫院工會"), ("报告期", "2024年"), ("职工总数", 10), ("会员总数", 9)]  # no code
    workbook(data / "hospital.xlsx", {}, profile)
    workbook(
        data / "school.xlsx",
        {},
        [("单位名称", "第二小学工会"), ("单位代码", "B1"), ("报告期", "2024年"), ("职工总数", 10), ("会员总数", 9)],
    )  # a mistyped code
    result = run(data)
    status = {s.code: s.status for s in result.submissions}
    assert status == {"TOP": "missing", "A01": "received", "B01": "received"}
    notes = " ".join(n for f in result.files for n in f.notes)
    assert "没有单位代码" in notes and "按单位名称对应为「A01」" in notes and "「B1」不在组织架构名册中" in notes


def test_a_missing_period_is_taken_from_the_titles(tmp_path):
    from tests.workbooks import workbook

    rows = [["某某工会2024年帮扶慰问台账"], ["发放日期", "姓名", "类别", "金额"], ["3月5日", "甲", "困难帮扶", 100]]
    workbook(
        tmp_path / "u.xlsx",
        {"帮扶慰问": rows},
        [("单位名称", "某某工会"), ("单位代码", "X1"), ("职工总数", 10), ("会员总数", 9)],
    )
    result = run(tmp_path)
    unit_file = result.files[0]
    assert unit_file.status == "ingested" and unit_file.period.key() == "2024"
    assert any("按表头/文件名中的年份计为 2024年" in n for n in unit_file.notes)


# --- a node is judged against a target of its own scope --------------------------------------------------


def test_a_node_sum_is_judged_against_the_sum_of_its_units_targets(tree):
    units, result = tree
    from pipeline.consolidate import descendants
    from pipeline.targets import CUMULATIVE_UNITS

    own = {(r.unit_code, r.code): r for r in result.indicators if r.level == "unit"}
    checked = 0
    for row in (r for r in result.indicators if r.level == "rollup" and r.unit in CUMULATIVE_UNITS):
        below = [own[(c, row.code)] for c in descendants(result.nodes, row.unit_code) if (c, row.code) in own]
        targeted = [r for r in below if r.figure.value is not None and r.target is not None]
        if not targeted:
            assert row.target is None
            continue
        assert row.target.value == sum(r.target.value for r in targeted), (row.unit_code, row.code)
        assert row.target.units == len(targeted)
        judged = [r for r in below if r.status in ("met", "on_track", "behind", "missed")]
        assert (row.units_met, row.units_judged) == (sum(r.status == "met" for r in judged), len(judged))
        checked += 1
    assert checked > 50  # every node with a subtree, for each summed indicator with targets below it


def test_the_demo_street_is_not_judged_against_one_units_target(demo_run):
    street = next(code for code, node in demo_run.nodes.items() if not node.parent)
    culture = next(r for r in demo_run.rollup_rows(street) if r.code == "culture_sessions")
    # the case: 10 sessions against ≥5 read 达标 while every unit missed its own 5
    assert (culture.figure.value, culture.target.value, culture.status) == (10, 35, "missed")
    assert (culture.units_met, culture.units_judged) == (0, 7)
    rate = next(r for r in demo_run.rollup_rows(street) if r.code == "membership_rate")
    assert rate.target.value == Decimal("0.9") and rate.target.source == "默认"  # a rate keeps the rate target


def test_a_node_own_assigned_target_wins_and_mid_year_pro_rates_the_sum(tmp_path):
    activity = ["活动名称", "活动类别", "开展日期"]
    unit(tmp_path, "TOP", period="2024年上半年")
    for code, held in (("A", 2), ("B", 1)):
        rows = [activity, *[[f"培训{i}", "技能培训", f"2024-03-0{i + 1}"] for i in range(held)]]
        unit(tmp_path, code, period="2024年上半年", parent="TOP", sheets={"活动台账": rows})
    result = run(tmp_path)
    training = next(r for r in result.rollup_rows("TOP") if r.code == "training_sessions")
    # the two units with an activity ledger, 4 each (TOP has none: no data, no target): 8 for the year,
    # 4 due by June; 3 held → behind
    assert (training.figure.value, training.target.value, training.status) == (3, 8, "behind")
    assert (training.units_met, training.units_judged) == (0, 2)
    book = tmp_path / "目标任务.xlsx"
    from tests.workbooks import workbook

    workbook(book, {}, [], "目标任务")
    import openpyxl

    wb = openpyxl.load_workbook(book)
    for row in [["单位代码", "指标", "目标值"], ["TOP", "培训场次", "5场"]]:
        wb["目标任务"].append(row)
    wb.save(book)
    assigned = next(r for r in run(tmp_path).rollup_rows("TOP") if r.code == "training_sessions")
    assert (assigned.target.value, assigned.target.source, assigned.status) == (5, "目标任务表", "on_track")
