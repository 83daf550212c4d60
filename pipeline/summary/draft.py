"""The 工作总结 draft: Chinese prose in the structure unions use, every figure the run's own.

Nothing is computed here that the run has not computed: each sentence words an
`IndicatorRow` (its figure, target, status, last year's value), the gaps come from
`sections.verdict`, the missing units from the run's submissions, the problems from
its audit findings. Each sentence carries the lineage of its figure (which rows),
shown as a Word comment in the .docx and a footnote in the HTML. The share of a
target (完成年度目标的 …%) is the one division done here, of the two figures the
sentence states, so a reader (or `check-summary`) can redo it from the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.consolidate import descendants
from pipeline.money import format_money, format_scan
from pipeline.run import IndicatorRow, RunResult
from pipeline.sections import Gap, due, verdict
from pipeline.summary.words import Phrase, SummaryWords, summary_words
from pipeline.targets import CUMULATIVE_UNITS, STATUSES, format_value

STATUS_WORDS = {"met": "达标", "on_track": "进度正常", "behind": "进度滞后", "missed": "未达标", "no_data": "无数据"}
CHAPTERS = ("一、主要工作及成效", "二、存在的问题", "三、下一步打算")
PART_NUMBERS = "一二三四五六七八九十"


@dataclass
class Sentence:
    """One sentence of the draft and where its figure comes from (empty: it states no figure)."""

    text: str
    source: str = ""


@dataclass
class Section:
    """A numbered part of a chapter ((一) 组织建设与建会建制), or an unheaded paragraph."""

    heading: str
    sentences: list[Sentence]


@dataclass
class Chapter:
    """一、主要工作及成效 / 二、存在的问题 / 三、下一步打算."""

    heading: str
    sections: list[Section]


@dataclass
class Draft:
    """A whole 工作总结: for one unit, or for a node and everything below it."""

    title: str
    unit_code: str
    unit_name: str
    period: str
    chapters: list[Chapter]
    table: list[dict[str, str]] = field(default_factory=list)  # 附表: every figure exactly, with its lineage
    consolidated: bool = False
    dated: date | None = None  # the period's last day: the document's date, never today's


def prose(value: Decimal, unit: str, measure: str = "") -> str:
    """A figure as a sentence writes it: 96.50%, 1.93万元, 7,000.00元, 4场."""
    if unit == "rate":
        return f"{format_money(value * 100)}%"
    if unit == "money":
        return format_scan(value).replace(" ", "")
    if unit in ("count", "people"):
        return f"{value:,.0f}{measure}"
    return format_money(value)


def draft(result: RunResult, code: str, consolidated: bool) -> Draft:
    """The draft for a unit's own figures, or (`consolidated`) for its node's roll-up over the subtree."""
    node = result.nodes[code]
    rows = result.rollup_rows(code) if consolidated else result.unit_rows(code)
    period = result.period.label if result.period else ""
    words = summary_words()
    below = {c: result.unit_rows(c) for c in descendants(result.nodes, code) if c != code} if consolidated else {}
    codes = set(descendants(result.nodes, code)) if consolidated else {code}
    # a unit's own from the index (a federation drafts thousands); the few roll-ups scan in the run's order
    findings = [f for f in result.findings if f.unit_code in codes] if consolidated else result.findings_of(code)
    submissions = [s for s in result.submissions if s.code in codes and s.code != code] if consolidated else []
    seen = verdict(rows, below, submissions, findings, limit=len(rows))
    title = f"{node.name}{period}工作总结"
    chapters = [
        Chapter(
            CHAPTERS[0], [_overview(node.name, period, rows, submissions, consolidated), *_achievements(rows, words)]
        ),
        Chapter(CHAPTERS[1], _problems(rows, seen.gaps, seen, findings, _rejected_cells(result, codes))),
        Chapter(CHAPTERS[2], _next_steps(seen.gaps, seen, findings, words, result.period.year if result.period else 0)),
    ]
    dated = result.period.end if result.period else None
    return Draft(title, code, node.name, period, chapters, _table(rows), consolidated, dated)


def _overview(name: str, period: str, rows: list[IndicatorRow], submissions: list[Any], consolidated: bool) -> Section:
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    judged = "、".join(f"{STATUS_WORDS[s]}{counts[s]}项" for s in STATUSES if counts[s])
    sentences = []
    if consolidated:
        received = sum(1 for s in submissions if s.status == "received")
        sentences.append(
            Sentence(f"{period}，{name}所属应报送台账的单位{len(submissions)}个，已报送{received}个", "submissions.csv")
        )
    if judged:  # no rows (no period read) or none judged: nothing to count
        sentences.append(Sentence(f"对照年度目标，统计的{len(rows)}项指标中{judged}", "indicators.csv"))
    return Section("", sentences)


def _achievements(rows: list[IndicatorRow], words: SummaryWords) -> list[Section]:
    by_code = {r.code: r for r in rows}
    placed: set[str] = set()
    sections = []
    for part in words.parts:
        found = [by_code[c] for c in part.indicators if c in by_code]
        placed.update(part.indicators)
        sentences = [s for r in found if (s := figure_sentence(r, words)) is not None]
        if sentences:
            sections.append(Section(part.heading, sentences))
    others = [s for r in rows if r.code not in placed and (s := figure_sentence(r, words)) is not None]
    if others:
        sections.append(Section(words.other_heading, others))
    for number, section in zip(PART_NUMBERS, sections, strict=False):
        section.heading = f"（{number}）{section.heading}"
    return sections


def phrase_of(row: IndicatorRow, words: SummaryWords) -> Phrase:
    """The configured words for the row's indicator, or a plain one from its name (a union's own indicator)."""
    return words.phrases.get(row.code) or Phrase(f"{row.definition.get('name', row.code)}{{value}}")


def figure_sentence(row: IndicatorRow, words: SummaryWords) -> Sentence | None:
    """One indicator in a sentence: the figure, its target and how far it got, last year; None without data."""
    value = row.figure.value
    if value is None:
        return None
    phrase = phrase_of(row, words)
    shown = prose(value, row.unit, phrase.measure)
    parts = {"numerator": "", "denominator": ""}
    for name in parts:
        part = getattr(row.figure, name)
        if part is not None:
            parts[name] = prose(part, "money" if _money_parts(row) else "count", phrase.parts)
    text = phrase.text.format(value=shown, **parts)
    text += _against_target(row, phrase) + _against_last_year(row, phrase)
    if row.units_judged:
        text += f"；有目标的下级单位{row.units_judged}个，达到本单位目标的{row.units_met}个"
    return Sentence(text, lineage(row))


def _money_parts(row: IndicatorRow) -> bool:
    parts = [row.definition.get(k) or {} for k in ("numerator", "denominator")]
    return any(p.get("column") in ("amount", "expected_remittance") for p in parts)


def _against_target(row: IndicatorRow, phrase: Phrase) -> str:
    target, value = row.target, row.figure.value
    if target is None or value is None:
        return ""
    goal = prose(target.value, row.unit, phrase.measure)
    if row.unit in CUMULATIVE_UNITS and target.comparator == ">=" and target.value > 0:
        text = f"，完成年度目标{goal}的{format_money(value / target.value * 100)}%"
    else:
        text = f"，目标{target.sign}{goal}"
    if row.status == "behind":
        text += f"，进度滞后（按序时进度应达{prose(due(target, row.unit, row.period), row.unit, phrase.measure)}）"
    elif row.status == "missed":
        text += "，未达标"
    elif row.status in STATUS_WORDS:
        text += f"，{STATUS_WORDS[row.status]}"
    return text


def _against_last_year(row: IndicatorRow, phrase: Phrase) -> str:
    value, before = row.figure.value, row.previous
    if value is None or before is None:
        return ""
    delta = value - before
    if delta == 0:
        return "，与上年持平"
    verb = ("提高" if delta > 0 else "下降") if row.unit == "rate" else ("增加" if delta > 0 else "减少")
    if row.unit == "rate":
        return f"，比上年{verb}{format_money(abs(delta) * 100)}个百分点"
    return f"，比上年{verb}{prose(abs(delta), row.unit, phrase.measure)}"


def lineage(row: IndicatorRow) -> str:
    """Which rows a figure was summed from, in a line a reader can follow to the cells."""
    name = row.definition.get("name", row.code)
    if row.level == "rollup":
        return f"{name}：汇总所属{row.figure.units}个单位的台账（各单位的数据行见 lineage.csv 和 units/ 中的单位报告）"
    by_sheet: dict[tuple[str, str], list[int]] = {}
    for file, sheet, number in row.figure.rows:
        by_sheet.setdefault((file, sheet), []).append(number)
    if not by_sheet:
        return f"{name}：没有符合条件的数据行"
    shown = "；".join(f"{file}「{sheet}」第{_spans(numbers)}行" for (file, sheet), numbers in by_sheet.items())
    return f"{name}：{shown}（共{len(row.figure.rows)}行）"


def _spans(numbers: list[int]) -> str:
    """3, 4, 5, 9 → 3–5、9 (at most eight spans, then 等)."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    shown = [f"{a}–{b}" if a != b else str(a) for a, b in spans[:8]]
    return "、".join(shown) + ("等" if len(spans) > 8 else "")


def _problems(
    rows: list[IndicatorRow], gaps: list[Gap], seen: Any, findings: list[Any], rejected: int
) -> list[Section]:
    """二、存在的问题: the gaps, the indicators without data, who did not report, the audit's findings."""
    sentences = _gap_sentences(rows, gaps) + _submission_sentences(seen) + _finding_sentences(seen, findings)
    if rejected:
        sentences.append(Sentence(f"台账中有{rejected}个单元格的内容无法识别，已被拒收或舍弃", "rejected.csv"))
    if not sentences:
        sentences.append(Sentence("各项指标均已达到目标，台账报送齐全，经费审查未发现问题"))
    return [Section("", sentences)]


def _gap_sentences(rows: list[IndicatorRow], gaps: list[Gap]) -> list[Sentence]:
    words = summary_words()
    sentences = []
    for gap in gaps:
        row, phrase = gap.row, phrase_of(gap.row, words)
        shown = prose(row.figure.value or Decimal(0), row.unit, phrase.measure)
        text = f"{row.definition.get('name', row.code)}为{shown}{_against_target(row, phrase)}"
        if gap.units:
            text += f"，{'、'.join(gap.units[:10])}{'等' if len(gap.units) > 10 else ''}未达到本单位目标"
        sentences.append(Sentence(text, lineage(row)))
    empty = [r.definition.get("name", r.code) for r in rows if r.status == "no_data"]
    if empty:
        sentences.append(Sentence(f"{'、'.join(empty)}本期没有台账数据，无法统计"))
    return sentences


def _submission_sentences(seen: Any) -> list[Sentence]:
    sentences = []
    for status, label in (("missing", "未报送台账"), ("rejected", "报送的台账无法读取")):
        names = [s.name or s.code for s in seen.missing if s.status == status]
        if names:
            sentences.append(Sentence(f"{'、'.join(names)}{label}", "submissions.csv"))
    if seen.late:
        sentences.append(Sentence(f"{'、'.join(s.name or s.code for s in seen.late)}逾期报送", "submissions.csv"))
    return sentences


def _finding_sentences(seen: Any, findings: list[Any]) -> list[Sentence]:
    if not findings:
        return []
    by = {level: sum(1 for f in findings if f.severity == level) for level in ("高", "中", "低")}
    split = "、".join(f"{level}风险{n}项" for level, n in by.items() if n)
    sentences = [Sentence(f"经费审查发现问题{len(findings)}项，其中{split}", "audit_findings.csv")]
    for finding in seen.high[:5]:  # the title, not the message: its amounts are one payout's, not a total
        where = f"{finding.file}「{finding.sheet}」第{finding.row}行"
        sentences.append(Sentence(f"{finding.unit_name}：{finding.title}（高风险）", f"{where}：{finding.message}"))
    return sentences


def _rejected_cells(result: RunResult, codes: set[str]) -> int:
    return sum(len(f.rejections) for code in codes for f in result.files_of(code))


def _next_steps(gaps: list[Gap], seen: Any, findings: list[Any], words: SummaryWords, year: int) -> list[Section]:
    sentences = []
    short = {gap.row.code: gap.row.definition.get("name", gap.row.code) for gap in gaps}
    for part in words.parts:
        names = [short[c] for c in part.indicators if c in short]
        if names:
            sentences.append(Sentence(f"{part.next_step}，确保{'、'.join(names)}达到目标"))
    if seen.missing or seen.late:
        names = [s.name or s.code for s in [*seen.missing, *seen.late]]
        sentences.append(Sentence(f"督促{'、'.join(dict.fromkeys(names))}按时报送台账"))
    if findings:
        sentences.append(Sentence(f"对经费审查发现的{len(findings)}项问题逐项整改，整改情况报经费审查委员会"))
    sentences.append(
        Sentence(
            f"认真总结经验，对照上级要求制定{year + 1}年工作计划" if year else "认真总结经验，制定下一年度工作计划"
        )
    )
    return [Section("", sentences)]


def _table(rows: list[IndicatorRow]) -> list[dict[str, str]]:
    """附表: every indicator with its exact figure (money to the fen), target, status and lineage."""
    table = []
    for row in rows:
        table.append(
            {
                "指标": row.definition.get("name", row.code),
                "数值": format_value(row.figure.value, row.unit),
                "目标": row.target.text(row.unit) if row.target else "—",
                "完成情况": STATUS_WORDS.get(row.status, "仅统计"),
                "上年": format_value(row.previous, row.unit) if row.previous is not None else "—",
                "来源": lineage(row),
            }
        )
    return table
