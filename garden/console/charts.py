"""SVG charts drawn on the server: a state donut, labelled bars, capacity bars and an operation-duration plot.

Pure; called by ``garden.console.pages`` for the overview and seeds pages. Every label is escaped; the charts need
no script and scale with the page (``viewBox``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

STATE_COLOURS = {
    "Succeeded": "#2e7d32", "Processing": "#1565c0", "Pending": "#90a4ae", "Hibernated": "#6d4c41",
    "Hibernating": "#8d6e63", "Waking up": "#8d6e63", "Deleting": "#546e7a", "Error": "#ef6c00", "Failed": "#c62828",
    "Aborted": "#ad1457",
}
_OTHER = "#78909c"


def colour(state: str) -> str:
    return STATE_COLOURS.get(state, _OTHER)


def donut(counts: Sequence[tuple[str, int]], *, title: str) -> Markup:
    """A ring of the states' shares with the total in the middle, and a legend."""
    total = sum(n for _, n in counts)
    size, r, width = 220, 80, 28
    cx = cy = size / 2
    parts = [f'<svg class="chart donut" viewBox="0 0 {size + 200} {size}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    if total == 0:
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#e0e0e0" stroke-width="{width}"/>')
    angle = -math.pi / 2
    for state, n in counts:
        if n <= 0:
            continue
        share = n / total
        if share >= 0.9999:
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{colour(state)}" '
                         f'stroke-width="{width}"><title>{escape(state)}: {n}</title></circle>')
            break
        end = angle + share * 2 * math.pi
        large = 1 if share > 0.5 else 0
        x1, y1 = cx + r * math.cos(angle), cy + r * math.sin(angle)
        x2, y2 = cx + r * math.cos(end), cy + r * math.sin(end)
        parts.append(f'<path d="M {x1:.2f} {y1:.2f} A {r} {r} 0 {large} 1 {x2:.2f} {y2:.2f}" fill="none" '
                     f'stroke="{colour(state)}" stroke-width="{width}"><title>{escape(state)}: {n}</title></path>')
        angle = end
    parts.append(f'<text x="{cx}" y="{cy - 4}" text-anchor="middle" class="big">{total}</text>'
                 f'<text x="{cx}" y="{cy + 18}" text-anchor="middle" class="muted">shoots</text>')
    for i, (state, n) in enumerate(counts):
        y = 30 + i * 22
        parts.append(f'<rect x="{size + 10}" y="{y - 11}" width="14" height="14" rx="3" fill="{colour(state)}"/>'
                     f'<text x="{size + 32}" y="{y}">{escape(state)} <tspan class="muted">{n}</tspan></text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(counts: Sequence[tuple[str, int]], *, title: str, href: str = "", max_rows: int = 12) -> Markup:
    """Horizontal bars, longest first; each links to the shoots filtered by it when ``href`` is given."""
    shown = sorted(counts, key=lambda c: (-c[1], c[0]))[:max_rows]
    top = max((n for _, n in shown), default=0) or 1
    row, label_w, bar_w = 24, 150, 260
    height = max(row, row * len(shown)) + 4
    parts = [f'<svg class="chart bars" viewBox="0 0 {label_w + bar_w + 60} {height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    if not shown:
        parts.append('<text x="4" y="16" class="muted">no shoots</text>')
    for i, (label, n) in enumerate(shown):
        y = i * row + 4
        w = max(2.0, bar_w * n / top)
        text = escape(label or "(none)")
        bar = (f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{text}</text>'
               f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="16" rx="3" class="bar"/>'
               f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" class="muted">{n}</text>')
        if href and label:
            bar = f'<a href="{escape(href)}{escape(label)}">{bar}</a>'
        parts.append(f"<g><title>{text}: {n}</title>{bar}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def capacity(used: int, allocatable: int | None, *, label: str) -> Markup:
    """One seed's used / allocatable shoots as a bar that turns amber at 80 % and red at 95 %."""
    width = 300
    if not allocatable:
        return Markup(f'<svg class="chart capacity" viewBox="0 0 {width + 120} 22" role="img" aria-label='
                      f'"{escape(label)}"><text x="0" y="15">{used} shoots (no capacity reported)</text></svg>')
    share = min(1.0, used / allocatable)
    tone = "high" if share >= 0.95 else "warn" if share >= 0.8 else "ok"
    return Markup(
        f'<svg class="chart capacity" viewBox="0 0 {width + 120} 22" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}: {used} of {allocatable} shoots</title>"
        f'<rect x="0" y="3" width="{width}" height="16" rx="4" class="track"/>'
        f'<rect x="0" y="3" width="{max(2.0, width * share):.1f}" height="16" rx="4" class="fill {tone}"/>'
        f'<text x="{width + 8}" y="16">{used} / {allocatable}</text></svg>')


def durations(points: Sequence[tuple[float, float, str]], *, title: str, now: float) -> Markup:
    """Operation durations over time: one dot per finished operation (x: when it ended, y: seconds it took),
    green when it succeeded and red when it failed, with the median as a line."""
    w, h, left, bottom, top_pad = 1100, 230, 52, 28, 10
    parts = [f'<svg class="chart durations" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}">'
             f"<title>{escape(title)}</title>"]
    if not points:
        parts.append(f'<text x="{left}" y="{h / 2}" class="muted">no operation has finished yet</text></svg>')
        return Markup("".join(parts))
    t0 = min(p[0] for p in points)
    t1 = max(now, max(p[0] for p in points))
    span = max(t1 - t0, 60.0)
    ymax = _nice(max(p[1] for p in points))
    plot_w, plot_h = w - left - 10, h - bottom - top_pad

    def x(t: float) -> float:
        return left + plot_w * (t - t0) / span

    def y(s: float) -> float:
        return top_pad + plot_h * (1 - s / ymax)

    for i in range(5):
        value = ymax * i / 4
        parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="muted">'
                     f"{_seconds(value)}</text>")
    shape = "%H:%M:%S" if span < 3600 else "%H:%M" if span < 86400 * 2 else "%m-%d"
    for i in range(5):
        t = t0 + span * i / 4
        label = dt.datetime.fromtimestamp(t, dt.UTC).strftime(shape)
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(f'<text x="{x(t):.1f}" y="{h - 8}" text-anchor="{anchor}" class="muted">{label} UTC</text>'
                     if i == 4 else f'<text x="{x(t):.1f}" y="{h - 8}" text-anchor="{anchor}" class="muted">'
                     f"{label}</text>")
    ordered = sorted(p[1] for p in points)
    median = ordered[len(ordered) // 2]
    parts.append(f'<line x1="{left}" x2="{w - 10}" y1="{y(median):.1f}" y2="{y(median):.1f}" class="median">'
                 f"<title>median {_seconds(median)}</title></line>")
    for t, seconds, state in points[-2000:]:
        tone = "failed" if state == "Failed" else "ok"
        parts.append(f'<circle cx="{x(t):.1f}" cy="{y(seconds):.1f}" r="3" class="dot {tone}">'
                     f"<title>{escape(state)} after {_seconds(seconds)}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice(value: float) -> float:
    for step in (5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200):
        if value <= step:
            return float(step)
    return math.ceil(value / 3600) * 3600.0


def _seconds(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:.1f} h"
    if value >= 60:
        return f"{value / 60:.0f} min"
    if value < 10 and value != int(value):
        return f"{value:.1f} s"
    return f"{value:.0f} s"
