"""Charts drawn on the server as SVG: no script, no external asset, readable
by a screen reader through their <title> and <desc>."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 520


def bar_chart(pairs: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars, one per (label, count)."""
    peak = max((count for _, count in pairs), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 50) / peak
    height = BAR_HEIGHT * len(pairs) + 10
    description = ", ".join(f"{label}: {count}" for label, count in pairs)
    rows = []
    for index, (label, count) in enumerate(pairs):
        y = 5 + index * BAR_HEIGHT
        rows.append(
            format_html(
                '<text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"></rect>'
                '<text x="{}" y="{}" class="chart-value">{}</text>',
                LABEL_WIDTH - 8,
                y + 15,
                label,
                LABEL_WIDTH,
                y + 3,
                round(count * scale, 1),
                BAR_HEIGHT - 6,
                LABEL_WIDTH + round(count * scale, 1) + 6,
                y + 15,
                count,
            )
        )
    return _svg(title, description, CHART_WIDTH, height, "".join(rows))


def meeting_timeline(counts_by_year: Sequence[tuple[str, int]]) -> SafeString:
    """Meetings per year as vertical bars along a time axis."""
    counts = dict(counts_by_year)
    if not counts:
        return _svg(_("Meetings per year"), _("No dated meetings yet."), 300, 40, "")
    first, last = int(min(counts)), int(max(counts))
    years = list(range(first, last + 1))
    peak = max(counts.values())
    column = max(28, min(60, 560 // len(years)))
    width = column * len(years) + 20
    plot = 110
    description = ", ".join(f"{year}: {counts.get(str(year), 0)}" for year in years)
    parts = [
        format_html(
            '<line x1="10" y1="{}" x2="{}" y2="{}" class="chart-axis"></line>',
            plot + 5,
            width - 10,
            plot + 5,
        )
    ]
    for index, year in enumerate(years):
        count = counts.get(str(year), 0)
        bar = round(count / peak * (plot - 20), 1)
        x = 10 + index * column
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar">'
                "<title>{}: {}</title></rect>"
                '<text x="{}" y="{}" class="chart-value" text-anchor="middle">'
                "{}</text>"
                '<text x="{}" y="{}" class="chart-label" text-anchor="middle">'
                "{}</text>",
                x + 4,
                plot + 5 - bar,
                column - 8,
                bar,
                year,
                count,
                x + column / 2,
                plot + 1 - bar,
                count or "",
                x + column / 2,
                plot + 22,
                year,
            )
        )
    return _svg(_("Meetings per year"), description, width, plot + 30, "".join(parts))


def _svg(
    title: str, description: str, width: int, height: int, body: str
) -> SafeString:
    # Every value in `body` went through format_html; the rest is escaped here.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="chart" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        f"{body}</svg>"
    )
