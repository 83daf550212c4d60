"""Small SVG charts drawn as vectors, with Chinese labels, inline in HTML and PDF.

A horizontal bar chart (one bar per sub-unit, a dashed target line) and a
monthly column chart are all the reports need; both are a few SVG elements,
so no plotting library is pulled in.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei',sans-serif"
FONT_TC = "'Noto Sans CJK TC','Noto Sans TC','Source Han Sans TC','Microsoft JhengHei',sans-serif"  # zh-Hant pages
STATUS_COLOURS = {
    "met": "#2e7d32",
    "on_track": "#1565c0",
    "behind": "#ef8f00",
    "missed": "#c62828",
    "no_data": "#9e9e9e",
    "": "#607d8b",
}


def bar_chart(
    bars: list[tuple[str, Decimal | None, str, str, Decimal | None]],
    maximum: Decimal | None = None,
    width: int = 640,
    target_label: str = "目标",
) -> str:
    """Bars (label, value, shown text, status, that unit's own target), each target a tick on its own row.

    Units have their own targets (a school's 2 congresses, a community's 2 new unions), so each bar carries
    its own mark; the values stand in a column of their own at the right, where no mark can cross them.
    """
    row, label_w, value_w = 22, 150, 90
    values = [b[1] for b in bars if b[1] is not None] + [b[4] for b in bars if b[4] is not None]
    top = Decimal(max([*values, maximum or 0, Decimal("1e-9")]))
    plot_w = width - label_w - value_w - 10
    height = row * len(bars) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" font-family="{FONT}" font-size="11">'
    ]
    for i, (label, value, text, status, target) in enumerate(bars):
        y = 6 + i * row
        length = 0 if value is None else float(value / top) * plot_w
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label[:14])}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{length:.1f}" height="{row - 8}" '
            f'fill="{STATUS_COLOURS.get(status, "#607d8b")}"/>'
        )
        if target is not None:
            x = label_w + float(target / top) * plot_w
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + row - 4}" stroke="#212121" stroke-width="2"/>'
            )
        parts.append(f'<text x="{width - 6}" y="{y + 13}" text-anchor="end">{escape(text)}</text>')
    legend_y = height - 6
    parts.append(
        f'<line x1="{label_w}" y1="{legend_y - 9}" x2="{label_w}" y2="{legend_y + 1}" '
        'stroke="#212121" stroke-width="2"/>'
        f'<text x="{label_w + 6}" y="{legend_y}">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def month_columns(
    series: dict[str, list[Decimal]],
    colours: list[str],
    width: int = 640,
    month_label: str = "{m}月",
) -> str:
    """Grouped columns for 12 months, one colour per series, with a legend and each column's value on top.

    Counts and money are drawn as separate charts (one scale each), never on one axis.
    """
    height, left, bottom = 180, 56, 30
    top = max([v for values in series.values() for v in values] + [Decimal(1)])
    slot = (width - left - 10) / 12
    bar = slot * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" width="100%" '
        f'role="img" font-family="{FONT}" font-size="10">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left - 4}" y="14" text-anchor="end">{top:,.0f}</text>',
    ]
    for month in range(12):
        x0 = left + month * slot + slot * 0.1
        label = escape(month_label.format(m=month + 1))
        parts.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{height - bottom + 14}" text-anchor="middle">{label}</text>')
        for k, values in enumerate(series.values()):
            h = float(values[month] / top) * (height - bottom - 20)
            parts.append(
                f'<rect x="{x0 + k * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" fill="{colours[k % len(colours)]}"/>'
            )
            if values[month]:
                parts.append(
                    f'<text x="{x0 + k * bar + bar / 2:.1f}" y="{height - bottom - h - 3:.1f}" '
                    f'text-anchor="middle" font-size="8">{values[month]:,.0f}</text>'
                )
    for k, name in enumerate(series):
        x = left + k * 150
        parts.append(
            f'<rect x="{x}" y="{height + 4}" width="10" height="10" fill="{colours[k % len(colours)]}"/>'
            f'<text x="{x + 14}" y="{height + 13}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
