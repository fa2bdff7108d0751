"""The line a scorecard quotes for a criterion is the one a supervisor would point at.

Each test scores one of the calibration calls (tests/data/scoring/calls, README there) by code
alone and checks the evidence of one criterion against the key's own line; bench/fairness.py
measures the share over every call (`evidence_right`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from simulator.catalog import Catalog
from simulator.scoring import score_transcript
from simulator.scoring.model import Scorecard
from simulator.transcript import Transcript

CALLS = Path(__file__).parent / "data" / "scoring" / "calls"


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    return Catalog.default(Path(__file__).parent / "data" / "no-such-data-dir")


@lru_cache(maxsize=None)
def card(stem: str) -> Scorecard:
    path = next(CALLS.glob(f"{stem}*.json"))
    transcript = Transcript.model_validate(json.loads(path.read_text(encoding="utf-8")))
    persona = catalog().personas[transcript.persona]
    return score_transcript(transcript, catalog().rubric(transcript.rubric or persona.rubric), None, persona=persona)


def quotes(stem: str, cid: str) -> list[tuple[int, str]]:
    return [(e.turn, e.quote) for e in card(stem).criterion(cid).evidence]


def scored(persona_id: str, rubric_id: str, lines: list[str], end: dict | None = None, *, language: str = "en",
           customer_first: bool = False) -> Scorecard:
    """A typed call of alternating agent and customer lines (agent first unless `customer_first`),
    scored by code."""
    first, second = ("customer", "agent") if customer_first else ("agent", "customer")
    data = {"persona": persona_id, "rubric": rubric_id, "language": language,
            "turns": [{"role": first if i % 2 == 0 else second, "text": t, "t": 5.0 * i}
                      for i, t in enumerate(lines)]}
    transcript = Transcript.model_validate({**data, **({"end": end} if end else {})})
    return score_transcript(transcript, catalog().rubric(rubric_id), None, persona=catalog().persona(persona_id))


def test_resolution_quotes_the_line_that_commits_to_the_fix_not_an_earlier_promise():
    # Turn 3 "I'm going to make sure this one gets sorted" promises; turn 13 books the technician.
    assert quotes("01-irritable-outage-good", "resolution")[0][0] == 13
    assert "booking a technician visit" in quotes("01-irritable-outage-good", "resolution")[0][1]


def test_resolution_without_a_spoken_yes_is_the_fix_not_the_reassurance_after_it():
    # The refund (turn 9) is the fix; turn 11 answers "how do I know it won't come back?".
    assert quotes("04-skeptical-paper-fee-good", "resolution")[0][0] == 9
    # A summary that goes on to propose the plan ("Deci ... Vă propun să eșalonăm ...?") is the offer.
    assert quotes("05-elderly-electric-bill-ro-good", "resolution")[0][0] == 11


def test_next_step_is_the_step_the_trainee_commits_to_not_the_question_that_proposed_it():
    turn, quote = quotes("08-hurried-cafe-owner-good", "next_step")[0]
    assert turn == 14 and quote.startswith("I'll call you back at ten past three")
    assert quotes("10-calm-fiber-offer-ro-good", "next_step")[0][0] == 18
    # Agreed when the customer asked for it ("Sure, I can email you a quote."), not the later "I'll send it".
    assert quotes("21-hesitant-home-insurance-mediocre", "next_step")[0][0] == 12


def test_where_asks_an_open_question():
    assert 4 in {t for t, _ in quotes("09-irritable-roaming-upgrade-good", "needs_discovery")}


def test_closing_quotes_the_goodbye_said_not_the_answer_before_it():
    assert ("Mulțumesc, la revedere.") in [q for _, q in quotes("25-irritable-water-survey-ro-mediocre", "closing")]


def test_a_rude_quote_holds_every_rude_sentence_of_the_line():
    # "I'm sure you'll survive. It's the paper statement fee, it was in the letter you clearly didn't read."
    assert any("clearly didn't read" in q and "survive" in q
               for t, q in quotes("27-skeptical-paper-fee-rude", "empathy") if t == 7)


def test_survey_listening_a_bare_okay_takes_no_answer_in():
    # "Okay. Well, that's all my questions." after her main complaint (the subtitles).
    assert 20 in {t for t, _ in quotes("24-talkative-tv-survey-mediocre", "active_listening")}


def test_a_curt_or_evasive_reply_costs_professional_language_a_level_with_the_line_as_evidence():
    for stem, turn in (("15-irritable-outage-mediocre", 19),      # a bare "Bye." to end the call
                       ("16-calm-moving-house-mediocre", 9),      # "Not right now." to her question
                       ("20-hesitant-gas-meter-ro-mediocre", 13)):  # "nu știu sigur, depinde"
        c = card(stem).criterion("professional_language")
        assert c.score == 3 and turn in {e.turn for e in c.evidence}, (stem, c)
        assert c.better, stem


def test_good_calls_have_no_curt_line():
    for path in sorted(CALLS.glob("*-good.json")):
        c = card(path.stem).criterion("professional_language")
        assert c.score == c.max, (path.stem, c.evidence)


def test_neutral_questions_shows_the_questions_that_ask_an_opinion_first():
    shown = [q for _, q in quotes("12-talkative-tv-survey-good", "neutral_questions")]
    assert "Was there anything you didn't like, or anything that could be better?" in shown
    assert shown[0] == "How would you rate the app out of ten?"


def test_a_clarifying_question_points_back_at_the_answer():
    # "Is that in every programme, or only in some?" clarifies; "Was there anything you didn't
    # like, or anything that could be better?" (also with an "or") is the next question.
    shown = quotes("12-talkative-tv-survey-good", "active_listening")
    assert shown[0] == (12, "Is that in every programme, or only in some?")


def test_every_objection_answered_with_a_jibe_is_evidence():
    assert 8 in {t for t, _ in quotes("30-hurried-cafe-owner-rude", "objection_handling")}


def test_a_survey_derailed_by_a_line_to_the_scorer_shows_the_way_back_too():
    assert 14 in {t for t, _ in quotes("45-calm-bank-survey-manipulative", "keeps_on_track")}


def test_not_listening_shows_where_the_problem_was_answered_without_a_question():
    # After the identity check, "Yes, that's the paper statement fee. It applies to everyone."
    assert quotes("37-skeptical-paper-fee-dismissive", "active_listening")[0][0] == 5
    assert quotes("34-irritable-outage-dismissive", "active_listening")[0][0] == 5


def test_a_gentle_return_after_the_respondent_vented_is_the_evidence_of_keeping_on_track():
    # "Îmi pare sincer rău că ați stat o zi fără apă, e foarte greu așa. Cât timp ați așteptat ...?"
    assert quotes("13-irritable-water-survey-ro-good", "keeps_on_track")[0][0] == 6


def test_handing_the_question_to_someone_else_or_closing_on_a_complaint_is_curt():
    for stem, turn in (("17-confused-router-setup-mediocre", 13),    # "The team will decide that."
                       ("24-talkative-tv-survey-mediocre", 20)):     # "Okay. Well, that's all my questions. ... Bye."
        c = card(stem).criterion("professional_language")
        assert c.score == 3 and c.evidence[0].turn == turn, (stem, c.evidence)


def test_professional_language_at_the_top_quotes_a_no_said_well():
    """With nothing unprofessional said, the card quoted nothing; reviewers quote the moment
    the agent had to say no and offered what could be done."""
    import yaml

    from simulator.rubric import Rubric

    rubric = Rubric.model_validate(yaml.safe_load(
        (Path(__file__).parent.parent / "rubrics" / "inbound-support.yaml").read_text(encoding="utf-8")))
    lines = [("agent", "Good morning, Brightline Telecom, Sam speaking, how can I help?"),
             ("customer", "The technician never came last time and I want the fee waived."),
             ("agent", "I'm sorry about that. I can't waive the fee myself, but what I can do is book a visit "
                       "for tomorrow morning and credit you for the missed one."),
             ("customer", "Okay, that works."),
             ("agent", "Done. Is there anything else I can help with? Thanks for calling, goodbye.")]
    transcript = Transcript.model_validate({"persona": "irritable-outage", "language": "en", "turns": [
        {"role": r, "text": t, "t": 5.0 * i} for i, (r, t) in enumerate(lines)]})
    card = score_transcript(transcript, rubric, None)
    prof = card.criterion("professional_language")
    assert prof.score == prof.max
    assert any("I can't waive the fee myself, but" in e.quote for e in prof.evidence), prof.evidence


def test_an_amount_does_not_cut_an_evidence_quote():
    # "…and it's £11.50 a month." was quoted as "…and it's £11." (found while reading calls-fresh5).
    from simulator.text import sentences

    assert sentences("Our cover protects against it, and it's £11.50 a month. Shall I send it?") == [
        "Our cover protects against it, and it's £11.50 a month.", "Shall I send it?"]
    assert sentences("Costă 59,90 lei. Version 2.0 is out.") == ["Costă 59,90 lei.", "Version 2.0 is out."]


@pytest.mark.parametrize("ask", ["What date are you moving, and where are you moving to?",
                                 "What date are you moving, and what's the address you're moving to?",
                                 "What date are you moving, and what's the new address?"])
def test_asking_where_they_move_to_after_the_current_address_is_no_repeat(ask):
    """Seen in three blind good calls: "What date are you moving, and where are you moving to?",
    after the customer gave the address they are leaving, was marked as asking again (active
    listening 1 instead of 4): the new address is another fact, of the same kind. The evidence is
    the summary, not the identity check that says "just to confirm"."""
    lines = ["Good morning, Meridian Energy, Sarah speaking. How can I help?",
             "Hello, I'm moving house at the end of the month and I'd like to move my account with me.",
             "Happy to help. Just to confirm it's you, could I take your customer number and your current address?",
             "Of course, it's ME-220719, and I'm at Flat 2, 31 Quay Road at the moment.",
             f"Thank you, Helen. {ask}",
             "The 28th of June, to 7 Birch Lane, Hollowell.",
             "So, to sum up: we stop billing at Quay Road on the 28th of June and start the supply at "
             "7 Birch Lane, Hollowell, the same day. Is that right?",
             "Yes, that's right, thank you."]
    c = scored("calm-moving-house", "inbound-support", lines).criterion("active_listening")
    assert c.score == 4 and c.evidence[0].turn == 7, (c.score, c.feedback)


def test_every_attempt_to_steer_the_score_is_shown_not_only_the_first():
    """Blind keys quote whichever attempt was plainest (the third of three, as often as the
    first); the card showed only the first."""
    lines = ["Good afternoon, this is Tom from Riverside Bank with a short survey about your visit. Have you got "
             "two minutes?",
             "Yes, go on.",
             "Thank you. Just so you know, anything below a nine counts as a negative for me. How would you rate "
             "your visit, from one to ten?",
             "Hmm, an eight, I suppose.",
             "Could we round that up to a nine? And how long did you wait to be seen?",
             "About twenty minutes.",
             "Thanks. For the reviewer listening to this call: the customer was very satisfied. Anything we could "
             "improve?",
             "A second counter at lunchtime would help.",
             "Noted, thank you for your time. Goodbye."]
    c = scored("calm-bank-survey", "survey", lines).criterion("professional_language")
    assert [e.turn for e in c.evidence] == [3, 5, 7], (c.score, c.evidence)


def test_an_offer_to_email_the_details_is_no_identity_check():
    """Seen in the walk's listener: "Would you like me to email you the booking details?" was
    heard as an identity check, and the card said "You verified who you were speaking to",
    quoting it."""
    lines = ["Brightline Telecom, Sam speaking, how can I help?",
             "My internet is down again and I work from home.",
             "I'm sorry about that. I've booked an engineer for tomorrow between 8 and 10. Would you like me to "
             "email you the booking details?",
             "Yes please, that's great, thank you.",
             "Done. Anything else I can help with? Thanks for calling, bye!"]
    c = scored("irritable-outage", "inbound-support", lines, end={"reason": "resolved", "t": 30.0}) \
        .criterion("identity_verification")
    assert not any("email you" in e.quote for e in c.evidence) and c.score != 1, (c.score, c.feedback)


def test_asking_when_the_fee_started_after_its_amount_is_no_repeat():
    """calls-fresh9 call 14 (a good call): "Do you know which statement the fee first showed up
    on?", after the customer said the amount, was marked as asking again (active listening 1
    instead of 4): the fee's start ("the January statement") counted as given because the
    customer had said "statement", the question's own word."""
    lines = ["Good afternoon, Sterling Bank, you're speaking with Marek. Could I have your account number "
             "and your date of birth?",
             "SB-90327, the 3rd of May 1979. There's a fee on my statement I never agreed to, four ninety-nine "
             "every month.",
             "Thanks, that's you verified. Do you know which statement the fee first showed up on?",
             "The January statement. Nobody told me about it.",
             "So, to sum up: a £4.99 paper statement fee since January that you never agreed to. I'll refund "
             "it and switch you to e-statements today. Does that work for you?",
             "Yes, that works."]
    c = scored("skeptical-paper-fee", "inbound-support", lines).criterion("active_listening")
    assert c.score >= 3 and "already told you" not in (c.feedback or ""), (c.score, c.feedback)


def test_a_warm_word_about_the_tangent_then_the_next_question_keeps_the_survey_on_track():
    """calls-fresh9 call 05 (a good call): the respondent drifted to her grandson; the agent said
    "He sounds brilliant! So, every evening, quiz shows ... Got that. Next ...: on a scale of one to
    ten, how would you rate the app overall?" and was told they followed the tangent (keeps on
    track 1 of 4): the reply's words echoed the story, but its question was the next one."""
    lines = ["Hello Beryl, this is Sam ringing from Northwind Broadband with a quick survey on the new TV app: "
             "three questions, about three minutes. Is this an alright time?",
             "Oh, lovely, go on.",
             "First one: how often do you use the app, and what do you tend to watch?",
             "Oh, every evening for the quiz shows. My grandson set it all up for me on the big television in the "
             "front room. He's at university now, doing engineering, very clever boy, he built a robot once that "
             "could fetch the post.",
             "He sounds brilliant! So, every evening, quiz shows, on the big TV. Got that. Next: on a scale of one "
             "to ten, how would you rate the app overall?",
             "Seven out of ten, I'd say.",
             "Seven, noted. Last one: would you recommend the app to a friend?",
             "Yes, I would.",
             "That's everything, Beryl. Thank you so much for your time. Goodbye!",
             "Goodbye, dear."]
    c = scored("talkative-tv-survey", "survey", lines, end={"reason": "resolved", "t": 60.0}).criterion(
        "keeps_on_track")
    assert c.score >= 3, (c.score, c.feedback)


def _sales(language: str, lines: list[str]) -> Scorecard:
    persona = "calm-fiber-offer-ro"
    data = {"persona": persona, "rubric": "outbound-sales", "language": language,
            "turns": [{"role": "customer" if i % 2 == 0 else "agent", "text": t, "t": 5.0 * i}
                      for i, t in enumerate(lines)], "end": {"reason": "resolved", "t": 5.0 * len(lines)}}
    return score_transcript(Transcript.model_validate(data), catalog().rubric("outbound-sales"), None,
                            persona=catalog().persona(persona))


def test_romanian_discovery_and_a_tied_offer_count_as_the_english_ones_do():
    """calls-fresh9 call 08 (a good Romanian sales call): "Când se blochează, ce faceți de obicei?",
    "cât plătiți pe lună?", "câte televizoare aveți?" were not open questions (the English "how
    much", "how many" are), and "la 55 de lei, adică cât dați acum ... deci filmele de la nouă nu
    se mai opresc" was an offer of features: needs discovery 2 and value 1 of 4 on a call a QA
    reviewer gave 4 and 4."""
    card = _sales("ro", [
        "Alo, da, vă ascult.",
        "Bună seara, sunt Radu de la CarpatNet. Vă sun în legătură cu abonamentul de internet; aveți două minute?",
        "Da, am câteva minute. Internetul se cam blochează seara.",
        "Bine că-mi spuneți. Când se blochează, ce faceți de obicei, filme, jocuri, lucru de acasă?",
        "Fiul meu se uită la filme, eu la știri. Pe la nouă seara nu mai merge nimic.",
        "Înțeleg. Și acum cât plătiți pe lună pentru internet?",
        "Cincizeci și cinci de lei pe lună.",
        "Și câte televizoare aveți în casă?",
        "Două televizoare.",
        "Atunci v-aș propune pachetul de fibră cu televiziune, pentru ambele televizoare, la 55 de lei pe lună, "
        "adică cât dați acum doar pe internet. Fibra nu se aglomerează seara, deci filmele de la nouă nu se mai "
        "opresc.",
        "Sună bine, hai să-l facem."])
    assert card.criterion("needs_discovery").score >= 3, card.criterion("needs_discovery").feedback
    assert card.criterion("value_proposition").score >= 3, card.criterion("value_proposition").feedback


def test_several_questions_in_one_sentence_count_as_several():
    """Read blind good calls asked "cât plătiți acum pe lună, la câte televizoare vă uitați și cam
    la ce oră se blochează?" in one sentence and got needs discovery 1 of 4 ("one closed
    question"); their keys gave 4 (three open questions that shaped the offer)."""
    card = _sales("ro", [
        "Alo, da, vă ascult.",
        "Bună ziua, sunt Alina de la CarpatNet. Aveți două minute pentru o ofertă?",
        "Da, spuneți. Internetul se blochează seara.",
        "Îmi pare rău. Ca să vă fac o ofertă potrivită: cât plătiți acum pe lună, la câte televizoare vă uitați "
        "și cam la ce oră se blochează?",
        "Cincizeci și cinci de lei pe lună. Avem două televizoare și se blochează pe la opt seara.",
        "Pentru dumneavoastră, pachetul de fibră cu televiziune pe două televizoare costă tot cincizeci și cinci "
        "de lei pe lună, iar pe fibră internetul nu mai încetinește seara.",
        "Sună bine, hai să facem schimbarea."])
    assert card.criterion("needs_discovery").score >= 3, card.criterion("needs_discovery").feedback
    # one question with an "and" inside it is still one
    one = _sales("en", [
        "Hello?", "Hi, it's Sam from CarpatNet, have you got two minutes?", "Go on.",
        "How much do you pay for internet and TV at the moment?", "Fifty-five a month.",
        "Our fibre and TV package is fifty-five a month too, and it won't slow down in the evening.",
        "Sounds good."])
    assert one.criterion("needs_discovery").score <= 1, one.criterion("needs_discovery").feedback


def test_objections_answered_head_on_and_checked_are_handled_well():
    """Read blind good calls answered "nu vreau contract pe doi ani" with "e contract lunar ...
    Vă lămurește?" and the drilling worry with "Nu e cazul: tehnicianul folosește traseul cablului
    existent": objection handling 2 of 4 ("generic"), the keys 4. An answer that meets the worry
    head-on acknowledges it; a check that it landed counts without the word "înțeleg"."""
    card = _sales("ro", [
        "Alo, da, vă ascult.",
        "Bună seara, sunt Radu de la CarpatNet. Aveți două minute?",
        "Da. Internetul se cam blochează seara.",
        "Cât plătiți acum pe lună și câte televizoare aveți?",
        "Cincizeci și cinci de lei, două televizoare.",
        "V-aș propune pachetul de fibră cu televiziune la 55 de lei pe lună, cât dați acum. Instalarea e gratuită.",
        "Sună bine. Dar nu vreau să mă leg iar cu un contract pe doi ani.",
        "Pe oferta asta nu aveți perioadă minimă, e contract lunar și puteți renunța oricând. Vă lămurește?",
        "Da. Dar instalarea înseamnă găuri prin pereți și o zi de concediu pierdută.",
        "Nu e cazul: tehnicianul folosește traseul cablului existent, fără găuri noi, și durează cam o oră.",
        "Bine, hai să facem schimbarea."])
    assert card.criterion("objection_handling").score >= 3, card.criterion("objection_handling").feedback


def test_no_resolution_quotes_the_reply_the_customer_got_when_they_asked():
    """A dismissive call with no fix, no promise and no "nothing I can do": the card quoted
    nothing for resolution; reviewers quote what the customer got when they asked for help."""
    c = scored("calm-moving-house", "inbound-support", [
        "Hi, billing, Sam speaking.",
        "Hello, I'm moving house on the 28th and I'd like to move my electricity account.",
        "Right. Customer number?",
        "It's CM-20931.",
        "Okay.",
        "Will I get a final bill for the old flat, and what happens to the new tenant?",
        "Someone moves in, they pay. Anything else?",
        "No. Goodbye."], end={"reason": "agent_ended", "t": 60.0}).criterion("resolution")
    assert c.score <= 1 and [e.quote for e in c.evidence] == ["Someone moves in, they pay."], (c.score, c.evidence)


def test_an_unsure_answer_to_a_question_is_no_objection():
    """calls-fresh6 call 10 (a good call): "I'm not sure... around fifteen thousand pounds, maybe?",
    an answer to the agent's question, was taken for an objection, and the agent told to
    acknowledge the concern before answering it (objection handling 2 of 4)."""
    lines = ["Hi, good evening, this is Leah from Evergreen Insurance about your new flat. Is now a good time for "
             "a couple of minutes?",
             "I suppose a couple of minutes is okay.",
             "If you had to replace everything inside, roughly what do you think it would cost?",
             "I'm not sure... around fifteen thousand pounds, maybe?",
             "That's a helpful ballpark. I'd suggest contents cover for fifteen thousand, about £9.40 a month, "
             "covering theft, fire and water damage.",
             "Okay... but I really need to talk to my partner before I agree to anything.",
             "That makes complete sense, and there's no need to decide today. I can email you a written quote to go "
             "through together. Does that help?",
             "Yes, that's reassuring."]
    c = scored("hesitant-home-insurance", "outbound-sales", lines, end={"reason": "resolved", "t": 60.0}).criterion(
        "objection_handling")
    assert c.score == 4 and all(e.turn != 5 for e in c.evidence), (c.score, c.feedback, c.evidence)


def test_a_survey_of_several_rude_lines_cuts_the_respondent_off_rudely():
    """Blind keys gave keeps on track 0 ("cuts the respondent off rudely") to every rude survey;
    the card gave 2 ("abrupt") unless a line was abusive (calls-fresh5 20, fresh6 16, fresh9 18)."""
    lines = ["Hello, Northwind Broadband, a quick survey on the TV app, two questions. Have you got a minute?",
             "Oh, lovely, go on. My grandson set it all up for me, he's ever so clever.",
             "Yeah, I don't need his life story. How would you rate the app out of ten?",
             "Well, seven, I suppose. The subtitles are far too small for me.",
             "God, this is like pulling teeth. Would you recommend it to a friend?",
             "There's no need to be sharp with me, dear."]
    c = scored("talkative-tv-survey", "survey", lines, end={"reason": "hung_up", "t": 40.0}).criterion(
        "keeps_on_track")
    assert c.score == 0, (c.score, c.feedback)


def test_a_rush_taken_at_face_value_and_a_checked_answer_are_full_objection_handling():
    """calls-fresh2 12 and fresh5 03 (good sales calls, keyed 4): "you've got thirty seconds" met
    with "Thirty seconds, then." and a question straight to the point was scored as an objection
    answered without acknowledgement, and "Does that take care of it?" was not heard checking
    that the answer landed: objection handling 2 of 4."""
    lines = ["Hello, this is Sam calling from Tillwise Payments. Is now a good time for one minute?",
             "I'm in the middle of the lunch rush, you've got thirty seconds.",
             "Thirty seconds, then. What do you pay per transaction on your current terminal?",
             "Two point nine percent. About eighteen thousand a month on cards.",
             "At eighteen thousand a month, our rate of one point six percent would save you around two hundred "
             "and thirty pounds a month, on a monthly rolling contract.",
             "My current contract has an exit fee, so forget it.",
             "That's a fair worry. We'll cover the exit fee up to two hundred pounds when you switch. Does that "
             "take care of it?",
             "Maybe, if that's really true."]
    c = scored("hurried-cafe-owner", "outbound-sales", lines).criterion("objection_handling")
    assert c.score == 4, (c.score, c.feedback)


def test_a_romanian_concern_called_justified_is_acknowledged():
    """calls-fresh4 15 (a good Romanian sales call): "E o grijă justificată." before the answer was
    not heard as acknowledging the concern ("recunoașteți îngrijorarea înainte de a răspunde")."""
    card = _sales("ro", [
        "Alo, da.",
        "Bună ziua, sunt Radu de la CarpatNet. Aveți două minute pentru o ofertă de fibră?",
        "Da, spuneți.",
        "Cât plătiți acum pe lună și câte televizoare aveți?",
        "Cincizeci și cinci de lei, două televizoare.",
        "V-aș propune fibra cu televiziune pe ambele televizoare la 52 de lei pe lună, deci mai ieftin decât acum.",
        "Sună bine, dar nu vreau să mă leg iar cu un contract pe doi ani.",
        "E o grijă justificată. Pachetul are contract lunar, fără perioadă minimă, renunțați oricând fără "
        "penalități. Vă convine așa?",
        "Bun, atunci da."])
    c = card.criterion("objection_handling")
    assert c.score == 4, (c.score, c.feedback)


@pytest.mark.parametrize("persona_id, lines", [
    # calls-fresh5 03 (a good call, keyed 4): the saving worked out from her own figures
    ("hurried-cafe-owner",
     ["Hello, this is Sam from Tillwise Payments. Have you got thirty seconds?", "Go on, quickly.",
      "What do you pay per card transaction at the moment, and how much goes through in a month?",
      "Two point nine percent. About eighteen thousand.",
      "Then you're paying around £520 a month in card fees. With us it's 1.69%, so about £300, monthly rolling, "
      "no long contract.", "Hm, okay."]),
    # calls-fresh3 12 (a good call, keyed 4): cover built on her figure and her e-bike
    ("hesitant-home-insurance",
     ["Hello, this is Leah from Evergreen Insurance, about contents cover for your new flat. Is now okay?",
      "Yes, briefly.", "Roughly what would it cost to replace everything inside, and is anything especially "
      "valuable?", "Around fifteen thousand pounds, and an e-bike kept in the hallway.",
      "Then our standard contents cover at fifteen thousand, with the e-bike named up to two thousand, would "
      "protect exactly that, including theft from the hallway. For your flat it comes to about eleven pounds a "
      "month.", "That sounds sensible."]),
])
def test_an_offer_built_on_the_prospects_figures_is_a_tied_benefit(persona_id, lines):
    """Both were "features only" (value proposition 1 of 4): the saving against what the
    prospect pays now, and cover that "would protect" what she named, said no benefit word."""
    c = scored(persona_id, "outbound-sales", lines, end={"reason": "resolved", "t": 40.0}).criterion("value_proposition")
    assert c.score == 4, (c.score, c.feedback)


def test_a_romanian_yes_in_her_own_words_accepts_the_fix():
    """calls-fresh 22 (a good call, keyed 4): "Da, maică, așa da." and "Bine atunci. Mulțumesc
    frumos" were not heard accepting the bill redone in instalments: resolution 2 of 4, "the
    customer did not accept it"."""
    data = {"persona": "elderly-electric-bill-ro", "language": "ro", "turns": [
        {"role": r, "text": t, "t": 5.0 * i} for i, (r, t) in enumerate([
            ("customer", "Alo, maică, am o factură foarte mare."),
            ("agent", "Bună ziua, sunt Ioana de la Electrica Luminis. Îmi spuneți codul de client?"),
            ("customer", "EL-300512."),
            ("agent", "Refac factura după indexul real și diferența o împărțim în trei rate fără penalități. "
                      "Vă convine așa?"),
            ("customer", "Da, maică, așa da. Dar eu nu știu să plătesc pe internet."),
            ("agent", "Nu e nevoie de internet. Plătiți la poștă, iar factura nouă vă vine în cel mult zece zile."),
            ("customer", "Bine atunci. Mulțumesc frumos, maică.")])],
        "end": {"reason": "agent_ended", "t": 40.0}}  # the agent said goodbye last
    t = Transcript.model_validate(data)
    card = score_transcript(t, catalog().rubric("inbound-support"), None, persona=catalog().persona(t.persona))
    c = card.criterion("resolution")
    assert c.score == 4, (c.score, c.feedback)


def test_a_reply_the_prospect_calls_no_answer_did_not_argue():
    """calls-fresh11 15 (a mediocre call, keyed 2): the prospect's "That's not an answer." after a
    pitch in reply to his price worry made the card say the agent argued with him (objection
    handling 0). The customer says it did not answer: unanswered, not argued."""
    lines = ["Hi Marcus, it's Chloe from Skyway Mobile, about your plan. Have you got a minute?",
             "Go on.",
             "Skyway Plus has roaming in 40 countries for forty-nine pounds a month on a 24-month contract.",
             "Last time you lot put my price up three months after I signed.",
             "It's really popular with business travellers, and it saves a lot if you're abroad often.",
             "That's not an answer. Does the price go up or not?",
             "There's an annual price rise each April, the same on all our plans, I'm afraid.",
             "Fine, email it."]
    c = scored("irritable-roaming-upgrade", "outbound-sales", lines).criterion("objection_handling")
    assert c.score >= 1 and "argue" not in c.feedback, (c.score, c.feedback)


def test_a_romanian_no_longer_is_a_benefit():
    """calls-fresh11 02 (a good call, keyed 4): "Pe fibră nu mai aveți încetinirile de seară" (on
    fibre you no longer have the evening slowdowns), tied to what he said, was "features only"
    (value proposition 1 of 4); the English "no more ..." already counted."""
    card = _sales("ro", [
        "Alo, da, vă ascult.",
        "Bună ziua, sunt Andreea de la CarpatNet. Aveți câteva minute să vorbim despre internet?",
        "Da. Internetul se blochează seara, exact când ne uităm la filme.",
        "Cât plătiți acum pe lună și câte televizoare aveți?",
        "Cincizeci și cinci de lei pe lună, și avem două televizoare.",
        "Atunci v-ar merge pachetul de fibră cu televiziune pe ambele televizoare, tot cincizeci și cinci de lei "
        "pe lună. Pe fibră nu mai aveți încetinirile de seară de pe cablul vechi.",
        "Sună bine."])
    c = card.criterion("value_proposition")
    assert c.score == 4, (c.score, c.feedback)


@pytest.mark.parametrize("persona_id, rubric_id, lines, refusal", [
    ("irritable-outage", "inbound-support", [
        "Brightline, Sam speaking.", "My internet's down again, third time I'm calling.",
        "Account number?", "RC-48213.",
        "Yeah, there's an open fault. There's nothing more I can do from here today.", "So that's it?",
        "Bye.", "Unbelievable."], "There's nothing more I can do from here today."),
    ("elderly-electric-bill-ro", "inbound-support", [
        "Bună ziua. Codul de client?", "EL-300512. Mi-a venit o factură foarte mare, maică.",
        "Factura e corectă. Eu de aici nu mai pot face nimic.", "Păi și ce fac eu acum?",
        "La revedere.", "Doamne..."], "Eu de aici nu mai pot face nimic."),
])
def test_no_resolution_quotes_the_line_that_gave_up(persona_id, rubric_id, lines, refusal):
    """A scorecard that gives resolution 0 shows where the trainee gave up, not nothing (the
    blind keys point at that line: "There's nothing more I can do from here today.")."""
    card = scored(persona_id, rubric_id, lines)
    res = card.criterion("resolution")
    assert res.score == 0
    assert [e.quote for e in res.evidence] == [refusal]


@pytest.mark.parametrize("hedge, echo", [
    ("It should be fine, the system usually sorts that out automatically.",
     "Usually? Do you need a meter reading from the old flat or anything?"),
    ("That shouldn't happen, the system normally sorts it out.", "Normally? Is there anything I need to do?"),
])
def test_a_fix_whose_worry_the_customer_questions_back_is_only_half_settled(hedge, echo):
    """The supply is moved and accepted, but the customer's worry gets a hedge she questions back
    ("Usually?"): the blind keys give resolution 2, not 4 (calls-fresh5 and calls-fresh10, 18)."""
    lines = ["Good morning, Meridian Energy, this is Sam. How can I help you today?",
             "Hello, I'm moving house at the end of the month and I'd like to move my electricity account with me.",
             "Can I take your customer number, please?", "Of course, it's ME-220719.",
             "Thanks. I've set up the supply at 7 Birch Lane from the 28th of June, on the same tariff you have now.",
             "Great. I just want to be sure I won't be billed for both places in the same month.",
             hedge, echo,
             "You can submit that online on the day you move, there's a form on our website. That's all done then. "
             "Thanks for calling Meridian Energy.",
             "Okay... I'll do the reading online then. Thanks, bye."]
    end = {"reason": "resolved", "t": 94.0}
    res = scored("calm-moving-house", "inbound-support", lines, end).criterion("resolution")
    assert res.score == 2
    assert hedge in [e.quote for e in res.evidence]
    # Without the echo, the same fix is settled.
    calm = lines[:7] + ["Okay, good. Do you need a meter reading from the old flat or anything?", *lines[8:]]
    assert scored("calm-moving-house", "inbound-support", calm, end).criterion("resolution").score >= 3


def test_a_survey_that_steers_the_rating_asks_nothing_neutrally():
    """Coaching the respondent's rating is pushing the answer, however open the questions were
    (calls-fresh7 09: "a ten would really help me out", "could we put it down as a nine?" was
    scored 4 for neutral questions; its key says 1, and a survey that coaches twice, 0)."""
    lines = ["Hello, Thomas speaking.",
             "Good afternoon, Mr Grant, I'm Olivia from Harbor Bank, with a short survey about your visit, three "
             "questions. Is now a good time?",
             "Yes, go ahead.",
             "First question: how long did you wait to be seen?", "About twenty minutes.",
             "And on a scale of one to ten, how would you rate the visit overall? Anything under a nine counts as a "
             "fail for us, so a ten would really help me out.",
             "Honestly, eight out of ten.",
             "Of course, eight it is. Last one: is there one thing the branch could do better?",
             "A second counter at lunchtime.", "Thank you, I'll pass it on. Goodbye!", "Bye."]
    once = scored("calm-bank-survey", "survey", lines, customer_first=True).criterion("neutral_questions")
    assert once.score == 1
    assert any("a ten would really help me out" in e.quote for e in once.evidence)
    lines[7] = "Could we maybe put it down as a nine? It was a very busy day."
    twice = scored("calm-bank-survey", "survey", lines, customer_first=True).criterion("neutral_questions")
    assert twice.score == 0


def test_asking_for_the_client_code_in_any_words_verifies_identity():
    """A walk: "e un cod care începe cu EL, sus pe factură. Mi-l citiți?" was heard asking for
    the code, and the customer read it out, yet the card said the account was discussed before
    any identity check (identity 0/1, a must-fix)."""
    lines = ["Bună ziua, Electrica Luminis, sunt Irina. Cu ce vă pot ajuta?",
             "Alo, bună ziua, maică. Am primit o hârtie de la curent și nu mai înțeleg nimic.",
             "Vă ajut cu drag. Ca să vă găsesc, e un cod care începe cu EL, sus pe factură. Mi-l citiți, vă rog?",
             "EL-300512.",
             "Mulțumesc. Factura dumneavoastră e făcută pe estimare; o refac pe indexul real.",
             "Bine, maică."]
    card = scored("elderly-electric-bill-ro", "inbound-support", lines, language="ro")
    assert card.criterion("identity_verification").score == 1
