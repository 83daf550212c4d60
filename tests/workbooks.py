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
