"""HTML reports: Jinja2 templates (templates/) filled from a `RunResult`.

One environment, three pages: the consolidated report, one report per unit,
and the audit report. Everything is inline (CSS, SVG, a few lines of script
for sorting and filtering), so each HTML file stands alone and opens without
a network; the same HTML is printed to PDF.
"""

from __future__ import annotations

import copy
import functools
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import jinja2
import yaml

from pipeline import sections
from pipeline.consolidate import walk
from pipeline.money import format_money, format_scan
from pipeline.paths import TEMPLATES, safe_name
from pipeline.render.charts import FONT, FONT_TC, bar_chart, month_columns
from pipeline.run import IndicatorRow, RunResult
from pipeline.targets import format_value

STATUS_ORDER = {"missed": 0, "behind": 1, "on_track": 2, "met": 3, "": 4, "no_data": 5}
SEVERITY_ORDER = {"高": 0, "中": 1, "低": 2}


def cn_date(day: date | None) -> str:
    """2024年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日" if isinstance(day, date) else ""


@functools.cache
def _label_table() -> dict[str, Any]:
    """templates/labels.yaml, parsed once per process (it is read for every page rendered)."""
    return yaml.safe_load((TEMPLATES / "labels.yaml").read_text(encoding="utf-8"))


def labels(locale: str = "zh-Hans") -> dict[str, Any]:
    """Report labels and headings for a locale (templates/labels.yaml).

    zh-Hant is zh-Hans through OpenCC, labels only: names, files, sheets and cells stay as the workbooks have them.
    """
    table = copy.deepcopy(_label_table())
    if locale != "zh-Hant":
        return table["en" if locale == "en" else "zh-Hans"]
    import opencc

    convert = opencc.OpenCC("s2t").convert
    words = _map_strings(table["zh-Hans"], convert)
    words.update(
        lang="zh-Hant", font_variant="TC", status_names=_map_strings(table["zh-Hans"]["status_names"], convert)
    )
    return words


def _map_strings(value: Any, convert: Any) -> Any:
    """Every string inside a label table converted; keys that are data values (status codes, 高/中/低) kept."""
    if isinstance(value, dict):
        return {k: _map_strings(v, convert) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, convert) for v in value]
    return convert(value) if isinstance(value, str) else value


def period_name(period: Any, words: dict[str, Any]) -> str:
    """A period as the locale writes it: 2024年上半年, or 2024-01..2024-06 in English."""
    if period is None:
        return ""
    return period.key() if words["period_form"] == "key" else period.label


def environment(locale: str = "zh-Hans") -> jinja2.Environment:
    """The Jinja2 environment with the report filters and the locale's labels as `L`."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    words = labels(locale)
    env.filters.update(
        money=format_money,
        scan=(lambda v: f"{format_money(v)} yuan") if locale == "en" else format_scan,
        day=(lambda d: d.isoformat() if isinstance(d, date) else "") if locale == "en" else cn_date,
        value=lambda v, unit: format_value(v, unit),
        status=lambda s: words["status_names"].get(s, s),
        severity=lambda s: words["severity_names"].get(s, s),
        direction=lambda s: words["direction_names"].get(s, s),
        submission=lambda s: words["submission_names"].get(s, s),
        file_name=safe_name,
        period_name=lambda p: period_name(p, words),
    )
    env.globals.update(
        L=words,
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        script=(TEMPLATES / "tables.js").read_text(encoding="utf-8"),
    )
    return env


def indicator_view(row: IndicatorRow, words: dict[str, Any]) -> dict[str, Any]:
    """What a template shows of one indicator row."""
    figure, unit = row.figure, row.unit
    change = None
    if figure.value is not None and row.previous is not None:
        delta = figure.value - row.previous
        change = (
            f"{'+' if delta >= 0 else ''}{format_money(delta * 100)}{words['points']}"
            if unit == "rate"
            else f"{'+' if delta >= 0 else ''}{format_value(delta, unit)}"
        )
    return {
        "code": row.code,
        "name": row.definition.get(words["indicator_name_key"]) or row.definition.get("name", row.code),
        "unit": unit,
        "value": format_value(figure.value, unit),
        "raw": figure.value,
        "status": row.status,
        "target": row.target.text(unit) if row.target else "—",
        "target_source": row.target.source_text(words["target_sources"]) if row.target else "",
        "target_default": row.target is None or row.target.source == "默认",
        "units_met": words["units_met"].format(met=row.units_met, judged=row.units_judged) if row.units_judged else "",
        "numerator": _part(figure.numerator),
        "denominator": _part(figure.denominator),
        "previous": format_value(row.previous, unit) if row.previous is not None else "",
        "change": change,
        "rows": figure.rows,
        "units": figure.units,
        "kind": row.definition["kind"],
    }


def _part(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == value.to_integral_value() else format_money(value)


def ranking(result: RunResult, parent: str, words: dict[str, Any], limit: int | None = None) -> list[dict[str, Any]]:
    """Per indicator with a target: the parent's sub-units, the ones behind target first (the first `limit`)."""
    children = result.nodes[parent].children
    tables = []
    for definition in result.settings.indicators:
        entries = []
        for code in children:
            rows = result.rollup_rows(code) or result.unit_rows(code)
            row = next((r for r in rows if r.code == definition["code"]), None)
            if row is not None and row.figure.value is not None:
                entries.append((code, row))
        if not entries or not any(r.target for _, r in entries):
            continue
        entries.sort(key=lambda e: (STATUS_ORDER.get(e[1].status, 9), e[1].figure.value))
        total = len(entries)
        entries = entries[:limit] if limit is not None else entries
        tables.append(
            {
                "code": definition["code"],
                "name": definition.get(words["indicator_name_key"]) or definition["name"],
                "unit": definition["unit"],
                "total": total,
                "rows": [
                    {**indicator_view(r, words), "unit_code": c, "unit_name": result.nodes[c].name} for c, r in entries
                ],
                "chart": bar_chart(
                    [
                        (
                            result.nodes[c].name,
                            r.figure.value,
                            format_value(r.figure.value, r.unit),
                            r.status,
                            r.target.value if r.target else None,
                        )
                        for c, r in entries
                    ],
                    target_label=words["chart_target"],
                ),
            }
        )
    return tables


def monthly(result: RunResult, codes: list[str], words: dict[str, Any]) -> str:
    """Activities held and assistance paid per month across `codes`: two charts, each on its own scale."""
    series = sections.monthly([result.frames[c] for c in codes], result.settings.indicators)
    held = month_columns({words["chart_activities"]: series["activities"]}, ["#1565c0"], month_label=words["month"])
    paid = month_columns({words["chart_assistance"]: series["assistance"]}, ["#ef8f00"], month_label=words["month"])
    return held + paid


def quality(result: RunResult, files: list[Any] | None = None) -> dict[str, Any]:
    """The data-quality section: files, row account, rejected cells, totals, notes."""
    files = result.files if files is None else files
    mismatches = [(f, t) for f in files for t in f.total_checks if not t.matches]
    hidden = [(f, a) for f in files for a in f.accounts if a.hidden or a.sheet_hidden]
    return {
        "files": files,
        "mismatches": mismatches,
        "hidden": hidden,
        "rejections": [(f, r) for f in files for r in f.rejections],
        "notes": [(f.file, n) for f in files for n in f.notes],
        "kind_titles": {spec.key: spec.title for spec in result.settings.contract.kinds()},
        "status_counts": Counter(f.status for f in files),
    }


def render_consolidated(result: RunResult, env: jinja2.Environment, limit: int | None = None) -> str:
    """report.html: the tree, who is missing, every indicator rolled up, rankings, quality.

    With `limit` (the PDF), every list that grows with the number of units is cut to that many
    entries, the tree to its next level, and the page says what was cut and where the rest is.
    """
    words = env.globals["L"]
    omitted: list[str] = []
    cut = Cutter(limit, words, omitted)
    tree = [
        {
            "depth": depth,
            "node": result.nodes[code],
            "submission": result.submission_of(code),
        }
        for code, depth in walk(result.nodes)
    ]
    roots = [code for code, depth in walk(result.nodes) if depth == 0]
    overview = []
    for code in roots:
        rows = result.rollup_rows(code) or result.unit_rows(code)
        overview.append(
            {
                "node": result.nodes[code],
                "level": "rollup" if result.rollup_rows(code) else "unit",
                "rows": [indicator_view(r, words) for r in rows],
            }
        )
    filled = [u.profile.get("filled_on") for u in result.selection.current.values() if u.profile.get("filled_on")]
    title_unit = result.nodes[roots[0]].name if len(roots) == 1 else words["all_units"]
    top = [r for code in roots for r in (result.rollup_rows(code) or result.unit_rows(code))]
    below = {code: result.unit_rows(code) for code in result.frames}
    problems = [s for s in result.submissions if s.status != "received"]
    counts = {
        "files": len(result.files),
        "units": len(result.selection.current),
        "expected": len(tree),
        "problems": len(problems),
    }
    shown_tree = cut([t for t in tree if t["depth"] <= 1] if limit is not None else tree, "cut_tree", len(tree))
    rankings = [r for code in roots for r in ranking(result, code, words, limit)]
    if limit is not None and any(r["total"] > limit for r in rankings):
        omitted.append(
            words["pdf_cut"].format(what=words["cut_ranking"], shown=limit, total=max(r["total"] for r in rankings))
        )
    return env.get_template("report.html.j2").render(
        title=words["report_title"].format(unit=title_unit, period=period_name(result.period, words)),
        period=result.period,
        data_date=max(filled) if filled else None,
        counts=counts,
        tree=shown_tree,
        overview=overview,
        rankings=rankings,
        problems=cut(problems, "cut_problems"),
        late=cut([s for s in result.submissions if s.late], "cut_late"),
        monthly=monthly(result, list(result.frames), words),
        quality=bounded_quality(quality(result), cut),
        notes=result.notes,
        shared=result.shared,
        findings=_finding_summary(result.findings),
        units=_unit_links(result) if limit is None else [],
        verdict=sections.verdict(top, below, result.submissions, result.findings),
        plans=[plan_view(result, code) for code in result.plans],
        omitted=omitted,
    )


class Cutter:
    """Cuts a list to the PDF's limit and notes what was cut (no limit: the list as it is)."""

    def __init__(self, limit: int | None, words: dict[str, Any], omitted: list[str]) -> None:
        self.limit, self.words, self.omitted = limit, words, omitted

    def __call__(self, items: list[Any], label: str, total: int | None = None) -> list[Any]:
        """`items` cut to the limit; `total` when the list was already narrowed (the tree to its next level)."""
        total = len(items) if total is None else total
        if self.limit is None or (len(items) <= self.limit and total == len(items)):
            return items
        shown = items[: self.limit]
        self.omitted.append(self.words["pdf_cut"].format(what=self.words[label], shown=len(shown), total=total))
        return shown


def bounded_quality(found: dict[str, Any], cut: Cutter) -> dict[str, Any]:
    """The data-quality section with its per-file lists cut to the PDF's limit."""
    return {
        **found,
        "files": cut(found["files"], "cut_files"),
        "rejections": cut(found["rejections"], "cut_rejections"),
        "notes": cut(found["notes"], "cut_notes"),
        "mismatches": cut(found["mismatches"], "cut_totals"),
        "hidden": found["hidden"][: cut.limit] if cut.limit is not None else found["hidden"],
    }


def plan_view(result: RunResult, code: str) -> dict[str, Any]:
    """A plan applied to a unit, as the pages show it: which file, how it was matched, its calendar checked."""
    plan = result.plans[code]
    return {
        "file": plan.document.file,
        "article": "、".join(dict.fromkeys(plan.articles)),
        "how": plan.how,
        "unit": result.nodes[code].name,
        "used": len(plan.targets) + sum(len(t) for t in plan.scoped.values()),
        "unused": plan.unused,
        "checks": plan.checks,
        "counts": {"done": 0, "not_seen": 0, "not_due": 0} | dict(Counter(c.state for c in plan.checks)),
    }


def _unit_links(result: RunResult) -> list[dict[str, str]]:
    return [{"code": code, "name": unit.unit_name} for code, unit in result.selection.current.items()]


def _finding_summary(findings: list[Any]) -> dict[str, Any]:
    by_rule: dict[tuple[str, str, str], int] = Counter((f.rule, f.title, f.severity) for f in findings)
    return {
        "count": len(findings),
        "by_severity": Counter(f.severity for f in findings),
        "by_rule": sorted(by_rule.items()),
    }


def render_unit(result: RunResult, code: str, env: jinja2.Environment) -> str:
    """units/<code>.html: one union's own progress report."""
    words = env.globals["L"]
    unit = result.selection.current[code]
    frames = result.frames[code].frames
    figures = result.sections[code]
    return env.get_template("unit.html.j2").render(
        unit=unit,
        node=result.nodes[code],
        period=result.period,
        rows=[indicator_view(r, words) for r in result.unit_rows(code)],
        activities=figures.activities,
        assistance=figures.assistance,
        contracts=_contracts(frames.get("contracts"), result),
        fund=figures.fund,
        monthly=monthly(result, [code], words),
        quality=quality(result, unit.parts or [unit]),
        findings=result.findings_of(code),
        verdict=sections.verdict(result.unit_rows(code), {}, [], result.findings_of(code)),
        plan=plan_view(result, code) if code in result.plans else None,
    )


def _contracts(rows: list[dict[str, Any]] | None, result: RunResult) -> dict[str, Any] | None:
    if rows is None or result.period is None:
        return None
    end = result.period.end
    horizon = int(result.settings.domain("expiry_warning_days"))
    expiring = [
        (r["enterprise"], kind, r[expires])
        for r in rows
        for kind, flag, expires in (
            ("collective", "collective_in_force", "collective_expires"),
            ("wage", "wage_in_force", "wage_expires"),
        )
        if r[flag] and isinstance(r[expires], date) and (r[expires] - end).days <= horizon
    ]
    return {
        "rows": rows,
        "without_union": [r for r in rows if r["operating"] and not r["unionised"]],
        "without_contract": [r for r in rows if r["operating"] and r["unionised"] and not r["collective_in_force"]],
        "expiring": expiring,
        "horizon": horizon,
    }


def render_audit(result: RunResult, env: jinja2.Environment, limit: int | None = None) -> str:
    """audit.html: 收支情况 → 审计发现 → 审计评价 → 审计建议 (with `limit`, the PDF: the worst, the rest counted)."""
    findings = sorted(result.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.unit_code, f.rule))
    # The pages carry the data's date, not today's: a page is the same tomorrow, so its cached PDF stays valid.
    filled = [u.profile.get("filled_on") for u in result.selection.current.values() if u.profile.get("filled_on")]
    units = []
    for code, unit in result.selection.current.items():
        mine = [f for f in findings if f.unit_code == code]
        figures = result.sections[code]
        units.append(
            {
                "code": code,
                "name": unit.unit_name,
                "fund": figures.fund,
                "findings": mine,
                "counts": Counter(f.severity for f in mine),
                "payouts": figures.assistance,
                "matched": figures.matched,
                "remittance": figures.remittance,
            }
        )
    words = env.globals["L"]
    top = [result.nodes[code].name for code, depth in walk(result.nodes) if depth == 0]
    committee = result.settings.options["audit"].get("committee") or words["committee_default"].format(
        union="、".join(top)
    )
    omitted: list[str] = []
    cut = Cutter(limit, words, omitted)
    names = [u["name"] for u in units]
    if limit is not None:  # the units with the most serious findings first
        units.sort(key=lambda u: (-(u["counts"]["高"] * 100 + u["counts"]["中"]), -len(u["findings"]), u["code"]))
    totals = [(f, t) for f in result.selection.current.values() for t in f.total_checks]
    if limit is not None:
        totals.sort(key=lambda pair: pair[1].matches)
    return env.get_template("audit.html.j2").render(
        committee=committee,
        title=env.globals["L"]["audit_title"].format(period=period_name(result.period, env.globals["L"])),
        period=result.period,
        data_date=max(filled) if filled else None,
        audited="、".join(names[:limit] if limit is not None else names)
        + ("等" if limit and len(names) > limit else ""),
        unit_count=len(units),
        units=cut(units, "cut_units"),
        findings=cut(findings, "cut_findings"),
        summary=_finding_summary(findings),
        rules=result.settings.audit_rules,
        row_values=_row_values(result),
        totals=cut(totals, "cut_totals"),
        omitted=omitted,
    )


def _row_values(result: RunResult) -> dict[tuple[str, str, int], str]:
    """The source row's values (with the contract's Chinese headers) for each finding."""
    sheets = result.settings.contract.sheets
    shown: dict[tuple[str, str, int], str] = {}
    for finding in result.findings:
        frames = result.frames.get(finding.unit_code)
        if frames is None or not finding.row:
            continue
        for key, rows in frames.frames.items():
            if key not in sheets:
                continue
            record = next((r for r in rows if r["_sheet"] == finding.sheet and r["_row"] == finding.row), None)
            if record is not None:
                fields = sheets[key].fields
                shown[(finding.unit_code, finding.sheet, finding.row)] = "；".join(
                    f"{fields[k].headers[0]}：{_show(v)}" for k, v in record.items() if k in fields and v is not None
                )
                break
    return shown


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return f"{value[0]}年{value[1]}月"
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def localise(html: str, locale: str) -> str:
    """The value words Python formatting writes (无数据, 元) in the locale; everything else is already in it."""
    if locale == "en":
        return html.replace(">无数据<", ">no data<").replace(" 元<", " yuan<")
    if locale == "zh-Hant":  # and the charts in the traditional-character font, as the page is
        return html.replace(">无数据<", ">無數據<").replace(FONT, FONT_TC)
    return html
