"""Ledgers as unions keep them: recognised by content, the unit found, every row accounted, the same figures."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.identity import base_name, name_in_title, names_in_path
from pipeline.ingest import UnitWorkbook, ingest_file
from pipeline.recognise import split_side_by_side
from pipeline.render.machine import indicator_record
from pipeline.workbook import RawSheet
from tests import ledgers
from tests.conftest import figure
from tests.workbooks import run


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("ledgers")
    return run(ledgers.write_contract(base / "contract")), run(ledgers.write_real(base / "real"))


def unit_lines(result) -> dict[tuple[str, str], list[str]]:
    return {(r[0], r[4]): r for r in map(indicator_record, result.indicators) if r[2] == "unit"}


def by_file(result, name: str) -> UnitWorkbook:
    return next(f for f in result.files if f.file.endswith(name))


def accounted(unit: UnitWorkbook) -> None:
    for a in unit.accounts:
        assert a.rows_read == a.accepted + a.rejected + a.totals + a.blank, (unit.file, a)


# --- the Done-when test: one truth, two shapes --------------------------------------------------------------


def test_the_same_facts_as_our_template_and_as_real_exports_give_identical_unit_figures(both):
    contract, real = both
    ours, theirs = unit_lines(contract), unit_lines(real)
    assert len(ours) == len(theirs) == 3 * 26
    assert ours == theirs
    assert all(f.status == "ingested" for f in real.files), [(f.file, f.reason) for f in real.files]
    assert {s.code: s.status for s in real.submissions} == {
        ledgers.TOP: "missing",  # the street union sent nothing, in both shapes
        ledgers.A: "received",
        ledgers.B: "received",
        ledgers.C: "received",
    }


def test_hand_worked_figures_of_the_real_exports(both):
    _, real = both
    a, b, c = ledgers.A, ledgers.B, ledgers.C
    # 签领表 7,000 (大病救助) + 慰问记录 4,000 + 1,200; 3 people signed + 20 + 6 人次 at two events
    assert figure(real, a, "assistance_total").figure.value == Decimal("12200")
    assert figure(real, a, "hardship_assistance").figure.value == Decimal("7000")
    assert figure(real, a, "assistance_people").figure.value == 29
    # the member roster: 8 listed, 6 members (2 否), 3 joined in 2024
    rate = figure(real, a, "membership_rate").figure
    assert (rate.numerator, rate.denominator) == (6, 8)
    assert figure(real, a, "new_members").figure.value == 3
    # 5 problems, 4 with an answer (the 5th is 待解决 with no answer)
    motions = figure(real, b, "motion_answer_rate").figure
    assert (motions.numerator, motions.denominator) == (4, 5)
    assert figure(real, b, "congress_count").figure.value == 2
    # the statistics table's payroll: 1,020.5 万元
    assert real.selection.current[b].profile["payroll"] == Decimal("10205000")
    # income 20,000 + 3,600 on the left, expense 3,000 + 4,500 + 1,800 on the right
    assert figure(real, c, "fund_income").figure.value == Decimal("23600")
    assert figure(real, c, "fund_expense").figure.value == Decimal("9300")
    # 6 enterprises, 5 with 25+ staff of which 4 unionised; contract terms written as 2018.1.1-2026.12.31
    union = figure(real, c, "unionisation_rate").figure
    assert (union.numerator, union.denominator) == (4, 5)


def test_the_audit_finds_the_same_problems_in_both_shapes(both):
    def found(result):
        return sorted((f.rule, f.unit_code, f.amount) for f in result.findings if f.severity != "低")

    contract, real = both
    assert found(contract) == found(real)
    card = next(f for f in real.findings if f.rule == "A05")
    assert (card.file, card.sheet, card.cell) == ("红星机械厂工会/慰问记录导出.xlsx", "Worksheet", "B4")


# --- recognition: which kind, and why ----------------------------------------------------------------------


KINDS = {
    "工会组织导入.xlsx": ("roster", "工会组织名称"),
    "2024年会员花名册.xls": ("members", "手机号码"),
    "专项资金帮扶情况实名制签领表.xls": ("assistance", "帮扶对象姓名"),
    "慰问记录导出.xlsx": ("condolences", "慰问费用"),
    "第二小学工会_基本情况.xlsx": ("profile", "职工总数"),
    "第二小学工会2024年教代会及校务公开登记表.xlsx": ("democracy", "会议类型"),
    "第二小学工会_急难愁盼问题清单.xlsx": ("proposals", "问题和建议的内容"),
    "第二小学工会2024年活动台账.xls": ("activities", "活动类别"),
    "企业建会情况.xlsx": ("contracts", "统一社会信用代码"),
    "翠苑社区工会2024年慰问发放表.xlsx": ("assistance", "慰问类别"),
}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_real_sheet_is_recognised_by_its_headers(both, name):
    unit = by_file(both[1], name)
    kind, header = KINDS[name]
    assert [a.table for a in unit.accounts] == [kind]
    assert header in unit.accounts[0].decided_by
    accounted(unit)


def test_two_tables_side_by_side_are_read_as_two(both):
    unit = by_file(both[1], "经费收支明细.xlsx")
    assert [(a.table, a.columns, a.accepted, a.totals) for a in unit.accounts] == [
        ("ledger", "A:E", 2, 1),
        ("ledger", "G:K", 3, 1),
    ]
    assert all(t.matches for t in unit.total_checks) and len(unit.total_checks) == 2
    directions = list(unit.tables["ledger"]["direction"])
    assert directions == ["收入", "收入", "支出", "支出", "支出"]


def test_a_sheet_that_is_no_ledger_is_listed_with_its_headers(tmp_path, settings):
    path = tmp_path / "红星机械厂工会2024年台账.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.active.append(["车牌号", "司机", "里程"])
    book.active.append(["浙A12345", "张三", 120])
    other = book.create_sheet("Sheet2")
    other.append(["活动名称", "活动类别", "开展日期"])
    other.append(["趣味运动会", "文体活动", "2024-05-01"])
    book.save(path)
    unit = ingest_file(path, settings.contract)
    assert [(a.sheet, a.table) for a in unit.accounts] == [("Sheet1", ""), ("Sheet2", "activities")]
    assert "车牌号、司机、里程" in unit.accounts[0].decided_by
    assert any("不是可识别的台账" in n and "车牌号" in n for n in unit.notes)


# --- files by what they are -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "real_format", "engine"),
    [
        ("专项资金帮扶情况实名制签领表.xls", "html", "lxml"),
        ("2024年会员花名册.xls", "xlsx", "calamine"),
        ("第二小学工会2024年活动台账.xls", "csv", "csv"),
        ("企业建会情况.xlsx", "xlsx", "calamine"),
    ],
)
def test_files_are_opened_by_what_they_are(both, name, real_format, engine):
    unit = by_file(both[1], name)
    assert (unit.format, unit.engine) == (real_format, engine)
    mismatch = [n for n in unit.notes if "内容实际是" in n]
    assert bool(mismatch) == (not name.endswith(".xlsx"))


# --- the unit, and where it came from ---------------------------------------------------------------------


UNIT_FROM = {
    "专项资金帮扶情况实名制签领表.xls": (ledgers.A, "标题"),
    "2024年会员花名册.xls": (ledgers.A, "文件夹"),
    "慰问记录导出.xlsx": (ledgers.A, "文件夹"),
    "第二小学工会_基本情况.xlsx": (ledgers.B, "表头"),
    "第二小学工会2024年活动台账.xls": (ledgers.B, "文件名"),
    "企业建会情况.xlsx": (ledgers.C, "表头"),
    "翠苑社区工会2024年慰问发放表.xlsx": (ledgers.C, "标题"),
}


@pytest.mark.parametrize("name", sorted(UNIT_FROM))
def test_the_unit_of_a_file_without_profile(both, name):
    unit = by_file(both[1], name)
    code, source = UNIT_FROM[name]
    assert unit.unit_code == code and unit.identity.startswith(source)
    assert set(unit.tables) == set() or all(set(f["_unit"]) == {code} for f in unit.tables.values())


def test_a_problem_list_without_a_year_takes_its_units_period(both):
    unit = by_file(both[1], "急难愁盼问题清单.xlsx")
    assert unit.status == "ingested" and unit.period.label == "2024年"
    assert any("同一单位其他台账" in n for n in unit.notes)


def test_a_file_no_one_can_place_is_listed_and_kept_and_unit_places_it(tmp_path, settings):
    from pipeline.config import load_settings
    from pipeline.run import discover, run_report

    book = openpyxl.Workbook()
    book.active.append(["发放日期", "姓名", "类别", "金额"])
    book.active.append(["2024-03-01", "张三", "困难帮扶", 800])
    book.save(tmp_path / "导出数据(1).xlsx")
    alone = ingest_file(tmp_path / "导出数据(1).xlsx", settings.contract)
    assert alone.status == "rejected" and "无法确定填报单位" in alone.reason and "已读取 1 行" in alone.reason
    assert alone.accounts[0].accepted == 1  # nothing lost: the row is read and accounted
    placed = run_report(discover(tmp_path), load_settings(), tmp_path, unit_option="0001")
    assert placed.files[0].status == "ingested" and placed.files[0].unit_code == "0001"
    assert figure(placed, "0001", "hardship_assistance").figure.value == Decimal(800)


def test_the_same_ledger_sent_twice_is_counted_once_and_named(tmp_path):
    real = ledgers.write_real(tmp_path / "real")
    copy = real / "翠苑社区工会" / "慰问发放表（再次报送）.xlsx"
    shutil.copy(real / "翠苑社区工会2024年慰问发放表.xlsx", copy)
    result = run(real)
    status = {s.code: (s.status, s.note) for s in result.submissions}
    assert status[ledgers.C][0] == "duplicate" and "只计一次" in status[ledgers.C][1]
    assert figure(result, ledgers.C, "assistance_total").figure.value == Decimal(3500)


def test_a_member_roster_beside_a_profile_is_checked_against_it(tmp_path):
    folder = ledgers.write_contract(tmp_path / "c")
    book = openpyxl.load_workbook(folder / f"{ledgers.A}.xlsx")
    book["基本情况"]["B6"] = 7  # 会员总数 says 7, the roster lists 6 members
    book.save(folder / f"{ledgers.A}.xlsx")
    result = run(folder)
    assert figure(result, ledgers.A, "membership_rate").figure.numerator == 7  # the profile's figure stands
    notes = by_file(result, f"{ledgers.A}.xlsx").notes
    assert any("会员总数 7" in n and "名单计数 6" in n for n in notes)


# --- title block and footer ---------------------------------------------------------------------------------


def test_title_block_constants_apply_to_every_row_that_lacks_them(both):
    unit = by_file(both[1], "实名制签领表.xls")
    table = unit.tables["assistance"]
    assert set(table["category"]) == {"大病救助"} and {d.isoformat() for d in table["paid_on"]} == {"2024-06-18"}
    assert list(table["person_id"]) == [card for _, card, _ in ledgers.SIGNED]  # text, not 3.3e17
    acc = unit.accounts[0]
    assert (acc.rows_read, acc.accepted, acc.totals, acc.blank) == (5, 3, 1, 1)  # the approval footer is a blank
    assert [t.matches for t in unit.total_checks] == [True]


def test_a_scale_in_the_title_block_scales_money_columns(tmp_path, settings):
    book = openpyxl.Workbook()
    ws = book.active
    for row in [
        ["某某工会2024年经费收支台账"],
        ["编制单位：某某工会", None, None, None, None, "单位：万元"],
        ["日期", "凭证号", "收支", "科目", "摘要", "金额"],
        ["2024-03-01", "记1", "收入", "会费收入", "会费", 1.25],
        ["2024-03-02", "记2", "支出", "职工活动支出", "运动会", "0.3"],
    ]:
        ws.append(row)
    book.save(tmp_path / "经费.xlsx")
    unit = ingest_file(tmp_path / "经费.xlsx", settings.contract)
    assert list(unit.tables["ledger"]["amount"]) == [Decimal("12500"), Decimal("3000")]
    assert unit.unit_name == "某某工会" and unit.identity.startswith("表头")


def test_a_statistics_table_profile_with_prefixes_and_units(tmp_path, settings):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "统计表"
    for row in [
        ["某区总工会2024年工会基本情况统计表"],
        ["填报单位：某区总工会", None, None, "报告期：2024年上半年"],
        ["序号", "指标", "计量单位", "本期数"],
        [1, "职工总数", "万人", 12.5],
        [2, "#女职工数", "人", 51000],
        [3, "会员总数", "万人", "11.8"],
        [4, "其中：女会员数", "人", 48000],
    ]:
        ws.append(row)
    book.save(tmp_path / "统计表.xlsx")
    unit = ingest_file(tmp_path / "统计表.xlsx", settings.contract)
    profile = unit.profile
    assert (profile["employees"], profile["female_employees"], profile["members"], profile["female_members"]) == (
        125000,
        51000,
        118000,
        48000,
    )
    assert (unit.unit_name, unit.period.label) == ("某区总工会", "2024年上半年")
    assert unit.accounts[0].table == "profile" and "职工总数" in unit.accounts[0].decided_by


def test_the_footer_gives_who_filled_the_ledger_in(both):
    unit = by_file(both[1], "企业建会情况.xlsx")
    assert (unit.profile.get("filled_by"), unit.profile.get("phone")) == ("陈主席", "13900001111")


# --- LibreOffice and the real world ---------------------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed (make setup installs it as root)")
def test_the_real_exports_resaved_by_libreoffice_as_xls_give_the_same_figures(tmp_path, both):
    real = ledgers.write_real(tmp_path / "real")
    books = [p for p in real.rglob("*.xlsx")]
    for folder in {p.parent for p in books}:
        mine = [str(p) for p in books if p.parent == folder]
        subprocess.run(
            [_soffice(), "--headless", "--convert-to", "xls", "--outdir", str(folder), *mine],
            check=True,
            capture_output=True,
            timeout=240,
        )
    for p in books:
        p.unlink()
    resaved = run(real)
    assert {f.engine for f in resaved.files if f.file.endswith(".xls")} >= {"xlrd"}
    assert unit_lines(resaved) == unit_lines(both[0])


# --- property tests for the parsers of this stage -------------------------------------------------------------


@given(st.text(alphabet="红星机械厂第二小学翠苑社区工会委员", min_size=2, max_size=12))
def test_base_name_is_stable_and_ignores_the_union_suffix(name):
    assert base_name(base_name(name)) == base_name(base_name(name + "工会"))
    assert base_name(name + "工会") == base_name(name + "工會")


@given(
    st.sampled_from(["红星机械厂工会", "翠苑社区工会", "西湖區人民醫院工會"]),
    st.sampled_from(["慰问发放表", "台账", "签领表"]),
)
def test_a_title_names_the_union_before_its_year(union, ledger):
    assert name_in_title(f"{union}2024年{ledger}") == union
    assert names_in_path(f"{union}/2024年{ledger}.xlsx", ())[-1] == ("文件夹", union)


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from(["日期", "金额", "收入", "1", "张三"])), min_size=7, max_size=7),
        min_size=1,
        max_size=8,
    )
)
def test_splitting_side_by_side_tables_loses_no_cell(rows):
    from pipeline.config import load_settings

    sheet = RawSheet("Sheet1", rows)
    blocks = split_side_by_side(sheet, load_settings().contract)
    for r, row in enumerate(rows):
        kept = set()
        for c, _value in enumerate(row):
            holders = [b.rows[r][c] for b, _ in blocks if b.rows[r][c] is not None]
            assert len(holders) <= 1  # no cell is read twice
            kept.update(holders)
        assert kept == {v for v in row if v is not None}  # every value of the row is still read somewhere
