"""The plan reader's word lists (config/plan.yaml) as typed data, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.config import package_yaml


@dataclass(frozen=True)
class IndicatorRule:
    """A catalogue indicator a target is, when its unit matches and its clause holds the words."""

    code: str
    unit: str
    all: tuple[tuple[str, ...], ...]
    none: tuple[str, ...]

    def matches(self, unit: str, context: str) -> bool:
        """True when the target's unit is the indicator's and every word group is in the clause."""
        if unit != self.unit:
            return False
        if any(word in context for word in self.none):
            return False
        return all(any(word in context for word in group) for group in self.all)


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once
class PlanWords:
    """Every word the plan reader decides by (see config/plan.yaml for what each list means)."""

    after: tuple[tuple[str, str], ...]  # (word, unit or "" for not-a-target), longest first
    not_before: tuple[str, ...]
    numeral_words: tuple[str, ...]
    abstract_nouns: tuple[str, ...]
    actual_markers: tuple[str, ...]
    comparators: dict[str, tuple[str, ...]]
    periods: tuple[tuple[str, str, int], ...]  # (word, period, times a year), longest first
    period_hints: dict[str, str]
    scopes: tuple[tuple[str, str], ...]  # (word, unit type)
    indicators: tuple[IndicatorRule, ...]
    lead_words: tuple[str, ...]
    categories: tuple[tuple[str, tuple[str, ...]], ...]

    def category(self, text: str) -> str:
        """The 活动台账 category a calendar item belongs to, by its words (其他 when none)."""
        for name, words in self.categories:
            if any(word in text for word in words):
                return name
        return "其他"


@cache
def plan_words() -> PlanWords:
    """config/plan.yaml, read once."""
    raw = package_yaml("plan.yaml")
    after = [(w, unit) for unit, words in raw["measure_words"].items() for w in words]
    after += [(w, "") for w in raw["not_targets_after"]]
    periods = [(w, name, int(p["per_year"])) for name, p in raw["periods"].items() for w in p["words"]]
    rules = tuple(
        IndicatorRule(
            r["code"],
            r["unit"],
            tuple(tuple(g) for g in (r.get("all") or []) + (r.get("any_of") or [])),
            tuple(r.get("none") or []),
        )
        for r in raw["indicators"]
    )
    return PlanWords(
        after=tuple(sorted(after, key=lambda p: -len(p[0]))),
        not_before=tuple(raw["not_targets_before"]),
        numeral_words=tuple(raw["numeral_words"]),
        abstract_nouns=tuple(raw["abstract_nouns"]),
        actual_markers=tuple(raw["actual_markers"]),
        comparators={k: tuple(v) for k, v in raw["comparators"].items()},
        periods=tuple(sorted(periods, key=lambda p: -len(p[0]))),
        period_hints=dict(raw["period_hints"]),
        scopes=tuple((w, kind) for kind, words in raw["scopes"].items() for w in words),
        indicators=rules,
        lead_words=tuple(sorted(raw["subject_lead_words"], key=len, reverse=True)),
        categories=tuple((k, tuple(v)) for k, v in raw["categories"].items()),
    )
