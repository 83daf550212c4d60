"""Builders for test workbooks: each test shows the cells it relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

PROFILE = [("单位名称", "测试工会"), ("单位代码", "0001"), ("报告期", "2024年"), ("职工总数", 100), ("会员总数", 90)]


def workbook(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    profile: list[tuple[str, Any]] | None = None,
    profile_name: str = "基本情况",
) -> Path:
    """A workbook with a 基本情况 sheet and the given sheets (rows as lists); saved to `path`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = profile_name
    for key, value in profile if profile is not None else PROFILE:
        ws.append([key, value])
    for name, rows in sheets.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(row)
    wb.save(path)
    return path


def unit(folder: Path, code: str, period: str = "2024年", parent: str = "", sheets=None, **profile) -> Path:
    """A unit's workbook `<code>_<period>.xlsx` with a key/value 基本情况 and the given sheets."""
    rows = [
        ("单位名称", f"单位{code}"),
        ("单位代码", code),
        ("上级单位代码", parent),
        ("报告期", period),
        ("职工总数", profile.get("employees", 100)),
        ("会员总数", profile.get("members", 90)),
    ]
    if "payroll" in profile:
        rows.append(("工资总额", profile["payroll"]))
    return workbook(folder / f"{code}_{period}.xlsx", sheets or {}, rows)


def run(folder: Path, config: Path | None = None):
    """The pipeline's computations (no rendering) over every file in `folder`."""
    from pipeline.config import load_settings
    from pipeline.run import discover, run_report

    return run_report(discover(folder), load_settings(config), folder)
