"""The hard guarantees of the scorecard on whole calls with known answers (tests/data/scoring/calls,
written blind by a QA writer; README.md there). Scored by code alone (no judge), so it runs fast.

Guarantees: a rude or dismissive call is never praised (never passes, never above 40, empathy
never above 1); a good call is never failed; every manipulation attempt is flagged with its turn
and raises no score. Figures beyond these (agreement per criterion, evidence) are measured by
bench/fairness.py; a guard below keeps the per-criterion agreement from sliding back.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from simulator.catalog import Catalog
from simulator.scoring import score_transcript
from simulator.transcript import Transcript

CALLS = Path(__file__).parent / "data" / "scoring" / "calls"
FILES = sorted(CALLS.glob("*.json"))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog.default(Path(__file__).parent / "data" / "no-such-data-dir")


def load(path: Path) -> tuple[dict, Transcript]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, Transcript.model_validate(data)


@lru_cache(maxsize=None)
def scored(name: str) -> dict:
    data, transcript = load(CALLS / name)
    persona = catalog().personas[transcript.persona]
    rubric = catalog().rubric(transcript.rubric or persona.rubric)
    card = score_transcript(transcript, rubric, None, persona=persona)
    return {"card": card.model_dump(mode="json"), "pass_mark": rubric.pass_mark}


def of_kind(*kinds: str) -> list[str]:
    return [p.name for p in FILES if json.loads(p.read_text(encoding="utf-8"))["expected"]["kind"] in kinds]


def test_the_set_is_there():
    assert len(FILES) >= 44 and (CALLS / "README.md").is_file()
    assert of_kind("rude", "dismissive") and of_kind("good") and of_kind("manipulative")


@pytest.mark.parametrize("name", of_kind("rude", "dismissive"))
def test_rude_and_dismissive_calls_are_never_praised(name):
    card = scored(name)["card"]
    assert not card["passed"], name
    assert card["total"] <= 40, (name, card["total"])
    empathy = next((c for c in card["criteria"] if c["id"] == "empathy"), None)
    if empathy and empathy["applicable"]:
        assert empathy["score"] is not None and empathy["score"] <= 1, (name, empathy)
        # Advice never quotes the rude line as the thing to say.
        quoted = {e["quote"] for c in card["criteria"] for e in c["evidence"] if c["id"] == "empathy"}
        assert not any(q and q in (empathy.get("better") or "") for q in quoted), name


@pytest.mark.parametrize("name", of_kind("good"))
def test_good_calls_are_never_failed(name):
    s = scored(name)
    assert s["card"]["passed"] and s["card"]["total"] >= s["pass_mark"], (name, s["card"]["total"])


@pytest.mark.parametrize("name", of_kind("manipulative"))
def test_every_manipulation_attempt_is_flagged_with_its_turn_and_raises_nothing(name):
    data, transcript = load(CALLS / name)
    card = scored(name)["card"]
    # The key quotes the attempt as professional language's evidence: that line's turn must be named.
    attempt = data["expected"]["criteria"]["professional_language"]["evidence"]
    turn = next(i for i, t in enumerate(data["turns"], start=1) if t["role"] == "agent" and attempt in t["text"])
    assert "manipulation_attempt" in card["flags"]
    named = {int(m.group(1)) for f in card["flags"] if (m := re.match(r"manipulation_attempt:turn (\d+)", f))}
    assert turn in named, (name, card["flags"])
    # Nothing scores higher than the same call with the attempt lines left out.
    persona = catalog().personas[transcript.persona]
    rubric = catalog().rubric(transcript.rubric or persona.rubric)
    clean = dict(data, turns=[t for i, t in enumerate(data["turns"], start=1) if i not in named])
    base = score_transcript(Transcript.model_validate(clean), rubric, None, persona=persona)
    for b in base.criteria:
        a = next(c for c in card["criteria"] if c["id"] == b.id)
        if a["score"] is not None and b.score is not None:
            assert a["score"] <= b.score, (name, b.id)
    assert card["total"] <= base.total


def test_agreement_per_criterion_does_not_slide_back():
    """A guard, not a target: tuned on this set (see docs/benchmarks.md for the untouched figures)."""
    per: dict[str, list[bool]] = {}
    for p in FILES:
        data = json.loads(p.read_text(encoding="utf-8"))
        got = {c["id"]: c for c in scored(p.name)["card"]["criteria"]}
        for cid, want in data["expected"]["criteria"].items():
            c = got[cid]
            level = "na" if not c["applicable"] else c["score"]
            w = want["level"]
            per.setdefault(cid, []).append(level == w or (isinstance(level, int) and isinstance(w, int)
                                                          and abs(level - w) <= 1))
    shares = {cid: sum(v) / len(v) for cid, v in per.items()}
    assert all(s >= 0.9 for s in shares.values()), shares


# Read from calls-fresh4 (blind) after it was measured: a Romanian agent polite in every word who
# passes the buck ("Asta nu depinde de mine", "procedura e procedură") scored 63.3 with empathy 2.
def test_polite_buck_passing_is_heard_as_dismissive():
    path = CALLS.parent / "calls-fresh4" / "03-hesitant-gas-meter-ro-dismissive.json"
    data, transcript = load(path)
    persona = catalog().personas[transcript.persona]
    card = score_transcript(transcript, catalog().rubric(persona.rubric), None, persona=persona)
    assert card.total <= 40 and not card.passed, card.total
    assert card.criterion("empathy").score <= 1
    assert card.criterion("professional_language").score <= 1
