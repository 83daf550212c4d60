"""Check the figures a written 工作总结 states: sums, rates, counts of listed items, the run's figures, lost digits.

A summary is read as a plan is (pipeline.plan.document: .docx, .txt, .doc; web noise
cleaned; a 合集 split into articles) and matched on a simplified, half-width copy of
the same length, so every quote is the document's own words. A figure is a number
with a measure word after it (4场, 1.93万元, 90%); each is held with the precision it
was written to, and every check allows exactly that much: 9% for 3 ÷ 32 = 9.375% is
right, 110.2% for 56.4 ÷ 52 = 108.46% is not. Precision first: a sentence whose
arithmetic cannot be told apart (three candidate figures, a 共开展… total that may
hold kinds not listed, an open 等 list) is left alone rather than guessed at.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import permutations
from pathlib import Path

from pipeline.money import format_money, round_half_up
from pipeline.paths import staged
from pipeline.plan import unit_name_of
from pipeline.plan.document import DocumentError, articles, clean, read_text, title_of
from pipeline.plan.extract import CLAUSE_END, SENTENCE_END, after_word, excluded, scaled, simplified, spans
from pipeline.plan.numbers import numbers_in
from pipeline.plan.words import PlanWords, plan_words
from pipeline.summary.words import SummaryWords, summary_words

FINDING_COLUMNS = ["file", "article", "quote", "stated", "expected", "kind", "message"]
_MULTIPLIERS = "余多万千百亿"
_BOUNDARY = set("，。、；：,.;:）)的和及与\n") | {""}  # not a space: a table cell (人均参与人次　1.44) goes on
_DIGITISH = set("0123456789.,%") | set("零〇一二两三四五六七八九十百千万亿余多几数")


@dataclass(frozen=True)
class Quantity:
    """A stated figure: where it is, its value in base units (元, %, 人), how precisely it was written."""

    start: int  # in the article's text
    end: int  # after the measure word
    value: Decimal
    family: str  # rate (value in percent), money (元), people, count
    word: str  # the measure word as written: 万元, 场, 人次, %
    slack: Decimal  # half a unit of the last digit written (0: an exact whole count)
    approx: bool  # 约, 近, 余, 以上, 左右: not an exact figure
    written: str  # as the text writes it: 56.4万元

    @property
    def base_word(self) -> str:
        """The measure word without multipliers (万元 → 元): parts of one sum share it."""
        return "元" if self.family == "money" else self.word.lstrip(_MULTIPLIERS)


@dataclass
class SummaryFinding:
    """One row of summary_findings.csv."""

    file: str
    article: str
    quote: str
    stated: str
    expected: str
    kind: str  # sum | rate | count | data | missing
    message: str


@dataclass
class RunFigures:
    """The figures of a run's indicators.csv, by unit: (level, indicator) → (value, unit, name)."""

    names: dict[str, str]  # unit_code → unit_name
    figures: dict[str, dict[tuple[str, str], tuple[Decimal, str, str]]]

    def unit_of(self, *texts: str) -> str | None:
        """The unit a summary's heading, title or file names; when it names none, the run's only top unit.

        A summary that names a union this run does not have is nobody's here (None), never the top unit's.
        """
        named = unit_name_of(*texts)
        candidates = sorted(self.names.items(), key=lambda item: -len(item[1]))
        for text in [named or "", *texts]:
            simple = simplified(text)
            for code, name in candidates:
                if name and name in simple:
                    return code
        if named:
            return None
        tops = [code for code, table in self.figures.items() if any(level == "rollup" for level, _i in table)]
        if len(tops) == 1:
            return tops[0]
        return next(iter(self.names)) if len(self.names) == 1 else None


@dataclass
class Article:
    """One summary (or one article of a 合集) being checked."""

    file: str
    heading: str
    text: str  # as written
    simple: str  # simplified, half-width, same length
    quantities: list[Quantity] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # starts of figures that are a sum's or a rate's parts

    def quote(self, start: int, end: int) -> str:
        """The document's own words between two positions, trimmed."""
        return self.text[start:end].strip(" ，,、　")


def check_files(paths: list[Path], against: Path | None = None) -> tuple[list[SummaryFinding], list[str]]:
    """Every finding in the summaries, and the notes for the console (a file unreadable, a unit not known)."""
    run = read_run(against) if against is not None else None
    findings: list[SummaryFinding] = []
    notes: list[str] = []
    for path in paths:
        try:
            text = clean(read_text(path))
        except DocumentError as exc:
            notes.append(f"无法读取：{exc}")
            continue
        title = title_of(text)
        for part in articles(text, path.stem):
            article = Article(path.name, part.heading, part.text, simplified(part.text))
            unit = run.unit_of(part.heading, title, path.stem) if run is not None else None
            if run is not None and unit is None:
                notes.append(f"{path.name}：看不出《{part.heading}》是哪个单位的总结，未与统计结果核对")
            findings.extend(check_article(article, run, unit))
    return findings, notes


def check_article(article: Article, run: RunFigures | None = None, unit: str | None = None) -> list[SummaryFinding]:
    """The findings of one article: rates and sums first (they mark their parts), then counts, data, lost digits."""
    words, plan = summary_words(), plan_words()
    article.quantities = quantities(article.simple, plan)
    found: list[SummaryFinding] = []
    for start, end in spans(article.simple, SENTENCE_END):
        inside = [q for q in article.quantities if start <= q.start < end]
        found += _rates(article, start, end, inside, words)
        found += _sums(article, start, end, inside, words)
    found += _counts(article, words)
    if run is not None and unit is not None:
        found += _data(article, run, unit, words, plan)
    found += _missing(article, words, run, unit, plan)
    return sorted(found, key=lambda f: article.text.find(f.quote))


def quantities(simple: str, plan: PlanWords) -> list[Quantity]:
    """Every figure with a measure word in a simplified text (dates, ages, ordinals and names left out)."""
    found = []
    for clause_start, clause_end in spans(simple, CLAUSE_END):
        clause = simple[clause_start:clause_end]
        for number in numbers_in(clause):
            if number.value_hi is not None or excluded(clause, number, plan):
                continue
            word, unit, end = after_word(clause, number.end, plan)
            if number.percent:
                word, unit, end = "%", "rate", number.end
            if not unit:
                continue
            value, _hi = scaled(number, word, unit)
            written = clause[number.start : number.end]
            places = len(written.split(".")[1]) if "." in written else 0
            factor = value / number.value if number.value else Decimal(1)
            if unit == "rate":
                value, factor = number.value, Decimal(1)  # percent points, as written
            exact = places == 0 and factor == 1 and unit != "rate"
            slack = Decimal(0) if exact or number.chinese else Decimal(5) * Decimal(10) ** (-places - 1) * factor
            head = clause[: number.start]
            approx = bool(re.search(r"(?:约|近|逾|超过|大约|将近)\s*$", head)) or word[:1] in ("余", "多")
            approx = approx or bool(re.match(r"\s*(?:以上|左右|多|余|上下)", clause[end:]))
            found.append(
                Quantity(
                    clause_start + number.start,
                    clause_start + end,
                    value,
                    unit,
                    word,
                    slack,
                    approx,
                    simple[clause_start + number.start : clause_start + end].strip(),
                )
            )
    return found


def _consistent(stated: Decimal, slack: Decimal, low: Decimal, high: Decimal) -> bool:
    """The stated figure, rounded or cut to the digits written, can be the exact one: intervals overlap."""
    return stated - slack <= high and low <= stated + 2 * slack + Decimal("1e-9")


def _ratio_range(num: Quantity, den: Quantity) -> tuple[Decimal, Decimal] | None:
    low_den, high_den = den.value + den.slack, den.value - den.slack
    if high_den <= 0:
        return None
    return (num.value - num.slack) / low_den * 100, (num.value + num.slack) / high_den * 100


def _shown(q: Quantity) -> str:
    """An operand as the arithmetic shows it: 56.4 (in the unit written), 193."""
    return q.written.rstrip(q.word).strip() if q.written.endswith(q.word) else q.written


def _pct(value: Decimal) -> str:
    return f"{format_money(value)}%"


def _rates(article: Article, start: int, end: int, inside: list[Quantity], words: SummaryWords) -> list[SummaryFinding]:
    found = []
    for index, rate in enumerate(inside):
        if rate.family != "rate" or rate.approx:
            continue
        head = article.simple[start : rate.start].rstrip(" 　")
        before = [q for q in inside[:index] if q.family != "rate" and not q.approx]
        if not before:
            continue
        family = before[-1].family
        operands = [q for q in before if q.family == family and q.base_word == before[-1].base_word]
        if any(w in head[-6:] for w in words.growth_words):
            finding = _growth(article, start, end, rate, operands, head, words)
        elif head.endswith(words.share_cues):
            finding = _share(article, start, end, rate, operands, head)
        else:
            continue
        if finding is not None:
            found.append(finding)
    return found


def _share(
    article: Article, start: int, end: int, rate: Quantity, operands: list[Quantity], head: str
) -> SummaryFinding | None:
    """为年计划52万元的110.2%, 200家中已建会193家，建会率96.5%: the share of the two figures stated before it."""
    last = operands[-1] if operands else None
    explicit = head.endswith("的") and last is not None and last.end == start + len(head) - 1
    if explicit and len(operands) >= 2:
        pairs = [(operands[-2], operands[-1])]  # …52万元的 X%: of the figure right before 的
    elif len(operands) >= 2:
        pairs = list(permutations(operands, 2))
    else:
        return None
    for num, den in pairs:
        bounds = _ratio_range(num, den)
        if bounds is not None and _consistent(rate.value, rate.slack, *bounds):
            _parts_of_rate(article, head, num, den)
            return None
    if explicit:
        best = pairs[0]
    elif len(operands) == 2:  # which is which: a share up to 100% is the smaller of the larger
        small, large = sorted(operands, key=lambda q: q.value)
        best = (small, large) if rate.value <= 100 else (large, small)
    else:
        return None  # three candidates and no pair fits: which two the writer meant cannot be told
    if best[1].value == 0:
        return None
    num, den = best
    _parts_of_rate(article, head, num, den)
    return _rate_finding(article, start, end, rate, num.value / den.value * 100, f"{_shown(num)} ÷ {_shown(den)}")


def _rate_finding(
    article: Article, start: int, end: int, rate: Quantity, exact: Decimal, arithmetic: str
) -> SummaryFinding:
    """A stated percentage that its figures do not give, with the arithmetic that shows it."""
    expected = _pct(round_half_up(exact, 2))
    message = f"{arithmetic} = {expected}，文中为{rate.written}"
    return SummaryFinding(
        article.file, article.heading, article.quote(start, end), rate.written, expected, "rate", message
    )


def _parts_of_rate(article: Article, head: str, num: Quantity, den: Quantity) -> None:
    """A named rate's two parts (193家 of 200家 for 建会率) are not indicator figures; 完成目标的 …% leaves them be."""
    if not head.endswith("的"):
        article.used.update((num.start, den.start))


def _growth(
    article: Article, start: int, end: int, rate: Quantity, operands: list[Quantity], head: str, words: SummaryWords
) -> SummaryFinding | None:
    """比上年52万元增长8.5%: (this year − last year) ÷ last year, from the two figures before it."""
    if len(operands) != 2:
        return None
    local = [article.simple[max(start, q.start - 8) : q.start] for q in operands]
    based = [i for i, text in enumerate(local) if any(w in text for w in words.base_words)]
    if len(based) != 1:
        return None
    base, current = operands[based[0]], operands[1 - based[0]]
    if base.value == 0:
        return None
    article.used.update((base.start, current.start))
    falling = any(w in head[-6:] for w in words.falling_words)
    exact = (current.value - base.value) / base.value * 100 * (-1 if falling else 1)
    low = (current.value - current.slack - base.value - base.slack) / (base.value + base.slack) * 100
    high = (current.value + current.slack - base.value + base.slack) / (base.value - base.slack or base.value) * 100
    if falling:
        low, high = -high, -low
    if _consistent(rate.value, rate.slack, low, high):
        return None
    return _rate_finding(article, start, end, rate, exact, f"（{_shown(current)} − {_shown(base)}）÷ {_shown(base)}")


def _total_at(
    article: Article, marker_end: int, inside: list[Quantity], words: SummaryWords
) -> tuple[Quantity, bool] | None:
    """The figure a 共计/合计 names, and whether it follows the word at once (共计9场) or after a verb (共开展9场)."""
    rest = article.simple[marker_end:]
    gap = 0
    for verb in words.total_verbs:
        if rest.startswith(verb):
            gap = len(verb)
            break
    for q in inside:
        if q.start >= marker_end:
            between = article.simple[marker_end : q.start]
            if CLAUSE_END.search(between) or len(between) > gap + 8:
                return None
            return q, len(between.strip()) <= (1 if gap == 0 else 0)
    return None


def _sums(article: Article, start: int, end: int, inside: list[Quantity], words: SummaryWords) -> list[SummaryFinding]:
    found = []
    sentence = article.simple[start:end]
    pattern = "|".join(re.escape(w) for w in words.total_words)
    after_part = start
    for match in re.finditer(pattern, sentence):
        marker_end = start + match.end()
        total = _total_at(article, marker_end, inside, words)
        if total is None:
            continue
        figure, strict = total
        parts = [
            q
            for q in inside
            if after_part <= q.start < start + match.start()
            and q.base_word == figure.base_word
            and q.family != "rate"
            and not q.approx
            and not _not_actual(article, start, q, words)
        ]
        after_part = figure.end
        if len(parts) >= 2 and not figure.approx:
            finding = _sum_finding(article, start, end, parts, figure, strict, match.group(0))
            if finding is not None:
                found.append(finding)
    for match in re.finditer("|".join(words.part_words), sentence):
        at = start + match.start()
        before = [q for q in inside if q.end <= at and q.family != "rate" and not q.approx]
        if not before:
            continue
        figure = before[-1]
        parts = [
            q
            for q in inside
            if q.start > at
            and q.base_word == figure.base_word
            and not q.approx
            and not _not_actual(article, at + len(match.group(0)), q, words, skip_part=True)
        ]
        if parts:
            finding = _sum_finding(article, start, end, parts, figure, False, match.group(0))
            if finding is not None:
                found.append(finding)
    return found


def _sum_finding(
    article: Article, start: int, end: int, parts: list[Quantity], total: Quantity, strict: bool, how: str
) -> SummaryFinding | None:
    article.used.update(q.start for q in parts)  # the parts are sub-figures; the total may be an indicator's
    added = sum((q.value for q in parts), Decimal(0))
    slack = sum((q.slack for q in parts), Decimal(0)) + total.slack
    if abs(added - total.value) <= slack or (not strict and added <= total.value + slack):
        return None
    shown = _in_unit(added, total)
    terms = " + ".join(_in_unit(q.value, total).removesuffix(total.word) for q in parts)
    if how in summary_words().part_words:  # 其中: the parts come after their total
        message = f"{how}各项 {terms} = {shown}，超过总数{total.written}"
    else:
        message = f"{terms} = {shown}，文中{how}{total.written}"
    return SummaryFinding(
        article.file, article.heading, article.quote(start, end), total.written, shown, "sum", message
    )


def _in_unit(value: Decimal, like: Quantity) -> str:
    """A computed figure in the unit the text wrote its total in (万元 stays 万元)."""
    factor = {"万": Decimal(10000), "千": Decimal(1000), "亿": Decimal(100000000)}
    for char, times in factor.items():
        if char in like.word:
            value = value / times
    text = f"{value.normalize():f}" if value != value.to_integral_value() else f"{value:.0f}"
    return text + like.word


def _not_actual(article: Article, floor: int, q: Quantity, words: SummaryWords, skip_part: bool = False) -> bool:
    """A figure after 目标, 上年, 比…增加 (in its own stretch of the clause) is not a figure of what was done."""
    local = _local_head(article, floor, q)
    listed = [w for w in words.not_actual_words if not (skip_part and w in words.part_words)]
    return any(w in local for w in listed)


def _local_head(article: Article, floor: int, q: Quantity) -> str:
    """The words before a figure back to the previous figure or the clause's start."""
    start = floor
    for other in article.quantities:
        if other.end <= q.start:
            start = max(start, other.end)
    text = article.simple[start : q.start]
    cut = [m.end() for m in CLAUSE_END.finditer(text)]
    return text[cut[-1] :] if cut else text


def _counts(article: Article, words: SummaryWords) -> list[SummaryFinding]:
    found = []
    for q in article.quantities:
        if q.family not in ("count", "people") or q.approx or q.slack:
            continue
        finding = _listed_after(article, q, words) or _listed_before(article, q, words)
        if finding is not None:
            found.append(finding)
    return found


def _listed_after(article: Article, q: Quantity, words: SummaryWords) -> SummaryFinding | None:
    """开展3项活动：A、B、C / 表彰3名先进：张三、李四、王五 / 做了三方面工作：一是…二是…."""
    if q.base_word not in words.list_measure_after_colon:
        return None
    simple = article.simple
    opener = re.compile(
        r"[^，。；：:\n\d]{0,10}?(?:[:：]|[，,]\s*(?:" + "|".join(map(re.escape, words.list_openers)) + r"))\s*"
    )
    match = opener.match(simple, q.end)
    if match is None:
        return None
    line_end = simple.find("\n", match.end())
    line_end = len(simple) if line_end < 0 else line_end
    enumerated = [w for w in words.enumerators if w in simple[match.end() : line_end]]
    if len(enumerated) >= 2:
        items, stop = len(enumerated), line_end
        listed = "、".join(enumerated)
    else:
        stop_match = SENTENCE_END.search(simple, match.end())
        stop = stop_match.start() if stop_match else len(simple)
        names = _items(simple[match.end() : stop], words)
        if names is None or any(match.end() <= other.start < stop for other in article.quantities):
            return None
        items, listed = len(names), "、".join(names)
    if items == q.value:
        return None
    return _count_finding(article, q, q.start, stop, items, listed)


def _listed_before(article: Article, q: Quantity, words: SummaryWords) -> SummaryFinding | None:
    """读书会、运动会和演讲比赛三项活动 / A、B等4项工作 (等: more may be meant, so only more listed is wrong)."""
    if q.word not in words.list_measure_before:
        return None
    simple = article.simple
    head_start = max((m.end() for m in CLAUSE_END.finditer(simple, 0, q.start)), default=0)
    head = simple[head_start : q.start]
    open_list = head.rstrip().endswith("等")
    head = head.rstrip().removesuffix("等")
    number_start = max((m.start() for m in re.finditer(r"[\d零〇一二两三四五六七八九十]+$", head)), default=len(head))
    names = _items(head[:number_start], words, closed=True)
    if names is None or any(head_start <= other.start < q.start for other in article.quantities):
        return None
    if simple[q.end : q.end + 2] in plan_words().abstract_nouns:
        return None  # 实施五项工程, 三个重点: the plan's rhetoric, not a count of what is listed
    if len(names) == q.value or (open_list and len(names) <= q.value):
        return None
    return _count_finding(article, q, head_start, q.end, len(names), "、".join(names))


def _items(text: str, words: SummaryWords, closed: bool = False) -> list[str] | None:
    """The items of a 、-separated list (the last may be joined by 和/及); None when it is not a closed list."""
    text = text.strip(" 。.")
    if "、" not in text or (not closed and text.endswith(("等", "等等"))):
        return None
    if any(mark in text for mark in '“”「」『』"《》'):
        return None  # “固本强基、和谐共建”五项工程: a slogan quoted in short, not the list itself
    items = text.split("、")
    last = items[-1]
    for joiner in words.list_joiners:
        left, _, right = last.partition(joiner)
        if len(left.strip()) >= 2 and len(right.strip()) >= 2:  # 和谐共建 is one item, 运动会和演讲比赛 two
            items[-1:] = [left, right]
            break
    items = [i.strip() for i in items if i.strip()]
    if any(len(i) > 24 for i in items):
        return None  # clauses, not names: not a list
    return items


def _count_finding(article: Article, q: Quantity, start: int, end: int, items: int, listed: str) -> SummaryFinding:
    return SummaryFinding(
        article.file,
        article.heading,
        article.quote(start, end),
        q.written,
        f"{items}{q.base_word}",
        "count",
        f"文中为{q.written}，列出的是{items}{q.base_word}（{listed}）",
    )


def read_run(out: Path) -> RunFigures:
    """A run's indicators.csv (utf-8 with BOM), as the figures a summary can be checked against."""
    names: dict[str, str] = {}
    figures: dict[str, dict[tuple[str, str], tuple[Decimal, str, str]]] = {}
    with (out / "indicators.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["unit_code"], row["unit_name"])
            if row["value"] != "":
                figures.setdefault(row["unit_code"], {})[(row["level"], row["indicator"])] = (
                    Decimal(row["value"]),
                    row.get("unit", ""),
                    row.get("indicator_name", row["indicator"]),
                )
    return RunFigures(names, figures)


def _data(article: Article, run: RunFigures, unit: str, words: SummaryWords, plan: PlanWords) -> list[SummaryFinding]:
    """A stated figure that names a catalogue indicator, against the run's figure for the summary's unit."""
    table = run.figures.get(unit, {})
    found = []
    for q in article.quantities:
        if q.start in article.used or q.approx or _not_actual(article, 0, q, words):
            continue
        head = _local_head(article, 0, q)
        if q.family == "rate" and head.rstrip().endswith(("的", "占")):
            continue  # a share of two stated figures, checked as a rate
        code = next((r.code for r in plan.indicators if r.matches(q.family, head)), "")
        figures = [table[(level, code)] for level in ("rollup", "unit") if (level, code) in table]
        if not code or not figures:
            continue
        stated = q.value / 100 if q.family == "rate" else q.value
        slack = q.slack / 100 if q.family == "rate" else q.slack
        if any(_consistent(stated, slack, value, value) for value, _u, _n in figures):
            continue
        value, kind, name = figures[0]
        expected = _like(value, kind, q)
        clause = _clause(article, q)
        found.append(
            SummaryFinding(
                article.file,
                article.heading,
                article.quote(*clause),
                q.written,
                expected,
                "data",
                f"文中{name}为{q.written}，统计结果（indicators.csv，{run.names.get(unit, unit)}）为{expected}",
            )
        )
    return found


def _like(value: Decimal, unit: str, q: Quantity) -> str:
    """The run's figure written as the text wrote its own (万元 with as many decimals), the exact one beside it."""
    if unit == "rate":
        return _pct(round_half_up(value * 100, 2))
    if unit == "money" and "万" in q.word:
        places = len(q.written.split(".")[1].rstrip(q.word)) if "." in q.written else 0
        return f"{round_half_up(value / 10000, places):,.{places}f}万元（{format_money(value)}元）"
    if unit == "money":
        return f"{format_money(value)}元"
    return f"{value:f}{q.base_word}"


def _clause(article: Article, q: Quantity) -> tuple[int, int]:
    before = [m.end() for m in CLAUSE_END.finditer(article.simple, 0, q.start)]
    after = CLAUSE_END.search(article.simple, q.end)
    return (before[-1] if before else 0), (after.start() if after else len(article.simple))


def _missing(
    article: Article, words: SummaryWords, run: RunFigures | None, unit: str | None, plan: PlanWords
) -> list[SummaryFinding]:
    """慰问金万元, 参与职工人次, 签订率达%: a measure word whose number was deleted is missing, never 0."""
    simple = article.simple
    taken: set[int] = set()
    found = _placeholders(article, plan, taken)
    for rule in words.missing:
        for match in re.finditer(re.escape(rule.word), simple):
            at = match.start()
            if at in taken or any(q.start <= at < q.end for q in article.quantities):
                continue
            before, following = simple[at - 1 : at], simple[match.end() : match.end() + 1]
            if before in _DIGITISH or before.isdigit():
                continue
            if rule.word != "%" and following not in _BOUNDARY:
                continue
            if rule.after and not simple[:at].endswith(rule.after):
                continue
            if any(simple[:at].endswith(w) for w in rule.not_after):
                continue
            taken.update(range(at, match.end()))
            start, end = _clause_span(simple, at)
            expected = _run_figure(simple[start:at], rule.word, run, unit, plan)
            told = f"，统计结果为{expected}" if expected else ""
            found.append(
                SummaryFinding(
                    article.file,
                    article.heading,
                    article.quote(start, end),
                    "",
                    expected,
                    "missing",
                    f"「{article.quote(start, end)}」中“{rule.word}”前没有数字：数字缺失，请补上（不按0计）{told}",
                )
            )
    return found


def _placeholders(article: Article, plan: PlanWords, taken: set[int]) -> list[SummaryFinding]:
    """职工xxxx名, 新建工会XX家: a template's placeholder where the figure should be (20xx年 is a year, left alone)."""
    measures = "|".join(re.escape(w) for w, unit in plan.after if unit)
    found = []
    for match in re.finditer(rf"[xX×＊*ｘＸ]{{2,}}\s*(?:{measures})", article.simple):
        taken.update(range(match.start(), match.end()))
        start, end = _clause_span(article.simple, match.start())
        written = article.text[match.start() : match.end()]
        found.append(
            SummaryFinding(
                article.file,
                article.heading,
                article.quote(start, end),
                written,
                "",
                "missing",
                f"「{article.quote(start, end)}」中的“{written}”是没有填写的占位符：数字缺失，请补上（不按0计）",
            )
        )
    return found


def _run_figure(head: str, word: str, run: RunFigures | None, unit: str | None, plan: PlanWords) -> str:
    """What the run has for the indicator a clause names (the figure a lost number should have been), if any."""
    if run is None or unit is None:
        return ""
    family = next((u for w, u in plan.after if w == word), "rate" if word == "%" else "")
    code = next((r.code for r in plan.indicators if r.matches(family, head)), "")
    table = run.figures.get(unit, {})
    for level in ("rollup", "unit"):
        if (level, code) in table:
            value, kind, _name = table[(level, code)]
            if kind == "rate":
                return _pct(round_half_up(value * 100, 2))
            return f"{format_money(value)}元" if kind == "money" else f"{value:f}{word}"
    return ""


def _clause_span(simple: str, at: int) -> tuple[int, int]:
    before = [m.end() for m in CLAUSE_END.finditer(simple, 0, at)]
    after = CLAUSE_END.search(simple, at + 1)
    return (before[-1] if before else 0), (after.start() if after else len(simple))


def write_findings(findings: Iterable[SummaryFinding], out: Path) -> Path:
    """summary_findings.csv (UTF-8 with BOM, for Excel and WPS), written atomically."""
    with staged(out) as staging, staging.path("summary_findings.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FINDING_COLUMNS)
        for row in findings:
            writer.writerow([row.file, row.article, row.quote, row.stated, row.expected, row.kind, row.message])
    return out / "summary_findings.csv"
