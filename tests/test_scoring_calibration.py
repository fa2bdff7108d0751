"""Calibration: a supervisor re-scores a criterion with a note; the score JSON shows both scores;
agreement per criterion (exact, within one level, Cohen's kappa); the export carries both."""

from __future__ import annotations

import pytest

from simulator.calibration import agreement, cohen_kappa, with_reviews
from simulator.dashboard import Dashboard
from simulator.errors import AccessDenied, NotFound, RolecallError
from simulator.service import Rolecall, User
from simulator.store import Store


def test_cohen_kappa_known_values():
    assert cohen_kappa([1, 2, 3, 1], [1, 2, 3, 1]) == 1.0
    # 2x2 table: agree 20+15 of 50; auto says 1 in 25, supervisor says 1 in 30
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=0.001)
    assert cohen_kappa([], []) is None and cohen_kappa([2, 2], [2, 2]) is None


def test_agreement_counts_exact_adjacent_and_na():
    pairs = [{"criterion_id": "empathy", "auto_score": 3, "score": 3, "applicable": True},
             {"criterion_id": "empathy", "auto_score": 3, "score": 2, "applicable": True},
             {"criterion_id": "empathy", "auto_score": 4, "score": 1, "applicable": True},
             {"criterion_id": "closing", "auto_score": None, "score": None, "applicable": False},
             {"criterion_id": "closing", "auto_score": 2, "score": None, "applicable": False}]
    got = agreement(pairs)
    assert got["empathy"]["n"] == 3 and got["empathy"]["exact"] == pytest.approx(0.333, abs=0.001)
    assert got["empathy"]["within_one"] == pytest.approx(0.667, abs=0.001)
    assert got["closing"]["exact"] == 0.5 and got["closing"]["within_one"] == 0.5  # "na" only meets "na"


def test_with_reviews_keeps_the_automatic_score_and_adds_the_supervisor_total():
    score = {"total": 50.0, "criteria": [{"id": "a", "score": 1, "max": 2, "applicable": True},
                                         {"id": "b", "score": 0, "max": 4, "applicable": True}]}
    merged = with_reviews(score, {"b": {"score": 4, "applicable": True, "note": "fine", "by": "sue",
                                        "created_at": 1.0}}, {"a": 1, "b": 1})
    b = merged["criteria"][1]
    assert b["score"] == 0 and b["supervisor"] == {"score": 4, "note": "fine", "by": "sue", "at": 1.0}
    assert merged["total"] == 50.0 and merged["supervisor_total"] == 75.0


def test_supervisor_rescores_with_a_note_and_sees_both(tmp_path):
    from simulator.catalog import Catalog

    store = Store(":memory:")
    store.add_user("tina", "trainee", "password1")
    store.add_user("sue", "supervisor", "password1")
    rc = Rolecall(store, Catalog.default(tmp_path), None)
    sid = store.create_session(user="tina", persona_id="irritable-outage", rubric_id="inbound-support")
    for role, text in [("agent", "Hello, Brightline Telecom, Ana speaking."),
                       ("customer", "My internet is down again, third time I'm calling!"),
                       ("agent", "Stop whining, turn it off and on like a normal person.")]:
        store.add_turn(sid, role, text, 0.0)
    store.end_session(sid, "hung_up", 20.0)
    tina, sue = User("tina", "trainee"), User("sue", "supervisor")
    auto = rc.end_call(tina, sid, judge="none")
    emp = next(c for c in auto["criteria"] if c["id"] == "empathy")
    assert emp["score"] == 0

    with pytest.raises(AccessDenied):
        rc.rescore_criterion(tina, sid, "empathy", 1, "I think it was fine")
    with pytest.raises(RolecallError):
        rc.rescore_criterion(sue, sid, "empathy", 9, "too high")
    with pytest.raises(NotFound):
        rc.rescore_criterion(sue, sid, "no_such", 1, "x")
    with pytest.raises(RolecallError):
        rc.rescore_criterion(sue, sid, "empathy", 1, "  ")

    both = rc.rescore_criterion(sue, sid, "empathy", 1, "he did say sorry once, off the record")
    emp = next(c for c in both["criteria"] if c["id"] == "empathy")
    assert emp["score"] == 0 and emp["supervisor"]["score"] == 1 and emp["supervisor"]["by"] == "sue"
    assert both["total"] == auto["total"] and "supervisor_total" in both
    assert rc.score_of(tina, sid)["criteria"] == both["criteria"]  # the trainee sees the supervisor's word too

    rc.rescore_criterion(sue, sid, "greeting", None, "no greeting was expected on a transfer")
    figures = rc.calibration(sue)
    assert figures["empathy"] == {"criterion": "empathy", "n": 1, "exact": 0.0, "within_one": 1.0, "kappa": 0.0}
    assert figures["greeting"]["exact"] == 0.0
    with pytest.raises(AccessDenied):
        rc.calibration(tina)
    rows = Dashboard(store).calibration()
    assert {r["criterion"] for r in rows} == {"empathy", "greeting"}

    path = Dashboard(store).export_csv(tmp_path / "out.csv")
    text = path.read_text(encoding="utf-8")
    assert "criterion:empathy" in text and "supervisor:empathy" in text and "off the record" in text


class SlowJudge:
    """A judge that answers each criterion with a fixed level, and records what it was asked."""

    name = "slow"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def complete(self, messages, *, max_tokens=256, temperature=0.7, seed=None, json_schema=None, stop=None):
        import json

        self.asked.append(messages[-1][1].split("Criterion: ", 1)[1].split("\n", 1)[0])
        levels = json_schema["properties"]["score"].get("enum") or [json_schema["properties"]["score"]["maximum"]]
        return json.dumps({"evidence": [], "score": max(levels), "feedback": "ok", "better": ""})

    def stream(self, messages, **kw):
        yield self.complete(messages, **kw)


def test_end_call_stream_gives_the_code_decided_card_first_then_each_judged_part(tmp_path):
    import time

    from simulator.catalog import Catalog

    store = Store(":memory:")
    store.add_user("tina", "trainee", "password1")
    judge = SlowJudge()
    rc = Rolecall(store, Catalog.default(tmp_path), None, judge)
    sid = store.create_session(user="tina", persona_id="irritable-outage", rubric_id="inbound-support")
    lines = [("agent", "Good morning, Brightline Telecom, Ana speaking. How can I help?"),
             ("customer", "My internet has been down since Monday, third time I'm calling, I work from home!"),
             ("agent", "I'm sorry you've had to call three times while working from home. Could I have your "
                       "account number?"),
             ("customer", "RC-48213."),
             ("agent", "Thank you. I've booked a technician for tomorrow between 8 and 10, and you'll get a text "
                       "message to confirm."),
             ("customer", "Okay, that works."),
             ("agent", "Is there anything else I can help you with today?"),
             ("customer", "No, thanks. Bye.")]
    for i, (role, text) in enumerate(lines):
        store.add_turn(sid, role, text, 5.0 * i)
    store.end_session(sid, "resolved", 40.0)
    t0 = time.perf_counter()
    updates = list(rc.end_call_stream(User("tina", "trainee"), sid))
    first, last = updates[0], updates[-1]
    assert not first["final"] and first["done"] == 0 and first["total"] == len(updates) - 1 >= 1
    pending = [c["id"] for c in first["score"]["criteria"] if c.get("pending")]
    assert pending and "judging" in first["score"]["flags"]
    # Code decided every other criterion in the first card, with its level already there.
    assert all(c["score"] is not None for c in first["score"]["criteria"] if c["applicable"])
    assert [u["criterion"] for u in updates[1:]] == pending
    assert last["final"] and last["done"] == last["total"]
    assert not any(c.get("pending") for c in last["score"]["criteria"])
    judged = [c for c in last["score"]["criteria"] if c.get("decided_by") == "judge"]
    assert judged and all(c["judged_levels"] for c in judged)
    assert store.get_score(sid) == last["score"]  # the final card is the one kept
    assert time.perf_counter() - t0 < 30


def test_a_judge_past_the_deadline_leaves_code_level_and_review():
    import json
    from pathlib import Path

    from simulator.catalog import Catalog
    from simulator.scoring import score_progressive
    from simulator.transcript import Transcript

    cat = Catalog.default(Path("/nonexistent-rolecall-data"))
    data = json.loads((Path(__file__).parent / "data" / "scoring" / "calls" / "08-hurried-cafe-owner-good.json")
                      .read_text(encoding="utf-8"))
    t = Transcript.model_validate(data)
    persona = cat.personas[t.persona]
    updates = list(score_progressive(t, cat.rubric(persona.rubric), SlowJudge(), persona=persona, deadline_s=0.0))
    last = updates[-1]
    assert last.final and "judge_deadline" in last.card.flags
    first_levels = {c.id: c.score for c in updates[0].card.criteria}
    assert {c.id: c.score for c in last.card.criteria} == first_levels
    assert not any(c.pending for c in last.card.criteria)


def test_rolecall_export_carries_both_scores(tmp_path, monkeypatch, capsys):
    import json

    from simulator.cli import main

    db = tmp_path / "r.db"
    monkeypatch.setenv("ROLECALL_DB", str(db))
    monkeypatch.setenv("ROLECALL_DATA_DIR", str(tmp_path / "data"))
    store = Store(db)
    store.add_user("tina", "trainee", "password1")
    sid = store.create_session(user="tina", persona_id="irritable-outage", rubric_id="inbound-support")
    store.add_turn(sid, "agent", "Hello.", 0.0)
    store.end_session(sid, "agent_ended", 1.0)
    store.save_score(sid, {"rubric": "inbound-support", "total": 10.0, "passed": False,
                           "criteria": [{"id": "greeting", "score": 1, "max": 2, "applicable": True}]})
    store.add_criterion_review(sid, "greeting", 2, "the company was named", "sue", auto_score=1, max_score=2)
    store.close()
    assert main(["export", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["criterion:greeting"] == 1 and rows[0]["supervisor:greeting"] == 2
    assert rows[0]["supervisor_note:greeting"] == "the company was named"
