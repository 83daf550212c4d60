"""Every figure the pages show is the run's one figure: the HTML against indicators.csv, also when redefined."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.render.publish import publish
from pipeline.run import discover, run_report

FIGURE = re.compile(r'data-indicator="(\w+)"(?: data-unit="([^"]*)")?>([^<]*)<')
# Only 会费 and 拨缴经费 count as 经费收入 for this union: the pages must follow the definition.
REDEFINED = """
indicators:
  - code: fund_income
    value: {sheet: ledger, agg: sum, column: amount, where: [in_period, income, {account: [会费收入, 拨缴经费收入]}]}
"""


def shown(text: str, unit: str) -> Decimal | None:
    """A figure as the page shows it (1,234.50 元, 95.00%, 12), as a number in indicators.csv's terms."""
    cleaned = text.replace(",", "").replace("元", "").replace("%", "").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    value = Decimal(cleaned)
    return value / 100 if unit == "rate" else value


def csv_figures(out: Path) -> dict[tuple[str, str], tuple[Decimal | None, str]]:
    with (out / "indicators.csv").open(encoding="utf-8-sig") as handle:
        return {
            (r["unit_code"], r["indicator"]): (Decimal(r["value"]) if r["value"] else None, r["unit"])
            for r in csv.DictReader(handle)
            if r["level"] == "unit"
        }


def page_figures(out: Path) -> list[tuple[str, str, str]]:
    """(unit, indicator, text) for every marked figure of every unit page and the audit page."""
    found = []
    for page in sorted((out / "units").glob("*.html")):
        found += [(page.stem, code, text) for code, _unit, text in FIGURE.findall(page.read_text(encoding="utf-8"))]
    audit = (out / "audit.html").read_text(encoding="utf-8")
    found += [(unit, code, text) for code, unit, text in FIGURE.findall(audit) if unit]
    return found


@pytest.fixture(scope="module", params=["shipped", "redefined"])
def published(request, demo_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    config = None
    if request.param == "redefined":
        config = out / "fund.yaml"
        config.write_text(REDEFINED, encoding="utf-8")
    result = run_report(discover(demo_dir), load_settings(config), demo_dir)
    publish(result, out, pdf=False)
    return result, out


def test_every_marked_figure_on_the_pages_is_the_figure_in_indicators_csv(published):
    result, out = published
    truth = csv_figures(out)
    figures = page_figures(out)
    assert len(figures) > 150
    sections = {c for _, c, _ in figures} & {"fund_income", "fund_expense", "fund_balance", "assistance_total"}
    assert sections == {"fund_income", "fund_expense", "fund_balance", "assistance_total"}
    for unit, code, text in figures:
        value, kind = truth[(unit, code)]
        if value is None:
            assert shown(text, kind) is None, (unit, code, text)
            continue
        places = Decimal("0.01") if kind in ("money", "rate", "number") else Decimal(1)
        expected = value.quantize(places / (100 if kind == "rate" else 1))
        assert shown(text, kind) == expected, (unit, code, text, value)


def test_breakdowns_add_up_to_the_indicator_they_split(published):
    result, _ = published
    for code, sections in result.sections.items():
        if sections.fund:
            by_direction = {"收入": Decimal(0), "支出": Decimal(0)}
            for (direction, _account), amount in sections.fund["by_account"]:
                by_direction[direction] += amount
            income = next(r for r in result.unit_rows(code) if r.code == "fund_income").figure.value
            assert by_direction["收入"] == income == sections.fund["income"]
        if sections.assistance:
            total = sum((amount for _, amount, _ in sections.assistance["by_category"]), Decimal(0))
            assert total == sections.assistance["total"]


def test_the_redefinition_changes_the_page_not_just_the_csv(published, demo_dir):
    result, out = published
    shipped = run_report(discover(demo_dir), load_settings(), demo_dir)
    differs = [
        code
        for code, s in result.sections.items()
        if s.fund and s.fund["income"] != shipped.sections[code].fund["income"]
    ]
    redefined = any(d["code"] == "fund_income" and len(d["value"]["where"]) == 3 for d in result.settings.indicators)
    assert bool(differs) == redefined
