"""The built-in rubrics validate and contain what DESIGN.md promises."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from simulator.rubric import Rubric
from simulator.scoring import rubric_problems

RUBRICS = sorted((Path(__file__).parent.parent / "rubrics").glob("*.yaml"))


def load(path: Path) -> Rubric:
    return Rubric.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_the_three_built_in_rubrics_exist():
    assert {p.stem for p in RUBRICS} >= {"inbound-support", "outbound-sales", "survey"}


@pytest.mark.parametrize("path", RUBRICS, ids=lambda p: p.stem)
def test_rubric_validates_and_every_rule_can_run(path):
    rubric = load(path)
    assert rubric.id == path.stem
    assert rubric_problems(rubric) == []
    assert rubric.time_budget_s and rubric.turn_budget and 0 < rubric.pass_mark <= 100
    assert any(c.fatal for c in rubric.criteria) and any(c.na_when for c in rubric.criteria)
    for c in rubric.criteria:
        assert sorted(c.levels) == list(range(c.max_score + 1)), c.id  # every level spelled out


def test_inbound_has_the_documented_criteria():
    rubric = load(next(p for p in RUBRICS if p.stem == "inbound-support"))
    ids = {c.id for c in rubric.criteria}
    assert {"greeting", "identity_verification", "active_listening", "empathy", "resolution",
            "professional_language", "closing"} <= ids
    assert rubric.criterion("identity_verification").fatal
    assert rubric.criterion("professional_language").fatal
    assert rubric.criterion("empathy").na_when == "customer_never_upset"
