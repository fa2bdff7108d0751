"""Small line charts drawn as SVG: the customer's mood over a call and scores over calls.

Gradio's LinePlot took its axis types from the first (empty) frame it was given, so mood
values were drawn as categories in string order (-0.55 at the top, 0.9 at the bottom), a
call number axis read 1.00, 1.05, … and a single call drew nothing. Here the axes are
numbers by construction, every point is drawn as a dot, and a line joins two or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..transcript import Transcript
from .labels import label

WIDTH, HEIGHT = 460, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 34
COLOURS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#db2777")

Point = tuple[float, float, str]  # x, y, what hovering over the dot says


def _num(v: float) -> str:
    return f"{v:g}"


def line_chart(series: dict[str, Sequence[Point]], *, y_range: tuple[float, float], y_ticks: Sequence[float],
               x_title: str, y_title: str, empty: str, chart_id: str, y_tick_labels: dict[float, str] | None = None) -> str:
    """An SVG line chart. `series` maps a name (shown in a legend when there are several) to its
    points in x order. x ticks are whole numbers; y runs from y_range[0] at the bottom up."""
    points = [p for pts in series.values() for p in pts]
    if not points:
        return f'<div class="rc-chart rc-empty" id="{chart_id}">{escape(empty)}</div>'
    y0, y1 = y_range
    x_max = max(2, int(max(p[0] for p in points)))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - 1) / (x_max - 1) * inner_w

    def sy(y: float) -> float:
        return TOP + (y1 - min(max(y, y0), y1)) / (y1 - y0) * inner_h

    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(y_title)}" '
             f'xmlns="http://www.w3.org/2000/svg">']
    for t in y_ticks:  # horizontal grid with the value (or its name) at the left
        text = (y_tick_labels or {}).get(t, _num(t))
        parts.append(f'<line class="rc-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}"/>'
                     f'<text class="rc-tick" x="{LEFT - 4}" y="{sy(t) + 4:.1f}" text-anchor="end">{escape(text)}</text>')
    step = max(1, round(x_max / 10))
    for x in range(1, x_max + 1, step):
        parts.append(f'<text class="rc-tick" x="{sx(x):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{x}</text>')
    parts.append(f'<text class="rc-axis" x="{LEFT + inner_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">'
                 f'{escape(x_title)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        if len(pts) > 1:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, _ in pts)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for x, y, tip in pts:
            parts.append(f'<circle class="rc-dot" data-series="{escape(name)}" data-x="{_num(x)}" data-y="{_num(y)}" '
                         f'cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{colour}"><title>{escape(tip)}</title></circle>')
    parts.append("</svg>")
    legend = ""
    if len(series) > 1:
        legend = '<div class="rc-legend">' + "".join(
            f'<span><i style="background:{COLOURS[i % len(COLOURS)]}"></i>{escape(name)}</span>'
            for i, name in enumerate(series)) + "</div>"
    return (f'<div class="rc-chart" id="{chart_id}"><div class="rc-chart-title">{escape(y_title)}</div>'
            f'{"".join(parts)}{legend}</div>')


def mood_chart(transcript: Transcript | None, lang: str = "en") -> str:
    """The customer's mood after each of their lines, -1 (angry) at the bottom to 1 (pleased) at the top."""
    pts: list[Point] = []
    if transcript is not None:
        for n, t in enumerate(transcript.turns, start=1):
            if t.role == "customer" and t.state is not None:
                pts.append((n, t.state.mood, f"{label('chart_turn', lang)} {n}: {t.state.mood:+.2f}"))
    names = {-1.0: label("chart_angry", lang), 0.0: "0", 1.0: label("chart_pleased", lang)}
    return line_chart({"mood": pts}, y_range=(-1.0, 1.0), y_ticks=(-1.0, -0.5, 0.0, 0.5, 1.0),
                      y_tick_labels=names, x_title=label("chart_turn", lang), y_title=label("mood_plot", lang),
                      empty=label("chart_no_mood", lang), chart_id="rc-mood-chart")


def progress_chart(rows: Sequence[dict], lang: str = "en", chart_id: str = "rc-progress-chart") -> str:
    """Totals over calls, one line per trainee: rows with call (1, 2, … per trainee), total,
    trainee and date (as Dashboard.trend gives them)."""
    series: dict[str, list[Point]] = {}
    for r in rows:
        series.setdefault(str(r["trainee"]), []).append(
            (float(r["call"]), float(r["total"]), f"{r['trainee']} · {label('chart_call', lang)} {r['call']} · "
                                                  f"{r.get('date', '')} · {r['total']:g}"))
    return line_chart(series, y_range=(0.0, 100.0), y_ticks=(0.0, 25.0, 50.0, 75.0, 100.0),
                      x_title=label("chart_call", lang), y_title=label("progress", lang),
                      empty=label("history_empty", lang), chart_id=chart_id)
