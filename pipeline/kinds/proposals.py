"""职工意见 / 建议 / 问题清单 (急难愁盼), read into the 民主管理 table as one motion per entry.

An entry counts as answered when an answer, solution or improvement is written
in, or its 解决类别 says it was dealt with (not 未解决 / 待…).
"""

from __future__ import annotations

from typing import Any

CONVERTED_FIELDS = ("held_on", "motions", "motions_answered", "content", "answer")
_OPEN = ("未", "待", "正在", "暂未", "无法")


def answered(record: dict[str, Any]) -> bool:
    """True when the entry has an answer, or a resolution that is not still open."""
    if record.get("answer"):
        return True
    resolution = (record.get("resolution") or "").strip()
    return bool(resolution) and not resolution.startswith(_OPEN)


def convert(record: dict[str, Any]) -> dict[str, Any]:
    """One proposal as a 民主管理 row: one motion, answered or not."""
    return {
        "held_on": record.get("held_on"),
        "motions": 1,
        "motions_answered": 1 if answered(record) else 0,
        "content": record.get("content"),
        "answer": record.get("answer") or record.get("resolution"),
    }
