"""End to end over the bundled demo: figures worked out by hand from what the generator wrote.

The school's figures are worked out from the literal rows in pipeline/demo.py (the arithmetic
is in the comments); the 社区 contract figures are counted from the generator's Enterprise
records with plain Python, independently of the pipeline's pandas code.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

from pipeline import demo
from tests.conftest import figure

SCHOOL = demo.SCHOOL[0]
STREET = demo.STREET[0]


def test_school_activity_figures(demo_run):
    # Planned Mar–Dec: 9 rows (the New Year party has no planned month). Completed: 讲座, 运动会,
    # 信息化培训, 插花, 合唱 (held in July, late), 班主任培训, 登山 = 7. Cancelled 读书会 and the
    # un-held 安全培训 count as not completed.
    completion = figure(demo_run, SCHOOL, "activity_completion")
    assert (completion.figure.numerator, completion.figure.denominator) == (7, 9)
    assert completion.status == "missed"  # a year-end report below 100 %
    on_time = figure(demo_run, SCHOOL, "activity_on_time")
    assert (on_time.figure.numerator, on_time.figure.denominator) == (6, 9)  # 合唱 was late
    # Training = 思想教育 + 技能培训 held: 讲座, 信息化, 班主任 = 3 (读书会 was cancelled).
    assert figure(demo_run, SCHOOL, "training_sessions").figure.value == 3
    assert figure(demo_run, SCHOOL, "culture_sessions").figure.value == 4
    # 110 + 98 + 60 + 80 + 45 + 40 + 90 + 115
    assert figure(demo_run, SCHOOL, "participants").figure.value == 638
    per_member = figure(demo_run, SCHOOL, "participation_per_member").figure
    assert (per_member.numerator, per_member.denominator) == (738, 116)


def test_school_money_figures(demo_run):
    # 困难帮扶 2000 + 送温暖 1500 + 大病救助 3000 + 金秋助学 1000
    assert figure(demo_run, SCHOOL, "hardship_assistance").figure.value == Decimal("7500.00")
    assert figure(demo_run, SCHOOL, "assistance_total").figure.value == Decimal("8500.00")
    assert figure(demo_run, SCHOOL, "assistance_people").figure.value == 7
    # 46,500 会费 + 4 × 55,800 拨缴
    assert figure(demo_run, SCHOOL, "fund_income").figure.value == Decimal("269700.00")
    assert figure(demo_run, SCHOOL, "fund_expense").figure.value == Decimal("21310.75")
    assert figure(demo_run, SCHOOL, "fund_balance").figure.value == Decimal("248389.25")
    # 2% × 18,600,000 × 60% = 223,200 = the four quarterly remittances
    remittance = figure(demo_run, SCHOOL, "remittance_ratio").figure
    assert (remittance.numerator, remittance.denominator) == (Decimal("223200"), Decimal("223200"))


def test_school_targets_from_its_own_sheet(demo_run):
    hardship = figure(demo_run, SCHOOL, "hardship_assistance")
    assert hardship.target.value == Decimal("8000") and hardship.status == "missed"  # 0.8万元 > 7,500
    training = figure(demo_run, SCHOOL, "training_sessions")
    assert training.target.value == 3 and training.status == "met"  # own target 3场 overrides 4
    congress = figure(demo_run, SCHOOL, "congress_count")
    assert congress.target.value == 2 and congress.status == "met"  # schools: one 教代会 a semester


def test_school_year_over_year(demo_run):
    # 2023: 105 + 60 + 70 + 112 participants; members 110 of 118 employees.
    assert figure(demo_run, SCHOOL, "participants").previous == 347
    assert figure(demo_run, SCHOOL, "membership_rate").previous == Decimal(110) / Decimal(118)


def test_school_without_roster_has_no_data(demo_run):
    row = figure(demo_run, SCHOOL, "unionisation_rate")
    assert row.figure.value is None and row.status == "no_data"


def _count(enterprises, predicate):
    return sum(1 for e in enterprises if predicate(e))


def test_street_rollup_contract_rates(demo_run):
    enterprises = [e for i in range(3) for e in demo.community_enterprises(i)]
    # the factory's own row: 320 employees, unionised, contract to 2025-12-31, wage to 2024-12-31
    large = _count(enterprises, lambda e: e.employees >= 25 and e.operating) + 1
    large_union = _count(enterprises, lambda e: e.employees >= 25 and e.operating and e.unionised) + 1
    rate = figure(demo_run, STREET, "unionisation_rate", "rollup").figure
    assert (rate.numerator, rate.denominator) == (large_union, large)

    def in_force(signed, expires):
        return signed and (expires is None or expires.isoformat() >= "2024-12-31")

    union = [e for e in enterprises if e.operating and e.unionised]
    collective = _count(union, lambda e: in_force(e.collective, e.collective_expires)) + 1
    wage = _count(union, lambda e: in_force(e.wage, e.wage_expires)) + 1  # expiring on the last day counts
    assert (
        figure(demo_run, STREET, "collective_contract_rate", "rollup").figure.numerator,
        figure(demo_run, STREET, "collective_contract_rate", "rollup").figure.denominator,
    ) == (collective, len(union) + 1)
    assert figure(demo_run, STREET, "wage_agreement_rate", "rollup").figure.numerator == wage
    new = _count(enterprises, lambda e: e.unionised_on is not None and e.unionised_on.year == 2024)
    assert figure(demo_run, STREET, "new_unions", "rollup").figure.value == new


def test_street_rollup_sums_the_units(demo_run):
    # membership: every workbook's 会员总数 over every 职工总数, never an average of rates
    members = 15 + 116 + 812 + 305 + sum(demo.community_profile(i)["members"] for i in range(3))
    employees = 15 + 120 + 860 + 320 + sum(demo.community_profile(i)["employees"] for i in range(3))
    rate = figure(demo_run, STREET, "membership_rate", "rollup").figure
    assert (rate.numerator, rate.denominator) == (members, employees)
    # hardship: school 7,500; hospital 5,000 + 3,000; factory 3,000 + 2,000; 社区 3 × 1,000 送温暖
    assert figure(demo_run, STREET, "hardship_assistance", "rollup").figure.value == Decimal("23500.00")


def test_submissions_name_the_missing_community(demo_run):
    status = {s.code: s.status for s in demo_run.submissions}
    assert status[demo.MISSING_COMMUNITY[0]] == "missing"
    assert [c for c, s in status.items() if s != "received"] == [demo.MISSING_COMMUNITY[0]]


def test_planted_mistakes_are_reported(demo_run):
    files = {f.unit_code: f for f in demo_run.files if f.role == "unit" and f.period and f.period.year == 2024}
    school = files[SCHOOL]
    wrong = [t for t in school.total_checks if not t.matches]
    assert [(t.sheet, t.row, t.column, t.stated, t.computed) for t in wrong] == [
        ("帮扶慰问", 11, "I", Decimal("8600"), Decimal("8500.00"))
    ]
    hospital = files[demo.HOSPITAL[0]]
    assert [(r.row, r.column, r.action) for r in hospital.rejections] == [
        (7, "C", "row_rejected"),
        (8, "G", "value_dropped"),
    ]
    serious = sorted((f.rule, f.unit_code, f.row, f.also) for f in demo_run.findings if f.severity in ("高", "中"))
    # the 购物卡 is one transaction seen twice: the payout row, and the ledger line that booked it
    assert serious == [
        ("A01", SCHOOL, 11, ()),
        ("A05", demo.FACTORY[0], demo.FACTORY_SHOPPING_CARD_ROW, ("经费收支!E10",)),
    ]
    wrong_total = next(f for f in demo_run.findings if f.rule == "A01")
    assert wrong_total.advice.startswith("I11 应为 8,500.00；")


@pytest.mark.slow
def test_make_report_outputs(tmp_path, demo_dir):
    """The command a user types, on the demo: every output exists and the PDF has real Chinese text."""
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--inputs", str(demo_dir), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for name in [
        "indicators.csv",
        "files.csv",
        "submissions.csv",
        "row_account.csv",
        "rejected.csv",
        "audit_findings.csv",
        "report.html",
        "report.pdf",
        "audit.pdf",
        "consolidated.xlsx",
        f"units/{SCHOOL}.pdf",
    ]:
        assert (out / name).is_file(), name
    fonts = subprocess.run(["pdffonts", str(out / "report.pdf")], capture_output=True, text=True).stdout
    assert "CJK" in fonts and " yes " in fonts  # an embedded CJK font
    text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True).stdout
    assert "建会率" in text and "西溪社区工会" in text
    assert not list(out.glob(".staging-*"))
    formulas = openpyxl.load_workbook(out / "consolidated.xlsx")["指标汇总"]
    stored = openpyxl.load_workbook(out / "consolidated.xlsx", data_only=True)["指标汇总"]
    row = next(
        r[0].row for r in formulas.iter_rows(min_row=2) if r[14].value == SCHOOL and r[13].value == "activity_on_time"
    )
    assert formulas[f"D{row}"].value == f'=IF(J{row}=0,"",I{row}/J{row})'  # a live ratio of the row's own cells
    assert (stored[f"I{row}"].value, stored[f"J{row}"].value) == (6, 9) and abs(stored[f"D{row}"].value - 6 / 9) < 1e-12
    assert formulas[f"A{row}"].value == "西湖区实验小学工会" and formulas[f"F{row}"].value == "≥"
    assert formulas.page_setup.orientation == "landscape" and formulas.print_title_rows == "$1:$1"
    assert formulas.sheet_properties.pageSetUpPr.fitToPage and formulas.page_setup.fitToWidth in (None, 1)  # 1 wide
