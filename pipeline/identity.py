"""Which unit a file belongs to, and for which period, when it has no 基本情况 sheet.

A single ledger exported from a union system says who it is in, by
preference: key/value lines in its title block (`填报单位：…`, `编制单位：…`),
its title (`红星机械厂工会2024年慰问发放表`), the file name, the folder it was
put in (`inputs/红星机械厂工会/…`); then the roster (names compared in simplified
characters, with and without the 工会/委员会 suffix) and `--unit CODE`. Its period
comes from the title block (报告期/统计期间), a year in the titles or the file
name, or the year most of its dates fall in. Each choice is said in a note.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pipeline.errors import ValueParseError
from pipeline.layout import header_key
from pipeline.periods import months_period
from pipeline.values import key_text, squeeze, to_simplified

if TYPE_CHECKING:
    from pipeline.config import Contract
    from pipeline.ingest import UnitWorkbook
    from pipeline.recognise import Located
    from pipeline.validate import ParseContext

# A union's name ends in one of these; a name that does not is only a hint for the roster.
UNION_SUFFIXES = ("工会委员会", "工会联合会", "联合工会", "总工会", "工会", "工委", "委员会", "工联会")
# A title names a union only by a suffix that says 工会 (a bare 委员会 or 工委 may be a party committee's).
_NAME_IN_TITLE = re.compile(rf"^(.{{2,40}}?(?:{'|'.join(s for s in UNION_SUFFIXES if '工会' in s or '工联' in s)}))")
_YEAR_WORD = re.compile(r"(20\d{2})\s*年")
_YEAR_BARE = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_PERIOD_WORDS = re.compile(r"(20\d{2})\s*(年度?|年?[上下]半年|年?第?[一二三四1-4]季度|年?\d{1,2}(?:-\d{1,2})?月份?)?")
_SEPARATORS = re.compile(r"[_\-—–·、，,.\s（）()【】\[\]]+")
_IDENTITY_FIELDS = (
    "unit_name",
    "unit_code",
    "parent_code",
    "parent_name",
    "unit_type",
    "period",
    "filled_on",
    "filled_by",
    "phone",
)


def year_in(texts: list[str]) -> int | None:
    """The year most of the texts name (`2024年` first, then a bare 2024), None when none does."""
    for pattern in (_YEAR_WORD, _YEAR_BARE):
        years = Counter(m for text in texts for m in pattern.findall(text))
        if years:
            return int(years.most_common(1)[0][0])
    return None


def code_for(name: str) -> str:
    """The code of a unit known only by its name (a workbook or roster row without one): the name, spaces removed."""
    return squeeze(name)


def base_name(name: str) -> str:
    """A unit name compared without spaces, in simplified characters, without its 工会/委员会 suffix.

    >>> base_name("紅星機械廠工會"), base_name("红星机械厂工会委员会"), base_name("红星机械厂")
    ('红星机械厂', '红星机械厂', '红星机械厂')
    """
    key = key_text(name)
    for suffix in UNION_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def name_in_title(text: str) -> str | None:
    """The union named at the start of a title (`红星机械厂工会2024年慰问发放表` → 红星机械厂工会)."""
    cleaned = squeeze(text)
    year = _YEAR_BARE.search(cleaned)
    head = cleaned[: year.start()] if year else cleaned
    simplified = to_simplified(head)  # 工會 is 工会; OpenCC maps character for character here
    match = _NAME_IN_TITLE.match(simplified)
    if not match:
        return None
    return head[: match.end(1)] if len(simplified) == len(head) else match.group(1)


def names_in_path(file: str, title_words: tuple[str, ...]) -> list[tuple[str, str]]:
    """(source, name) candidates from the file name, then each folder, innermost first.

    A segment ending in a union suffix is a name; what is left of a segment
    once the ledger words (台账, 签领表, 2024年…) are taken off is a weaker hint.
    """
    path = PurePath(file)
    found: list[tuple[str, str]] = []
    segments = [("文件名", path.stem)] + [("文件夹", folder) for folder in reversed(path.parts[:-1])]
    for source, text in segments:
        stripped = _PERIOD_WORDS.sub(" ", text)
        strong = name_in_title(stripped.replace(" ", "")) or next(
            (p for p in _SEPARATORS.split(stripped) if p and base_name(p) != key_text(p)), None
        )
        if strong:
            found.append((source, strong))
            continue
        for part in _SEPARATORS.split(stripped):
            rest = _strip_words(key_text(part), title_words)
            if len(rest) >= 2 and not rest.isascii():
                found.append((f"{source}（仅供对照名册）", rest))
    return found


def _strip_words(text: str, words: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in sorted(words, key=len, reverse=True):
            if text.endswith(word) or text.startswith(word):
                text = text[: -len(word)] if text.endswith(word) else text[len(word) :]
                changed = True
    return text


def from_title_blocks(located: list[Located], contract: Contract, ctx: ParseContext, result: UnitWorkbook) -> None:
    """What a single ledger says above its header: 填报单位, 报告期, 填报日期, or a title naming the union."""
    from pipeline.validate import parse_value

    spec = contract.sheets["profile"]
    lookup = spec.header_lookup()
    for found in located:
        for fact in found.facts:
            name = lookup.get(header_key(fact.label)[0])
            if name not in _IDENTITY_FIELDS or result.profile.get(name) is not None:
                continue
            try:
                result.profile[name] = parse_value(spec.fields[name], fact.raw, ctx)
            except ValueParseError:
                continue
            result.profile_rows[name] = fact.row
            if name == "unit_name":
                result.identity = f"表头「{found.sheet.name}」第 {fact.row} 行（{fact.label}）"
    if result.profile.get("unit_name") is None:
        for found in located:
            name = name_in_title(found.title) if found.title else None
            if name:
                result.profile["unit_name"], result.identity = name, f"标题「{found.title}」"
                break


def settle(result: UnitWorkbook, titles: list[str], contract: Contract) -> None:
    """A file without 基本情况: its unit and period from what it says, else marked as not yet known."""
    profile = result.profile
    if profile.get("unit_name") is None:
        candidates = names_in_path(result.file, contract.title_words)
        strong = [(s, n) for s, n in candidates if "仅供" not in s]
        result.name_hints = [n for _, n in candidates]
        if strong:
            source, profile["unit_name"] = strong[0]
            result.identity = f"{source}「{strong[0][1]}」"
    if profile.get("period") is None:
        _period_from(result, titles)
    if profile.get("unit_name"):
        result.notes.append(f"没有「基本情况」表，按{result.identity}确定填报单位为「{profile['unit_name']}」")
        if profile.get("unit_code") is None:
            assign(result, code_for(profile["unit_name"]))
        else:
            assign(result, profile["unit_code"])
    if profile.get("unit_name") is None or profile.get("period") is None:
        result.unresolved = True  # the roster, --unit or the unit's other files may still tell
        result.status = "rejected"
        result.reason = _unresolved_reason(result)


def _period_from(result: UnitWorkbook, titles: list[str]) -> None:
    """No year in the titles (those were tried first): the year most of the file's dates fall in."""
    days = [v for frame in result.tables.values() for col in frame.columns for v in frame[col] if isinstance(v, date)]
    counted = Counter(d.year for d in days)
    if counted:
        year = counted.most_common(1)[0][0]
        result.profile["period"] = months_period(year, 1, 12)
        result.notes.append(f"没有写明报告期，按多数日期所在的年份计为 {year}年")


def adopt_periods(units: list[UnitWorkbook], period: Any = None) -> None:
    """A ledger that names no year (a problem list) takes its unit's period from the unit's other files.

    When those agree on one period, or else the period the run was asked for (`--period`).
    """
    for unit in units:
        if not unit.unresolved or not unit.unit_code or unit.profile.get("period") is not None:
            continue
        siblings = {u.period for u in units if u.unit_code == unit.unit_code and u.period is not None}
        chosen = next(iter(siblings)) if len(siblings) == 1 else period
        if chosen is None:
            continue
        unit.profile["period"] = chosen
        unit.unresolved, unit.status, unit.reason = False, "ingested", ""
        where = "同一单位其他台账" if len(siblings) == 1 else "--period"
        unit.notes.append(f"没有写明报告期，按{where}的报告期计为{chosen.label}")


def _unresolved_reason(result: UnitWorkbook) -> str:
    rows = sum(a.accepted for a in result.accounts)
    if result.profile.get("unit_name") is None:
        hints = f"（文件名中的「{'、'.join(result.name_hints)}」不在组织架构名册中）" if result.name_hints else ""
        what = f"无法确定填报单位：没有「基本情况」表，表头、标题、文件名和文件夹名中也没有单位名称{hints}"
    else:
        what = "无法确定报告期：表头、文件名中没有年份，各行也没有日期"
    return (
        f"{what}；已读取 {rows} 行，未计入；可在表头写明「填报单位：…」、把文件放进以单位命名的文件夹，或用 --unit 指定"
    )


def assign(unit: UnitWorkbook, code: str, name: str | None = None) -> None:
    """Give a file its unit code (and name): in the profile and in every row's source column."""
    unit.profile["unit_code"] = code
    if name:
        unit.profile["unit_name"] = name
    for frame in unit.tables.values():
        frame["_unit"] = code


def match_roster(units: list[UnitWorkbook], roster: list[dict[str, Any]], unit_option: str | None = None) -> None:
    """Files whose code the roster does not know take the code of the one roster unit with their name.

    Sub-unions leave the code blank or mistype it, and single ledgers carry only
    a name (or a folder or file name); the name, compared in simplified
    characters and without the 工会/委员会 suffix, still says who sent it.
    A file no name places is given to `--unit CODE` when the run names one.
    """
    codes = {r["unit_code"] for r in roster}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in roster:
        by_name.setdefault(base_name(row.get("unit_name") or ""), []).append(row)
    for unit in units:
        if (unit.status != "ingested" and not unit.unresolved) or (unit.unit_code in codes and not unit.unresolved):
            continue
        names = [unit.unit_name] if unit.unit_name else []
        matches = next(
            (by_name[base_name(n)] for n in [*names, *unit.name_hints] if len(by_name.get(base_name(n), [])) == 1), []
        )
        if matches:
            _place(unit, matches[0]["unit_code"], matches[0].get("unit_name"), "组织架构名册中的同名单位")
        elif unit.unresolved and unit_option:
            row = next((r for r in roster if r["unit_code"] == unit_option), {})
            _place(unit, unit_option, row.get("unit_name") or unit.unit_name or unit_option, "--unit 指定")


def _place(unit: UnitWorkbook, code: str, name: str | None, why: str) -> None:
    written, named = unit.unit_code, bool(unit.unit_name)
    assign(unit, code, name if unit.unresolved or not unit.unit_name else None)
    if unit.unresolved:
        unit.identity = unit.identity if named else why
        if unit.profile.get("period") is not None:
            unit.status, unit.reason, unit.unresolved = "ingested", "", False
        unit.notes.append(f"按{why}确定填报单位为「{unit.unit_name}」（{code}）")
    elif written and written == code_for(unit.unit_name):
        unit.notes.append(f"没有单位代码，按单位名称对应为「{code}」（组织架构名册）")
    elif written:
        unit.notes.append(f"单位代码「{written}」不在组织架构名册中，按单位名称对应为「{code}」")
