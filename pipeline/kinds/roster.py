"""组织架构 (the organisation roster) as union systems export it.

Exports often carry names only: 工会组织名称 and 上级工会组织名称, the latter a
name or a path from the top (`某区总工会/某街道总工会/某社区工会`). A unit
without a code is known by its name (spaces removed), as a workbook without
a code is; a parent named only in a path joins the tree as a node that is
not itself expected to report.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.identity import base_name, code_for

_PATH = re.compile(r"\s*[/\\\\＞>|｜]\s*")


def complete_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row with a unit code and a parent code; ancestors only named in a path added, not expected."""
    done = [{**r, "unit_code": r.get("unit_code") or code_for(r["unit_name"]), "listed": True} for r in rows]
    codes = {base_name(r["unit_name"]): r["unit_code"] for r in done}
    added: list[dict[str, Any]] = []
    for row in done:
        if row.get("parent_code") or not row.get("parent_name"):
            continue
        parent = ""
        for segment in (s for s in _PATH.split(str(row["parent_name"])) if s):
            code = codes.get(base_name(segment))
            if code is None:
                code = code_for(segment)
                codes[base_name(segment)] = code
                added.append({"unit_code": code, "unit_name": segment, "parent_code": parent, "listed": False})
            parent = code
        row["parent_code"] = parent
    return done + added
