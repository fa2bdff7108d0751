"""Supervisor queries over a real in-memory store: filters, trends, weak spots, readiness,
CSV export and branching a call."""

from __future__ import annotations

import csv
import datetime as dt
import math

import pytest

from simulator.dashboard import Dashboard, SessionFilter
from simulator.errors import NotFound, RolecallError
from simulator.store import Store


def _score(total: float, passed: bool, empathy: int, fatal: list[str] | None = None) -> dict:
    return {
        "rubric": "inbound-support", "total": total, "passed": passed, "fatal": fatal or [],
        "criteria": [
            {"id": "empathy", "score": empathy, "max": 4, "applicable": True, "method": "llm", "evidence": []},
            {"id": "greeting", "score": 2, "max": 2, "applicable": True, "method": "rule", "evidence": []},
            {"id": "closing", "score": None, "max": 2, "applicable": False, "method": "rule", "evidence": []},
        ],
        "metrics": {"agent_turns": 3}, "flags": [],
    }


def _call(store: Store, user: str, temperament: str, total: float | None, *, empathy: int = 2, seed: int | None = 1,
          persona: str = "p-irritable", day: str = "2026-03-02", fatal: list[str] | None = None) -> str:
    started = dt.datetime.strptime(day, "%Y-%m-%d").timestamp() + 3600
    sid = store.create_session(user=user, persona_id=persona, temperament=temperament, call_type="inbound_support",
                               rubric_id="inbound-support", seed=seed, started_at=started)
    store.add_turn(sid, "agent", "Hello, thank you for calling.", 0.0)
    store.add_turn(sid, "customer", "My internet is down.", 1.5,
                   state={"mood": -0.5, "patience": 4, "revealed": [], "beat": "complain"})
    store.add_turn(sid, "agent", "I'm sorry to hear that. What is your account number?", 4.0)
    store.add_turn(sid, "customer", "RC-1.", 5.0, state={"mood": -0.3, "patience": 4, "revealed": ["acct"],
                                                        "beat": "give_fact"})
    if total is not None:
        store.end_session(sid, "agent_ended", 9.0)
        store.save_score(sid, _score(total, total >= 70, empathy, fatal))
    return sid


@pytest.fixture
def store() -> Store:
    s = Store(":memory:")
    for name in ("ana", "bob"):
        s.add_user(name, "trainee", "pw-123456")
    s.add_user("sue", "supervisor", "pw-123456")
    return s


def test_filters_narrow_the_sessions_table(store):
    a1 = _call(store, "ana", "irritable", 80, day="2026-03-01")
    a2 = _call(store, "ana", "calm", 40, day="2026-03-05", persona="p-calm")
    b1 = _call(store, "bob", "irritable", 90, day="2026-03-03")
    dash = Dashboard(store)
    ids = lambda **f: {r["id"] for r in dash.sessions(SessionFilter(**f))}  # noqa: E731
    assert ids() == {a1, a2, b1}
    assert ids(trainee="ana") == {a1, a2}
    assert ids(temperament="calm") == {a2}
    assert ids(passed=True) == {a1, b1}
    assert ids(since="2026-03-02", until="2026-03-03") == {b1}  # "to" includes its whole day
    assert ids(trainee="", temperament="any") == {a1, a2, b1}  # blank form fields mean any


def test_a_bad_date_is_a_one_line_error_naming_it(store):
    with pytest.raises(RolecallError, match="31/12/2026.*YYYY-MM-DD"):
        Dashboard(store).sessions(SessionFilter(since="31/12/2026"))


def test_trend_numbers_each_trainees_scored_calls_in_time_order(store):
    _call(store, "ana", "calm", 70, day="2026-03-03")
    _call(store, "ana", "calm", 50, day="2026-03-01")
    _call(store, "ana", "calm", None, day="2026-03-04")  # unfinished: not on the trend
    frame = Dashboard(store).trend("ana")
    assert frame["call"].tolist() == [1, 2]
    assert frame["total"].tolist() == [50, 70]


def test_matrix_averages_score_share_per_criterion_and_temperament(store):
    _call(store, "ana", "irritable", 60, empathy=1)
    _call(store, "bob", "irritable", 60, empathy=2)
    _call(store, "ana", "calm", 90, empathy=4)
    m = Dashboard(store).matrix()
    assert m.loc["empathy", "irritable"] == pytest.approx(0.38, abs=0.01)  # (1/4 + 2/4) / 2
    assert m.loc["empathy", "calm"] == 1.0
    assert "closing" not in m.index  # never applicable: no cell, not a zero


def test_matrix_is_empty_without_scored_calls(store):
    _call(store, "ana", "calm", None)
    assert Dashboard(store).matrix().empty


def test_readiness_board_gives_reasons_and_honours_an_override(store):
    for i, temp in enumerate(("irritable", "calm", "hesitant")):
        _call(store, "ana", temp, 85, seed=i, persona=f"p-{temp}")
    _call(store, "bob", "calm", 40)
    board = {r["trainee"]: r for r in Dashboard(store).readiness_board()}
    assert board["ana"]["ready"] is True and board["ana"]["source"] == "rules"
    assert board["bob"]["ready"] is False
    assert any("irritable" in reason for reason in board["bob"]["reasons"])

    store.set_readiness_override("bob", True, "shadowed two live shifts", "sue")
    bob = {r["trainee"]: r for r in Dashboard(store).readiness_board()}["bob"]
    assert bob["ready"] is True and bob["source"] == "override"
    assert "shadowed two live shifts" in bob["reasons"][0]


def test_csv_export_has_a_row_per_session_and_a_column_per_criterion(store, tmp_path):
    a1 = _call(store, "ana", "calm", 80, empathy=3)
    _call(store, "bob", "calm", None)
    path = Dashboard(store).export_csv(tmp_path / "out.csv", SessionFilter(trainee="ana"))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [a1]
    assert rows[0]["criterion:empathy"] == "3"
    assert rows[0]["criterion:closing"] == ""  # not applicable stays blank, not 0


def test_branch_copies_turns_up_to_the_chosen_turn_and_links_the_parent(store):
    sid = _call(store, "ana", "irritable", 50)
    new = Dashboard(store).branch(sid, 3, "ana")  # turn 3 is an agent line: the copy stops before it
    row = store.get_session(new)
    assert row["parent_id"] == sid and row["branch_turn"] == 2
    assert row["seed"] == 1 and row["persona_id"] == "p-irritable" and row["end_reason"] is None
    turns = store.turns(new)
    assert [t["text"] for t in turns] == ["Hello, thank you for calling.", "My internet is down."]
    assert turns[1]["state"]["mood"] == -0.5


def test_only_the_owner_can_branch_a_call(store):
    sid = _call(store, "ana", "irritable", 50)
    with pytest.raises(NotFound):
        Dashboard(store).branch(sid, 1, "bob")
    with pytest.raises(RolecallError, match="turn 9"):
        Dashboard(store).branch(sid, 9, "ana")


def test_nan_cells_mark_temperaments_a_criterion_was_not_scored_for(store):
    _call(store, "ana", "irritable", 60)
    s2 = store.create_session(user="ana", persona_id="p", temperament="calm", started_at=1.0)
    store.end_session(s2, "agent_ended", 1.0)
    store.save_score(s2, {"rubric": "x", "total": 50.0, "passed": False, "criteria": [
        {"id": "pitch", "score": 1, "max": 2, "applicable": True}]})
    m = Dashboard(store).matrix()
    assert math.isnan(m.loc["pitch", "irritable"]) and m.loc["pitch", "calm"] == 0.5
