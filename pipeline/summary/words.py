"""config/summary.yaml as typed data, loaded once: the draft's structure and phrases, the checker's words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pipeline.config import package_yaml


@dataclass(frozen=True)
class Part:
    """One part of 一、主要工作及成效: its heading, the indicators it reports, what to do where they fall short."""

    heading: str
    indicators: tuple[str, ...]
    next_step: str


@dataclass(frozen=True)
class Phrase:
    """How the draft words one indicator's figure: the sentence, and the measure words of its figures."""

    text: str
    measure: str = ""  # after a count or people figure (4场, 886人次)
    parts: str = ""  # after a rate's numerator and denominator (193家 of 200家)


@dataclass(frozen=True)
class Missing:
    """A measure word whose figure was deleted when it stands right after one of `after` (none: after anything)."""

    word: str
    after: tuple[str, ...]
    not_after: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once
class SummaryWords:
    """Everything config/summary.yaml says (see that file for what each list means)."""

    parts: tuple[Part, ...]
    other_heading: str
    phrases: dict[str, Phrase]
    total_words: tuple[str, ...]
    total_verbs: tuple[str, ...]
    part_words: tuple[str, ...]
    share_cues: tuple[str, ...]
    growth_words: tuple[str, ...]
    falling_words: tuple[str, ...]
    base_words: tuple[str, ...]
    not_actual_words: tuple[str, ...]
    list_measure_after_colon: tuple[str, ...]
    list_measure_before: tuple[str, ...]
    list_joiners: tuple[str, ...]
    list_openers: tuple[str, ...]
    enumerators: tuple[str, ...]
    missing: tuple[Missing, ...]


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


@cache
def summary_words() -> SummaryWords:
    """config/summary.yaml, read once."""
    raw = package_yaml("summary.yaml")
    check: dict[str, Any] = raw["check"]
    missing = []
    for word, rule in check["missing"].items():
        rule = rule or {}
        missing.append(Missing(word, tuple(rule.get("after") or ()), tuple(rule.get("not_after") or ())))
    return SummaryWords(
        parts=tuple(Part(p["heading"], tuple(p["indicators"]), p["next_step"]) for p in raw["sections"]),
        other_heading=raw["other_heading"],
        phrases={code: Phrase(**spec) for code, spec in raw["phrases"].items()},
        total_words=_longest_first(check["total_words"]),
        total_verbs=_longest_first(check["total_verbs"]),
        part_words=tuple(check["part_words"]),
        share_cues=_longest_first(check["share_cues"]),
        growth_words=tuple(check["growth_words"]),
        falling_words=tuple(check["falling_words"]),
        base_words=tuple(check["base_words"]),
        not_actual_words=tuple(check["not_actual_words"]),
        list_measure_after_colon=_longest_first(check["list_measure_after_colon"]),
        list_measure_before=_longest_first(check["list_measure_before"]),
        list_joiners=_longest_first(check["list_joiners"]),
        list_openers=_longest_first(check["list_openers"]),
        enumerators=tuple(check["enumerators"]),
        missing=tuple(sorted(missing, key=lambda m: -len(m.word))),
    )
