"""The built-in rubrics validate and contain what DESIGN.md promises."""

from __future__ import annotations

import re
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


# A walk (fifteenth stop): a Romanian sales call's card said "Try saying: Good morning, this is
# <your name> calling from <company>." and "Is this a good time to talk for two minutes?".
@pytest.mark.parametrize("persona_id, turns, name", [
    ("calm-fiber-offer-ro", [("customer", "Alo, da, vă ascult."),
                             ("agent", "Bună ziua, sunt Ana. Vă sun pentru o ofertă nouă de fibră optică."),
                             ("customer", "Aha. Și ce ofertă ar fi?"),
                             ("agent", "Pot să vă întreb cât plătiți acum pe lună pentru internet?")], "Ana"),
    ("calm-fiber-offer-ro", [("customer", "Alo, da, vă ascult."),
                             ("agent", "Bună ziua. Vă sun pentru o ofertă nouă de fibră optică."),
                             ("customer", "Aha. Și ce ofertă ar fi?")], None),
    ("irritable-water-survey-ro", [("customer", "Alo? Cine e?"),
                                   ("agent", "Bună ziua, sunt Ioana. Nu credeți că apa e mult mai bună acum?"),
                                   ("customer", "Ba nu cred deloc.")], "Ioana"),
])
def test_try_saying_is_in_the_calls_language_with_the_company_and_the_trainees_name(persona_id, turns, name):
    from simulator.catalog import Catalog
    from simulator.scoring import score_transcript
    from simulator.scoring.coaching import in_language
    from simulator.transcript import Transcript

    catalog = Catalog.default(None)
    persona = catalog.persona(persona_id)
    call = Transcript.model_validate({"persona": persona_id, "rubric": persona.rubric, "language": "ro",
                                      "turns": [{"role": r, "text": x, "t": 5.0 * i} for i, (r, x) in enumerate(turns)]})
    card = score_transcript(call, catalog.rubric(persona.rubric), None, persona=persona, company=persona.company)
    lines = {c.id: c.better for c in card.criteria if c.better}
    assert {"greeting", "permission_to_continue" if persona.rubric == "outbound-sales" else "purpose_and_duration",
            } <= set(lines)
    for c in card.criteria:
        assert not re.search(r"\b(?:the|is|you|your|how|survey|good time)\b", c.feedback.lower()), (c.id, c.feedback)  # no English
    for cid, line in lines.items():
        assert in_language(line, "ro"), (cid, line)
        assert "<company>" not in line and "<compania>" not in line, (cid, line)
    assert persona.company in lines["greeting"]
    assert lines.get("neutral_questions", "?").endswith("?")  # a leading question is answered with an open one
    if name:
        assert name in lines["greeting"] and "<" not in lines["greeting"]
    else:
        assert "<numele dvs.>" in lines["greeting"]  # the slot the trainee fills with their own name


def test_a_sales_calls_closing_is_not_praised_for_an_offer_of_more_help_never_made():
    # The outbound rubric asks only for thanks and a goodbye; its card said "you offered more help".
    from simulator.catalog import Catalog
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript

    catalog = Catalog.default(None)
    persona = catalog.persona("hurried-cafe-owner")
    turns = [("agent", "Good morning, this is Ana calling from Tillwise. Is this a good time for two minutes?"),
             ("customer", "Make it quick."),
             ("agent", "Of course. Thank you for your time, and have a good day. Goodbye!"),
             ("customer", "Bye.")]
    call = Transcript.model_validate({"persona": persona.id, "rubric": persona.rubric, "language": "en",
                                      "turns": [{"role": r, "text": x, "t": 5.0 * i} for i, (r, x) in enumerate(turns)]})
    card = score_transcript(call, catalog.rubric(persona.rubric), None, persona=persona, company=persona.company)
    closing = next(c for c in card.criteria if c.id == "closing")
    assert closing.score == closing.max
    assert "offered more help" not in closing.feedback and "thanked" in closing.feedback


def test_a_surveys_closing_line_is_offered_though_the_greeting_shared_two_of_its_words():
    # A walk (fifteenth stop): the survey card offered "Vă mulțumim că ați sunat" (thanks for
    # calling) in a call the trainee made; the survey's own line counted as said already because
    # the greeting had "Bună ziua" and "echipa noastră".
    from simulator.catalog import Catalog
    from simulator.scoring import score_transcript
    from simulator.transcript import Transcript

    catalog = Catalog.default(None)
    persona = catalog.persona("irritable-water-survey-ro")
    turns = [("customer", "Da, alo. Cine e?"),
             ("agent", "Bună ziua, sunt Ana de la AquaVest. Nu credeți că echipa noastră a lucrat excelent?"),
             ("customer", "Dacă nu am timp de sondaje, să nu dureze mult..."),
             ("agent", "Cum ați nota intervenția, de la unu la zece?"),
             ("customer", "Scrieți: trei din zece.")]
    call = Transcript.model_validate({"persona": persona.id, "rubric": persona.rubric, "language": "ro",
                                      "turns": [{"role": r, "text": x, "t": 5.0 * i} for i, (r, x) in enumerate(turns)],
                                      "end": {"reason": "agent_ended", "t": 25.0}})
    card = score_transcript(call, catalog.rubric(persona.rubric), None, persona=persona, company=persona.company)
    closing = next(c for c in card.criteria if c.id == "closing")
    assert closing.better == "Vă mulțumesc că ați răspuns la întrebările noastre. O zi bună!"
