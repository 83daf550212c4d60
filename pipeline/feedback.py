"""What each sub-union must correct: every problem of every received file, located to its cell, with what to do.

A problem is a rejected row or dropped value (rejected.csv), a header the ledger
could not read, an audit finding of 中 or 高 (a 合计 that does not add up is A01), or
a file that could not be read at all. Each says in Chinese what to do. When a unit
sent a corrected workbook, the problems of its earlier one are matched against the
new one's: the same kind of problem at the same cell is 未整改, the rest 已整改.
The documents (marked copies, 整改通知, index.csv) are written by render/feedback.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pipeline.audit import audit_unit
from pipeline.config import Settings, package_yaml
from pipeline.indicators import derive_frames
from pipeline.ingest import UnitWorkbook

ROW_REJECTED, VALUE_DROPPED, UNREAD_COLUMN, AUDIT, UNREADABLE = (
    "拒收的行",
    "舍弃的值",
    "未读取的列",
    "审计发现",
    "无法读取",
)


@dataclass(frozen=True)
class Problem:
    """One thing a sub-union must correct, where it is, and what to do."""

    file: str
    sheet: str
    row: int | None  # the Excel row; None for the whole file
    column: str  # the column letter; "" when the whole row is meant
    what: str  # 拒收的行 | 舍弃的值 | 未读取的列 | 审计发现 | 无法读取
    reason: str
    advice: str
    raw: str = ""
    severity: str = ""  # an audit finding's 高 / 中

    @property
    def cell(self) -> str:
        """Where, as a clerk finds it: C7, 第7行, or the whole file."""
        if self.row and self.column:
            return f"{self.column}{self.row}"
        if self.row:
            return f"第{self.row}行"
        return "整张表" if self.sheet else "整个文件"

    @property
    def key(self) -> tuple[str, str, int | None, str]:
        """The same problem in a corrected workbook: the same kind at the same cell of the same sheet."""
        return (self.what, self.sheet, self.row, self.column)


@dataclass
class FileProblems:
    """One received file and what is wrong in it; for a resubmission, what its predecessor had and what is fixed."""

    file: str
    unit_code: str
    unit_name: str
    problems: list[Problem]
    replaces: str = ""  # the earlier file of the same unit and period this one corrects
    fixed: list[Problem] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)


@cache
def _words() -> dict[str, Any]:
    return package_yaml("feedback.yaml")


def advice_for(reason: str, raw: str) -> str:
    """What to do about a rejected cell, by its reason (config/feedback.yaml)."""
    for rule in _words()["advice"]:
        if all(word in reason for word in rule["words"]):
            return str(rule["text"]).format(raw=raw)
    return str(_words()["default_advice"])


def file_problems(unit: UnitWorkbook, findings: list[Any]) -> list[Problem]:
    """Every problem of one file, in sheet and row order (audit findings: those of 中 and 高 in this file)."""
    if unit.status == "rejected":
        text = str(_words()["file_unreadable"]).format(reason=unit.reason)
        return [Problem(unit.file, "", None, "", UNREADABLE, unit.reason, text)]
    found = [
        Problem(
            unit.file,
            r.sheet,
            r.row,
            "" if r.action == "row_rejected" and not r.column else r.column,
            ROW_REJECTED if r.action == "row_rejected" else VALUE_DROPPED,
            r.reason,
            advice_for(r.reason, r.raw_value),
            r.raw_value,
        )
        for r in unit.rejections
    ]
    for sheet, row, letter, header in unit.unread_columns:
        advice = str(_words()["unread_column"]).format(raw=header)
        found.append(Problem(unit.file, sheet, row, letter, UNREAD_COLUMN, f"未识别的列「{header}」", advice, header))
    severities = set(_words()["severities"])
    for finding in findings:
        if finding.file == unit.file and finding.severity in severities:
            row = finding.row if isinstance(finding.row, int) else None
            advice = finding.advice or str(_words()["default_advice"])
            problem = Problem(
                unit.file, finding.sheet, row, finding.column, AUDIT, finding.message, advice, "", finding.severity
            )
            found.append(problem)
    return sorted(found, key=lambda p: (p.sheet, p.row or 0, p.column, p.what))


def collect(files: list[UnitWorkbook], findings: list[Any], earlier: dict[str, list[Problem]]) -> list[FileProblems]:
    """The problems of every received unit file (plans, rosters and targets books are the higher union's own).

    `earlier` holds, by the file that replaced it, the problems of a unit's earlier submission; that
    earlier file gets no feedback of its own (its problems are reported as fixed or remaining).
    """
    superseded = {problems[0].file for problems in earlier.values() if problems}
    by_file: dict[str, list[Any]] = {}  # each file looks at its own findings, not every unit's (10,000 × 40,000)
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    collected = []
    for unit in files:
        if unit.role != "unit" or unit.status == "ignored" or unit.file in superseded:
            continue
        entry = FileProblems(unit.file, unit.unit_code, unit.unit_name, file_problems(unit, by_file.get(unit.file, [])))
        replaced = earlier.get(unit.file)
        if replaced:
            entry.replaces = replaced[0].file
            now = {p.key for p in entry.problems}
            entry.remaining = [p for p in replaced if p.key in now]
            entry.fixed = [p for p in replaced if p.key not in now]
        collected.append(entry)
    return collected


def earlier_problems(selection: Any, settings: Settings) -> dict[str, list[Problem]]:
    """For each unit that sent a corrected workbook: the problems of the one it replaces (the latest before it)."""
    found: dict[str, list[Problem]] = {}
    for code, repeated in selection.duplicates.items():
        current = selection.current.get(code)
        if current is None:
            continue
        full = [u for u in repeated if "profile" in u.sheet_names and u is not current and u.file != current.file]
        if not full:
            continue
        before = max(full, key=lambda u: (u.profile.get("filled_on") or date.min, u.file))
        findings = audit_unit(derive_frames(before, settings), settings)
        found[current.file] = file_problems(before, findings)
    return found


def note_corrections(submissions: list[Any], feedback: list[FileProblems]) -> None:
    """A corrected resubmission's submission says how many of the problems pointed out are fixed."""
    by_code = {entry.unit_code: entry for entry in feedback if entry.replaces}
    for submission in submissions:
        entry = by_code.get(submission.code)
        if entry is None:
            continue
        submission.fixed, submission.remaining = len(entry.fixed), len(entry.remaining)
        said = f"「{entry.file}」替换「{entry.replaces}」：上次指出的问题已整改 {len(entry.fixed)} 处"
        said += f"，未整改 {len(entry.remaining)} 处"
        submission.note = "；".join(n for n in (submission.note, said) if n)
