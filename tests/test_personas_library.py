"""The built-in persona library: every file valid, the required mix covered, lines usable as-is."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from simulator.catalog import BUILTIN_PERSONAS, BUILTIN_RUBRICS
from simulator.loader import load_persona, validate_paths
from simulator.persona import Beat, CallType, Persona

FILES = sorted(BUILTIN_PERSONAS.glob("*.yaml"))
RUBRIC_FOR = {
    CallType.inbound_support: "inbound-support",
    CallType.outbound_sales: "outbound-sales",
    CallType.survey: "survey",
}
# Words that would make a customer sound like the agent, or like a machine.
AGENT_WORDS = [
    "how can i help", "how may i help", "thank you for calling", "thanks for calling", "anything else i can",
    "on behalf of", "cu ce va pot ajuta", "va multumim ca ati sunat",
]
AI_WORDS = re.compile(r"\b(ai|a\.i\.|assistant|bot|chatbot|robot|language model|model de limbaj|asistent\w*)\b")


def plain(text: str) -> str:
    """Lowercase without diacritics, as the engine compares phrases."""
    text = unicodedata.normalize("NFKD", text)
    return " " + re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c)).casefold()) + " "


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(plain(phrase).strip()) + r"(?!\w)", plain(text)) is not None


@pytest.fixture(scope="module")
def library() -> dict[str, Persona]:
    return {p.id: p for p in map(load_persona, FILES)}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_shipped_persona_loads_and_is_named_after_its_id(path):
    persona = load_persona(path)
    assert path.name == f"{persona.id}.yaml"
    assert persona.rubric == RUBRIC_FOR[persona.call_type]


def test_the_library_covers_every_call_type_with_the_required_temperaments(library):
    assert len(library) >= 13
    grid = {(p.call_type, p.temperament.value) for p in library.values()}
    for call_type in CallType:
        for temperament in ("irritable", "calm", "hesitant"):
            assert (call_type, temperament) in grid, f"no {temperament} persona for {call_type.value}"
    others = {p.temperament.value for p in library.values()} - {"irritable", "calm", "hesitant"}
    assert len(others) >= 3


def test_the_outage_classic_is_there(library):
    p = library["irritable-outage"]
    assert p.call_type == CallType.inbound_support and p.temperament.value == "irritable"
    assert "third" in (p.situation + (p.opening or "")).lower()
    assert "account_number" in p.goal.requires


def test_at_least_three_romanian_personas_speak_romanian(library):
    romanian = [p for p in library.values() if p.language == "ro"]
    assert len(romanian) >= 3
    for p in romanian:
        assert p.voice.espeak == "ro"
        lines = [line for lines in p.fallback_lines.values() for line in lines]
        with_diacritics = [line for line in lines if re.search(r"[ăâîșțĂÂÎȘȚ]", line)]
        assert len(with_diacritics) >= len(lines) // 3, p.id
        # comma-below ș/ț, not the cedilla look-alikes
        assert not re.search(r"[şţŞŢ]", " ".join(lines) + p.situation), p.id
        assert not any(re.search(r"\b(the|and|you|I'm)\b", line) for line in lines), p.id


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fallback_lines_are_usable_in_every_beat(path):
    p = load_persona(path)
    hidden = [f for f in p.facts if f.share == "if_asked"]
    for beat in Beat:
        lines = p.fallback_lines[beat]
        assert len(lines) >= 3 and len(set(lines)) == len(lines), f"{p.id} {beat.value}"
        for line in lines:
            where = f"{p.id} {beat.value}: {line!r}"
            assert len(re.findall(r"\w+", line)) < 30, where
            assert "\n" not in line and line == line.strip(), where
            placeholders = set(re.findall(r"\{[^}]*\}", line))
            expected = {Beat.give_fact: {"{fact}"}, Beat.object: {"{objection}"}}.get(beat, set())
            assert placeholders == expected, where
            if beat == Beat.give_fact:
                # values are mostly lowercase phrases ("the January statement"): never start a sentence
                assert not re.search(r"(^|(?<!\.)[.!?]\s+)\{fact\}", line), where
            assert not any(w in plain(line) for w in AGENT_WORDS), where
            assert not AI_WORDS.search(plain(line)), where
            assert not re.match(r"^\s*[\"'“„*\[(]", line) and not re.search(r"[*\[\]]", line), where
            assert not re.match(rf"^\s*({re.escape(p.name.split()[0])}|customer|client)\s*:", line, re.I), where
            for fact in hidden:
                assert plain(fact.value).strip() not in plain(line), f"{where} reveals {fact.id}"
                digits = re.sub(r"\D", "", fact.value)
                if len(digits) >= 4:
                    assert digits not in re.sub(r"\D", "", line), f"{where} reveals {fact.id}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_openings_do_not_give_away_hidden_facts(path):
    p = load_persona(path)
    opening = p.opening or ""
    for fact in p.facts:
        if fact.share == "if_asked":
            assert plain(fact.value).strip() not in plain(opening), fact.id
    if p.call_type != CallType.inbound_support:
        # outbound and survey: the customer just picked up the phone
        assert len(re.findall(r"\w+", opening or p.fallback_lines[Beat.opening][0])) <= 12


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_director_phrases_are_well_formed(path):
    p = load_persona(path)
    assert 3 <= len(p.facts) <= 5
    assert sum(f.share == "if_asked" for f in p.facts) >= 2
    for fact in p.facts:
        if fact.share == "if_asked":
            assert 3 <= len(fact.asked_by) <= 6, fact.id
    assert 4 <= len(p.goal.satisfied_by) <= 8
    for objection in p.objections:
        assert 3 <= len(objection.answered_by) <= 6, objection.id
    assert 3 <= p.patience <= 8
    # One question must not count as asking for two facts, and offering the goal must not
    # count as asking for a fact (each phrase is matched inside the trainee's line).
    for fact in p.facts:
        for other in p.facts:
            if other is not fact:
                for phrase in fact.asked_by:
                    clash = [o for o in other.asked_by if has_phrase(phrase, o)]
                    assert not clash, f"{fact.id} phrase {phrase!r} also asks for {other.id}"
        for phrase in p.goal.satisfied_by:
            assert not any(has_phrase(phrase, a) for a in fact.asked_by), f"goal phrase {phrase!r} asks {fact.id}"


def test_moods_follow_temperament(library):
    for p in library.values():
        if p.temperament.value == "irritable":
            assert p.mood.start <= -0.5 and p.patience <= 4, p.id
        if p.temperament.value == "calm":
            assert p.mood.start >= 0 and p.patience >= 7, p.id
        if p.temperament.value == "hesitant":
            assert -0.3 <= p.mood.start <= 0, p.id


def test_library_and_builtin_rubrics_agree():
    if not any(BUILTIN_RUBRICS.glob("*.yaml")):
        pytest.skip("no built-in rubrics yet")
    _, errors = validate_paths([BUILTIN_PERSONAS, BUILTIN_RUBRICS])
    assert [e for e in errors if str(BUILTIN_PERSONAS) in e] == []
