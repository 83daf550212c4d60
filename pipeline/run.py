"""The whole run: inputs → ingest → indicators → consolidate → audit → outputs.

`run_report` chains the stages; each stage module stays free of the others'
I/O. `RunResult` carries everything the writers and renderers need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline import identity
from pipeline.ahead import Ahead, Figures, ReadAhead
from pipeline.audit import audit_unit
from pipeline.budget import Limits, Workers
from pipeline.cache import IngestCache, ParquetStore
from pipeline.config import Settings
from pipeline.consolidate import (
    Node,
    Selection,
    Submission,
    build_tree,
    descendants,
    select_workbooks,
    shared_enterprises,
    submissions,
    walk,
)
from pipeline.engine import read_on_dask
from pipeline.errors import ConfigError, ValueParseError
from pipeline.feedback import FileProblems, collect, earlier_problems, note_corrections
from pipeline.indicators import (
    Figure,
    Share,
    UnitFrames,
    check_definitions,
    derive_frames,
    key_fields,
    measure,
)
from pipeline.ingest import UnitWorkbook, file_sha256, ingest_file, records
from pipeline.kinds import members as member_roster
from pipeline.kinds import roster as org_roster
from pipeline.memory import collections_spaced, results_arriving
from pipeline.periods import Period
from pipeline.plan import PlanDocument, read_plan
from pipeline.plan.apply import UnitPlan, apply_plan, article_owner, check_calendar, owner, scoped_children
from pipeline.plan.document import PLAN_SUFFIXES, DocumentError
from pipeline.progress import bar
from pipeline.sections import Sections, unit_sections
from pipeline.targets import CUMULATIVE_UNITS, JUDGED, Target, judge, parse_target
from pipeline.values import key_text

IGNORED_NAMES = {"readme.md", "readme.txt", ".gitkeep", "说明.txt"}


@dataclass
class IndicatorRow:
    """One line of indicators.csv."""

    unit_code: str
    unit_name: str
    level: str  # unit | rollup
    period: Period
    definition: dict[str, Any]
    figure: Figure
    target: Target | None
    status: str
    previous: Decimal | None = None
    units_met: int | None = None  # a roll-up: how many of its units with data met their own target…
    units_judged: int | None = None  # …of those that have one

    @property
    def code(self) -> str:
        """The indicator's catalogue code."""
        return self.definition["code"]

    @property
    def unit(self) -> str:
        """The indicator's unit of measure (rate, count, money…)."""
        return self.definition["unit"]


@dataclass
class RunResult:
    """Everything one run found and computed."""

    settings: Settings
    files: list[UnitWorkbook]
    selection: Selection
    nodes: dict[str, Node]
    frames: dict[str, UnitFrames]
    indicators: list[IndicatorRow]
    submissions: list[Submission]
    shared: dict[str, list[str]]
    findings: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: dict[str, Sections] = field(default_factory=dict)  # per unit: the reports' section figures
    plans: dict[str, UnitPlan] = field(default_factory=dict)  # per unit: the plan document read for it
    inputs: Path | None = None  # the folder the files were read from (feedback copies their originals)
    feedback: list[FileProblems] = field(default_factory=list)  # per received file: what its unit must correct
    rendered: dict[str, int] = field(default_factory=dict)  # what publishing had to make anew (the rest: caches)
    recomputed: int = 0  # units whose rows, figures, sections and findings this run computed (the rest: the cache)
    _by_node: dict[tuple[str, str], list[IndicatorRow]] = field(default_factory=dict, repr=False)
    _by_unit: dict[str, tuple[list[Any], list[UnitWorkbook], list[Submission]]] = field(
        default_factory=dict, repr=False
    )

    @property
    def period(self) -> Period | None:
        """The period the run reports on."""
        return self.selection.period

    def _rows(self, level: str, code: str) -> list[IndicatorRow]:
        # Indexed once: the reports ask for thousands of nodes' rows.
        if not self._by_node:
            for row in self.indicators:
                self._by_node.setdefault((row.level, row.unit_code), []).append(row)
        return self._by_node.get((level, code), [])

    def _of(self, code: str) -> tuple[list[Any], list[UnitWorkbook], list[Submission]]:
        # Indexed once: a report or summary per unit that scanned every finding would cost units² at a federation.
        if not self._by_unit:
            for finding in self.findings:
                self._by_unit.setdefault(finding.unit_code, ([], [], []))[0].append(finding)
            for file in self.files:
                self._by_unit.setdefault(file.unit_code or "", ([], [], []))[1].append(file)
            for submission in self.submissions:
                self._by_unit.setdefault(submission.code, ([], [], []))[2].append(submission)
        return self._by_unit.get(code, ([], [], []))

    def findings_of(self, code: str) -> list[Any]:
        """A unit's audit findings."""
        return self._of(code)[0]

    def files_of(self, code: str) -> list[UnitWorkbook]:
        """The files read for a unit."""
        return self._of(code)[1]

    def submission_of(self, code: str) -> Submission | None:
        """What arrived from an expected unit (None: it was not expected)."""
        found = self._of(code)[2]
        return found[0] if found else None

    def unit_rows(self, code: str) -> list[IndicatorRow]:
        """A unit's own indicator rows."""
        return self._rows("unit", code)

    def rollup_rows(self, code: str) -> list[IndicatorRow]:
        """A node's consolidated indicator rows."""
        return self._rows("rollup", code)


def discover(inputs: Path) -> list[Path]:
    """Every file under the inputs folder, in a stable order (READMEs left out)."""
    return sorted(p for p in inputs.rglob("*") if p.is_file() and p.name.lower() not in IGNORED_NAMES)


@dataclass(frozen=True)
class Engine:
    """Where files are read: `local` worker processes (`jobs`), or `dask` (at `scheduler`, or a LocalCluster)."""

    name: str = "local"
    jobs: int = 1
    scheduler: str | None = None


def ingest_all(
    paths: list[Path],
    settings: Settings,
    root: Path,
    cache: IngestCache | None = None,
    engine: Engine | None = None,
    ahead: ReadAhead | None = None,
) -> list[UnitWorkbook]:
    """Ingest each file within its budget, from the cache when its content was read before; bad files are recorded.

    With `ahead`, the readers also compute each unit they read (pipeline.ahead).
    """
    files = read_files([(p, _display(p, root)) for p in paths], settings, cache, engine, ahead)
    if cache is not None:
        cache.prune({f.sha256 for f in files})  # entries of files gone, changed, or read by an earlier version
    return files


def read_files(
    named: list[tuple[Path, str]],
    settings: Settings,
    cache: IngestCache | ParquetStore | None = None,
    engine: Engine | None = None,
    ahead: ReadAhead | None = None,
) -> list[UnitWorkbook]:
    """(path, display name) → what was read; each new file in a worker with a time and memory limit.

    With `ahead`, each reader (local or on Dask) also computes what it read (pipeline.ahead).
    """
    engine = engine or Engine()
    jobs_todo = [(p, name, file_sha256(p)) for p, name in named]
    with results_arriving():
        results, fresh = _read_all(jobs_todo, settings, cache, engine, ahead)
    missing = [i for i, found in enumerate(results) if found is None]
    if cache is not None and fresh:
        cache.refresh()  # what the readers saved
    for index, unit in zip(missing, fresh, strict=True):
        results[index] = unit
        if cache is not None and unit.status != "ignored" and not cache.holds(unit.sha256):
            computed = ahead.found.get(id(unit)) if ahead is not None else None
            cache.save(unit, computed)  # what a worker could not save: a file over its time, a worker that died, dask
    return [r for r in results if r is not None]


def _read_all(
    jobs_todo: list[tuple[Path, str, str]],
    settings: Settings,
    cache: IngestCache | ParquetStore | None,
    engine: Engine,
    ahead: ReadAhead | None,
) -> tuple[list[UnitWorkbook | None], list[UnitWorkbook]]:
    """What the cache holds (None where it has nothing), and what was read fresh for those."""
    results: list[UnitWorkbook | None] = []
    for _, name, sha in jobs_todo:
        entry = cache.load_entry(sha, name) if cache else None
        results.append(entry[0] if entry is not None else None)
        if entry is not None and ahead is not None:
            ahead.keep(*entry)  # a later run's: taken while the settings, the date and the unit's state hold
    missing = [i for i, found in enumerate(results) if found is None]
    fresh: list[UnitWorkbook] = []
    if missing:
        todo = [jobs_todo[i] for i in missing]
        with bar(len(missing), "读取工作簿") as progress:
            if engine.name == "dask":
                fresh = read_on_dask(todo, settings, engine.scheduler, progress.update, ahead)
            else:
                fresh = _read_locally(todo, settings, cache, engine.jobs, progress.update, ahead)
    return results, fresh


def _read_locally(
    todo: list[tuple[Path, str, str]],
    settings: Settings,
    cache: IngestCache | ParquetStore | None,
    jobs: int,
    done: Any,
    ahead: ReadAhead | None,
) -> list[UnitWorkbook]:
    """Each file read (and saved, and with `ahead` computed) by one of `jobs` worker processes."""
    contract, limits = settings.contract, Limits.of(settings.options)

    def work(job: tuple[Path, str, str]) -> tuple[UnitWorkbook, Ahead | None]:
        path, name, sha = job
        unit = ingest_file(path, contract, name, sha, limits)
        computed = ahead.compute(unit, settings) if ahead is not None else None
        if cache is not None and unit.status != "ignored":
            cache.save(unit, computed)  # here, in the reader: the main process only receives
        return unit, computed

    def failed(job: tuple[Path, str, str], reason: str) -> tuple[UnitWorkbook, None]:
        return UnitWorkbook(file=job[1], sha256=job[2], status="rejected", reason=reason), None

    fresh = []
    for unit, computed in Workers(work, limits, jobs).run(todo, failed, done):
        fresh.append(unit)
        if ahead is not None:
            ahead.keep(unit, computed)
    return fresh


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return path.name


def standalone_rows(files: list[UnitWorkbook], role: str) -> list[dict[str, Any]]:
    """Rows of every roster (or targets) workbook among the inputs."""
    rows: list[dict[str, Any]] = []
    for unit in files:
        if unit.role == role and role in unit.tables:
            rows.extend(records(unit.tables[role]))
    return rows


def indicator_lookup(settings: Settings) -> dict[str, str]:
    """Indicator code, Chinese name, or name without its bracketed scope → code."""
    lookup: dict[str, str] = {}
    for definition in settings.indicators:
        name = key_text(definition.get("name", ""))
        for key in (definition["code"].lower(), name, name.split("(")[0]):
            lookup.setdefault(key, definition["code"])
    return lookup


def parse_targets(rows: list[dict[str, Any]], settings: Settings, source: str, notes: list[str]) -> dict[str, Target]:
    """Rows of (indicator, target, comparator) → targets by indicator code."""
    lookup = indicator_lookup(settings)
    units = {d["code"]: d["unit"] for d in settings.indicators}
    found: dict[str, Target] = {}
    for row in rows:
        text = str(row.get("indicator") or "")
        code = lookup.get(key_text(text).lower()) or lookup.get(key_text(text))
        if code is None:
            notes.append(f"{source}：未知指标「{text}」，目标未采用")
            continue
        try:
            found[code] = parse_target(row.get("target"), units[code], row.get("comparator"), source)
        except ValueParseError as exc:
            notes.append(f"{source}：指标「{text}」的目标值无法识别（{exc}），改用默认目标")
    return found


@dataclass
class TargetBook:
    """Targets from every source, most specific first; defaults parsed once, not per unit."""

    by_unit: dict[str, dict[str, Target]]
    configured: dict[str, Target]
    defaults: dict[tuple[str, str | None], Target | None]  # (indicator, unit type or None for any)

    def assigned(self, indicator: str, code: str) -> Target | None:
        """A target named for this very unit or node (its own 年度目标, or the targets workbook), if any."""
        return self.by_unit.get(code, {}).get(indicator)

    def resolve(self, definition: dict[str, Any], code: str, unit_type: str) -> Target | None:
        """The unit's own sheet, then the targets workbook, then config, then the default."""
        own = self.by_unit.get(code, {}).get(definition["code"])
        if own is not None:
            return own
        if definition["code"] in self.configured:
            return self.configured[definition["code"]]
        typed = (definition["code"], unit_type)
        return self.defaults[typed] if typed in self.defaults else self.defaults[(definition["code"], None)]


def default_targets(settings: Settings) -> dict[tuple[str, str | None], Target | None]:
    """Each indicator's default target, and the ones it sets per unit type (None: no target for that type)."""
    found: dict[tuple[str, str | None], Target | None] = {}
    for definition in settings.indicators:
        written = {None: definition.get("target"), **(definition.get("targets_by_unit_type") or {})}
        for unit_type, text in written.items():
            try:
                target = None if text is None else parse_target(text, definition["unit"], definition.get("comparator"))
            except ValueParseError as exc:
                raise ConfigError(f"指标「{definition['code']}」的默认目标「{text}」无法识别：{exc}") from exc
            found[(definition["code"], unit_type)] = target
    return found


def build_targets(
    settings: Settings,
    selection: Selection,
    book_rows: list[dict[str, Any]],
    notes: list[str],
    planned: dict[str, dict[str, Target]] | None = None,
) -> TargetBook:
    """Collect targets: a unit's 年度目标 sheet over its plan (`planned`), over the targets workbook."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in book_rows:
        grouped.setdefault(row["unit_code"], []).append(row)
    by_unit = {code: parse_targets(rows, settings, "目标任务表", notes) for code, rows in grouped.items()}
    for code, targets in (planned or {}).items():
        by_unit[code] = {**by_unit.get(code, {}), **targets}
    for code, unit in selection.current.items():
        if "targets" in unit.tables:
            own = parse_targets(records(unit.tables["targets"]), settings, "本单位年度目标", notes)
            by_unit[code] = {**by_unit.get(code, {}), **own}
    configured = {}
    for code, value in (settings.options.get("targets") or {}).items():
        definition = next((d for d in settings.indicators if d["code"] == code), None)
        if definition is not None:
            text, comparator = (
                (value.get("target"), value.get("comparator")) if isinstance(value, dict) else (value, None)
            )
            configured[code] = parse_target(text, definition["unit"], comparator, "配置文件")
    return TargetBook(by_unit, configured, default_targets(settings))


def compute_indicators(
    settings: Settings,
    selection: Selection,
    nodes: dict[str, Node],
    frames: dict[str, UnitFrames],
    previous: dict[str, UnitFrames],
    targets: TargetBook,
    ahead: dict[str, Figures] | None = None,
) -> list[IndicatorRow]:
    """Every indicator for every unit (level=unit) and every node with a subtree (rollup).

    Units first: a roll-up's count, people or money target is the sum of its
    units' own targets, and it says how many of them met theirs.
    """
    period = selection.period
    assert period is not None, "compute_indicators needs a period"
    order = walk(nodes)
    own: dict[str, dict[str, IndicatorRow]] = {}
    shares: dict[str, dict[str, Share]] = {}
    measured = measure_units(settings, frames, previous, ahead)
    for code, _depth in order:
        if code in frames:
            found, shares[code] = _rows_for(settings, measured[code], nodes[code], period, targets)
            own[code] = {row.code: row for row in found}
    totals = subtree_figures(nodes, order, shares, [d["code"] for d in settings.indicators])
    rows: list[IndicatorRow] = []
    for code, _depth in order:
        node = nodes[code]
        rows.extend(own.get(code, {}).values())
        if node.children:
            members = [own[c] for c in descendants(nodes, code) if c in own]
            rows.extend(_rollup_rows(settings, totals[code], members, node, period, targets))
    return rows


def subtree_figures(
    nodes: dict[str, Node], order: list[tuple[str, int]], shares: dict[str, dict[str, Share]], codes: list[str]
) -> dict[str, dict[str, Figure]]:
    """Each node's figures over its subtree, merged from its own workbook's share and its children's.

    Children before parents, each node merging what its children merged: the work and the memory follow
    the number of units, not their rows; a child's merged share is let go once its parent has it.
    """
    merged: dict[str, dict[str, Share]] = {}
    figures: dict[str, dict[str, Figure]] = {}
    for code, _depth in reversed(order):
        node = nodes[code]
        if not node.children:
            continue
        figures[code], merged[code] = {}, {}
        for indicator in codes:
            parts = [shares.get(code, {}).get(indicator)]
            parts += [(merged.get(c) or shares.get(c, {})).get(indicator) for c in node.children]
            total = Share.merged([p for p in parts if p is not None])
            figures[code][indicator] = total.figure() if total is not None else Figure(None)
            if total is not None:
                merged[code][indicator] = total
        for child in node.children:
            merged.pop(child, None)
    return figures


# One unit's figures: per indicator, (figure, share for the roll-ups, last period's value).
Measured = list[tuple[Figure, Share | None, Decimal | None]]


def measure_unit(
    settings: Settings, unit: UnitFrames, previous: UnitFrames | None, figures: Figures | None = None
) -> Measured:
    """Every indicator of one unit, with its share and the previous period's value.

    `figures`: the unit's own, already measured where it was read (`Ahead`).
    """
    figures = figures or [measure(definition, unit) for definition in settings.indicators]
    found = []
    for definition, (figure, share) in zip(settings.indicators, figures, strict=True):
        before = measure(definition, previous, lineage=False)[0].value if previous is not None else None
        found.append((figure, share, before))
    return found


def measure_units(
    settings: Settings,
    frames: dict[str, UnitFrames],
    previous: dict[str, UnitFrames],
    ahead: dict[str, Figures] | None = None,
) -> dict[str, Measured]:
    """Every unit's figures: those its reader measured (`ahead`, by unit code), the others in this process.

    Measured in a second round of forked workers they came out slower (1.1–1.4 s against 0.6–0.9 s for
    1,000 units): the frames went out and the figures came back. The reader that made the frames has them.
    """
    ahead = ahead or {}
    return {code: measure_unit(settings, frames[code], previous.get(code), ahead.get(code)) for code in frames}


def _rows_for(
    settings: Settings, measured: Measured, node: Node, period: Period, targets: TargetBook
) -> tuple[list[IndicatorRow], dict[str, Share]]:
    rows, shares = [], {}
    for definition, (figure, share, before) in zip(settings.indicators, measured, strict=True):
        if share is not None:
            shares[definition["code"]] = share
        target = targets.resolve(definition, node.code, node.unit_type)
        status = judge(figure.value, target, definition["unit"], period)
        rows.append(IndicatorRow(node.code, node.name, "unit", period, definition, figure, target, status, before))
    return rows, shares


def _rollup_rows(
    settings: Settings,
    figures: dict[str, Figure],
    members: list[dict[str, IndicatorRow]],
    node: Node,
    period: Period,
    targets: TargetBook,
) -> list[IndicatorRow]:
    """A node's figures over its subtree, each judged against a target of the same scope.

    A sum (count, people, money) is judged against the sum of its units' targets, or the node's own
    assigned target (targets workbook, its own 年度目标); a rate against the rate target.
    """
    rows = []
    for definition in settings.indicators:
        code = definition["code"]
        figure = figures[code]
        mine = [m[code] for m in members if code in m]
        target = targets.assigned(code, node.code)
        if target is None:
            cumulative = definition["unit"] in CUMULATIVE_UNITS
            target = summed_target(mine) if cumulative else targets.resolve(definition, node.code, node.unit_type)
        status = judge(figure.value, target, definition["unit"], period)
        judged = [m for m in mine if m.status in JUDGED]
        met = sum(1 for m in judged if m.status == "met")
        row = IndicatorRow(node.code, node.name, "rollup", period, definition, figure, target, status)
        row.units_met, row.units_judged = met, len(judged)
        rows.append(row)
    return rows


def summed_target(rows: list[IndicatorRow]) -> Target | None:
    """The sum of the targets of the units with data (a unit without a target adds nothing); None when mixed."""
    with_target = [r for r in rows if r.figure.value is not None and r.target is not None]
    comparators = {r.target.comparator for r in with_target if r.target is not None}
    if not with_target or len(comparators) != 1:
        return None
    total = sum((r.target.value for r in with_target if r.target is not None), Decimal(0))
    return Target(total, comparators.pop(), "下级单位目标之和", units=len(with_target))


@collections_spaced()
def run_report(
    paths: list[Path],
    settings: Settings,
    root: Path,
    roster_path: Path | None = None,
    targets_path: Path | None = None,
    cache: IngestCache | None = None,
    jobs: int = 1,
    period: Period | None = None,
    unit_option: str | None = None,
    plan_paths: list[Path] | None = None,
    engine: Engine | None = None,
) -> RunResult:
    """Ingest the files and compute every figure the reports show.

    `unit_option` (`--unit CODE`) is the unit of a one-unit run: files whose unit nothing else tells are its.
    """
    check_definitions(settings.indicators, set(settings.contract.sheets), settings)
    extra = [p for p in (roster_path, targets_path) if p is not None]
    documents = [p for p in paths if is_plan_document(p)] + list(plan_paths or [])
    engine = engine or Engine(jobs=jobs)
    today = date.today()
    ahead = ReadAhead.of(settings, today)
    files = ingest_all([p for p in paths if not is_plan_document(p)] + extra, settings, root, cache, engine, ahead)
    plan_files, read_plans = read_plan_documents(documents, root)
    files += plan_files
    units = [f for f in files if f.role == "unit"]
    roster = org_roster.complete_rows(standalone_rows(files, "roster"))
    identity.match_roster(units, roster, unit_option)
    identity.adopt_periods(units, period)
    selection = select_workbooks(units, period)
    taken = ahead.taken(selection.current)
    for unit in [*selection.current.values(), *selection.previous.values()]:
        member_roster.fill_profile(unit)
    notes: list[str] = []
    nodes = build_tree(roster, selection.current)
    frames = {
        code: UnitFrames(unit, taken[code].frames, key_fields(settings))
        if code in taken
        else derive_frames(unit, settings)
        for code, unit in selection.current.items()
    }
    measured = {code: found.figures for code, found in taken.items()}
    previous = {code: derive_frames(unit, settings) for code, unit in selection.previous.items()}
    plans = plans_for_units(read_plans, nodes, settings, unit_option, notes)
    targets = build_targets(
        settings, selection, standalone_rows(files, "targets_book"), notes, planned_targets(plans, nodes)
    )
    rows = (
        compute_indicators(settings, selection, nodes, frames, previous, targets, measured) if selection.period else []
    )
    deadline = settings.options["domain"].get("submission_deadline")
    subs = submissions(nodes, units, selection, date.fromisoformat(str(deadline)) if deadline else None)
    for unit in selection.other_period:
        notes.append(
            f"{unit.file}：报告期为{unit.period.label if unit.period else '未知'}，不是本次汇总的报告期，未计入"
        )
    by_unit: dict[str, list[IndicatorRow]] = {}
    for row in (r for r in rows if r.level == "unit"):
        by_unit.setdefault(row.unit_code, []).append(row)
    sections = {
        code: unit_sections(unit, by_unit.get(code, []), taken[code].sections if code in taken else None)
        for code, unit in frames.items()
    }
    if selection.period:
        for code, plan in plans.items():
            plan.checks = check_calendar(plan, frames.get(code), selection.period)
    findings = [
        f
        for code, unit in frames.items()
        for f in (taken[code].findings if code in taken else audit_unit(unit, settings, today, sections[code]))
    ]
    feedback = collect(files, findings, earlier_problems(selection, settings))
    note_corrections(subs, feedback)
    return RunResult(
        settings,
        files,
        selection,
        nodes,
        frames,
        rows,
        subs,
        shared_enterprises(frames),
        findings=findings,
        notes=notes,
        sections=sections,
        plans=plans,
        inputs=root,
        feedback=feedback,
        recomputed=sum(1 for code, unit in selection.current.items() if not _from_cache(unit, code in taken)),
    )


def _from_cache(unit: UnitWorkbook, taken: bool) -> bool:
    """True when a unit's computed results were those a cache entry held (read and computed by an earlier run)."""
    return taken and unit.engine.endswith(";cached")


def is_plan_document(path: Path) -> bool:
    """A 工作计划 among the inputs: a Word document or plain text (never a workbook)."""
    return path.suffix.lower() in PLAN_SUFFIXES and not path.name.startswith(("~$", ".~"))


def read_plan_documents(paths: list[Path], root: Path) -> tuple[list[UnitWorkbook], list[PlanDocument]]:
    """Each plan document read (listed in files.csv with role plan), or rejected with its reason."""
    listed, read = [], []
    for path in dict.fromkeys(paths):
        entry = UnitWorkbook(file=_display(path, root), sha256=file_sha256(path), role="plan")
        entry.engine = "python-docx" if path.suffix.lower() in (".docx", ".docm", ".dotx") else "text"
        try:
            read.append(read_plan(path))
        except DocumentError as exc:
            entry.status, entry.reason = "rejected", str(exc)
        listed.append(entry)
    return listed, read


def plans_for_units(
    documents: list[PlanDocument], nodes: dict[str, Node], settings: Settings, unit_option: str | None, notes: list[str]
) -> dict[str, UnitPlan]:
    """Each plan applied to the unit it belongs to; one that belongs to nobody is noted, not guessed."""
    plans: dict[str, UnitPlan] = {}
    for document in documents:
        whole = owner(document, nodes, unit_option)
        by_unit: dict[tuple[str, str], set[str]] = {}
        for article in document.articles:  # a 合集's articles may each name their own union
            found = article_owner(article.heading, nodes) or whole
            if found is None:
                notes.append(
                    f"{document.file}：看不出《{article.heading}》属于哪个单位，计划目标未采用（可用 --unit 指定）"
                )
                continue
            by_unit.setdefault(found, set()).add(article.heading)
        for (code, how), headings in by_unit.items():
            if code in plans:
                notes.append(
                    f"{document.file}：{nodes[code].name}已有工作计划《{plans[code].document.file}》，本计划未采用"
                )
                continue
            plans[code] = apply_plan(document, code, how, settings, notes, headings)
    return plans


def planned_targets(plans: dict[str, UnitPlan], nodes: dict[str, Node]) -> dict[str, dict[str, Target]]:
    """Targets by unit from the plans: a unit's own plan over its parent's per-scope targets."""
    found: dict[str, dict[str, Target]] = {}
    for plan in plans.values():
        for child, targets in scoped_children(plan, nodes).items():
            found[child] = {**targets, **found.get(child, {})}
    for code, plan in plans.items():
        found[code] = {**found.get(code, {}), **plan.targets}
    return found
