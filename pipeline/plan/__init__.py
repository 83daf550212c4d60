"""Reading a union's 工作计划: document → text → articles → targets and calendar.

`read_plan(path)` gives a PlanDocument; `pipeline.plan.output` writes plan_targets.csv,
plan_calendar.csv and the reviewable 年度目标.xlsx; `pipeline.run` applies the used
targets to the unit the plan belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.plan.document import Article, articles, clean, read_text, title_of
from pipeline.plan.extract import CalendarItem, PlanTarget, read_article, simplified

__all__ = ["PlanArticle", "PlanDocument", "read_plan", "unit_name_of"]

_TITLE_UNIT = re.compile(
    r"^(?P<name>[^\d\s年]{2,40}?(?:工会|工會|委员会|委員會))(?:\d{4}|二[〇零]|20[xX]{2}|年度|[^\s]{0,6}?工作)"
)


@dataclass
class PlanArticle:
    """One plan of a document with what was read from it."""

    heading: str
    targets: list[PlanTarget] = field(default_factory=list)
    calendar: list[CalendarItem] = field(default_factory=list)


@dataclass
class PlanDocument:
    """A plan document: its file, title, year and articles."""

    file: str
    title: str
    year: int | None
    articles: list[PlanArticle]

    @property
    def targets(self) -> list[tuple[str, PlanTarget]]:
        """(article heading, target) in document order."""
        return [(a.heading, t) for a in self.articles for t in a.targets]

    @property
    def calendar(self) -> list[tuple[str, CalendarItem]]:
        """(article heading, calendar item) in document order."""
        return [(a.heading, c) for a in self.articles for c in a.calendar]


def read_plan(path: Path, year: int | None = None) -> PlanDocument:
    """Read one plan document (DocumentError when it cannot be read)."""
    text = clean(read_text(path))
    parts: list[Article] = articles(text, path.stem)
    title = title_of(text) or (parts[0].heading if parts else path.stem)
    found_year = year or _year(simplified(title + " " + path.stem))
    read = []
    for part in parts:
        reading = read_article(part.text, found_year)
        read.append(PlanArticle(part.heading, reading.targets, reading.calendar))
    return PlanDocument(path.name, title, found_year, read)


def _year(text: str) -> int | None:
    match = re.search(r"(20\d{2})\s*年", text) or re.search(r"(20\d{2})", text)
    return int(match.group(1)) if match else None


def unit_name_of(*texts: str) -> str | None:
    """The union a plan's title, heading or file name names (某某工会2024年工作计划), if any."""
    for text in texts:
        bare = re.sub(r"^(?:第\s*\S{1,3}\s*篇|篇\s*\S{1,3}|[範范]文\S{1,3})[\s:：]*", "", text.strip())
        match = _TITLE_UNIT.match(simplified(re.sub(r"^\d{4}年?", "", bare)))
        if match and not re.fullmatch(r"(?:单位|年度|高校|学校|机关|企业|社区)?工会", match["name"]):
            return match["name"]
    return None
