"""A hostile corpus, generated at test time: each file gives its one-line outcome within the budget.

No binary is committed: every file is built here (zip and XML by hand where a
library would refuse to write it). Each is read through the same budgeted
workers the run uses, with tight limits so the test itself stays fast.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl.utils.cell import get_column_letter

from pipeline.budget import Limits, Workers
from pipeline.config import load_settings
from pipeline.ingest import UnitWorkbook, ingest_file
from pipeline.run import Engine, read_files
from pipeline.workbook import _CELL, _F, SheetExtras, _cells_holding, _extent, column_letter
from tests.workbooks import PROFILE, workbook

LIMITS = Limits(seconds=10, memory_mb=1536, package_mb=20, cells=2_000_000, cell_chars=32_767)


def _good(path: Path) -> Path:
    return workbook(path, {"帮扶慰问": [["发放日期", "姓名", "类别", "金额"], ["2024-03-01", "张三", "困难帮扶", 500]]})


def zip_bomb(path: Path) -> None:
    """A small package that claims 60 MB once inflated (the ratio of a real bomb, scaled to the test's limit)."""
    good = zipfile.ZipFile(_good(path.with_name("base.xlsx")))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            archive.writestr(item, good.read(item))
        archive.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))


def entity_bomb(path: Path) -> None:
    """Billion laughs in xl/workbook.xml."""
    good = zipfile.ZipFile(_good(path.with_name("base2.xlsx")))
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == "xl/workbook.xml":
                data = (laughs + "]>").encode() + data.replace(b"<sheets>", b"<sheets>&lol9;", 1)
            archive.writestr(item, data)


def far_cells(path: Path) -> None:
    """Two cells, at A1 and XFD1048576: the sheet spans 17 billion cells (calamine would allocate 512 GB)."""
    book = openpyxl.Workbook()
    book.active["A1"], book.active["XFD1048576"] = "x", "y"
    book.save(path)


def wide(path: Path) -> None:
    """10,000 columns of a real ledger row: read, slowly enough to notice, but read."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("帮扶慰问")
    ws.write_row(0, 0, ["发放日期", "姓名", "类别", "金额", *[f"列{i}" for i in range(10_000)]])
    ws.write_row(1, 0, ["2024-03-01", "张三", "困难帮扶", 500, *range(10_000)])
    profile = book.add_worksheet("基本情况")
    for r, (key, value) in enumerate(PROFILE):
        profile.write_row(r, 0, [key, value])
    book.close()


def huge_cell(path: Path) -> None:
    """A 5 MB text in the 姓名 column (openpyxl writes it; Excel itself would refuse)."""
    workbook(
        path,
        {
            "帮扶慰问": [
                ["发放日期", "姓名", "类别", "金额"],
                ["2024-03-01", "张" * 5_000_000, "困难帮扶", 500],
                ["2024-03-02", "李四", "困难帮扶", 300],
            ]
        },
    )


def control_characters(path: Path) -> None:
    """Control characters pasted into names (xlsxwriter writes them as _x0007_ escapes)."""
    book = xlsxwriter.Workbook(str(path))
    profile = book.add_worksheet("基本情况")
    for r, (key, value) in enumerate([("单位名称", "测试\x07工会\x1b"), *PROFILE[1:]]):
        profile.write_row(r, 0, [key, value])
    ws = book.add_worksheet("帮扶慰问")
    ws.write_row(0, 0, ["发放日期", "姓名", "类别", "金额"])
    ws.write_row(1, 0, ["2024-03-01", "张\x00三\x08", "困难帮扶", 500])
    book.close()


def strict_ooxml(path: Path) -> None:
    """Strict Open XML (Excel's 'Strict' save): other namespaces for the same parts."""
    good = zipfile.ZipFile(_good(path.with_name("base3.xlsx")))
    transitional = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            archive.writestr(item, good.read(item).replace(transitional, strict))


def encrypted(path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _good(path.with_name("plain.xlsx"))
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("1234", target)
    del msoffcrypto


def html_as_xls(path: Path) -> None:
    rows = "".join(
        f"<tr><td>2024-03-0{i}</td><td>职工{i}</td><td>困难帮扶</td><td>{i}00</td></tr>" for i in range(1, 4)
    )
    head = "<tr><td colspan=4>填报单位：测试工会</td></tr>"
    head += "<tr><td>发放日期</td><td>姓名</td><td>类别</td><td>金额</td></tr>"
    path.write_text(f"<html><body><table>{head}{rows}</table></body></html>", encoding="gb18030")


def csv_as_xls(path: Path) -> None:
    path.write_bytes("填报单位：测试工会\n发放日期,姓名,类别,金额\n2024-03-01,张三,困难帮扶,500\n".encode("gb18030"))


def truncated(path: Path) -> None:
    path.write_bytes(_good(path.with_name("base4.xlsx")).read_bytes()[:900])


def renamed_pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n" + b"0" * 2000)


# (builder, file name, expected status, words the one-line reason must hold)
CORPUS = [
    (zip_bomb, "bomb.xlsx", "rejected", "压缩炸弹"),
    (entity_bomb, "lol.xlsx", "rejected", "XML 炸弹"),
    (far_cells, "far.xlsx", "rejected", "17,179,869,184 格"),
    (wide, "wide.xlsx", "ingested", ""),
    (huge_cell, "big_cell.xlsx", "ingested", ""),
    (control_characters, "ctrl.xlsx", "ingested", ""),
    (strict_ooxml, "strict.xlsx", None, ""),  # read, or one clear line: never a traceback
    (encrypted, "locked.xlsx", "rejected", "密码"),
    (html_as_xls, "web.xls", "ingested", ""),
    (csv_as_xls, "text.xls", "ingested", ""),
    (truncated, "cut.xlsx", "rejected", "损坏"),
    (renamed_pdf, "scan.xlsx", "rejected", "PDF"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    for build, name, *_ in CORPUS:
        build(folder / name)
    settings = load_settings()
    settings.options["limits"] = {k: getattr(LIMITS, k) for k in ("seconds", "memory_mb", "package_mb", "cells")}
    started = time.monotonic()
    found = read_files([(folder / name, name) for _, name, *_ in CORPUS], settings, engine=Engine(jobs=2))
    return {u.file: u for u in found}, time.monotonic() - started


@pytest.mark.parametrize(("name", "status", "words"), [(n, s, w) for _, n, s, w in CORPUS])
def test_each_hostile_file_gives_its_one_line_outcome(corpus, name, status, words):
    found, _ = corpus
    unit = found[name]
    if status is not None:
        assert unit.status == status, (name, unit.reason)
    assert words in unit.reason and "\n" not in unit.reason and "内部错误" not in unit.reason
    for account in unit.accounts:
        assert account.rows_read == account.accepted + account.rejected + account.totals + account.blank


def test_the_corpus_is_read_within_the_budget(corpus):
    _, seconds = corpus
    assert seconds < 60  # twelve files, two workers, the slowest (10,000 columns) about 2 s


def test_an_oversized_cell_is_listed_and_its_row_kept_out(corpus):
    unit = corpus[0]["big_cell.xlsx"]
    assert [(r.row, r.column, r.action) for r in unit.rejections] == [(2, "B", "row_rejected")]
    assert "32,767" in unit.rejections[0].reason and list(unit.tables["assistance"]["person"]) == ["李四"]


def test_control_characters_never_reach_a_name(corpus):
    unit = corpus[0]["ctrl.xlsx"]
    assert unit.unit_name == "测试工会" and list(unit.tables["assistance"]["person"]) == ["张三"]


def _sleeps(job):
    time.sleep(30)


def _eats_memory(job):
    return bytearray(8 * 1024**3)


def _crashes(job):
    """A native crash or the kernel's OOM killer: the worker is gone without a word."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize(
    ("work", "words"),
    [(_sleeps, "读取超过 1 秒"), (_eats_memory, "异常退出"), (_crashes, "异常退出")],
)
def test_a_reader_that_loops_eats_memory_or_crashes_costs_only_its_file(work, words):
    """A stub reader stands in for a library stuck on a file; the files queued behind it are read by a fresh worker."""

    def reader(job):
        return work(job) if job[1] == "bad" else f"read {job[1]}"

    def failed(job, reason):
        return reason

    started = time.monotonic()
    names = ["bad", "good", "next", "last"]
    out = Workers(reader, Limits(seconds=1, memory_mb=1024), count=1).run([(Path(n), n, "") for n in names], failed)
    assert words in out[0] and out[1:] == ["read good", "read next", "read last"]
    again = Workers(reader, Limits(seconds=1, memory_mb=1024), count=2).run(
        [(Path(n), n, "") for n in ["first", *names]], failed
    )
    assert again[0] == "read first" and words in again[1] and again[2:] == ["read good", "read next", "read last"]
    assert time.monotonic() - started < 15


def test_memory_errors_inside_a_reader_are_a_rejection_not_a_crash(tmp_path, monkeypatch, settings):
    from pipeline import ingest

    def hungry(path, limits=None):
        raise MemoryError

    monkeypatch.setattr(ingest, "read_workbook", hungry)
    unit = ingest_file(_good(tmp_path / "a.xlsx"), settings.contract)
    assert unit.status == "rejected" and "内存" in unit.reason


def test_a_5000_digit_number_is_a_rejected_value_not_an_internal_error(tmp_path, settings):
    rows = [["活动名称", "活动类别", "参与人数"], ["运动会", "文体活动", "9" * 5000]]  # int() refuses over 4,300 digits
    unit = ingest_file(workbook(tmp_path / "n.xlsx", {"活动台账": rows}), settings.contract)
    assert unit.status == "ingested" and "内部错误" not in unit.reason
    assert [(r.row, r.column, r.action) for r in unit.rejections] == [(2, "C", "value_dropped")]


# --- random messy workbooks: the row account always balances, nothing escapes ---------------------------

CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "合计",
            "小计",
            "填表人：张三",
            "一、文体活动",
            "2024-03-05",
            "3月",
            "困难帮扶",
            "张 三",
            "￥1,200",
            "×",
            "#DIV/0!",
        ]
    ),
    st.integers(-(10**6), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)
HEADERS = st.lists(
    st.sampled_from(["发放日期", "姓名", "类别", "金额", "备注", "序号", "活动名称", "活动类别", "x"]),
    min_size=1,
    max_size=6,
)


@hypothesis_settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(HEADERS, st.lists(st.lists(CELLS, max_size=7), max_size=12), st.integers(0, 3))
def test_random_messy_workbooks_always_balance_their_row_account(tmp_path, settings, headers, rows, title_rows):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Sheet1"
    for _ in range(title_rows):
        ws.append(["某某工会2024年台账"])
    ws.append(headers)
    for row in rows:
        ws.append([v if not isinstance(v, str) else v.replace("=", "＝") for v in row])
    path = tmp_path / "messy.xlsx"
    book.save(path)
    unit: UnitWorkbook = ingest_file(path, settings.contract)
    assert unit.status in ("ingested", "rejected", "ignored") and "内部错误" not in unit.reason
    for account in unit.accounts:
        assert account.rows_read == account.accepted + account.rejected + account.totals + account.blank


def test_a_file_in_a_zip_named_xlsx_that_holds_a_word_document(tmp_path, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    (tmp_path / "letter.xlsx").write_bytes(buffer.getvalue())
    unit = ingest_file(tmp_path / "letter.xlsx", settings.contract)
    assert unit.status == "rejected" and "Word" in unit.reason


_REF = st.tuples(st.integers(1, 16_384), st.integers(1, 1_048_576))


@hypothesis_settings(max_examples=200, deadline=None)
@given(refs=st.lists(_REF, min_size=1, max_size=6), cells=st.sampled_from([1_000, 2_000_000, 5_000_000]))
def test_the_quick_extent_check_refuses_exactly_the_sheets_the_full_scan_refuses(refs, cells):
    """A sheet passes the one-pass check only when its cells' true corner is within the limit too."""
    xml = "".join(f'<c r="{get_column_letter(c)}{r}"><v>1</v></c>' for c, r in refs).encode()
    quick = SheetExtras()
    _extent(xml, quick, cells)
    true_cells = max(c for c, _ in refs) * max(r for _, r in refs)
    assert (quick.max_row * quick.max_col > cells) == (true_cells > cells)
    assert quick.max_row >= max(r for _, r in refs) and quick.max_col >= max(c for c, _ in refs)


_XML_CELL = st.sampled_from(
    [
        '<c r="{ref}"><v>1</v></c>',
        '<c r="{ref}" t="s"><v>3</v></c>',
        '<c r="{ref}"><f>SUM(D2:D9)</f><v>4500</v></c>',
        '<c r="{ref}"><f>SUM(D2:D9)</f><v></v></c>',
        '<c r="{ref}"><f>A1*2</f></c>',
        '<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="{ref}" t="e"/>',
        '<c r="{ref}" s="2"/>',
        '<x:c r="{ref}"><x:f>A1</x:f></x:c>',
    ]
)


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.lists(_XML_CELL, max_size=12), st.booleans())
def test_cells_with_formulas_are_found_by_search_as_by_matching_every_cell(cells, filter_after):
    """The byte search finds every cell a full match over the sheet finds with a formula or an error."""
    xml = "".join(cell.format(ref=f"{column_letter(i % 5 + 1)}{i // 5 + 1}") for i, cell in enumerate(cells))
    data = f"<sheetData><row>{xml}</row></sheetData>".encode()
    if filter_after:  # formulas outside the cells: conditional formatting, filters
        data += b"<conditionalFormatting><cfRule><formula>A1&gt;0</formula></cfRule></conditionalFormatting>"

    def interesting(found: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        return [(a, b) for a, b in found if (b and _F.search(b)) or b't="e"' in a]

    assert interesting(_cells_holding(data, (b"<f", b't="e"'))) == interesting(_CELL.findall(data))
