"""The 工作总结: the draft from the run's figures, and check-summary on written summaries."""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pytest
from docx import Document
from hypothesis import assume, given
from hypothesis import strategies as st

from pipeline.__main__ import main
from pipeline.money import round_half_up
from pipeline.plan.extract import simplified
from pipeline.plan.words import plan_words
from pipeline.render.summary import tree_drafts, unit_draft
from pipeline.summary.check import Article, RunFigures, check_article, check_files, read_run
from pipeline.summary.draft import CHAPTERS, figure_sentence, prose
from pipeline.summary.words import summary_words
from tests.summaries import MISSING_WORDS, PLANTED, TRADITIONAL, TRADITIONAL_FOUND, WRITTEN, write_docx


def findings_of(text: str, run: RunFigures | None = None, unit: str | None = None):
    return check_article(Article("t.txt", "t", text, simplified(text)), run, unit)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.stated) for f in findings_of(text)]


# ---- check-summary: each kind, and the near misses that must stay quiet


def test_every_planted_error_is_found_and_nothing_else(tmp_path):
    findings, notes = check_files([write_docx(WRITTEN, tmp_path / "翠苑社区工会2024年工作总结.docx")])
    assert notes == []
    assert {(f.kind, f.stated) for f in findings} == PLANTED
    missing = [f for f in findings if f.kind == "missing"]
    assert [next(w for w in MISSING_WORDS if f"“{w}”" in f.message) for f in missing] == list(MISSING_WORDS)
    assert all(f.stated == "" and f.expected == "" for f in missing)  # a lost number is never read as 0
    by_kind = {f.kind + f.stated: f for f in findings}
    assert by_kind["rate110.2%"].message == "56.4 ÷ 52 = 108.46%，文中为110.2%"
    assert by_kind["rate110.2%"].quote == "完成收入56。4萬元，為年計劃52萬元的110.2%"  # the document's own characters
    assert by_kind["sum9场"].message == "3 + 5 = 8场，文中共计9场"
    assert by_kind["sum2.5万元"].message == "1.2 + 0.8 = 2万元，文中合计2.5万元"
    assert by_kind["count四项"].expected == "3项"
    assert by_kind["rate25%"].expected == "21.50%"


def test_a_traditional_summary_as_published(tmp_path):
    path = tmp_path / "文新街道總工會2024年度工作總結.txt"
    path.write_text(TRADITIONAL, encoding="gb18030")
    findings, _notes = check_files([path])
    assert {(f.kind, f.stated) for f in findings} == TRADITIONAL_FOUND
    assert [f.quote for f in findings] == ["轄區現有職工xxxx名", "會員xxxx名", "企業xxxx家"]


@pytest.mark.parametrize(
    "text",
    [
        "32家企业中3家签订了工资专项集体合同，占9%。",  # 9.375% written to the unit
        "32家企业中3家签订了工资专项集体合同，占9.4%。",
        "32家企业中3家签订了工资专项集体合同，占9.3%。",  # cut, not rounded: still what 3 ÷ 32 is
        "一季度举办3场、二季度5场，上半年共计8场。",
        "全年开展活动12场，其中培训4场、文体活动5场。",  # 其中 may list only some
        "全年共开展帮扶活动20场，包括走访3场、座谈5场。",  # a 共开展 total may hold kinds not listed
        "开展了读书会、运动会和演讲比赛三项活动。",
        "组织了插花、摄影等四项兴趣活动。",  # 等: more may be meant
        "主要做了三项工作：一是送温暖；二是金秋助学；三是职工体检。",
        "收入56.4万元，比上年52万元增长8.5%。",
        "工会财务实行单元化管理，公元2024年起执行新制度，筹集资金数万元。",
        "人均参与人次　1.44",
        "发放慰问金1.93万元，惠及16人。",
    ],
)
def test_near_misses_stay_quiet(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32家企业中3家签订了工资专项集体合同，占10%。", ("rate", "10%")),
        ("开展3项主题活动：读书会、运动会。", ("count", "3项")),
        ("主要做了四项工作：一是送温暖；二是金秋助学；三是职工体检。", ("count", "四项")),
        ("组织了插花、摄影、书法、剪纸、茶艺等四项兴趣活动。", ("count", "四项")),  # more listed than 四
        ("全年开展活动12场，其中培训8场、文体活动5场。", ("sum", "12场")),
        ("收入56.4万元，比上年52万元增长12%。", ("rate", "12%")),
        ("经费支出40万元，比上年48万元下降10%。", ("rate", "10%")),
        ("發放慰問金萬元。", ("missing", "")),
    ],
)
def test_each_kind_of_error(text, expected):
    assert kinds(text) == [expected]


@given(
    num=st.integers(min_value=1, max_value=5000),
    den=st.integers(min_value=1, max_value=5000),
    places=st.integers(min_value=0, max_value=2),
)
def test_a_rate_written_to_any_precision_is_right_and_one_digit_off_is_not(num, den, places):
    exact = Decimal(num) / Decimal(den) * 100
    rounded = round_half_up(exact, places)
    cut = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    sentence = "应签订{d}家，已签订{n}家，占{p}%。"
    for written in {rounded, cut}:
        assert kinds(sentence.format(d=den, n=num, p=written)) == []
    unit = Decimal(1).scaleb(-places)
    off = rounded + 3 * unit
    reverse = Decimal(den) / Decimal(num) * 100  # the other reading of the two figures, 1503 ÷ 1500
    if not reverse - 2 * unit <= off <= reverse + unit:  # …may itself be what was written
        assert kinds(sentence.format(d=den, n=num, p=off)) == [("rate", f"{off}%")]


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=2, max_size=5), st.integers(-3, 3))
def test_parts_against_their_total(parts, error):
    assume(sum(parts) + error >= 0)
    listed = "、".join(f"第{i + 1}批{n}人" for i, n in enumerate(parts))
    text = f"慰问职工{listed}，共计{sum(parts) + error}人。"
    assert kinds(text) == ([] if error == 0 else [("sum", f"{sum(parts) + error}人")])


# ---- the run's figures (--against)


def fake_run(tmp_path: Path) -> Path:
    """indicators.csv as a run writes it (BOM, plain numbers, rates as fractions)."""
    out = tmp_path / "run"
    out.mkdir()
    rows = [
        ("0330106101", "翠苑社区工会", "unit", "training_sessions", "4", "count", "培训场次"),
        ("0330106101", "翠苑社区工会", "unit", "assistance_total", "19345.00", "money", "帮扶慰问发放总额"),
        ("0330106101", "翠苑社区工会", "unit", "collective_contract_rate", "0.904762", "rate", "集体合同签订率"),
        ("0330106101", "翠苑社区工会", "unit", "new_unions", "2", "count", "新建工会数"),
        ("0330106102", "文新社区工会", "unit", "training_sessions", "7", "count", "培训场次"),
    ]
    with (out / "indicators.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_code", "unit_name", "level", "period", "indicator", "value", "unit", "indicator_name"])
        for code, name, level, indicator, value, unit, label in rows:
            writer.writerow([code, name, level, "2024", indicator, value, unit, label])
    return out


def test_stated_figures_against_the_run(tmp_path):
    run = read_run(fake_run(tmp_path))
    assert run.unit_of("翠苑社区工会2024年工作总结") == "0330106101"
    only = RunFigures(
        {"T": "西湖街道总工会"}, {"T": {("rollup", "training_sessions"): (Decimal(4), "count", "培训场次")}}
    )
    assert only.unit_of("工作总结.txt") == "T"  # names nobody: the run's only top unit
    assert only.unit_of("古荡街道总工会2024年工作总结") is None  # names another union: not checked against this one
    text = "全年开展培训5场。发放帮扶慰问金1.93万元。集體合同簽訂率達91%。新建工会2家。力争明年培训6场。"
    found = findings_of(text, run, "0330106101")
    assert [(f.kind, f.stated, f.expected) for f in found] == [
        ("data", "5场", "4场"),
        ("data", "91%", "90.48%"),
    ]
    assert "统计结果（indicators.csv，翠苑社区工会）为4场" in found[0].message
    quiet = "全年开展培训4场。发放帮扶慰问金1.93万元。集体合同签订率达90.5%。新建工会2家。"
    assert findings_of(quiet, run, "0330106101") == []
    lost = findings_of("新建工会家。", run, "0330106101")
    assert [(f.kind, f.stated, f.expected) for f in lost] == [("missing", "", "2家")]


def test_a_summary_of_no_known_unit_is_said_not_guessed(tmp_path):
    run_out = fake_run(tmp_path)
    path = tmp_path / "总结.txt"
    path.write_text("全年开展培训5场。", encoding="utf-8")
    findings, notes = check_files([path], run_out)
    assert findings == [] and "看不出" in notes[0]


# ---- the draft


def test_prose_figures():
    assert prose(Decimal("0.965"), "rate") == "96.50%"
    assert prose(Decimal("19345"), "money") == "1.93万元"
    assert prose(Decimal("7000"), "money") == "7,000.00元"
    assert prose(Decimal("2853"), "people", "人次") == "2,853人次"


def test_each_phrase_names_its_own_indicator_to_the_checker():
    """The draft's words and the checker's rules are one vocabulary: a phrase read back is its own indicator."""
    words, plan = summary_words(), plan_words()
    ruled = {r.code for r in plan.indicators}
    for code, phrase in words.phrases.items():
        if code not in ruled or "{value}" not in phrase.text:
            continue
        head = phrase.text.split("{value}")[0].split("，")[-1]
        unit = next(r.unit for r in plan.indicators if r.code == code)
        assert next(r.code for r in plan.indicators if r.matches(unit, head)) == code, phrase.text


def test_the_draft_carries_the_runs_figures(demo_run):
    (tree,) = tree_drafts(demo_run)
    assert [c.heading for c in tree.chapters] == list(CHAPTERS)
    assert tree.consolidated
    training = next(r for r in demo_run.rollup_rows(tree.unit_code) if r.code == "training_sessions")
    sentence = figure_sentence(training, summary_words())
    assert sentence is not None
    assert f"开展职工培训{training.figure.value:,.0f}场" in sentence.text
    body = "".join(s.text for c in tree.chapters for sec in c.sections for s in sec.sentences)
    assert sentence.text in body
    missing = [s.name for s in demo_run.submissions if s.status == "missing"]
    assert missing and all(name in body for name in missing)
    assert f"经费审查发现问题{len(demo_run.findings)}项" in body
    code = next(iter(demo_run.selection.current))
    own = unit_draft(demo_run, code)
    with_rows = [s for c in own.chapters for sec in c.sections for s in sec.sentences if "第" in s.source]
    assert with_rows and all("「" in s.source for s in with_rows)  # file「sheet」第…行


def test_report_drafts_summaries_that_check_clean_against_the_same_run(demo_dir, tmp_path):
    out = tmp_path / "out"
    assert main(["report", "--inputs", str(demo_dir), "--out", str(out), "--no-pdf"]) == 0
    drafts = [out / "工作总结.docx", *sorted((out / "units").glob("*_工作总结.docx"))]
    assert len(drafts) == 1 + len(list((out / "units").glob("*_工作总结.html")))
    document = Document(str(drafts[0]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == CHAPTERS[0] and CHAPTERS[2] in headings
    assert len(list(document.comments)) > 20  # each figure's rows, as a comment
    checked = tmp_path / "checked"
    assert main(["check-summary", *map(str, drafts), "--out", str(checked), "--against", str(out)]) == 0
    rows = list(csv.DictReader((checked / "summary_findings.csv").open(encoding="utf-8-sig")))
    assert rows == []
    # The same draft with one figure changed by hand, one digit deleted and a total added wrongly
    text = "\n".join(p.text for p in document.paragraphs)
    training = next(line for line in text.split("。") if line.startswith("开展职工培训"))
    figure = training.removeprefix("开展职工培训").split("场")[0]
    edited = text.replace(training, training.replace(f"培训{figure}场", f"培训{int(figure) + 2}场", 1))
    edited = edited.replace("新建工会", "新建工会家，其中新建", 1) + "\n一季度培训3场、二季度4场，上半年共计9场。"
    path = write_docx(edited, tmp_path / "西湖街道总工会2024年工作总结.docx")
    assert main(["check-summary", str(path), "--out", str(checked), "--against", str(out)]) == 0
    rows = list(csv.DictReader((checked / "summary_findings.csv").open(encoding="utf-8-sig")))
    found = {(r["kind"], r["stated"]) for r in rows}
    assert ("data", f"{int(figure) + 2}场") in found  # against the run
    assert ("rate", next(r["stated"] for r in rows if r["kind"] == "rate")) in found  # 完成年度目标…的 no longer holds
    assert ("missing", "") in found and ("sum", "9场") in found
    assert list(rows[0]) == ["file", "article", "quote", "stated", "expected", "kind", "message"]


def test_summary_command_writes_only_the_drafts(demo_dir, tmp_path, capsys):
    out = tmp_path / "drafts"
    code = "0330106101"
    assert main(["summary", "--inputs", str(demo_dir), "--out", str(out), "--unit", code]) == 0
    files = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    written = sorted(name for name in files if not name.startswith("."))  # the lock and the read cache aside
    assert written == [f"units/{code}_工作总结.docx", f"units/{code}_工作总结.html", "工作总结.docx", "工作总结.html"]
    assert "已起草" in capsys.readouterr().out
    assert main(["summary", "--inputs", str(demo_dir), "--out", str(out), "--unit", "nope"]) == 2


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make setup")
def test_the_draft_opens_in_libreoffice(demo_run, tmp_path):
    from pipeline.render.summary import write_docx as write_draft

    path = tmp_path / "工作总结.docx"
    write_draft(tree_drafts(demo_run), path)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "工作总结.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "一、主要工作及成效" in text and "三、下一步打算" in text and "附表" in text


def test_a_traditional_draft_keeps_names_and_checks_clean(demo_dir, tmp_path):
    out, run_out = tmp_path / "drafts", tmp_path / "run"
    assert main(["summary", "--inputs", str(demo_dir), "--out", str(out), "--locale", "zh-Hant"]) == 0
    assert main(["report", "--inputs", str(demo_dir), "--out", str(run_out), "--no-pdf"]) == 0
    text = "\n".join(p.text for p in Document(str(out / "工作总结.docx")).paragraphs)
    assert text.startswith("西湖街道总工会2024年工作總結")  # the unit's name as written, the prose traditional
    assert "主要工作及成效" in text and "臺賬" in text
    findings, notes = check_files([out / "工作总结.docx"], run_out)
    assert (findings, notes) == ([], [])


def test_summaries_written_by_two_workers_in_batches_are_the_ones_written_here(demo_run, tmp_path, monkeypatch):
    import pipeline.render.summary as summary_writer
    from pipeline.paths import Staging

    monkeypatch.setattr(summary_writer, "BATCH", 3)  # several batches: one written while the next is drafted
    monkeypatch.setattr(summary_writer, "POOLED_FROM", 2)  # the demo's 8 documents by the workers
    here, pooled = Staging(tmp_path / "here"), Staging(tmp_path / "pooled")
    names = summary_writer.write_summaries(demo_run, here, jobs=1)
    assert summary_writer.write_summaries(demo_run, pooled, jobs=2) == names and len(names) == 8
    assert demo_run.rendered["drafts"] == len(names)
    for name in names:
        assert (here.path(name)).read_bytes() == (pooled.path(name)).read_bytes(), name
