"""Finding a sheet's header and data rows (the second half of ingest).

Real 台账 have title rows, `填报单位：…` lines, two-row merged headers,
units in headers (`金额（万元）`) and 合计 rows. This module turns a `RawSheet`
into `SheetRows`: which column is which field, and every row after the header
classified as data, total or blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from typing import Any

from pipeline.config import Contract, SheetSpec
from pipeline.values import key_text, key_texts
from pipeline.workbook import RawSheet, column_letter

HEADER_SEARCH_ROWS = 15
# A unit after the header text: 金额（元）, 金额(单位:万元), 金额/元, 金额_万元
_UNIT_SUFFIX = re.compile(r"(?:[(\[【](?:单位[:：])?([^)\]】]*)[)\]】]|[/_]((?:万)?元|人|次|家))$")
# What a unit written in a header, a title block (单位：万元) or a statistics table's unit column multiplies by.
UNIT_MULTIPLIERS = {
    "万元": Decimal(10000),
    "万": Decimal(10000),
    "万人": Decimal(10000),
    "千元": Decimal(1000),
    "元": Decimal(1),
    "人": Decimal(1),
}


@dataclass(frozen=True)
class Column:
    """A mapped column: field name, 1-based index, header text and unit multiplier."""

    field: str
    index: int
    header: str
    multiplier: Decimal = Decimal(1)
    unit_given: bool = False  # the header names its own unit (金额（元）): a title-block 单位：万元 does not apply

    @property
    def letter(self) -> str:
        """Excel column letter."""
        return column_letter(self.index)


@dataclass
class Constant:
    """A title-block fact that gives one field to every row lacking it (帮扶项目：大病救助)."""

    field: str
    row: int
    col: int
    label: str
    raw: Any
    value: Any = None  # parsed by validation; None when it could not be read

    @property
    def column(self) -> Column:
        """The title cell, as a column reference for messages."""
        return Column(self.field, self.col, self.label)


@dataclass
class SheetRows:
    """The located table of one sheet."""

    header_rows: tuple[int, ...]
    columns: dict[str, Column]
    unmapped: list[str] = field(default_factory=list)
    unmapped_at: dict[str, tuple[int, int]] = field(default_factory=dict)  # each unmapped header's first (row, col)
    data: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # non-empty rows that are not data, and why
    constants: dict[str, Constant] = field(default_factory=dict)  # fields given once in the title block
    footer: list[int] = field(default_factory=list)  # sign-off lines (经办 / 审核 / 审批 …) among `blank`
    title_cells: dict[str, tuple[int, int]] = field(default_factory=dict)  # title texts above the header

    @property
    def first_row(self) -> int:
        """The first Excel row after the header."""
        return self.header_rows[-1] + 1


def header_key(value: Any) -> tuple[str, Decimal]:
    """Normalised header text and the multiplier its unit implies.

    >>> header_key("金额（万元）")
    ('金额', Decimal('10000'))
    """
    text, multiplier, _unit = header_parts(value)
    return text, multiplier


def header_parts(value: Any) -> tuple[str, Decimal, str]:
    """Normalised header text, the multiplier its unit implies, and the unit as written ('' for none)."""
    if value is None:
        return "", Decimal(1), ""
    return _header_parts(value if value.__class__ is str else str(value))


@lru_cache(maxsize=1 << 14)  # every data cell under a header is compared with it (a repeated header)
def _header_parts(value: str) -> tuple[str, Decimal, str]:
    text = key_text(value)
    text = text.rstrip(":：").strip("*＊※")  # key/value lists write 单位名称：; required marks either side
    match = _UNIT_SUFFIX.search(text)
    if match:
        unit = match.group(1) or match.group(2)
        return text[: match.start()], UNIT_MULTIPLIERS.get(unit, Decimal(1)), unit
    return text, Decimal(1), ""


def is_blank(value: Any) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _map_row(texts: list[tuple[str, Decimal]], lookup: dict[str, str]) -> dict[str, Column]:
    columns: dict[str, Column] = {}
    for index, (text, multiplier) in enumerate(texts, start=1):
        name = lookup.get(text)
        if name and name not in columns:
            columns[name] = Column(name, index, text, multiplier, unit_given=multiplier != 1)
    return columns


def is_banner(values: list[Any]) -> bool:
    """A notice or title merged over the header (`导入说明（必读）：…`): one text across most of the row."""
    texts = [v for v in values if not is_blank(v)]
    if not texts or not isinstance(texts[0], str):
        return False
    same = all(v == texts[0] for v in texts)
    return same and (len(texts) >= max(3, len(values) * 2 // 3) or len(key_text(texts[0])) > 30)


def _two_row_texts(sheet: RawSheet, top: int) -> list[tuple[str, Decimal]] | None:
    """Per-column header text of a two-row header at `top`, or None if it is not one.

    A two-row header needs a group cell merged across columns in the top row
    (`金额` over `收入 | 支出`); the sub-header names the column, or the
    group and sub-header together do.
    """
    width = len(sheet.rows[top - 1])
    if is_banner(sheet.rows[top - 1]):
        return None
    upper = [header_key(sheet.value(top, c)) for c in range(1, width + 1)]
    lower = [header_key(sheet.value(top + 1, c)) for c in range(1, width + 1)]
    grouped = any(
        upper[c][0] and upper[c][0] == upper[c + 1][0] and lower[c][0] and lower[c][0] != lower[c + 1][0]
        for c in range(width - 1)
    )
    if not grouped:
        return None
    texts = []
    for (up, up_mult), (low, low_mult) in zip(upper, lower, strict=True):
        if not low or low == up:
            texts.append((up, up_mult))
        elif not up:
            texts.append((low, low_mult))
        else:
            texts.append((up + low, up_mult if up_mult != 1 else low_mult))
    return texts


def _expand(texts: list[tuple[str, Decimal]], sheet: RawSheet, top: int) -> list[tuple[str, Decimal]]:
    """For each two-row header column, the sub-header alone when the pair is not an alias."""
    lower = [header_key(sheet.value(top + 1, c)) for c in range(1, len(texts) + 1)]
    return [low if low[0] and low[0] != t[0] else t for t, low in zip(texts, lower, strict=True)]


HeaderTexts = list[tuple[str, Decimal]]


def header_candidates(sheet: RawSheet) -> list[tuple[tuple[int, ...], list[HeaderTexts]]]:
    """Each row that may start the header: its rows, and the per-column texts to try against a vocabulary.

    Made once per sheet (recognition tries every kind on the same rows): a
    one-row header's texts, and for a two-row header the group and sub-header
    together and the sub-header alone.
    """
    if "candidates" in sheet.header_cache:
        return sheet.header_cache["candidates"]
    found: list[tuple[tuple[int, ...], list[HeaderTexts]]] = []
    for top in range(1, min(HEADER_SEARCH_ROWS, len(sheet.rows)) + 1):
        if is_banner(sheet.rows[top - 1]):
            continue
        found.append(((top,), [[header_key(v) for v in sheet.rows[top - 1]]]))
        two = _two_row_texts(sheet, top) if top < len(sheet.rows) else None
        if two is not None:
            found.append(((top, top + 1), [_expand(two, sheet, top), two]))
    sheet.header_cache["candidates"] = found
    return found


def find_header(sheet: RawSheet, spec: SheetSpec) -> SheetRows | None:
    """Locate the header within the first rows; None when no row looks like one."""
    lookup = spec.header_lookup()
    best: SheetRows | None = None
    for rows, texts in header_candidates(sheet):
        columns: dict[str, Column] = {}
        for variant in texts:  # for a two-row header, the paired texts win over the sub-header alone
            columns.update(_map_row(variant, lookup))
        if best is None or len(columns) > len(best.columns):
            best = SheetRows(rows, columns)
    if best is None or len(best.columns) < min(2, len(spec.fields)):
        return None
    return best


def is_footer(text: str, markers: tuple[str, ...]) -> bool:
    """A sign-off line: a marker followed by a colon (经办人：张三), or a short label (经办部门审批)."""
    return _is_footer_key(key_text(text), markers)


def _is_footer_key(key: str, markers: tuple[str, ...]) -> bool:
    if not key.startswith(markers):
        return False
    for marker in markers:
        if key.startswith(marker):
            rest = key[len(marker) :]
            if not rest or rest[0] in ":：" or len(rest) <= 6 or re.match(r"^[^:：]{0,8}[:：]", rest):
                return True
    return False


SECTION = re.compile(
    r"^([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+(季度|部分|阶段)"
    r"|[一二三四五六七八九十\d]{1,2}月份?|\d{4}年\d{1,2}月份?|[上下]半年)"
)


def classify_rows(sheet: RawSheet, table: SheetRows, contract: Contract) -> None:
    """Sort every row after the header into data, totals and blank.

    Rows that are not data but are not empty either are counted with the
    blank rows and named in `table.skipped` (the report lists them): a row
    holding only a row number (templates come with 序号 1…50 filled in), a
    signature or note line (填表人：…), a repeated header, a section heading
    (一、文体活动).
    """
    width = max((len(r) for r in sheet.rows), default=0)
    mapped = {c.index for c in table.columns.values()}
    numbering = {c for c in range(1, width + 1) if c not in mapped and _is_numbering(sheet, table, c, contract)}
    headers = {c.index: c.header for c in table.columns.values()}
    cells = dict.fromkeys(chain.from_iterable(sheet.rows[table.first_row - 1 :]))  # distinct values, at C speed
    texts = [v for v in cells if v.__class__ is str]
    firsts = _suspect_firsts(headers, contract)
    keys = _TextKeys(key_texts(texts if firsts is None else _may_be_suspects(texts, firsts)))
    sieve = _Sieve.of(keys, headers, contract)
    for row in range(table.first_row, len(sheet.rows) + 1):
        values = sheet.rows[row - 1]
        if not sieve.may_not_be_data(values, len(numbering)):
            table.data.append(row)
            continue
        filled = [(c, v) for c, v in enumerate(values, start=1) if v is not None and not is_blank(v)]
        if all(c in numbering and _is_number(v) for c, v in filled):
            table.blank.append(row)
        elif any(v.__class__ is str and keys[v].startswith(contract.total_markers) for _, v in filled):
            table.totals.append(row)
        elif reason := _not_data(filled, headers, contract.footer_markers, keys):
            table.blank.append(row)
            table.skipped[row] = reason
            if reason == FOOTER_REASON:
                table.footer.append(row)
        else:
            table.data.append(row)
    known = {c.header for c in table.columns.values()} | contract.ignored_headers
    for r in table.header_rows:
        for c in range(1, width + 1):
            text = header_key(sheet.value(r, c))[0] if c not in mapped else ""
            if text and text not in known:
                table.unmapped_at.setdefault(text, (r, c))
    table.unmapped = sorted(table.unmapped_at)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit())


FOOTER_REASON = "表尾签字或说明"


def _suspect_firsts(headers: dict[int, str], contract: Contract) -> frozenset[str] | None:
    """The characters a total, footer or repeated-header text's key starts with (None: any may)."""
    starts = [*contract.total_markers, *contract.footer_markers, *headers.values()]
    return None if not all(starts) else frozenset(start[0] for start in starts)


def _may_be_suspects(texts: list[str], firsts: frozenset[str]) -> list[str]:
    """The texts whose key may start with one of `firsts`, judged by their first character alone.

    Most of a ledger's texts are names, places and notes: their key (simplified, no spaces) is only
    worked out when the first character could turn into a total, footer or header word. A space, a
    required-mark or a symbol first leaves it to the whole key.
    """
    return [t for t in texts if not (first := t[:1]).isalnum() or first in firsts or _first_key(first) in firsts]


@lru_cache(maxsize=1 << 14)
def _first_key(char: str) -> str:
    return key_text(char)[:1]


@dataclass
class _Sieve:
    """The texts of one sheet that can make a row anything but data, found once over its distinct texts.

    Most rows are data: a row none of whose cells is such a text, with more filled cells than a
    numbering column and a section heading have, is data without looking at each cell.
    """

    suspects: frozenset[str]  # texts that start a total or a footer, or repeat a header
    blanks: tuple[str, ...]  # texts of only spaces (they do not count as filled)

    @classmethod
    def of(cls, keys: _TextKeys, headers: dict[int, str], contract: Contract) -> _Sieve:
        """The sieve for the texts in `keys` under a table with `headers`."""
        titles = set(headers.values())
        starts = tuple(titles)
        suspects = {
            text
            for text, key in keys.items()
            if key.startswith(contract.total_markers)
            or _is_footer_key(key, contract.footer_markers)
            or (key.startswith(starts) and header_key(text)[0] in titles)
        }
        return cls(frozenset(suspects), tuple(t for t in keys if not t.strip()))

    def may_not_be_data(self, values: list[Any], numbering: int) -> bool:
        """False when the row is surely data; True when it must be looked at cell by cell."""
        filled = len(values) - values.count(None) - sum(values.count(b) for b in self.blanks)
        return filled <= max(1, numbering) or not self.suspects.isdisjoint(values)


class _TextKeys(dict[str, str]):
    """`key_text` of each distinct text of one sheet, worked out once (a plain dict lookup afterwards)."""

    def __missing__(self, text: str) -> str:
        self[text] = key = key_text(text)
        return key


def _repeats_header(value: Any, header: str, keys: _TextKeys) -> bool:
    # a header's key is its cell's key_text less a unit or colon at the end: test the cheap prefix first
    return value.__class__ is str and keys[value].startswith(header) and header_key(value)[0] == header


def _not_data(filled: list[tuple[int, Any]], headers: dict[int, str], markers: tuple[str, ...], keys: _TextKeys) -> str:
    """Why a non-empty row is not a data row ('' when it is one)."""
    texts = [v for _, v in filled if isinstance(v, str)]
    if texts and is_footer(texts[0], markers) and len(texts) == len(filled):
        return FOOTER_REASON
    repeated = sum(1 for c, v in filled if c in headers and _repeats_header(v, headers[c], keys))
    if repeated >= max(2, len(headers) // 2):
        return "重复的表头"
    if len(filled) == 1 and isinstance(filled[0][1], str) and SECTION.match(key_text(filled[0][1])):
        return "分组标题"
    return ""


def _is_numbering(sheet: RawSheet, table: SheetRows, col: int, contract: Contract) -> bool:
    """A 序号/编号 column: its header is one the contract ignores."""
    return any(header_key(sheet.value(r, col))[0] in contract.ignored_headers for r in table.header_rows)


def total_kind(values: list[Any]) -> str:
    """`subtotal` for 小计 rows (they cover rows since the last total), else `total`."""
    for value in values:
        if isinstance(value, str) and key_text(value).startswith("小计"):
            return "subtotal"
    return "total"
