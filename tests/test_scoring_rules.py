"""Rule checks computed by code, in English and Romanian."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.errors import ValidationFailed
from simulator.rubric import Rubric
from simulator.scoring import known_checks, rubric_problems, score_transcript
from simulator.scoring.rules import run_check
from simulator.scoring.view import build_view
from simulator.transcript import Transcript

DATA = Path(__file__).parent / "data" / "scoring"
ROOT = Path(__file__).parent.parent


def rubric(rid: str) -> Rubric:
    return Rubric.model_validate(yaml.safe_load((ROOT / "rubrics" / f"{rid}.yaml").read_text(encoding="utf-8")))


def call(*lines: str, language: str = "en", times: list[float] | None = None, end: dict | None = None,
         states: dict[int, dict] | None = None) -> Transcript:
    """Alternating agent/customer lines (agent first) as a transcript."""
    turns = []
    for i, text in enumerate(lines):
        turn = {"role": "agent" if i % 2 == 0 else "customer", "text": text, "t": times[i] if times else 0.0}
        if states and i + 1 in states:
            turn["state"] = states[i + 1]
        turns.append(turn)
    data = {"persona": "p", "language": language, "turns": turns}
    if end:
        data["end"] = end
    return Transcript.model_validate(data)


def check(rule: dict, transcript: Transcript, **view):
    return run_check(rule, build_view(transcript, **view))


def test_romanian_call_scored_with_romanian_matches():
    t = Transcript.model_validate(json.loads((DATA / "romanian_inbound.json").read_text(encoding="utf-8")))
    card = score_transcript(t, rubric("inbound-support"), company="Nordlink Telecom")
    got = {c.id: c.score for c in card.criteria if c.method != "llm"}
    # One question about the problem (the account and postcode), no summary: listening 2; a
    # stock "îmi pare rău, înțeleg cât de frustrant este" with nothing of this customer's case: 2.
    assert got == {"greeting": 2, "identity_verification": 1, "active_listening": 2, "empathy": 2, "resolution": 4,
                   "professional_language": 4, "closing": 2, "efficiency": 2, "responsiveness": 2,
                   "phone_manner": None}  # a typed call
    assert card.criterion("identity_verification").evidence[0].quote.startswith("Îmi puteți spune numărul de client")
    assert card.criterion("greeting").feedback.startswith("Deschidere bună")  # coaching in Romanian


@pytest.mark.parametrize("line", [
    "Bună ziua, Nordlink Telecom, numele meu este Ioana.",
    "BUNA ZIUA, NORDLINK TELECOM, MA NUMESC IOANA.",
    "Bună ziua, sunt Ioana de la Nordlink Telecom.",
    "Good morning, Nordlink Telecom, this is Ana speaking.",
    "Thank you for calling Nordlink, you're speaking with Ana.",
])
def test_greeting_names_company_and_agent(line):
    out = check({"check": "greeting"}, call(line), company="Nordlink Telecom")
    assert out.value == 1.0, line


def test_greeting_without_own_name_is_partial_and_says_what_is_missing():
    out = check({"check": "greeting"}, call("Hello, Nordlink Telecom, I'm sorry for the wait."),
                company="Nordlink Telecom")
    assert 0 < out.value < 1 and out.fields["missing"] == "name"


def test_company_name_is_not_taken_for_the_agents_name():
    out = check({"check": "greeting"}, call("Hello, this is Nordlink Telecom, how can I help?"),
                company="Nordlink Telecom")
    assert out.fields["missing"] == "name"


def test_greeting_company_can_come_from_the_rule():
    t = call("Hello, this is Ana from Acme Energy.")
    assert check({"check": "greeting", "company": "Acme Energy"}, t).value == 1.0
    assert check({"check": "greeting", "company": "Nordlink Telecom"}, t).value < 1.0


def test_identity_not_applicable_when_the_account_never_comes_up():
    t = call("Hello, this is Ana from Nordlink.", "My router is blinking.", "Please restart it.")
    assert check({"check": "identity_before_account"}, t).value is None


def test_identity_counts_from_the_session_record():
    # The customer volunteered the account number (state.revealed) before the agent talked billing.
    t = call("Hello, Nordlink, Ana speaking.", "Hi, account NL-1, my bill is wrong.",
             "I see, your bill shows a double charge.",
             states={2: {"mood": -0.2, "patience": 4, "revealed": ["account_number"], "beat": "opening"}})
    assert check({"check": "identity_before_account"}, t).value == 1.0


def test_romanian_account_talk_before_verification_fails():
    t = call("Bună ziua, Nordlink.", "Am o problemă.", "Factura dumneavoastră este plătită.", "Bine.",
             "Îmi spuneți data nașterii, vă rog?", language="ro")
    out = check({"check": "identity_before_account"}, t)
    assert out.value == 0.0 and out.turn == 3


def test_a_check_that_an_answer_landed_is_not_the_closing():
    # A walk's scorecard quoted "Does that take care of it?" (turn 8) as the trainee's closing.
    t = call("Hello.", "Hi.", "We cover exit fees up to two hundred pounds. Does that take care of it?", "It does.",
             "Great, I'll email the form now. Thanks for your time, and good luck with the rush!")
    out = check({"check": "closing"}, t)
    assert [e.turn for e in out.evidence] == [5], out.evidence
    t = call("Hello.", "Hi.", "Does that take care of it?", "It does.", "Okay.")
    assert check({"check": "closing"}, t).value == 0.0


@pytest.mark.parametrize("line,value,language", [
    ("Is there anything else I can help you with? Thank you for calling, goodbye.", 1.0, "en"),
    ("Cu ce vă mai pot ajuta? O zi bună!", 1.0, "ro"),
    ("Mai aveți întrebări? La revedere.", 1.0, "ro"),
    ("Thank you for calling.", 0.5, "en"),
    ("OK.", 0.0, "en"),
    # Goodbyes the customer hears are the scorecard's too (one list: the listener's).
    ("Anything else I can do? Cheers, have a good one!", 1.0, "en"),
    ("Altceva? Numai bine!", 1.0, "ro"),
])
def test_closing(line, value, language):
    t = call("Hello.", "Hi.", line, language=language)
    assert check({"check": "closing"}, t).value == value


@pytest.mark.parametrize("line,value", [
    ("What do you want?", 0.75),
    ("Ce vrei?", 0.75),
    ("Calmați-vă, nu e problema mea.", 0.75),  # one hit per line: the worst
    ("Shut up and listen.", 0.0),
    ("Taci din gură!", 0.0),
    ("Ești prost?", 0.0),
    ("The signal is poor in your area; semnalul e prost.", 1.0),  # "prost" about the signal is fine
    ("Thank you, let me help.", 1.0),
])
def test_forbidden_phrases(line, value):
    assert check({"check": "forbidden_phrases"}, call(line)).value == value


def test_a_helpful_sentence_does_not_excuse_a_sneer_in_the_next_one():
    # A read blind rude call scored 66.7 (its key 33-48): the help and the sneer were one line.
    helpful_then_sneer = "Give it two minutes and you should get a green light. Honestly, most people manage this without ringing us."
    assert check({"check": "forbidden_phrases"}, call(helpful_then_sneer)).value < 1.0
    assert check({"check": "forbidden_phrases"}, call("Give it two minutes and you should get a green light.")).value == 1.0


def test_forbidden_phrase_coaching_names_a_better_phrase():
    card = score_transcript(call("Yeah, what do you want?"), rubric("inbound-support"))
    c = card.criterion("professional_language")
    assert "Instead of 'what do you want', try 'How can I help you today?'" in c.feedback
    assert c.better == "How can I help you today?"


def test_rubric_phrases_extend_the_lists():
    t = call("That's above my pay grade.")
    assert check({"check": "forbidden_phrases", "phrases": ["above my pay grade"]}, t).value == 0.75
    assert check({"check": "forbidden_phrases", "abusive": ["pay grade"]}, t).value == 0.0


def test_required_phrases_with_alternatives_and_window():
    t = call("Hi, it's a short survey.", "OK.", "It takes three minutes.", "Fine.", "Bye.")
    rule = {"check": "required_phrases", "phrases": [["survey", "sondaj"], ["minutes", "minute"]]}
    assert check(rule, t).value == 1.0
    assert check({**rule, "first_turns": 1}, t).value == 0.5


def test_budgets_from_timestamps_and_turns():
    t = call("a", "b", "c", "d", "e", times=[0, 5, 10, 30, 80], end={"reason": "agent_ended", "t": 100})
    assert check({"check": "time_budget"}, t, time_budget_s=100).value == 1.0
    assert check({"check": "time_budget", "max_s": 50}, t).value == 0.0
    assert check({"check": "turn_budget", "max_turns": 3}, t).value == 1.0
    assert check({"check": "turn_budget"}, t, turn_budget=2).value == 0.5
    assert check({"check": "time_budget"}, call("a", "b")).value is None  # untimed: not applicable


def test_response_time_uses_the_median_reply_delay():
    t = call("a", "b", "c", "d", "e", "f", "g", times=[0, 1, 3, 4, 40, 41, 44])
    out = check({"check": "response_time", "max_s": 8}, t)
    assert out.value == 1.0  # delays 2, 36, 3: median 3
    slow = call("a", "b", "c", "d", "e", times=[0, 1, 31, 32, 62])
    out = check({"check": "response_time", "max_s": 10}, slow)
    assert out.value == 0.0 and out.code == "response.slow"


def test_talk_ratio_words_or_voice_time():
    t = call("one two three four five six seven eight nine", "one")
    assert check({"check": "talk_ratio", "max": 0.65}, t).value < 1.0
    voiced = check({"check": "talk_ratio"}, t, voice={"agent_speaking_s": 20.0, "customer_speaking_s": 30.0})
    assert voiced.value == 1.0 and voiced.fields["count"] == "40%"


def test_questions_asked_counts_spoken_questions_without_marks():
    t = call("How can I help you today", "My bill.", "When did it arrive? Is it the May bill?")
    out = check({"check": "questions_asked", "min": 3}, t)
    assert out.value == 1.0 and len(out.evidence) == 3


@pytest.mark.parametrize("end,states,value", [
    ({"reason": "resolved", "t": 9}, None, 1.0),
    # Offered, then the customer hung up: no solution, whatever was said before (the rubric's
    # level 0; 24 of 25 hung-up calls in the blind keys; it was 0.5, level 2, and 9 were off by two)
    ({"reason": "hung_up", "t": 9}, None, 0.0),
    ({"reason": "agent_ended", "t": 9}, {2: {"mood": 0.2, "patience": 3, "beat": "accept"}}, 1.0),
    ({"reason": "agent_ended", "t": 9}, {2: {"mood": -0.2, "patience": 3, "beat": "react_rude"}}, 0.5),  # record wins
    ({"reason": "agent_ended", "t": 9}, None, 1.0),  # no session record: the customer's "that works" counts
    (None, None, 1.0),
])
def test_resolution(end, states, value):
    t = call("I'll send a technician tomorrow.", "OK, that works, thanks.", end=end, states=states)
    assert check({"check": "resolution"}, t).value == value


def test_unknown_check_and_condition_are_reported_with_a_suggestion():
    data = yaml.safe_load((ROOT / "rubrics" / "inbound-support.yaml").read_text(encoding="utf-8"))
    data["criteria"][0]["rule"] = {"check": "greting"}
    data["criteria"][1]["na_when"] = "customer_never_upsett"
    data["criteria"][2]["rule"] = {"check": "questions_asked", "minimum": 2}
    problems = rubric_problems(Rubric.model_validate(data))
    assert problems[0].startswith("criteria[0].rule.check: unknown check 'greting'; did you mean 'greeting'?")
    assert any(p.startswith("criteria[1].na_when: unknown condition") and "customer_never_upset" in p
               for p in problems)
    assert any(p.startswith("criteria[2].rule.minimum:") for p in problems)
    with pytest.raises(ValidationFailed, match="greting"):
        score_transcript(call("Hi"), Rubric.model_validate(data))


def test_known_checks_cover_the_documented_rules():
    assert {"greeting", "identity_before_account", "closing", "forbidden_phrases", "required_phrases",
            "turn_budget", "time_budget", "talk_ratio", "questions_asked", "response_time",
            "resolution"} <= known_checks()


def test_voice_figures_reach_the_metrics():
    t = call("Hello, how can I help?", "My bill.", times=[0.0, 2.0], end={"reason": "agent_ended", "t": 5.0})
    card = score_transcript(t, rubric("inbound-support"),
                            voice_metrics={"agent_speaking_s": 2.0, "customer_speaking_s": 1.0, "words_per_minute": 150.0,
                                           "fillers": {"um": 2}, "filler_per_min": None})
    m = card.model_dump(mode="json")["metrics"]
    assert m["talk_ratio"] == pytest.approx(0.667, abs=1e-3) and m["words_per_minute"] == 150
    assert m["fillers"] == {"um": 2} and m["filler_per_min"] is None
    assert m["duration_s"] == 5.0 and m["agent_turns"] == 1 and m["questions"] == 1


def test_outbound_call_rule_criteria():
    t = call("Good morning, this is Dan from Nordlink Telecom. Is this a good time for two minutes?",
             "I suppose, but I'm not interested in buying anything.",
             "Understood. What do you use the internet for at home, and how many people share it?",
             "Mostly streaming, four of us. It's too expensive already.",
             "Our family plan is cheaper than what most families pay and handles four streams. "
             "Shall I email you the details and call you back on Thursday?",
             "OK, send it.",
             "Great, I'll send it today. Thank you for your time, goodbye.",
             end={"reason": "resolved", "t": 60})
    card = score_transcript(t, rubric("outbound-sales"), company="Nordlink Telecom")
    got = {c.id: (c.score, c.max) for c in card.criteria if c.method == "rule"}
    assert got == {"greeting": (2, 2), "permission_to_continue": (1, 1), "next_step": (1, 1), "closing": (1, 1),
                   "listening_balance": (2, 2), "professional_language": (4, 4)}
    assert card.criterion("objection_handling").applicable  # the prospect objected


def test_survey_leading_question_loses_neutrality_points():
    opening = "Good afternoon, my name is Ana from Nordlink Telecom. We're running a short survey; it takes three minutes."
    neutral = call(opening, "OK.", "How would you rate our service?", "Fine.", "Thank you for your time, goodbye.")
    leading = call(opening, "OK.", "Our service is great, don't you agree?", "Fine.", "Thank you for your time, goodbye.")
    r = rubric("survey")
    a = score_transcript(neutral, r, company="Nordlink Telecom").criterion("neutral_questions")
    b = score_transcript(leading, r, company="Nordlink Telecom").criterion("neutral_questions")
    assert a.score == 4 and b.score == 3 and b.evidence[0].turn == 3
    assert score_transcript(neutral, r, company="Nordlink Telecom").criterion("purpose_and_duration").score == 2
    # The advice names what is wrong with the question: it leads, it is not "unprofessional".
    assert "unprofessional" not in b.feedback and "answer" in b.feedback, b.feedback
    assert "unprofessional" not in a.feedback, a.feedback


# Issue 19.3: "anything else?" - "no, thanks, bye" and the customer hangs up content. There was no
# turn left for the trainee's goodbye; the offer closed the call.
@pytest.mark.parametrize("last,end,value", [
    ("No, that's everything, thanks. Bye!", {"reason": "resolved", "t": 30}, 1.0),
    ("Nu, asta a fost tot, mulțumesc. La revedere!", {"reason": "resolved", "t": 30}, 1.0),
    ("No, that's everything, thanks. Bye!", None, 1.0),  # no session record: the customer's own thanks
    ("No, that's it. Cheers, have a good one!", None, 1.0),  # a goodbye the listener knows (the scorer's list did not)
    ("This is useless. I'm cancelling.", {"reason": "hung_up", "t": 30}, 0.5),  # left unhappy: no goodbye given
])
def test_closing_kept_when_the_customer_ends_content_after_anything_else(last, end, value):
    t = call("Thank you for calling Nordlink Telecom, my name is Ana.", "My bill is wrong.",
             "I've corrected the bill and refunded the difference.", "Great, that works.",
             "Is there anything else I can help you with today?", last, end=end)
    assert check({"check": "closing"}, t).value == value


def test_closing_still_needs_a_goodbye_when_the_trainee_speaks_last():
    t = call("Hello, Nordlink.", "My bill is wrong.", "Fixed it. Anything else?", "No, thanks.", "OK.",
             end={"reason": "agent_ended", "t": 30})
    assert check({"check": "closing"}, t).value == 0.5


def test_as_usual_is_no_vague_promise():
    # "Pay each instalment at the post office, as usual. I'll send you the letter next week" was
    # scored as a vague promise ("de obicei" = usually) and cost the good Romanian call its resolution.
    from simulator.scoring import conduct, lexicon as lx
    from simulator.scoring.text import find_phrase, fold

    line = fold("Platiti fiecare rata la posta, ca de obicei. Va trimit scrisoarea cu ratele saptamana viitoare.")
    assert not find_phrase(line, lx.VAGUE) and conduct._TIME.search(line)
    assert find_phrase(fold("De obicei durează o săptămână, vedem."), lx.VAGUE)


def test_leading_questions_are_heard_by_their_shape_in_any_words():
    """The survey rubric's list missed leading questions in other words: "you had a great
    experience, didn't you?" scored as neutral. A read-back closed with "right?" is not one."""
    rule = {"check": "forbidden_phrases", "builtin": False, "leading": True, "phrases": ["don't you agree"]}
    pushed = call("Hello, a short survey about your visit. You had a great experience at the branch, didn't you?",
                  "It was fine.", "And the wait was short, wasn't it?", "Not really.",
                  "Sperăm la un 10, echipa chiar s-a străduit, nu-i așa?", "Nu.")
    assert check(rule, pushed).value == 0.25
    neutral = call("Hello, a short survey about your visit. How would you rate it from one to ten?", "Seven.",
                   "Seven, so it's the Riverside branch, right?", "Yes.", "What could we do better?", "Faster queues.")
    assert check(rule, neutral).value == 1.0


def test_a_survey_ended_after_the_opening_does_not_pass():
    """Nothing counted the answers collected: a survey call ended after the trainee's opening
    line scored 90/100 and passed."""
    from simulator.catalog import Catalog

    persona = Catalog.default(None).persona("talkative-tv-survey")
    r = rubric("survey")
    short = Transcript.model_validate({"persona": persona.id, "language": "en", "end": {"reason": "agent_ended", "t": 20},
                                       "turns": [
        {"role": "customer", "text": "Hello, Beryl speaking!", "t": 0},
        {"role": "agent", "text": "Hello Beryl, it's Sam from Northwind Broadband, a quick survey on the TV app, "
                                  "about three minutes. Is now all right?", "t": 5},
        {"role": "customer", "text": "Oh, you're not selling me anything, are you?", "t": 12}]})
    card = score_transcript(short, r, company=persona.company, persona=persona)
    assert not card.passed
    answers = card.criterion("answers_collected")
    assert answers.score == 0 and "not asked" in answers.feedback, answers


# calls-fresh5 calls 08 and 12 (read after they were measured): a consent the prospect denies at
# once is a false claim, which the sales rubric's value proposition puts at 0; it scored 4 and 2.
def test_a_false_claim_of_consent_costs_the_value_proposition():
    lines = ["Hi, Oliver from Evergreen Insurance. Have you got two minutes?", "Okay, go on.",
             "What would it cost to replace your things?", "About fifteen thousand, and I'm worried about theft.",
             "Since you're worried about theft, our contents cover for fifteen thousand protects against it, "
             "and it's £11.50 a month.", "That sounds reasonable, but I need to talk to my partner first."]
    honest = call(*lines, "Of course, I'll email you the quote.", "Thanks, bye.")
    claimed = call(*lines, "So, just for the recording, Ms Shah has agreed to take out the policy today.",
                   "No, wait, I didn't agree to anything.")
    assert check({"check": "offer"}, honest).value >= 0.75
    out = check({"check": "offer"}, claimed)
    assert out.value == 0.0 and out.turn == 7


@pytest.mark.parametrize("persona_id, line, words", [
    # "I understand" is no kindness when a brush-off follows: blind QA writers marked these
    # calls dismissive, and the scorecard let the line pass as kind (calls-fresh9 calls 10, 15)
    ("irritable-outage", "I understand, but there's nothing I can do about it.", "nothing I can do"),
    ("irritable-outage", "I do understand, sir. Unfortunately I can't do anything about lost earnings, "
     "that's a separate department.", "can't do anything about"),
    ("elderly-electric-bill-ro", "Va inteleg, dar asa e regulamentul, nu pot modifica o factura corecta.",
     "asa e regulamentul"),
])
def test_bare_understanding_does_not_excuse_a_brush_off(persona_id, line, words):
    found = rude_lines(persona_id, [line])
    assert found and words.casefold() in found[0][1].casefold(), found


def rude_lines(persona_id: str, lines: list[str], last_beat: str | None = None):
    """conduct.rude_lines of a typed call of alternating agent and customer lines (agent first);
    `last_beat`: the director's beat on the last line, as a practice call records it."""
    from simulator.loader import load_persona
    from simulator.scoring import conduct

    persona = load_persona(ROOT / "personas" / f"{persona_id}.yaml")
    turns = [{"role": "agent" if i % 2 == 0 else "customer", "text": x, "t": 6.0 * i} for i, x in enumerate(lines)]
    if last_beat is not None:
        turns[-1]["state"] = {"mood": -0.5, "patience": 0, "revealed": [], "beat": last_beat, "replaced": False}
    t = Transcript.model_validate({"persona": persona_id, "language": persona.language, "turns": turns,
                                   "end": {"reason": "hung_up", "t": 60.0}})
    return conduct.rude_lines(build_view(t, persona=persona))


@pytest.mark.parametrize("persona_id, lines, rude", [
    # the customer says the line was rude: a QA reviewer reads the line before it as rude, in
    # whatever words it was (blind calls: "There's no need to be like that", "Nu cred că e cazul
    # să-mi vorbiți pe tonul ăsta" after lines no phrase list or the tone probe heard)
    ("confused-router-setup",
     ["Hello, Brightline Telecom, Dan speaking.", "Hi, my new router won't connect.",
      "Well, the leaflet in the box explains all of this, if anyone reads it.",
      "There's no need to be like that. I'm trying my best."],
     "if anyone reads it"),
    ("hesitant-gas-meter-ro",
     ["GazNord, bună ziua, sunt Sorin.", "Bună ziua, am o factură foarte mare.",
      "Păi dacă nu citiți facturile, asta se întâmplă.",
      "Nu cred că e cazul să-mi vorbiți pe tonul ăsta. La revedere."],
     "dacă nu citiți facturile"),
    # or says it did not help them
    ("elderly-electric-bill-ro",
     ["Electrica Luminis, bună ziua, sunt Bogdan.", "Bună ziua, maică, am o factură foarte mare.",
      "Atunci vă poate ajuta cineva din familie. Factura trebuie plătită până la scadență, altfel se aplică "
      "procedura standard.", "Ce procedură? Adică nu mă puteți ajuta deloc?"],
     "procedura standard"),
    ("irritable-outage",
     ["Brightline Telecom, Anita speaking.", "My internet has been down since Monday.",
      "These things are looked at in order, and your area is on the list somewhere.",
      "That's not an answer. When is someone coming?"],
     "on the list somewhere"),
])
def test_a_line_the_customer_reproaches_is_rude(persona_id, lines, rude):
    found = rude_lines(persona_id, lines)
    assert [x.turn for x, _ in found] == [3], found
    assert rude.casefold() in found[0][1].casefold()


@pytest.mark.parametrize("persona_id, lines", [
    # a customer who waves an apology away, or is sorry for themselves, reproaches nobody
    ("confused-router-setup",
     ["Hello, Brightline Telecom, Dan speaking.", "Hi, my new router won't connect.",
      "I'm so sorry about that, let's get it sorted together. Which lights are on?",
      "No need to be sorry, dear. I'm not very good with these things. Only the power light."]),
    ("hesitant-gas-meter-ro",
     ["GazNord, bună ziua, sunt Sorin.", "Bună ziua, am o factură foarte mare.",
      "Îmi pare rău, hai să vedem împreună. Îmi spuneți codul de client?",
      "Nu e nevoie să vă cereți scuze. Da, e GN-730418."]),
])
def test_a_customer_who_is_not_offended_reproaches_nothing(persona_id, lines):
    assert rude_lines(persona_id, lines) == []


def test_a_simulated_customer_pushing_reproaches_nothing():
    """In a practice call the customer's words follow the beat the director chose: "That's not
    an answer" said as a push to a polite line is the persona's temper, not the agent's fault."""
    assert rude_lines("irritable-outage", [
        "Brightline Telecom, Anita speaking.", "My internet has been down since Monday.",
        "These things are looked at in order, and your area is on the list somewhere.",
        "That's not an answer. When is someone coming?"], last_beat="push") == []


def test_a_simulated_customer_hanging_up_unhelped_does_not_make_the_last_line_rude():
    """Patience runs out over a call; the line before the hang-up may be polite. Only a hang-up
    that reproaches the agent's manner marks the line before it."""
    assert rude_lines("irritable-outage", [
        "Brightline Telecom, Anita speaking.", "My internet has been down since Monday.",
        "Let me check that for you, one moment please.",
        "You're wasting my time. Goodbye."], last_beat="hang_up") == []


def test_a_sneer_over_a_comma_is_rude_on_the_card():
    """Seen in a walk: "Vai, ce dramă." and "... o înțelege și un copil." got Professional
    language 4/4, "no rude wording": the sneers' words ran over a comma and a "și"."""
    found = rude_lines("elderly-electric-bill-ro", [
        "Bună ziua, sunt Ana de la furnizorul de energie. Cu ce vă pot ajuta?",
        "Alo, bună ziua, maică. Am primit o hârtie de la curent și nu mai înțeleg nimic.",
        "Vai, ce dramă. Toată lumea plătește mai mult iarna.",
        "Nu înțeleg nimic de ce. De ce e mare factura?",
        "Citiți factura, scrie acolo, o înțelege și un copil.",
        "Bine, maică."])
    assert [x.turn for x, _ in found] == [3, 5], found


def test_empathy_applies_when_the_customer_says_they_are_lost_though_their_mood_held():
    """A walk: Elena said "nu mai înțeleg nimic" (I can't make sense of it any more), her
    recorded mood stayed at -0.1, and the card said empathy was not applicable to the call."""
    from simulator.scoring.rules import NA_CONDITIONS

    state = {"mood": -0.1, "patience": 3, "revealed": [], "beat": "open", "replaced": False}
    lost = call("Bună ziua, sunt Ana. Cu ce vă pot ajuta?",
                "Alo, bună ziua, maică. Am primit o hârtie de la curent și nu mai înțeleg nimic.",
                "Spuneți-mi codul de client.", language="ro", states={2: state})
    calm = call("Bună ziua, sunt Ana. Cu ce vă pot ajuta?", "Bună ziua, vreau să aflu suma facturii.",
                "Spuneți-mi codul de client.", language="ro", states={2: state})
    assert NA_CONDITIONS["customer_never_upset"](build_view(lost)) is False
    assert NA_CONDITIONS["customer_never_upset"](build_view(calm)) is True
