"""Reading 工作计划: numbers, comparators, targets, the calendar, 合集, web noise, and a run with --plan."""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import cn2an
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.__main__ import main
from pipeline.plan import read_plan, unit_name_of
from pipeline.plan.document import clean
from pipeline.plan.extract import read_article
from pipeline.plan.numbers import cn_value, half_width, numbers_in
from tests.plans import COLLECTION, write_docx

PLANS = Path(__file__).parent / "plans"
STREET_PLAN = PLANS / "街道总工会2024年工作计划.txt"


def targets_of(text: str, year: int | None = 2024) -> list[tuple]:
    return [
        (t.indicator, t.comparator, t.value, t.value_hi, t.unit, t.per, t.yearly, t.status)
        for t in read_article(text, year).targets
    ]


def only(text: str):
    found = read_article(text, 2024).targets
    assert len(found) == 1, [t.quote for t in found]
    return found[0]


# ── numbers ──────────────────────────────────────────────────────────────


@given(st.integers(min_value=0, max_value=99_999_999))
def test_chinese_numerals_read_back_what_cn2an_writes(n):
    written = cn2an.an2cn(n)
    assert cn_value(written) == n
    if written.startswith("二"):  # 两千, 两万: the spoken form reads the same
        assert cn_value("两" + written[1:]) == n


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["", ".5", ".25"]))
def test_digits_and_full_width_digits(n, fraction):
    text = f"{n}{fraction}"
    wide = text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    (number,) = numbers_in(half_width(f"培训{wide}场"))
    assert number.value == Decimal(text)
    assert len(half_width(wide)) == len(wide)  # positions stay those of the document


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=1, max_value=999), st.sampled_from("-~—至到"))
def test_ranges_join_only_when_rising(low, high, joiner):
    found = numbers_in(half_width(f"组织{low}{joiner}{high}批"))
    if high > low:
        assert [(n.value, n.value_hi) for n in found] == [(low, high)]
    else:
        assert all(n.value_hi is None for n in found)


def test_the_numbers_plans_write():
    assert cn_value("百分之九十五") is None  # the 百分之 is the finder's, not the numeral's
    assert [(n.value, n.percent) for n in numbers_in("达到百分之九十五")] == [(95, True)]
    assert [(n.value, n.value_hi) for n in numbers_in("一二个")] == [(1, 2)]
    assert [n.value for n in numbers_in(half_width("241。65万元"))] == [Decimal("241.65")]
    assert cn_value("十二五") is None and cn_value("百") is None


# ── comparators and units ────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "comparator", "value", "unit"),
    [
        ("新建工会不少于2家。", ">=", Decimal(2), "count"),
        ("建会率达95%以上。", ">=", Decimal("0.95"), "rate"),
        ("入会率不低于百分之九十。", ">=", Decimal("0.9"), "rate"),
        ("困难帮扶救助金额控制在8万元以内。", "<=", Decimal(80000), "money"),
        ("活动经费不超过3000元。", "<=", Decimal(3000), "money"),
        ("开展读书活动一到二次。", "range", Decimal(1), "count"),
        ("组织文体活动3—4场。", "range", Decimal(3), "count"),
        ("举办讲座一二个。", "range", Decimal(1), "count"),
        ("全年新发展会员300人左右。", "approx", Decimal(300), "people"),
        ("预计覆盖职工500人。", "approx", Decimal(500), "people"),
        ("全年会员发展突破1000人。", ">=", Decimal(1000), "people"),
        ("开展职工专题素质培训4场。", "=", Decimal(4), "count"),
        ("再拿出7000元以上给予救助。", ">=", Decimal(7000), "money"),
        ("全年筹集帮扶资金8万元以上。", ">=", Decimal(80000), "money"),
        ("八成以上的职工参加体检。", ">=", Decimal("0.8"), "rate"),
    ],
)
def test_comparator_value_and_unit(text, comparator, value, unit):
    target = only(text)
    assert (target.comparator, target.value, target.unit) == (comparator, value, unit)
    assert target.quote == text.rstrip("。")


def test_thousands_separators_and_multipliers():
    assert only("送温暖资金不少于10,000元。").value == 10000
    assert (only("全年惠及职工1.5万人次。").value, only("全年惠及职工1.5万人次。").unit) == (15000, "people")
    assert only("全年新发展会员五十余人。").comparator == ">="


def test_quarter_headings_in_the_calendar():
    items = read_article("第一季度：\n1、召开职代会。\n2、开展春节送温暖。\n下半年：组织职工运动会\n", 2024).calendar
    assert [(c.month, c.item, c.category) for c in items] == [
        ("1-3", "召开职代会", "民主管理"),
        ("1-3", "开展春节送温暖", "送温暖"),
        ("7-12", "组织职工运动会", "文体活动"),
    ]


def test_frequencies_also_as_a_yearly_figure():
    semester = only("每学期按时召开一次教代会。")
    assert (semester.indicator, semester.unit, semester.per, semester.yearly) == (
        "congress_count",
        "times_per_period",
        "semester",
        2,
    )
    assert only("每季度组织1次乒乓球赛。").yearly == 4
    assert only("做到一年两次公布于众。").yearly == 2
    every_two_months = only("开展职工培训，二个月一期。")
    assert (every_two_months.per, every_two_months.yearly, every_two_months.indicator) == (
        "2_months",
        6,
        "training_sessions",
    )


def test_increase_without_a_figure_is_noted_not_used():
    target = only("持续扩大集体合同覆盖面，提高职工素质。")
    assert (target.comparator, target.value, target.indicator, target.status) == (
        "increase",
        None,
        "contract_coverage",  # 集体合同覆盖面: the share of workers a contract covers
        "待确认",
    )


@pytest.mark.parametrize(
    "text",
    [
        "召开第六届会员代表大会。",
        "召开街道总工会八届四次全委会议。",
        "慰问70周岁以上退休职工。",
        "每周二上午9点至11点开展法律咨询。",
        "继续实施“3510工程”。",
        "在京基100大厦设立职工服务驿站。",
        "20xx年是全面贯彻党的十八大精神的第二年。",
        "2024年3月15日召开会议。",
        "实施三个工程，增加两个意识，抓住一个支点。",
        "建立“九必访”和“两节”必访机制，坚持“五必访”，实行“一帮一”结对。",
        "开展职工培训场，覆盖职工人。",  # the numbers were deleted: no target, never 0
        "学习党的二十大和十四五规划精神，推动工会工作上一个新台阶。",
        "推动25人以上企业规范建会。",
    ],
)
def test_what_is_not_a_target_stays_out(text):
    assert read_article(text, 2024).targets == []


def test_reported_figures_of_last_year_stay_out():
    text = "2023年，工会共发放慰问金8.6万元，慰问职工412人次。去年共开展培训12场。全年开展培训6场。"
    assert [(t.value, t.unit) for t in read_article(text, 2024).targets] == [(6, "count")]


def test_doubtful_numbers_are_to_be_confirmed():
    per_session = only("每期参训教职工约60人。")
    assert (per_session.status, per_session.per) == ("待确认", "每期")
    two = read_article("全年帮扶救助不少于5000元。全年帮扶救助金额达到8000元。", 2024).targets
    assert [t.status for t in two] == ["待确认", "待确认"]  # two different targets for one indicator
    assert "同一指标另有目标" in two[0].why


# ── documents ────────────────────────────────────────────────────────────


def test_a_street_plan_as_published(tmp_path):
    plan = read_plan(STREET_PLAN)
    assert (plan.year, unit_name_of(plan.title)) == (2024, "阳光街道总工会")
    used = {t.indicator: t for _a, t in plan.targets if t.status == "used" and t.indicator}
    expected = {
        "unionisation_rate": (">=", Decimal("0.95")),
        "new_unions": (">=", Decimal(2)),
        "new_members": (">=", Decimal(300)),
        "wage_agreement_rate": (">=", Decimal("0.90")),
        "female_agreement_count": (">=", Decimal(5)),
        "training_sessions": ("=", Decimal(4)),
        "participants": ("approx", Decimal(500)),
        "culture_sessions": (">=", Decimal(6)),
        "hardship_assistance": (">=", Decimal(7000)),
        "congress_count": ("=", Decimal(1)),
        "disclosure_count": ("=", Decimal(2)),
    }
    assert {code: (t.comparator, t.value) for code, t in used.items()} == expected
    assert used["new_unions"].scope == "社区" and used["new_unions"].per == "每个社区"
    assert used["congress_count"].scope == "学校"  # （辖区学校）: each school's, not the street's
    values = {t.value for _a, t in plan.targets}
    for not_a_target in (Decimal(25), Decimal(70), Decimal(3510), Decimal(100), Decimal(9), Decimal(86000)):
        assert not_a_target not in values
    months = [(c.month, c.category) for _a, c in plan.calendar]
    assert ("3", "民主管理") in months and ("7-8", "送温暖") in months and ("1-6", "文体活动") in months


def test_traditional_collection_docx(tmp_path):
    path = write_docx(COLLECTION, tmp_path / "2024年學校工會工作計畫（合集）.docx")
    plan = read_plan(path)
    headings = [a.heading for a in plan.articles]
    assert headings == ["第1篇 育才中學工會2024年工作計畫", "第2篇 實驗小學工會2024年工作計畫"]  # 第3篇 repeats 第1篇
    first = {t.indicator: t for t in plan.articles[0].targets if t.indicator}
    assert first["membership_rate"].value == Decimal("0.95")
    assert first["membership_rate"].quote == "教職工入會率保持在百分之九十五以上"  # the document's own characters
    assert first["new_members"].value == 12
    assert (first["hardship_assistance"].comparator, first["hardship_assistance"].value) == ("<=", 80000)
    assert (first["culture_sessions"].value, first["culture_sessions"].value_hi) == (3, 4)
    assert not {Decimal("4.2"), Decimal(42000), Decimal(186), Decimal(70), Decimal(100)} & {
        t.value for t in plan.articles[0].targets
    }
    second = plan.articles[1].targets
    assert any(t.value == Decimal("2416500") and t.unit == "money" for t in second)  # 241。65萬元
    assert all("(" not in t.quote for t in second)  # 業(yè)務: the pinyin is gone
    calendar = [(c.month, c.item) for c in plan.articles[0].calendar]
    assert ("1", "慶元旦活動") in calendar and ("3", "召開第八屆教代會第四次會議") in calendar


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make setup")
def test_a_word_97_doc_through_libreoffice(tmp_path):
    source = write_docx(COLLECTION, tmp_path / "合集.docx")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "doc"]
        + ["--outdir", str(tmp_path / "doc"), str(source)],
        capture_output=True,
        timeout=180,
        check=True,
    )
    from_doc = read_plan(tmp_path / "doc" / "合集.doc")
    from_docx = read_plan(source)
    assert [(a, t.quote, t.value) for a, t in from_doc.targets] == [(a, t.quote, t.value) for a, t in from_docx.targets]
    assert len(from_doc.targets) == 11


def test_gb18030_text_and_web_noise(tmp_path):
    text = "首页 > 工作计划\n红星机械厂工会2024年工作计划\n一、开展职工业(yè)务培训6场锟斤拷。\n显示全文"
    path = tmp_path / "计划.txt"
    path.write_bytes(text.encode("gb18030"))
    plan = read_plan(path)
    assert unit_name_of(plan.title) == "红星机械厂工会"
    assert [(t.quote, t.value, t.indicator) for _a, t in plan.targets] == [
        ("开展职工业务培训6场", 6, "training_sessions")
    ]  # GB18030 decoded, 业(yè)务 and 锟斤拷 gone, the 一、 enumerator is not a number
    assert clean("聯（lián）會") == "聯會"


def test_a_broken_docx_is_one_line_and_the_rest_go_on(tmp_path, capsys):
    (tmp_path / "坏文件.docx").write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "out"
    assert main(["plan", str(tmp_path / "坏文件.docx"), str(STREET_PLAN), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "坏文件.docx" in printed and "Traceback" not in printed
    rows = list(csv.DictReader((out / "plan_targets.csv").open(encoding="utf-8-sig")))
    assert {r["file"] for r in rows} == {STREET_PLAN.name}
    assert list(rows[0]) [:12] == [
        "file", "article", "quote", "indicator", "subject", "comparator", "value", "value_hi",
        "unit", "per", "period_hint", "status",
    ]  # fmt: skip
    calendar = list(csv.DictReader((out / "plan_calendar.csv").open(encoding="utf-8-sig")))
    assert list(calendar[0]) == ["file", "article", "month", "item", "category", "quote"]
    book = openpyxl.load_workbook(out / "年度目标.xlsx")
    assert book.sheetnames == ["年度目标", "活动台账", "待确认目标"]
    assert book["年度目标"]["A1"].value == "填报单位：阳光街道总工会  报告期：2024年"
    targets = {r[0]: r[1] for r in book["年度目标"].iter_rows(min_row=3, values_only=True)}
    assert targets["unionisation_rate"] == "95%" and targets["hardship_assistance"] == "7000元"
    assert [c.value for c in book["活动台账"][2]][:3] == ["活动名称", "活动类别", "计划月份"]
    assert "new_unions" not in targets  # 各社区…2家 is each 社区's, listed on 待确认目标 with why
    assert any("每个社区" in str(r[4]) for r in book["待确认目标"].iter_rows(min_row=3, values_only=True))


def test_the_reviewable_workbook_reads_back_as_the_contract_sheets(tmp_path, settings):
    from pipeline.ingest import ingest_file, records

    out = tmp_path / "out"
    assert main(["plan", str(STREET_PLAN), "--out", str(out)]) == 0
    book = ingest_file(out / "年度目标.xlsx", settings.contract)
    assert book.status == "ingested" and not book.rejections, book.reason
    assert book.unit_name == "阳光街道总工会" and book.period.label == "2024年"
    targets = {r["indicator"]: r["target"] for r in records(book.tables["targets"])}
    assert targets["training_sessions"] == "4" and targets["wage_agreement_rate"] == "90%"
    planned = records(book.tables["activities"])
    assert len(planned) == 10 and {r["planned_month"] for r in planned} >= {(2024, 3), (2024, 8)}


# ── into the run ─────────────────────────────────────────────────────────


def test_report_with_plan_uses_its_targets_and_says_so(demo_dir, tmp_path):
    plan = tmp_path / "西湖街道总工会2024年工作计划.txt"
    plan.write_text(
        STREET_PLAN.read_text(encoding="utf-8").replace("阳光街道", "西湖街道"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--no-pdf", "--plan", str(plan)]) == 0
    rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8-sig")))
    street = {r["indicator"]: r for r in rows if r["unit_code"] == "0330106000" and r["level"] == "unit"}
    assert street["training_sessions"]["target"] == "4"
    assert street["hardship_assistance"]["target"] == "7000.00"
    assert plan.name in street["training_sessions"]["target_source"]
    community = {r["indicator"]: r for r in rows if r["unit_code"] == "0330106101" and r["level"] == "unit"}
    assert community["new_unions"]["target"] == "2"  # 各社区…不少于2家: each 社区 child
    assert "上级工作计划" in community["new_unions"]["target_source"]
    school = {r["indicator"]: r for r in rows if r["unit_code"] == "0330106201" and r["level"] == "unit"}
    assert school["congress_count"]["target"] == "2"  # 每学期一次（辖区学校）
    page = (out / "units" / "0330106000.html").read_text(encoding="utf-8")
    assert "工作计划执行情况" in page and "月度安排与活动台账对照" in page and plan.name in page
    assert "工作计划执行情况" in (out / "report.html").read_text(encoding="utf-8")
    files = list(csv.DictReader((out / "files.csv").open(encoding="utf-8-sig")))
    assert any(f["file"] == plan.name and f["status"] == "ingested" for f in files)


def test_own_targets_sheet_wins_over_the_plan(demo_dir, tmp_path):
    """西湖区实验小学工会's 年度目标 sheet says 培训 3场; its plan (found among the inputs) says 20场 and 入会率 99%."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for workbook in demo_dir.iterdir():
        (inputs / workbook.name).write_bytes(workbook.read_bytes())
    (inputs / "西湖区实验小学工会2024年工作计划.txt").write_text(
        "西湖区实验小学工会2024年工作计划\n一、全年开展职工培训20场，职工入会率达到百分之九十九。\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(inputs), "--out", str(out), "--no-pdf"]) == 0
    rows = list(csv.DictReader((out / "indicators.csv").open(encoding="utf-8-sig")))
    school = {r["indicator"]: r for r in rows if r["unit_code"] == "0330106201" and r["level"] == "unit"}
    assert (school["training_sessions"]["target"], school["training_sessions"]["target_source"]) == (
        "3",
        "本单位年度目标",
    )
    assert school["membership_rate"]["target"] == "0.99"
    assert school["membership_rate"]["target_source"] == "工作计划《西湖区实验小学工会2024年工作计划.txt》"
