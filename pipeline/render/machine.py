"""The machine-readable outputs of interface.md (CSV).

A higher-level union loads them, an auditor filters them, and tests check them.

CSV is UTF-8 with a BOM so that Excel and WPS open Chinese text correctly.
Values are plain numbers: rates as fractions, money in 元 with two decimals.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.ingest import UnitWorkbook
from pipeline.money import round_half_up
from pipeline.run import IndicatorRow, RunResult

INDICATOR_COLUMNS = [
    "unit_code",
    "unit_name",
    "level",
    "period",
    "indicator",
    "value",
    "numerator",
    "denominator",
    "target",
    "comparator",
    "status",
    "indicator_name",
    "unit",
    "previous_value",
    "change",
    "target_source",
    "units_with_data",
    "units_met",
    "units_judged",
]


def plain(value: Decimal | None, unit: str) -> str:
    """A value as indicators.csv holds it: 0.95, 1234.50, 12; empty for no data.

    >>> plain(Decimal("0.7777777777"), "rate"), plain(Decimal("2.675"), "money"), plain(Decimal(3), "count")
    ('0.777778', '2.68', '3')
    """
    if value is None:
        return ""
    if unit == "rate":
        return _trim(round_half_up(value, 6))
    if unit == "money":
        return str(round_half_up(value, 2))
    if unit in ("count", "people"):
        return str(int(value))
    return _trim(round_half_up(value, 4))


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def part(value: Decimal | None) -> str:
    """A numerator or denominator: whole numbers as such, amounts with two decimals."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(int(value))
    return str(round_half_up(value, 2))


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def inert(value: Any) -> Any:
    """A cell Excel will not run: text starting with = + - @, a tab or CR gets a leading ' (numbers stay numbers).

    >>> inert("=1+1"), inert("-12.50"), inert("@SUM(A1)"), inert(3)
    ("'=1+1", '-12.50', "'@SUM(A1)", 3)
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(value):
        return "'" + value
    return value


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """A UTF-8 CSV with BOM (Excel/WPS read the Chinese right); workbook text never becomes a formula."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([inert(v) for v in row] for row in rows)


def indicator_record(row: IndicatorRow) -> list[str]:
    """One indicators.csv line."""
    figure, target = row.figure, row.target
    change = None
    if figure.value is not None and row.previous is not None:
        change = figure.value - row.previous
    return [
        row.unit_code,
        row.unit_name,
        row.level,
        row.period.key(),
        row.code,
        plain(figure.value, row.unit),
        part(figure.numerator),
        part(figure.denominator),
        plain(target.value, row.unit) if target else "",
        target.comparator if target else "",
        row.status,
        row.definition.get("name", ""),
        row.unit,
        plain(row.previous, row.unit),
        plain(change, row.unit),
        target.source_text() if target else "",
        str(figure.units),
        "" if row.units_met is None else str(row.units_met),
        "" if row.units_judged is None else str(row.units_judged),
    ]


def write_ingest_outputs(files: list[UnitWorkbook], out: Any) -> None:
    """files.csv, row_account.csv and rejected.csv: what was read, and the account of every row."""
    write_csv(
        out.path("files.csv"),
        ["file", "sha256", "status", "reason", "unit_code", "period", "engine", "role", "format", "unit_from", "kinds"],
        (
            [
                f.file,
                f.sha256,
                f.status,
                f.reason,
                f.unit_code,
                f.period.key() if f.period else "",
                f.engine,
                f.role,
                f.format,
                f.identity,
                " ".join(dict.fromkeys(f.kinds_read)),
            ]
            for f in files
        ),
    )
    write_csv(
        out.path("row_account.csv"),
        [
            "file",
            "sheet",
            "kind",
            "rows_read",
            "accepted",
            "rejected",
            "totals",
            "blank",
            "hidden",
            "sheet_hidden",
            "columns",
            "decided_by",
        ],
        (
            [
                f.file,
                a.sheet,
                a.table,
                a.rows_read,
                a.accepted,
                a.rejected,
                a.totals,
                a.blank,
                a.hidden,
                "yes" if a.sheet_hidden else "",
                a.columns,
                a.decided_by,
            ]
            for f in files
            for a in f.accounts
        ),
    )
    write_csv(
        out.path("rejected.csv"),
        ["file", "sheet", "row", "column", "raw_value", "reason", "action"],
        ([f.file, r.sheet, r.row, r.column, r.raw_value, r.reason, r.action] for f in files for r in f.rejections),
    )


def write_machine_outputs(result: RunResult, out: Any) -> None:
    """Every CSV of interface.md into the staging folder `out`."""
    write_csv(out.path("indicators.csv"), INDICATOR_COLUMNS, (indicator_record(r) for r in result.indicators))
    write_ingest_outputs(result.files, out)
    write_csv(
        out.path("submissions.csv"),
        ["unit_code", "unit_name", "parent_code", "status", "files", "note", "fixed", "remaining"],
        (
            [s.code, s.name, s.parent, s.status, "; ".join(s.files), s.note, _count(s.fixed), _count(s.remaining)]
            for s in result.submissions
        ),
    )
    write_csv(
        out.path("lineage.csv"),
        ["unit_code", "indicator", "file", "sheet", "row"],
        (
            [r.unit_code, r.code, file, sheet, row]
            for r in result.indicators
            if r.level == "unit"
            for file, sheet, row in r.figure.rows
        ),
    )
    write_csv(
        out.path("audit_findings.csv"),
        ["rule", "severity", "unit_code", "file", "sheet", "row", "amount", "message", "cell", "also_at", "advice"],
        (
            [f.rule, f.severity, f.unit_code, f.file, f.sheet, f.row, part(f.amount), f.message]
            + [f.cell, "; ".join(f.also), f.advice]
            for f in result.findings
        ),
    )
