"""The strong inbound call's scorecard (judge=None) against a reviewed golden file, and the
Score JSON contract of DESIGN.md."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from simulator.rubric import Rubric
from simulator.scoring import score_transcript
from simulator.transcript import Transcript

DATA = Path(__file__).parent / "data" / "scoring"
ROOT = Path(__file__).parent.parent
CONTRACT_TOP = {"rubric", "total", "passed", "fatal", "criteria", "metrics", "flags"}
CONTRACT_CRITERION = {"id", "score", "max", "applicable", "method", "evidence", "feedback", "needs_review"}


def card_json() -> dict:
    rubric = Rubric.model_validate(yaml.safe_load((ROOT / "rubrics" / "inbound-support.yaml").read_text(encoding="utf-8")))
    transcript = Transcript.model_validate(json.loads((DATA / "strong_inbound.json").read_text(encoding="utf-8")))
    return score_transcript(transcript, rubric, None, company="Nordlink Telecom").model_dump(mode="json")


def test_matches_golden_scorecard():
    golden = json.loads((DATA / "golden_strong_inbound.json").read_text(encoding="utf-8"))
    got = card_json()
    assert {k: got[k] for k in ("rubric", "total", "passed", "fatal", "flags", "metrics")} == \
           {k: golden[k] for k in ("rubric", "total", "passed", "fatal", "flags", "metrics")}
    assert [c["id"] for c in got["criteria"]] == [c["id"] for c in golden["criteria"]]
    for g, want in zip(got["criteria"], golden["criteria"]):
        assert g == want, g["id"]


def test_score_json_follows_the_contract():
    got = card_json()
    assert CONTRACT_TOP <= set(got) <= CONTRACT_TOP | {"manipulation", "supervisor_total"}
    assert isinstance(got["total"], float) and 0 <= got["total"] <= 100
    for c in got["criteria"]:
        assert CONTRACT_CRITERION <= set(c) <= CONTRACT_CRITERION | {"title", "better", "raw", "decided_by",
                                                                     "judged_levels", "pending", "supervisor"}
        assert c["method"] in ("rule", "llm", "both")
        assert all(set(e) == {"turn", "quote"} for e in c["evidence"])
    assert {"agent_turns", "talk_ratio", "duration_s"} <= set(got["metrics"])
    json.dumps(got)  # plain JSON all the way down
