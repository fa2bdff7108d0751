"""The mood and progress charts (issue 19.2): numbers on numeric axes, higher is higher."""

from __future__ import annotations

import re

from simulator.transcript import CustomerState, Transcript, Turn
from simulator.ui.charts import mood_chart, progress_chart


def dots(html: str) -> list[dict[str, float]]:
    return [{"x": float(x), "y": float(y), "cx": float(cx), "cy": float(cy)} for x, y, cx, cy in re.findall(
        r'data-x="([^"]+)" data-y="([^"]+)" cx="([^"]+)" cy="([^"]+)"', html)]


def calming_call() -> Transcript:
    turns = []
    for i, mood in enumerate([-0.55, -0.2, 0.3, 0.9]):
        turns.append(Turn(role="agent", text=f"line {i}", t=i * 2.0))
        turns.append(Turn(role="customer", text=f"reply {i}", t=i * 2.0 + 1,
                          state=CustomerState(mood=mood, patience=5, revealed=[], beat="soften", replaced=False)))
    return Transcript(persona="irritable-outage", turns=turns)


def test_a_calming_customer_draws_a_rising_line():
    points = dots(mood_chart(calming_call()))
    assert [p["y"] for p in points] == [-0.55, -0.2, 0.3, 0.9]
    heights = [p["cy"] for p in points]  # SVG y grows downwards: a rising mood has falling cy
    assert heights == sorted(heights, reverse=True) and heights[0] > heights[-1]
    assert [p["x"] for p in points] == [2, 4, 6, 8]


def test_mood_axis_is_numeric_from_angry_to_pleased():
    html = mood_chart(calming_call())
    ticks = re.findall(r'<text class="rc-tick" x="\d+" y="([\d.]+)" text-anchor="end">([^<]+)</text>', html)
    assert [name for _, name in ticks] == ["angry", "-0.5", "0", "0.5", "pleased"]
    assert [float(y) for y, _ in ticks] == sorted((float(y) for y, _ in ticks), reverse=True)


def test_a_single_call_is_drawn_with_whole_call_numbers():
    html = progress_chart([{"call": 1, "total": 72.5, "trainee": "ana", "date": "2026-12-06"}])
    assert len(dots(html)) == 1  # a single call shows as a dot, not an empty chart
    x_ticks = re.findall(r'text-anchor="middle">(\d[^<]*)</text>', html)
    assert x_ticks and all(re.fullmatch(r"\d+", t) for t in x_ticks)


def test_progress_has_a_line_per_trainee_and_says_when_there_is_nothing():
    rows = [{"call": c, "total": t, "trainee": who, "date": ""} for who, c, t in
            [("ana", 1, 40), ("ana", 2, 80), ("bob", 1, 60)]]
    html = progress_chart(rows)
    assert html.count("<polyline") == 1 and 'class="rc-legend"' in html  # bob's single call is a dot
    assert {p["y"] for p in dots(html)} == {40, 80, 60}
    assert "No calls yet" in progress_chart([])
    assert "Starea clientului" in mood_chart(None, "ro")
