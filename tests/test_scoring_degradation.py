"""A strong inbound call, and variants that each break one behaviour: each variant must lose
points on the criterion it breaks and, among rule-scored criteria, on that one alone."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from simulator.rubric import Rubric
from simulator.scoring import Scorecard, score_transcript
from simulator.transcript import Transcript

DATA = Path(__file__).parent / "data" / "scoring"
ROOT = Path(__file__).parent.parent
COMPANY = "Nordlink Telecom"


def load_rubric(rid: str) -> Rubric:
    return Rubric.model_validate(yaml.safe_load((ROOT / "rubrics" / f"{rid}.yaml").read_text(encoding="utf-8")))


def strong() -> dict:
    return json.loads((DATA / "strong_inbound.json").read_text(encoding="utf-8"))


VARIANTS = {k: v for k, v in json.loads((DATA / "variants_inbound.json").read_text(encoding="utf-8")).items()
            if not k.startswith("_")}


def variant(name: str) -> Transcript:
    data, spec = strong(), VARIANTS[name]
    for turn, fields in spec["turns"].items():
        data["turns"][int(turn) - 1].update(copy.deepcopy(fields))
    if "end" in spec:
        data["end"] = spec["end"]
    return Transcript.model_validate(data)


class TopMarksJudge:
    """A scripted judge that gives every criterion its top level and quotes a real agent line."""

    name = "top-marks"

    def __init__(self) -> None:
        self.prompts: list[list[tuple[str, str]]] = []

    def complete(self, messages, *, max_tokens=256, temperature=0.7, seed=None, json_schema=None, stop=None):
        self.prompts.append(messages)
        prompt = messages[-1][1]
        m = re.search(r"score from 0 to (\d+)", prompt) or re.search(r"give one of (?:\d+, )*(\d+)\.", prompt)
        top = int(m.group(1))
        first_agent = re.search(r"\[turn (\d+)\] AGENT: ([^.?!\n]+)", prompt)
        return json.dumps({"evidence": [{"turn": int(first_agent.group(1)), "quote": first_agent.group(2)}],
                           "score": top, "feedback": "Well done.", "better": ""})

    def stream(self, messages, **kw):
        yield self.complete(messages, **kw)


def scores(card: Scorecard) -> dict[str, int | None]:
    return {c.id: c.score for c in card.criteria}


@pytest.fixture(params=["no_judge", "fake_judge"])
def judge(request):
    return None if request.param == "no_judge" else TopMarksJudge()


def test_strong_call_passes_with_full_rule_scores(judge):
    card = score_transcript(Transcript.model_validate(strong()), load_rubric("inbound-support"), judge,
                            company=COMPANY)
    assert card.passed and card.fatal == []
    rule_criteria = [c for c in card.criteria if c.method != "llm" and c.applicable]
    assert all(c.score == c.max for c in rule_criteria), scores(card)
    assert card.total == 100.0
    if judge is not None:
        assert "not_judged" not in card.flags


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_loses_points_on_the_broken_criterion_only(name, judge):
    rubric = load_rubric("inbound-support")
    base = score_transcript(Transcript.model_validate(strong()), rubric, judge, company=COMPANY)
    broken = score_transcript(variant(name), rubric, judge, company=COMPANY)
    target = VARIANTS[name]["breaks"]
    before, after = base.criterion(target), broken.criterion(target)
    assert after.applicable and after.score is not None and after.score < before.score, (name, after)
    assert broken.total < base.total
    # Coaching points at the moment that went wrong and says what to say instead.
    assert after.feedback and after.better
    # A rude line also caps empathy and listening: the customer heard it too.
    also = {"rude_line": {"empathy", "active_listening"}}.get(name, set())
    for c in rubric.criteria:
        if c.id != target and c.method != "llm" and c.id not in also:
            assert broken.criterion(c.id).score == base.criterion(c.id).score, (name, c.id)
            assert broken.criterion(c.id).applicable == base.criterion(c.id).applicable, (name, c.id)


def test_fatal_variants_fail_the_call_whatever_the_total():
    rubric = load_rubric("inbound-support")
    for name, criterion in (("account_before_verification", "identity_verification"),
                            ("rude_line", "professional_language")):
        card = score_transcript(variant(name), rubric, TopMarksJudge(), company=COMPANY)
        assert card.passed is False
        assert card.fatal == [criterion]
        if name == "account_before_verification":
            assert card.total >= rubric.pass_mark  # it fails because the criterion is fatal, not on points


def test_rude_line_is_quoted_and_coached():
    card = score_transcript(variant("rude_line"), load_rubric("inbound-support"), company=COMPANY)
    c = card.criterion("professional_language")
    assert c.score == 0
    assert [e.turn for e in c.evidence] == [7]
    assert "idiot" in c.evidence[0].quote
    assert "Turn 7" in c.feedback


def test_account_before_verification_points_at_the_bill_talk():
    c = score_transcript(variant("account_before_verification"), load_rubric("inbound-support"),
                         company=COMPANY).criterion("identity_verification")
    assert c.evidence[0].turn == 3 and "bill" in c.evidence[0].quote
    assert "account number" in c.better


def test_greeting_without_company_or_name_suggests_a_full_opening():
    c = score_transcript(variant("no_greeting"), load_rubric("inbound-support"),
                         company=COMPANY).criterion("greeting")
    assert c.score == 0
    assert "Nordlink Telecom" in c.better and "my name is" in c.better
