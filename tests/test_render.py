"""Rendering: the PDF cache re-renders only changed pages; outputs are published atomically."""

from __future__ import annotations

import pytest

from pipeline.paths import Staging
from pipeline.render.pdf import PdfCache, render_pdfs

PAGE = "<html><body><h1>{}</h1><p>建会率</p></body></html>"


@pytest.mark.slow
def test_unchanged_pages_come_from_the_cache(tmp_path):
    cache = PdfCache(tmp_path / "cache")
    pages = {tmp_path / "a.pdf": PAGE.format("甲"), tmp_path / "b.pdf": PAGE.format("乙")}
    assert render_pdfs(pages, cache) == 2
    first = (tmp_path / "a.pdf").read_bytes()
    assert render_pdfs(pages, cache) == 0 and (tmp_path / "a.pdf").read_bytes() == first
    pages[tmp_path / "b.pdf"] = PAGE.format("丙")
    assert render_pdfs(pages, cache, jobs=2) == 1
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 2  # the stale rendering is pruned


@pytest.mark.slow
def test_a_page_given_as_its_html_file_is_the_same_page(tmp_path):
    """publish hands over unit pages as the HTML files it wrote: same cache key, same PDF as the text."""
    source = tmp_path / "unit.html"
    source.write_text(PAGE.format("甲"), encoding="utf-8")
    cache = PdfCache(tmp_path / "cache")
    assert render_pdfs({tmp_path / "from_text.pdf": PAGE.format("甲")}, cache) == 1
    assert render_pdfs({tmp_path / "from_file.pdf": source}, cache) == 0  # found by its content's key
    source.write_text(PAGE.format("乙"), encoding="utf-8")
    assert render_pdfs({tmp_path / "from_file.pdf": source}, cache) == 1
    assert (tmp_path / "from_file.pdf").read_bytes() != (tmp_path / "from_text.pdf").read_bytes()


def test_staging_leaves_previous_outputs_until_published(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    (out / "report.html").write_text("old", encoding="utf-8")
    staging = Staging(out)
    staging.path("report.html").write_text("new", encoding="utf-8")
    staging.path("units/A.html").write_text("unit", encoding="utf-8")
    assert (out / "report.html").read_text(encoding="utf-8") == "old"  # an interrupted run stops here
    staging.discard()
    assert (out / "report.html").read_text(encoding="utf-8") == "old" and not list(out.glob(".staging-*"))
    staging = Staging(out)
    staging.path("report.html").write_text("new", encoding="utf-8")
    published = staging.publish()
    assert (out / "report.html").read_text(encoding="utf-8") == "new"
    assert published == [out / "report.html"] and not list(out.glob(".staging-*"))


def test_interrupted_publish_keeps_previous_outputs(tmp_path, demo_run, monkeypatch):
    from pipeline.render import publish as publish_module

    out = tmp_path / "outputs"
    out.mkdir()
    (out / "indicators.csv").write_text("previous", encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish_module, "write_consolidated", interrupted)
    with pytest.raises(KeyboardInterrupt):
        publish_module.publish(demo_run, out, pdf=False)
    assert (out / "indicators.csv").read_text(encoding="utf-8") == "previous"
    # nothing half-written among the outputs (the render caches keep whole renderings only)
    assert sorted(p.name for p in out.iterdir() if p.name != ".cache") == ["indicators.csv"]


def test_unit_codes_cannot_escape_the_output_folder(tmp_path):
    from pipeline.render.publish import publish
    from tests.workbooks import PROFILE, run, workbook

    data = tmp_path / "in"
    data.mkdir()
    workbook(data / "u.xlsx", {}, [PROFILE[0], ("单位代码", "../../evil/GH 01"), *PROFILE[2:]])
    out = tmp_path / "out"
    publish(run(data), out, pdf=False)
    names = sorted(p.name for p in (out / "units").iterdir())
    assert names == ["evil_GH01.html", "evil_GH01_工作总结.docx", "evil_GH01_工作总结.html"]  # spaces leave codes
    assert not (tmp_path / "evil").exists()


def test_both_locales_label_the_same_things():
    import yaml

    from pipeline.paths import TEMPLATES

    table = yaml.safe_load((TEMPLATES / "labels.yaml").read_text(encoding="utf-8"))
    assert set(table["zh-Hans"]) == set(table["en"])
    for key in ("status_names", "submission_names", "file_status"):
        assert set(table["zh-Hans"][key]) == set(table["en"][key]), key


@pytest.mark.parametrize(
    ("locale", "expected", "absent"),
    [
        ("zh-Hans", ["一、指标一览", "达标", '第 " counter(page)'], ["progress report"]),
        ("zh-Hant", ["一、指標一覽", "達標"], ["progress report"]),
        (
            "en",
            ["1. Indicators at a glance", ">met<", 'Page " counter(page)', "+3.45 pp", "2024: progress report"],
            ["指标一览", ">达标<", "个百分点"],
        ),
    ],
)
def test_report_labels_follow_the_locale(demo_run, tmp_path, locale, expected, absent):
    from pipeline.render.publish import publish

    publish(demo_run, tmp_path, locale=locale, pdf=False)
    page = (tmp_path / "units" / "0330106201.html").read_text(encoding="utf-8")
    for text in expected:
        assert text in page, text
    for text in absent:
        assert text not in page, text


def test_zh_hant_converts_labels_and_keeps_names_files_sheets_as_written(demo_run, tmp_path):
    from pipeline.render.publish import publish

    publish(demo_run, tmp_path, locale="zh-Hant", pdf=False)
    audit = (tmp_path / "audit.html").read_text(encoding="utf-8")
    finding = next(f for f in demo_run.findings if f.rule == "A05")
    page = (tmp_path / "units" / f"{finding.unit_code}.html").read_text(encoding="utf-8")
    assert "指標一覽" in page and "審計" in audit  # the report's own words are traditional…
    # …the workbook's file, sheet, cell and unit name stay exactly as written (not 紅星機械廠工會 › 幫扶慰問)
    assert finding.message in audit and "紅星機械廠" not in audit and "幫扶慰問!" not in audit
    assert demo_run.selection.current[finding.unit_code].file in page
    person = next(r["person"] for r in demo_run.frames[finding.unit_code].records("assistance") if r["person"])
    assert person in page
    assert "Noto Sans CJK TC" in page and "'Noto Sans CJK SC'" not in page  # the charts too


def test_en_leaks_no_chinese_label_words(demo_run, tmp_path):
    from pipeline.render.publish import publish

    publish(demo_run, tmp_path, locale="en", pdf=False)
    audit = (tmp_path / "audit.html").read_text(encoding="utf-8")
    assert ">high<" in audit and ">高<" not in audit
    assert "<th>income</th>" in audit and "<th>收入</th>" not in audit
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "(target: sum of 7 units&#39; targets)" in report and "下级单位目标之和" not in report


def test_pages_carry_the_data_date_not_today_so_cached_pdfs_stay_valid(demo_run, tmp_path):
    from datetime import date

    from pipeline.render.html import cn_date
    from pipeline.render.publish import publish

    publish(demo_run, tmp_path, pdf=False)
    today = cn_date(date.today())
    for page in [tmp_path / "report.html", tmp_path / "audit.html", *(tmp_path / "units").glob("*.html")]:
        assert today not in page.read_text(encoding="utf-8"), page.name
    assert "2025年1月10日" in (tmp_path / "report.html").read_text(encoding="utf-8")  # the latest 填报日期


@pytest.mark.slow
def test_a_long_table_repeats_its_header_on_the_next_page_of_the_pdf(tmp_path):
    import subprocess

    from pipeline.render.publish import publish
    from tests.workbooks import run, workbook

    data = tmp_path / "in"
    data.mkdir()
    rows = [
        ["发放日期", "姓名", "类别", "金额"],
        *[[f"2024-13-{i:02d}", f"职工{i}", "困难帮扶", 100] for i in range(1, 90)],
    ]
    workbook(data / "u.xlsx", {"帮扶慰问": rows})
    out = tmp_path / "out"
    publish(run(data), out)
    pdf = out / "units" / "0001.pdf"
    pages = int(
        next(
            line
            for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
            if line.startswith("Pages")
        ).split()[1]
    )
    texts = [
        subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout
        for p in range(1, pages + 1)
    ]
    holding = [i for i, text in enumerate(texts) if "2024-13-" in text]
    assert len(holding) >= 2  # the 89 rejected cells run over more than one page…
    assert all("原值" in texts[i] and "原因" in texts[i] for i in holding)  # …and each page has the header
    assert "2024-13-45" in "".join(texts)  # text is extractable (an embedded CJK font with a ToUnicode map)


def test_no_pdf_removes_pdfs_an_earlier_run_left(tmp_path):
    from pipeline.render.publish import publish
    from tests.workbooks import run, workbook

    data = tmp_path / "in"
    data.mkdir()
    workbook(data / "u.xlsx", {})
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF old")
    publish(run(data), out, pdf=False)
    assert (out / "report.html").is_file() and not (out / "report.pdf").exists()
