"""Targets and the calendar from a plan's text.

A number is a target only when a unit word follows it (4场, 95%, 7000元, 两次) and
nothing marks it as a date, an age, an ordinal, a name or a reported actual. The
quote is the clause it was read from, in the document's own characters; matching is
done on a simplified, half-width copy of the same length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from pipeline.errors import ValueParseError
from pipeline.plan.numbers import CN_DIGITS, Number, cn_value, half_width, numbers_in
from pipeline.plan.words import PlanWords, plan_words
from pipeline.values import cn_number

SENTENCE_END = re.compile(r"[。！？!?；;\n]")
CLAUSE_END = re.compile(r"[，：:。！？!?；;\n]|,(?!\d{3}(?!\d))")  # not the comma of 10,000
_OPEN_QUOTES, _CLOSE_QUOTES = '《“「『"', '》”」』"'
_MONTH = rf"(?:[{CN_DIGITS}十]{{1,3}}|\d{{1,2}})"
# 三月份：, 一月份, 七、八月份, 3月：
_MONTH_HEADING = re.compile(
    rf"^(?:(?P<first>{_MONTH})\s*[、，,和至到-]\s*)?(?P<month>{_MONTH})\s*月份?\s*[:：]?\s*(?P<rest>.*)$"
)
_ENUMERATOR = re.compile(r"^\s*(?:[(（]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）、.．]|[①-⑳])\s*")
_SECTION = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*、|[(（][一二三四五六七八九十]{1,3}[)）])")
_ACTION = "召开|组织|开展|举办|举行|进行|慰问|完成|评选|表彰|启动|参加|参与|筹备|做好|安排|走访|发放|召集|落实"
_DATED = re.compile(
    rf"(?<![每个第\d年])(?P<month>{_MONTH})\s*月份?(?:底|初|中旬|上旬|下旬|前)?\s*[，,]?\s*(?=(?:{_ACTION}))"
)
_TWO_MONTHS = re.compile(r"(?:每)?(?P<n>[两二三四六]|[2346])个月")


@cache
def _t2s():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s").convert


def simplified(text: str) -> str:
    """The text in simplified characters, half-width, character for character (same length as the original)."""
    text = half_width(text)
    converted = _t2s()(text)
    if len(converted) != len(text):  # a phrase conversion changed the length: convert one character at a time
        converted = "".join(_t2s()(c) if len(_t2s()(c)) == 1 else c for c in text)
    return converted


@dataclass
class PlanTarget:
    """One row of plan_targets.csv."""

    quote: str
    subject: str
    comparator: str  # >=, <=, =, range, approx, increase
    value: Decimal | None
    value_hi: Decimal | None
    unit: str  # rate, count, people, money, times_per_period, other
    per: str
    period_hint: str
    status: str  # used | 待确认
    indicator: str = ""
    yearly: Decimal | None = None  # a frequency as times a year (每季度一次 → 4); else the value
    scope: str = ""  # the unit type a 各社区… target applies to
    why: str = ""  # why it is 待确认

    @property
    def run_comparator(self) -> str:
        """How the run compares: a planned figure (培训4场, 预计500人, 2-3批) is met once reached; 以内 stays ≤."""
        return "<=" if self.comparator == "<=" else ">="


@dataclass
class CalendarItem:
    """One row of plan_calendar.csv."""

    month: str  # "3", or a range "7-8"
    item: str
    category: str
    quote: str


@dataclass
class Reading:
    """What one article gave."""

    targets: list[PlanTarget] = field(default_factory=list)
    calendar: list[CalendarItem] = field(default_factory=list)


def read_article(text: str, year: int | None = None) -> Reading:
    """The targets and the calendar of one plan's text; a sentence about a year before `year` reports, not plans."""
    words = plan_words()
    simple = simplified(text)
    reading = Reading(calendar=calendar(text, simple, words))
    seen: set[tuple[str, Decimal | None]] = set()
    for start, end in spans(simple, SENTENCE_END):
        sentence = simple[start:end]
        if any(marker in sentence for marker in words.actual_markers) or _earlier_year(sentence, year):
            continue  # what was done (a summary's figures), not what is planned
        for target in _sentence_targets(text, simple, start, end, words):
            key = (target.quote, target.value)
            if key not in seen:
                seen.add(key)
                reading.targets.append(target)
    _conflicts(reading.targets)
    return reading


def _earlier_year(sentence: str, year: int | None) -> bool:
    """2023年工会共发放慰问金4.2万元 in a 2024 plan: last year's figures, not this year's targets."""
    return year is not None and any(int(y) < year for y in re.findall(r"(?<!\d)(20\d{2})\s*年", sentence))


def _conflicts(targets: list[PlanTarget]) -> None:
    """Two different used targets for one indicator: neither is used until a person says which."""
    by_code: dict[str, list[PlanTarget]] = {}
    for target in targets:
        if target.indicator and target.status == "used":
            by_code.setdefault(target.indicator, []).append(target)
    for same in by_code.values():
        if len({(t.yearly, t.comparator, t.scope) for t in same}) > 1:
            for target in same:
                others = "、".join(o.quote for o in same if o is not target)
                target.status, target.why = "待确认", f"同一指标另有目标：{others}"


def spans(text: str, ends: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) of each non-empty stretch of `text` between matches of `ends`."""
    found, start = [], 0
    for match in ends.finditer(text):
        if match.start() > start:
            found.append((start, match.start()))
        start = match.end()
    if start < len(text):
        found.append((start, len(text)))
    return found


def _sentence_targets(original: str, simple: str, start: int, end: int, words: PlanWords) -> list[PlanTarget]:
    found = []
    clauses = [(start + a, start + b) for a, b in spans(simple[start:end], CLAUSE_END)]
    for index, (c_start, c_end) in enumerate(clauses):
        clause = simple[c_start:c_end]
        before = simple[clauses[index - 1][0] : clauses[index - 1][1]] if index else ""
        numbers = numbers_in(clause)
        for number in numbers:
            target = _target(clause, number, words, before)
            if target is not None:
                target.quote = _ENUMERATOR.sub("", original[c_start:c_end]).strip()
                found.append(target)
        if not numbers:
            rising = _increase(clause, words, before)
            if rising is not None:
                rising.quote = original[c_start:c_end].strip()
                found.append(rising)
    return found


def after_word(clause: str, at: int, words: PlanWords) -> tuple[str, str, int]:
    """The unit word right after a number: (word, unit or '' for not a target, where it ends); multipliers kept."""
    rest = clause[at:]
    spaced = len(rest) - len(rest.lstrip())
    rest = rest.lstrip()
    multiplier = ""
    if rest[:1] in ("余", "多"):
        multiplier = rest[0]
        rest = rest[1:]
    if rest and rest[0] in "万千百亿" and not any(rest.startswith(w) for w, _u in words.after if w[0] in "万千百亿"):
        multiplier += rest[0]
        rest = rest[1:]
    for word, unit in words.after:
        if rest.startswith(word):
            return multiplier + word, unit, at + spaced + len(multiplier) + len(word)
    return "", "", at


def excluded(clause: str, number: Number, words: PlanWords) -> bool:
    """A number that is part of a name, a title, an ordinal or a numeral word (一次性, 三八, 第六届)."""
    head = clause[: number.start]
    if head.count("《") > head.count("》") or head.count("“") > head.count("”") or head.count('"') % 2:
        return True
    if head.count("「") > head.count("」"):
        return True
    if any(head.endswith(word) for word in words.not_before):
        return True
    if re.search(r"[A-Za-z\d]$", head) or re.match(r"[A-Za-z]", clause[number.end : number.end + 1]):
        return True  # 京基100, 20xx, V2: a name or a placeholder
    for word in words.numeral_words:
        for match in re.finditer(re.escape(word), clause):
            if match.start() < number.end and number.start < match.end():
                return True
    return False


def _target(clause: str, number: Number, words: PlanWords, before: str) -> PlanTarget | None:
    if excluded(clause, number, words):
        return None
    word, unit, after_end = after_word(clause, number.end, words)
    if number.percent:
        word, unit, after_end = "%", "rate", number.end
    if not unit or number.value == 0:
        return None  # a plan never sets 0 as a target: a 0 is a number lost from the sentence or a name
    tail = clause[after_end:]
    single_cn = number.chinese and number.value == 1 and number.value_hi is None
    rhetoric = single_cn or any(tail.startswith(n) for n in words.abstract_nouns)
    if unit == "count" and word.lstrip("余多万千百亿") in ("个", "项", "种", "份") and rhetoric:
        return None  # 上一个新台阶, 实施三个工程: rhetoric, not a count
    if unit == "people" and re.match(r"(?:以上|以下|及以上)?的?(?:企业|单位|非公|规模|用人单位|会员单位|规上)", tail):
        return None  # 25人以上企业: which enterprises, not a target
    value, value_hi = scaled(number, word, unit)
    head = clause[: number.start]
    comparator = _comparator(head, clause[number.end : after_end + 4], number, word, words)
    period, per_year = _period(head, words)
    target_unit = "times_per_period" if per_year and unit == "count" and word[-1:] in "次期" else unit
    yearly = value * per_year if target_unit == "times_per_period" and value is not None else value
    subject = _subject(head, tail, words) or _subject(before, "", words)
    target = PlanTarget(
        quote="",
        subject=subject,
        comparator=comparator,
        value=value,
        value_hi=value_hi,
        unit=target_unit,
        per=period or ("" if unit == "rate" else "year"),
        period_hint=_hint(clause, words) or (_hint(before, words) if len(before) <= 6 else ""),
        status="used",
        yearly=yearly,
        scope=next((kind for w, kind in words.scopes if w in clause), ""),
    )
    if target.scope:
        target.per = "每个" + target.scope
    each = re.search(r"每(?:期|次|场|批|班|个活动|项活动)", head)
    if each and target_unit != "times_per_period":
        target.per, target.status, target.why = each.group(0), "待确认", f"按{each.group(0)}计，全年合计需核对"
        return target
    one_off = single_cn and target_unit != "times_per_period" and comparator == "="
    target.indicator = "" if one_off else _indicator(unit, subject, words)
    _doubt(target, number, clause)
    return target


def scaled(number: Number, word: str, unit: str) -> tuple[Decimal, Decimal | None]:
    """Rates as fractions, money in 元, a multiplier (3万元, 1.5万人) applied."""
    factor = Decimal(1)
    for char, times in (("万", 10000), ("千", 1000), ("百", 100), ("亿", 100000000)):
        if char in word:
            factor *= times
    if unit == "rate":
        factor = Decimal("0.1") if word == "成" else Decimal("0.01")
    hi = number.value_hi * factor if number.value_hi is not None else None
    return number.value * factor, hi


def _comparator(head: str, around: str, number: Number, word: str, words: PlanWords) -> str:
    """A range for 2-3, then <= (以内, 不超过), approx (左右, 预计), >= (以上, 不少于, 达到), else =."""
    if number.value_hi is not None:
        return "range"
    near = head[-8:]
    after = around[len(word) :] if around.startswith(word) else around
    # 不少于 holds 少于 and 不超过 holds 超过: look for each side's words with the other side's taken out
    near_le = re.sub("不少于|不低于", "", near)
    near_ge = re.sub("不超过|不高于|不多于", "", near)
    if any(w in after[:4] for w in ("以内", "以下")) or any(
        w in near_le for w in words.comparators["<="] if len(w) > 1
    ):
        return "<="
    if any(w in after[:3] for w in ("左右", "上下")) or re.search(
        r"(?:约|近|大约|预计|大概|估计)\s*$", head[-6:] or ""
    ):
        return "approx"
    if "预计" in near or "估计" in near:
        return "approx"
    if (
        word[:1] in ("余", "多")
        or "以上" in after[:4]
        or any(w in near_ge for w in words.comparators[">="] if len(w) > 1)
    ):
        return ">="
    if head.endswith(("达", "超")):
        return ">="
    return "="


def _period(head: str, words: PlanWords) -> tuple[str, int]:
    """The period a frequency is counted in (每学期 → semester, 2 a year), the nearest before the number."""
    two = list(_TWO_MONTHS.finditer(head))
    best: tuple[int, str, int] = (-1, "", 0)
    if two:
        n = int(cn_value(two[-1]["n"]) or 1)
        best = (two[-1].start(), f"{n}_months", 12 // n)
    for word, name, per_year in words.periods:
        for match in re.finditer(re.escape(word), head):
            if match.start() > best[0] and head[match.start() - 1 : match.start()] not in ("上", "下"):
                best = (match.start(), name, per_year)  # 上半年 is when, not how often
    return (best[1], best[2]) if best[0] >= 0 else ("", 0)


def _hint(text: str, words: PlanWords) -> str:
    """When in the year a clause says (上半年, 三月份, 年底 …)."""
    for word in words.period_hints:
        if word in text:
            return word
    month = re.search(rf"(?<![每个第\d年]){_MONTH}月份?(?:底|初)?", text)
    return month.group(0) if month and _month_value(month.group(0)) else ""


def _subject(head: str, tail: str, words: PlanWords) -> str:
    """What is counted, in the document's words: before the number, else the noun after its unit word."""
    before = _TWO_MONTHS.sub("", _ENUMERATOR.sub("", head))
    changed = True
    while changed:  # strip one word at a time, longest first (每季度 before 每季), until none is left
        changed = False
        for word in (*_strippable(words), *(w for w, _kind in words.scopes)):
            if before.startswith(word):
                before, changed = before[len(word) :], True
            elif before.endswith(word):
                before, changed = before[: -len(word)], True
            if changed:
                break
    before = before.strip(" ，,、")
    after = re.split(r"[，,。；;（(]", tail, maxsplit=1)[0]
    for word in ("以上", "以内", "以下", "左右", "的", "给予", "用于", "进行"):
        after = after.removeprefix(word)
    if len(after) > 14 and "的" in after:
        after = after.rsplit("的", 1)[1]
    if (not before or len(before) > 14) and after:
        return after[:20]
    if len(before) <= 2 and after:  # 走访一次基层班组: the verb and what it is done to
        return (before + after)[:20]
    return before[-20:]


@cache
def _strippable(words: PlanWords) -> tuple[str, ...]:
    """Verbs, time and period words a subject is trimmed of, longest first (上半年 before 半年)."""
    found = {*words.lead_words, *(w for w, _name, _n in words.periods), *words.period_hints}
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def _indicator(unit: str, context: str, words: PlanWords) -> str:
    rule_unit = "count" if unit == "times_per_period" else unit
    return next((r.code for r in words.indicators if r.matches(rule_unit, context)), "")


def _doubt(target: PlanTarget, number: Number, clause: str) -> None:
    """Precision first: what is doubtful is 待确认, never silently used."""
    reasons = []
    if target.unit == "rate" and target.value is not None and target.value > 1:
        reasons.append("比率超过100%")
    if re.search(r"如|例如|比如|视情况|可根据", clause):
        reasons.append("举例或视情况而定")
    if len(numbers_in(clause)) > 2:
        reasons.append("同一句中数字较多")
    if not target.subject:
        reasons.append("看不出计的是什么")
    if reasons:
        target.status, target.why = "待确认", "；".join(reasons)


def _increase(clause: str, words: PlanWords, before: str) -> PlanTarget | None:
    """提高建会率, 扩大集体合同覆盖面: a catalogue rate to raise, with no figure (待确认: nothing to check against)."""
    verb = next((w for w in words.comparators["increase"] if w in clause), None)
    if verb is None or not re.search(r"率|覆盖面", clause):
        return None
    code = _indicator("rate", clause, words)
    if not code:
        return None
    subject = clause[clause.index(verb) + len(verb) :].strip(" ，,、")[:20]
    return PlanTarget(
        "", subject, "increase", None, None, "rate", "", _hint(clause, words), "待确认", code, why="没有具体数值"
    )


def _month_value(text: str) -> int | None:
    """三月份 → 3, 12月 → 12 (the months reader the ledgers use); None when it is not a month."""
    token = re.match(_MONTH, text)
    try:
        value = cn_number(token.group(0)) if token else None
    except ValueParseError:
        return None
    return value if value is not None and 1 <= value <= 12 else None


def calendar(original: str, simple: str, words: PlanWords) -> list[CalendarItem]:
    """Month headings (一月份：…) with the items under them, and dated sentences (三月份召开…, 上半年组织一次…)."""
    items: list[CalendarItem] = []
    month = ""
    offset = 0
    headed: set[int] = set()
    for line in simple.split("\n"):
        start, offset = offset, offset + len(line) + 1
        heading = _MONTH_HEADING.match(line.strip()) if len(line.strip()) <= 60 else None
        span = _span_heading(line.strip(), words)
        if span is not None:  # 第一季度：, 上半年：
            month, rest = span
            if rest:
                items.extend(_items(rest, original[start + line.index(rest) : start + len(line)], month, words))
            headed.add(start)
            continue
        if heading and _month_value(heading["month"]):
            first = _month_value(heading["first"]) if heading["first"] else None
            last = _month_value(heading["month"])
            month = f"{first}-{last}" if first and first < (last or 0) else str(last)
            rest = heading["rest"].strip()
            if rest:
                items.extend(_items(rest, original[start + line.index(rest) : start + len(line)], month, words))
            headed.add(start)
            continue
        if month and line.strip() and not _SECTION.match(line) and _ENUMERATOR.match(line):
            items.extend(_items(line, original[start : start + len(line)], month, words))
            headed.add(start)
        elif line.strip() and not _ENUMERATOR.match(line):
            month = ""  # a paragraph or a section heading ends the month's list
    items.extend(_dated(original, simple, words, headed))
    return items


def _span_heading(line: str, words: PlanWords) -> tuple[str, str] | None:
    """A heading naming a part of the year (第一季度：…, 上半年：): its months and what follows the colon."""
    for hint, months in words.period_hints.items():
        match = re.match(rf"^{re.escape(hint)}(?:工作安排|安排|工作)?\s*[:：]\s*(.*)$|^{re.escape(hint)}\s*$", line)
        if match:
            return months, (match.group(1) or "").strip()
    return None


def _items(line: str, quote: str, month: str, words: PlanWords) -> list[CalendarItem]:
    found = []
    for part, quoted in zip(re.split(r"[；;]", line), re.split(r"[；;]", quote), strict=False):
        text = _ENUMERATOR.sub("", part).strip(" 。.")
        if len(text) >= 2:
            item = _ENUMERATOR.sub("", quoted).strip(" 。.")
            found.append(CalendarItem(month, item, words.category(text), quoted.strip()))
    return found


def _dated(original: str, simple: str, words: PlanWords, headed: set[int]) -> list[CalendarItem]:
    """三月份召开教代会, 上半年，举办一次讲座: a sentence that says when."""
    found = []
    hints = "|".join(re.escape(w) for w in words.period_hints)
    pattern = re.compile(rf"(?:(?P<hint>{hints})|{_DATED.pattern})\s*[，,]?\s*(?=(?:{_ACTION}))")
    line_starts = [0] + [m.end() for m in re.finditer("\n", simple)]
    for start, end in spans(simple, SENTENCE_END):
        line_start = max(s for s in line_starts if s <= start)
        if line_start in headed:
            continue
        sentence = simple[start:end]
        for match in pattern.finditer(sentence):
            if match["hint"]:
                month = words.period_hints[match["hint"]]
            else:
                value = _month_value(match["month"])
                if value is None:
                    continue
                month = str(value)
            clause_end = CLAUSE_END.search(sentence, match.end())
            stop = clause_end.start() if clause_end else len(sentence)
            item = sentence[match.end() : stop].strip()
            if len(item) >= 2:
                quote = original[start + match.start() : start + stop].strip()
                own = original[start + match.end() : start + stop].strip()
                found.append(CalendarItem(month, own, words.category(item), quote))
    return found
