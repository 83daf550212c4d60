"""feedback/: each sub-union's workbook back with its problems marked, a 整改通知 per unit, and index.csv.

The marked copy is the original opened with openpyxl (values, sheets, merges and
formats kept as far as openpyxl keeps them; the original is never touched), each
problem cell filled and given a comment, each rejected row filled across, and a
first sheet 问题清单 linking to every cell (openpyxl drops charts and images and may drop data
validations of the original: the clerk corrects the original file, the copy shows where). An .xls,
.ods, .csv or web-page original gets an .xlsx copy of the values read; an encrypted or damaged file
gets the list only.
"""

from __future__ import annotations

import csv
import gc
import hashlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.hyperlink import Hyperlink

from pipeline.cache import ContentCache
from pipeline.feedback import ROW_REJECTED, FileProblems, Problem
from pipeline.memory import release_memory
from pipeline.paths import Staging, safe_name
from pipeline.run import RunResult
from pipeline.workbook import read_workbook

INDEX_COLUMNS = ["unit_code", "unit_name", "file", "problems", "feedback_file", "notice", "fixed", "remaining"]
LIST_SHEET = "问题清单"
LIST_COLUMNS = ("序号", "工作表", "位置", "问题", "原值", "怎么改", "状态")
CELL_FILL = PatternFill("solid", fgColor="FFFF8A80")  # the cell to correct
ROW_FILL = PatternFill("solid", fgColor="FFFFD7D2")  # a row left out as a whole
AUTHOR = "上级工会"
COPIED = (".xlsx", ".xlsm")  # openpyxl opens these as they are


@dataclass(frozen=True)
class FeedbackOptions:
    """What the 整改通知 says beyond the problems: by when, and whom to call."""

    deadline: date | None = None
    contact: str = ""


def feedback_stem(file: str) -> str:
    """`<the original file's stem>_问题标注`, flat in feedback/ (a sub-folder's name joins the stem)."""
    path = Path(file)
    parts = [*path.parent.parts, path.stem] if path.parent != Path(".") else [path.stem]
    return safe_name("_".join(parts)) + "_问题标注"


def copy_cache(folder: Path | None) -> ContentCache:
    """Marked copies by their original's content and its problems, salted with this writer's source."""
    return ContentCache(folder, hashlib.sha256(Path(__file__).read_bytes()).hexdigest(), ".xlsx")


def write_feedback(
    result: RunResult,
    staging: Staging,
    env: jinja2.Environment,
    options: FeedbackOptions,
    page: Callable[[str, str], None],
    cache: ContentCache | None = None,
    jobs: int = 1,
) -> int:
    """Marked copies and index.csv into feedback/, each 整改通知 handed to `page` (name, HTML); returns their number.

    A copy whose original and problems are as in the last run comes from `cache`; the others are
    written by `jobs` processes.
    """
    cache = cache or copy_cache(None)
    hashes = {f.file: f.sha256 for f in result.files}
    collected = [e for e in result.feedback if e.problems or e.fixed]
    rows = []
    keys = set()
    todo: list[tuple[FileProblems, Path, str]] = []
    by_unit: dict[str, list[FileProblems]] = {}
    for entry in collected:
        name = ""
        if entry.problems:
            name = f"feedback/{feedback_stem(entry.file)}.xlsx"
            content = f"{hashes.get(entry.file, '')}\n{entry!r}"
            keys.add(cache.key(content))
            if not cache.fetch(content, staging.path(name)):
                todo.append((entry, staging.path(name), content))
        by_unit.setdefault(entry.unit_code or entry.file, []).append(entry)
        rows.append((entry, name))
    write_marked_copies(result.inputs, [(entry, target) for entry, target, _content in todo], jobs)
    for _entry, target, content in todo:
        cache.store(content, target)
    result.rendered["copies"] = result.rendered.get("copies", 0) + len(todo)
    notices = {}
    for key, entries in by_unit.items():
        name = f"feedback/{safe_name(key if entries[0].unit_code else Path(key).stem)}_整改通知"
        page(name, render_notice(result, entries, env, options))
        notices[key] = f"{name}.pdf"
    cache.prune(keys)
    with staging.path("feedback/index.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(INDEX_COLUMNS)
        for entry, name in rows:
            writer.writerow(
                [
                    entry.unit_code,
                    entry.unit_name,
                    entry.file,
                    len(entry.problems),
                    name.removeprefix("feedback/"),
                    notices[entry.unit_code or entry.file].removeprefix("feedback/"),
                    len(entry.fixed),
                    len(entry.remaining),
                ]
            )
    return len(notices)


COPIES_BATCH = 8  # copies a pool worker writes before it collects their openpyxl trees
POOLED_FROM = 9  # fewer copies are written here sooner than workers start


def write_marked_copies(inputs: Path | None, copies: list[tuple[FileProblems, Path]], jobs: int = 1) -> None:
    """Each (entry, target) copy; in `jobs` forked processes when there are enough to share.

    Opening and saving a workbook with openpyxl is the cost (18 s of 51 for 1,000 units' feedback
    written here alone); the workers inherit the run's results and freeze them, as the .docx writers do.
    """
    batches = [copies[i : i + COPIES_BATCH] for i in range(0, len(copies), COPIES_BATCH)]
    if jobs <= 1 or len(copies) < POOLED_FROM:
        for batch in batches:
            _write_copies(inputs, batch)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.freeze) as pool:
        for future in [pool.submit(_write_copies, inputs, batch) for batch in batches]:
            future.result()


def _write_copies(inputs: Path | None, batch: list[tuple[FileProblems, Path]]) -> None:
    for entry, target in batch:
        write_marked_copy(inputs, entry, target)
    release_memory()  # openpyxl's trees of thousands of copies


def write_marked_copy(inputs: Path | None, entry: FileProblems, target: Path) -> None:
    """The original with each problem marked and 问题清单 first; the list alone when the file cannot be copied."""
    source = (inputs / entry.file) if inputs is not None else None
    book, copied = _open_copy(source)
    marked = {p: _mark(book, p) if copied else False for p in entry.problems}
    _problem_list(book, entry, marked, copied)
    if not copied:
        for other in book.worksheets[1:]:
            book.remove(other)  # openpyxl's empty default sheet
    book.save(target)


def _open_copy(source: Path | None) -> tuple[Workbook, bool]:
    if source is None or not source.is_file():
        return Workbook(), False
    try:
        if source.suffix.lower() in COPIED:
            return load_workbook(source), True
        return _values_copy(source), True
    except Exception:  # encrypted, damaged, or a format openpyxl refuses: the list alone
        return Workbook(), False


def _values_copy(source: Path) -> Workbook:
    """An .xlsx of the values the pipeline read from an .xls, .ods, .csv or web-page file."""
    raw = read_workbook(source)
    book = Workbook()
    book.remove(book.active)
    for sheet in raw.sheets:
        ws = book.create_sheet(sheet.name[:31])
        for row in sheet.rows:
            ws.append([v if isinstance(v, (str, int, float, date)) or v is None else str(v) for v in row])
    return book


def _mark(book: Workbook, problem: Problem) -> bool:
    """Fill the cell (or the row) and add the reason and what to do as a comment; False when it is not there.

    A problem of the whole sheet (a column the audit needs is missing) is noted on its A1.
    """
    if problem.sheet not in book.sheetnames:
        return False
    ws = book[problem.sheet]
    note = f"{problem.what}：{problem.reason}\n怎么改：{problem.advice}"
    if problem.what == ROW_REJECTED and problem.row:  # the row was left out: the whole row shows it
        for col in range(1, max(ws.max_column, 1) + 1):
            ws.cell(problem.row, col).fill = ROW_FILL
    if problem.row and problem.column:
        cell = ws[f"{problem.column}{problem.row}"]
    else:
        cell = ws.cell(problem.row or 1, 1)
    if problem.row and problem.column:
        cell.fill = CELL_FILL
    earlier = cell.comment.text + "\n\n" if cell.comment is not None else ""
    cell.comment = Comment(earlier + note, AUTHOR, width=320, height=160)
    return True


def _problem_list(book: Workbook, entry: FileProblems, marked: dict[Problem, bool], copied: bool) -> None:
    ws = book.create_sheet(LIST_SHEET, 0)
    book.active = 0
    for other in book.worksheets[1:]:
        other.sheet_view.tabSelected = False
    title = f"{entry.unit_name or entry.file}：报送的「{entry.file}」有 {len(entry.problems)} 处需要改正"
    if not copied:
        title += "（文件无法打开，只列出问题）"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(LIST_COLUMNS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    status = {p.key: "未整改（上次已指出）" for p in entry.remaining}
    for number, problem in enumerate(entry.problems, 1):
        ws.append(
            [number, problem.sheet, problem.cell, f"{problem.what}：{problem.reason}", problem.raw, problem.advice]
            + [status.get(problem.key, "")]
        )
        if marked.get(problem):
            link = ws.cell(ws.max_row, 3)
            target = f"{problem.column or 'A'}{problem.row}" if problem.row else "A1"
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{problem.sheet}'!{target}")
            link.font = Font(color="FF1565C0", underline="single")
    for problem in entry.fixed:
        ws.append(["", problem.sheet, problem.cell, f"{problem.what}：{problem.reason}", problem.raw, "", "已整改"])
    for letter, width in zip("ABCDEFG", (6, 14, 10, 48, 14, 48, 16), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"  # printed for the clerk: one page wide, A4
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def render_notice(
    result: RunResult, entries: list[FileProblems], env: jinja2.Environment, options: FeedbackOptions
) -> str:
    """One unit's 整改通知: what to correct in which file and cell, by when, whom to ask; what was fixed."""
    first = entries[0]
    node = result.nodes.get(first.unit_code)
    parent = result.nodes.get(node.parent) if node is not None and node.parent else None
    sender = parent.name if parent is not None else "上级工会"
    contact = options.contact or _contact(result, parent.code if parent is not None else "")
    return env.get_template("notice.html.j2").render(
        title=f"关于{first.unit_name or first.file}报送台账问题的整改通知",
        unit_name=first.unit_name or first.file,
        sender=sender,
        period=result.period.label if result.period else "",
        entries=entries,
        deadline=options.deadline,
        contact=contact,
        copies=[f"{feedback_stem(e.file)}.xlsx" for e in entries if e.problems],
    )


def _contact(result: RunResult, code: str) -> str:
    """The higher union's 填报人 and 联系电话 from its own workbook, when it sent one."""
    unit = result.selection.current.get(code)
    if unit is None:
        return ""
    return "　".join(str(v) for v in (unit.profile.get("filled_by"), unit.profile.get("phone")) if v)
