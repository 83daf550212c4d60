"""consolidated.xlsx recalculated by LibreOffice gives the same figures as the report.

LibreOffice is told to recalculate every formula on load (a profile setting);
a sentinel workbook whose stored result is wrong on purpose proves it did.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipeline.render.xlsx import write_consolidated

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice Calc is not installed: run `make setup` as root "
        "(apt-get install libreoffice-calc) to run this test",
    ),
]


def recalculate(files: list[Path], out: Path, profile: Path) -> None:
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def formula_cells(path: Path):
    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield ws.title, cell.coordinate, values[ws.title][cell.coordinate].value


def same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def test_libreoffice_recalculates_to_the_stored_figures(tmp_path, demo_run):
    ours = tmp_path / "consolidated.xlsx"
    write_consolidated(demo_run, ours)
    sentinel = tmp_path / "sentinel.xlsx"
    book = xlsxwriter.Workbook(str(sentinel))
    book.add_worksheet().write_formula(0, 0, "=1+1", None, 0)
    book.close()
    recalculate([ours, sentinel], tmp_path / "recalc", tmp_path / "profile")
    assert openpyxl.load_workbook(tmp_path / "recalc" / "sentinel.xlsx", data_only=True).active["A1"].value == 2

    stored = {(s, c): v for s, c, v in formula_cells(ours)}
    recalculated = {(s, c): v for s, c, v in formula_cells(tmp_path / "recalc" / "consolidated.xlsx")}
    assert len(stored) > 300 and stored.keys() == recalculated.keys()
    differences = [(key, stored[key], recalculated[key]) for key in stored if not same(stored[key], recalculated[key])]
    assert differences == []


def test_totals_equal_indicators_csv(tmp_path, demo_run):
    from pipeline.render.machine import indicator_record

    ours = tmp_path / "consolidated.xlsx"
    write_consolidated(demo_run, ours)
    recalculate([ours], tmp_path / "recalc", tmp_path / "profile")
    sheet = openpyxl.load_workbook(tmp_path / "recalc" / "consolidated.xlsx", data_only=True)["汇总-西湖街道总工会"]
    totals = {}
    code = None
    for row in sheet.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0].endswith("）") and row[1] is None:
            code = row[0].rsplit("（", 1)[1].rstrip("）")
        if row[0] == "合计":
            totals[code] = row[2:5]
    csv_rows = {
        r[4]: r for r in (indicator_record(x) for x in demo_run.indicators) if r[2] == "rollup" and r[0] == "0330106000"
    }
    assert len(totals) == len(csv_rows)
    for indicator, (num, den, value) in totals.items():
        expected = csv_rows[indicator]
        assert same(num or 0, float(Decimal(expected[6] or 0))), indicator
        assert same(den or 0, float(Decimal(expected[7] or 0))), indicator
        if expected[5]:  # the CSV holds the value rounded half up to its own precision
            shown = Decimal(expected[5])
            assert Decimal(str(value)).quantize(Decimal(1).scaleb(shown.as_tuple().exponent), ROUND_HALF_UP) == shown
