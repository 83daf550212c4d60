"""Per-unit work done where a workbook is read: its rows derived, figures measured, sections and audit computed.

The process that read a workbook has it at hand and a core of its own: deriving,
measuring, computing the section figures and auditing there (0.45 ms a unit at
1,000 units, most of what followed the reading) leaves the main process little
to do serially, and on `--engine dask` it runs on the cluster. The rows, figures
and findings cost about 0.05 ms a unit to send back.

They stand only for the unit the run then selects unmerged and in the state they
were computed from (its file, profile and where each profile value sits): a
roster match or a period taken from a sibling changes that state, ledgers joined
into one unit are another unit, and the main process computes those itself.
Targets and judgement stay there: they need every unit's targets and the tree.
Saved in the ingest cache with the workbook, a unit's results serve the next run
too, while the settings and the date are the same (`run_key`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from pipeline.audit import Finding, audit_unit
from pipeline.indicators import Figure, Share, UnitFrames, derive_frames, key_fields, measure
from pipeline.ingest import UnitWorkbook
from pipeline.kinds import members as member_roster
from pipeline.sections import Sections, section_figures

if TYPE_CHECKING:
    from pipeline.config import Settings

# One unit's figures without the previous period's values, per indicator: (figure, share for the roll-ups).
Figures = list[tuple[Figure, Share | None]]


@dataclass(frozen=True)
class Ahead:
    """What a reader computed of one unit, with the state it computed it from."""

    key: str  # the settings and date it was computed for (`run_key`)
    state: tuple[Any, ...]
    frames: dict[str, list[dict[str, Any]]]  # `UnitFrames.frames`: the rows with their derived flags
    figures: Figures
    sections: Sections  # the section figures, without the judged rows (they need the targets)
    findings: list[Finding]

    def unit_frames(self, unit: UnitWorkbook, settings: Settings) -> UnitFrames:
        """The frames as `derive_frames` gives them, of the main process's own unit."""
        return UnitFrames(unit, self.frames, key_fields(settings))


def unit_state(unit: UnitWorkbook) -> tuple[Any, ...]:
    """What a unit's figures depend on beyond its tables and the settings (before its roster fills its profile)."""
    return unit.file, dict(unit.profile), dict(unit.profile_rows), dict(unit.profile_sheets), dict(unit.sheet_names)


def run_key(settings: Settings, today: date) -> str:
    """What a unit's results depend on besides its workbook and the code: settings and date.

    The settings a union may change (indicators, audit rules, options), and the date (the audit's overdue checks).
    """
    text = json.dumps([settings.indicators, settings.audit_rules, settings.options], sort_keys=True, default=str)
    return hashlib.sha256(f"{today.isoformat()}\0{text}".encode()).hexdigest()[:16]


def compute_ahead(unit: UnitWorkbook, settings: Settings, today: date, key: str) -> Ahead | None:
    """A freshly read unit's rows, figures, section figures and findings, computed on a copy of it.

    The copy's profile is filled from its roster as the main process fills the unit's own; the
    unit itself is left as read.
    """
    if unit.status != "ingested" or unit.period is None:
        return None
    state = unit_state(unit)
    copy = replace(
        unit,
        profile=dict(unit.profile),
        profile_rows=dict(unit.profile_rows),
        profile_sheets=dict(unit.profile_sheets),
        notes=list(unit.notes),
    )
    member_roster.fill_profile(copy)
    frames = derive_frames(copy, settings)
    figures = [measure(definition, frames) for definition in settings.indicators]
    by_code = {d["code"]: (d, figure) for d, (figure, _share) in zip(settings.indicators, figures, strict=True)}
    sections = section_figures(frames, by_code)
    return Ahead(key, state, frames.frames, figures, sections, audit_unit(frames, settings, today, sections))


@dataclass
class ReadAhead:
    """The readers' work for one run (of `today`): what they computed, by `id()` of the unit they sent.

    Saved with the workbook's cache entry, it is taken again by a later run with the same `key`.
    """

    today: date
    key: str
    found: dict[int, Ahead] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: Settings, today: date) -> ReadAhead:
        """The readers' work for a run with these settings on this day."""
        return cls(today, run_key(settings, today))

    def compute(self, unit: UnitWorkbook, settings: Settings) -> Ahead | None:
        """In a reader: what `compute_ahead` gives for this run."""
        return compute_ahead(unit, settings, self.today, self.key)

    def keep(self, unit: UnitWorkbook, ahead: Ahead | None) -> None:
        """In the main process: file what a reader sent with the unit."""
        if ahead is not None:
            self.found[id(unit)] = ahead

    def taken(self, current: dict[str, UnitWorkbook]) -> dict[str, Ahead]:
        """By unit code, what stands for the selected units: each the very unit read, in the state it was read."""
        return {
            code: found
            for code, unit in current.items()
            if (found := self.found.get(id(unit))) is not None
            and found.key == self.key
            and found.state == unit_state(unit)
        }
