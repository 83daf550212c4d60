"""Numbers as plans write them: 4, ４, 两, 十二, 百分之九十五, 2-3, 一二个, 241。65.

Every function here keeps the text's length, so a position found in the
normalised text is the same position in the document's own words (the quote).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９％．～－—–〜：；，（）",
    "0123456789%.~---~:;,()",
)
CN_DIGITS = "零〇一二两三四五六七八九"
CN_NUMERAL = f"[{CN_DIGITS}十百千万亿]"
_SMALL = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}

# One number: arabic (with a decimal point) or a run of Chinese numerals; 百分之 makes it a percentage.
_NUMBER = re.compile(rf"(?P<pct>百分之)?(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{CN_NUMERAL}+)")
_RANGE_JOIN = re.compile(r"\s*(?:-|~|至|到|或)\s*")


def half_width(text: str) -> str:
    """Full-width digits and signs as ASCII, and 。 between digits as a decimal point (241。65), same length.

    >>> half_width("培训４场，达到９５％，共241。65万元")
    '培训4场,达到95%,共241.65万元'
    """
    text = text.translate(_FULL_WIDTH)
    return re.sub(r"(?<=\d)[。·](?=\d)", ".", text)


def cn_value(token: str) -> Decimal | None:
    """A run of Chinese numerals as a number (两 → 2, 十二 → 12, 一万五千 → 15000); None if it is not one.

    >>> cn_value("两"), cn_value("十二"), cn_value("二〇二四"), cn_value("百")
    (Decimal('2'), Decimal('12'), Decimal('2024'), None)
    """
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return Decimal(token)
    if not re.fullmatch(rf"{CN_NUMERAL}+", token) or token[0] in "百千万亿":
        return None
    if len(token) > 1 and all(c in CN_DIGITS for c in token):  # 二〇二四: digit by digit
        return Decimal("".join(str(_SMALL[c]) for c in token))
    import cn2an  # here, not at the top: its dictionaries take 0.1 s to load, and most runs have no plan

    try:
        return Decimal(str(cn2an.cn2an(token.replace("两", "二").replace("〇", "零"), "strict")))
    except (ValueError, InvalidOperation, KeyError, IndexError):
        return None


def adjacent_pair(token: str) -> tuple[Decimal, Decimal] | None:
    """一二 (个), 两三 (次), 三五 (场): two single numerals written together mean a range.

    >>> adjacent_pair("一二"), adjacent_pair("三五"), adjacent_pair("十二")
    ((Decimal('1'), Decimal('2')), (Decimal('3'), Decimal('5')), None)
    """
    if len(token) != 2 or any(c not in _SMALL or c in "零〇" for c in token):
        return None
    low, high = _SMALL[token[0]], _SMALL[token[1]]
    if high == low + 1 or (low, high) == (3, 5):
        return Decimal(low), Decimal(high)
    return None


@dataclass(frozen=True)
class Number:
    """A number in a text: where it is, its value (and upper bound for a range), how it was written."""

    start: int
    end: int
    value: Decimal
    value_hi: Decimal | None = None
    percent: bool = False  # 百分之九十五
    chinese: bool = False  # written in Chinese numerals (一, 两 …), weaker evidence than digits


def numbers_in(text: str) -> list[Number]:
    """Every number in a (half-width) text, ranges joined: 2-3, 1~2, 3—4, 一到二, 一二.

    >>> [(n.value, n.value_hi) for n in numbers_in("组织2-3批，一到二次，一二个，95%")]
    [(Decimal('2'), Decimal('3')), (Decimal('1'), Decimal('2')), (Decimal('1'), Decimal('2')), (Decimal('95'), None)]
    """
    found: list[Number] = []
    for match in _NUMBER.finditer(text):
        token = match["num"].replace(",", "")  # 10,000元
        chinese = not token[0].isdigit()
        pair = adjacent_pair(token) if chinese else None
        if pair:
            found.append(Number(match.start(), match.end(), pair[0], pair[1], chinese=True))
            continue
        value = cn_value(token)
        if value is None:
            continue
        found.append(Number(match.start(), match.end(), value, None, bool(match["pct"]), chinese))
    return _join_ranges(text, found)


def _join_ranges(text: str, found: list[Number]) -> list[Number]:
    joined: list[Number] = []
    for number in found:
        last = joined[-1] if joined else None
        between = text[last.end : number.start] if last else ""
        if (
            last
            and last.value_hi is None
            and _RANGE_JOIN.fullmatch(between)
            and last.chinese == number.chinese
            and number.value > last.value
            and not (between.strip() == "或" and number.value != last.value + 1)
        ):
            joined[-1] = Number(last.start, number.end, last.value, number.value, number.percent, number.chinese)
        else:
            joined.append(number)
    return joined
