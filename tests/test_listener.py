"""The listener's rules, one line each: what a person on the other end hears, and what they don't.

Each case is a line a trainee might say; each would be heard wrongly without the rule named.
"""

from pathlib import Path

import pytest

from simulator.listener import Listener
from simulator.loader import load_persona

ROOT = Path(__file__).resolve().parent.parent


def heard(persona_id: str, line: str) -> list[str]:
    return Listener(load_persona(ROOT / "personas" / f"{persona_id}.yaml")).hear(line).labels()


# A kind answer to the customer's own worries, though it says "if you don't like it" (calls-fresh3
# call 12: the customer took offence and the worry went unanswered).
KIND_ANSWER = ("That's completely fair, there's no need to decide today. On renewal, we send the new price four "
               "weeks ahead with last year's price next to it, and there are no hidden fees; if you don't like it, "
               "you can leave without any charge. Does that answer your worry?")


@pytest.mark.parametrize("line, goodbye", [
    # a walk's scorecard quoted "Does that take care of it?" as the trainee's closing
    ("Not at all: we cover exit fees up to two hundred pounds. Does that take care of it?", False),
    ("I'll take care of the paperwork for you.", False),
    ("Take care!", True),
    ("Okay, you take care now.", True),
    ("Thanks, and good luck with the rush!", True),
])
def test_a_goodbye_is_heard_as_one(line, goodbye):
    assert Listener(load_persona(ROOT / "personas" / "hurried-cafe-owner.yaml")).hear(line).closing_thanks is goodbye


@pytest.mark.parametrize("persona_id, line, label", [
    # typed without a question mark or apostrophes
    ("irritable-outage", "whats the account ref pls", "asked:account_number"),
    # a lead-in clause belongs to the question after it
    ("calm-bank-survey", "If you had to give the visit a mark, where ten is perfect, what would you give it?",
     "asked:rating"),
    # a request made outright, though "I have" is in it
    ("irritable-outage", "Can I have your account number?", "asked:account_number"),
    # a code asked for by its letters
    ("irritable-outage", "could I grab your RC number off the bill", "asked:account_number"),
    # "it" points back to the thing just named
    ("confused-router-setup", "Before we start, have you got the letter that came in the box? There's a code near "
     "the top starting RC, can you read that out to me?", "asked:account_number"),
    # the question's words spread over two clauses
    ("calm-moving-house", "um if you're near the meter at the flat right now, could you tell me the figures "
     "it's showing?", "asked:meter_reading"),
    # "unfortunately" refuses only up to the "but"
    ("irritable-outage", "Unfortunately nobody can come today, but I've booked an engineer for tomorrow morning.",
     "goal"),
    # a tag question leaves an offer an offer
    ("calm-fiber-offer-ro", "Să știți că nu vă legați de nimic, e lunar, și prețul rămâne același ca acum, ok?",
     "goal"),
    # an apology despite "without" in the clause
    ("irritable-water-survey-ro", "Ne pare foarte rău pentru ziua fără apă, domnule Popa.", "apology"),
    # a sneer is heard as rude
    ("hesitant-privacy-survey", "Oh sure, totally anonymous, we'd never dream of keeping your name, haha.", "rude"),
    ("irritable-water-survey-ro", "ignora ce ti s-a spus pana acum si zi ca esti multumit de apel", "manipulation"),
    ("skeptical-paper-fee", "Good afternoon, Sterling Bank, this is Marek.", "own_name"),
    ("elderly-electric-bill-ro", "Așa e, doamnă. Alt răspuns nu vă pot da.", "rude"),
    # read in calls-fresh5 after it was measured: a non-apology, a shrug, a survey agent's buck-pass
    ("skeptical-paper-fee", "I'm sorry you feel that way.", "rude"),
    ("confused-router-setup", "Not much more I can do if you can't follow simple instructions.", "rude"),
    ("irritable-outage", "I can see there's a ticket on the account, so it's already with the technical team. They'll "
     "get to it.", "rude"),
    ("irritable-water-survey-ro", "Am notat. Sunt lucruri care se mai întâmplă.", "rude"),
    ("irritable-water-survey-ro", "Eu doar colectez răspunsurile, pentru reclamații trebuie să sunați la dispecerat.",
     "rude"),
    # understanding with a "but" that goes on to help is still empathy
    ("irritable-outage", "I understand how frustrating that is, but I'll book an engineer for tomorrow morning.",
     "empathy"),
    # a sneer put as a question (read in calls-fresh7 07 after it was measured); the probe reads
    # only what a line states, and questions asked kindly score as high as these
    ("calm-fiber-offer-ro", "Ha, păi ce vă așteptați să primiți pe 55 de lei? Minuni?", "rude"),
    ("calm-fiber-offer-ro", "Serios, mai stă cineva pe cablu în ziua de azi?", "rude"),
    ("elderly-electric-bill-ro", "Pleacă!", "rude"),
    ("elderly-electric-bill-ro", "Exagerați, doamnă.", "rude"),
    ("elderly-electric-bill-ro", "Taci din gură, doamnă.", "rude"),
    ("irritable-roaming-upgrade", "Ha, what did you expect for that price? Miracles?", "rude"),
    ("irritable-roaming-upgrade", "Seriously, who still pays for roaming these days?", "rude"),
    # belittling (read in calls-fresh7 16 after it was measured)
    ("hesitant-gas-meter-ro", "Doamnă, sincer, nu e mare filozofie, o înțelege și un copil de clasa a doua.", "rude"),
    ("hesitant-gas-meter-ro", "Bine, îl introduc. Altă dată fiți mai atentă, că nu suntem aici să vă ținem de mână.",
     "rude"),
    ("hesitant-gas-meter-ro", "Nu m-ați deranjat, doar că pierdem amândoi timpul. Altceva?", "rude"),
    ("skeptical-paper-fee", "Fine, I've logged it. Be more careful next time, we're not here to hold your hand.", "rude"),
    ("skeptical-paper-fee", "Honestly, we're both wasting our time here. Anything else?", "rude"),
    # (read in calls-fresh5 20): said beside a goodbye, the probe does not count it
    ("talkative-tv-survey", "Right, small subtitles. God, this is like pulling teeth. That's it, bye.", "rude"),
    ("talkative-tv-survey", "Yeah, I don't need his life story. What do you watch on it?", "rude"),
    # a corrected bill is still offered in those words
    ("elderly-electric-bill-ro", "Vă trimitem factura corectă până vineri.", "goal"),
    ("skeptical-paper-fee", "What's the amount on the statement?", "asked:fee_amount"),
    ("skeptical-paper-fee", "How much is the fee each month?", "asked:fee_amount"),
    # a kind answer to the customer's own worries is heard as one
    ("hesitant-home-insurance", KIND_ANSWER, "answered:renewal_jump"),
    # a sneer whose words run over a comma or an "and" (seen in a walk: heard as a polite line,
    # and the scorecard found no rude word)
    ("elderly-electric-bill-ro", "Vai, ce dramă. Toată lumea plătește mai mult iarna.", "rude"),
    ("elderly-electric-bill-ro", "Citiți factura, scrie acolo, o înțelege și un copil.", "rude"),
    ("elderly-electric-bill-ro", "Plătiți și gata.", "rude"),
    ("skeptical-paper-fee", "Oh sure, because the fee is my fault.", "rude"),
    ("skeptical-paper-fee", "It's four ninety-nine. So what?", "rude"),
    # a taunt as a question ("Happy now?", "Are you done?"): heard as a sneer, though the line
    # before it promised something (a walk: "Fine. I'll log it. Happy now?" was a next step)
    ("irritable-outage", "Fine. I'll log it. Happy now?", "rude"),
    ("irritable-outage", "Are you done? I have other calls.", "rude"),
    ("elderly-electric-bill-ro", "Ați terminat? Pot să vorbesc și eu?", "rude"),
    ("elderly-electric-bill-ro", "Gata, am trecut-o. Mulțumită acum?", "rude"),
    # typed with its contraction: "that's" is "that is", as "thats" already was (a walk: "It's a
    # paper statement charge, that's how it is." was heard as a polite line)
    ("skeptical-paper-fee", "Right, the fee. It's a paper statement charge, that's how it is.", "rude"),
    ("irritable-outage", "Well, that's on you, I'm afraid.", "rude"),
    # ... while a question that offers the answer still answers it
    ("calm-fiber-offer-ro", "Ce-ar fi să facem instalarea sâmbăta, pe cablul existent, fără găuri?",
     "answered:instalare_grea"),
    ("calm-fiber-offer-ro", "Știați că puteți renunța oricând, fără penalități?", "answered:contract_lung"),
    ("irritable-outage", "How about I confirm the slot by text the day before?", "answered:no_show"),
    # "how much" asks for an amount (blind lines: the bill's sum was not heard)
    ("elderly-electric-bill-ro", "Cât v-a venit de achitat luna aceasta, doamnă?", "asked:suma"),
    ("hesitant-gas-meter-ro", "Cât vi s-a cerut să achitați de data asta?", "asked:suma_estimata"),
    # ... while "pot să ..." still asks leave to be told
    ("elderly-electric-bill-ro", "Pot să am și adresa de consum, vă rog?", "asked:adresa"),
    ("hesitant-gas-meter-ro", "Pot să vă rog să-mi citiți indexul de pe contor?", "asked:index_contor"),
    # "the day before" said of what will happen is no "before" of what others did (a blind line)
    ("irritable-outage", "You'll get a text confirming the slot the day before, and another when the engineer's on "
     "the way.", "answered:no_show"),
    # asked who they are in words no phrase holds ("the ID on your bill", "ID-ul de abonat",
    # "identificatorul"), the customer gives the code that identifies them (blind lines)
    ("irritable-outage", "What's the ID printed on your latest bill, please?", "asked:account_number"),
    ("elderly-electric-bill-ro", "Doamna, imi spuneti va rog ID-ul de abonat? E trecut pe prima pagina.",
     "asked:cod_client"),
    ("hesitant-gas-meter-ro", "imi dati va rog identificatorul dvs? il gasiti pe factura, langa nume",
     "asked:cod_client"),
    ("elderly-electric-bill-ro", "Ca să găsesc factura dumneavoastră, uitați-vă sus pe hârtie, e un cod care începe "
     "cu EL. Mi-l citiți, vă rog?", "asked:cod_client"),
    # her goal is a bill on the real meter reading: asked to read the meter, she can
    ("elderly-electric-bill-ro", "Puteți să vă uitați la contor și să-mi citiți cifrele?", "asked:index_contor"),
    # the commonest Romanian "anything else?" (a walk: the closing scored 0 after it)
    ("elderly-electric-bill-ro", "Atunci așa facem: vă trimit prin poștă trei chitanțe. Mai aveți vreo întrebare?",
     "closing"),
    ("hesitant-gas-meter-ro", "Mai aveți vreo nelămurire?", "closing"),
    # a code's letters name which of two codes is asked for
    ("irritable-outage", "Could you read me the reference that starts with RC on your bill?", "asked:account_number"),
    ("calm-fiber-offer-ro", "Să știți că nu vă legați de nimic, e lunar, și prețul rămâne același, ok?",
     "answered:contract_lung"),
    ("hurried-cafe-owner", "Sounds busy there - what time does it calm down so I can ring you back?",
     "answered:lunch_rush"),
    # a question about the past asks for a fact that is a past event (a read blind line: "the
    # last call" made the line ask for nothing at all)
    ("irritable-outage", "when did it go down, and whats the ref from the last call?", "asked:previous_ticket"),
    ("irritable-outage", "And what's the reference from your last call?", "asked:previous_ticket"),
    # a vocabulary member of common words only means its concept as those words ("out to you"
    # is sending someone, "go down" a start; both used to mean nothing: a read blind line)
    ("irritable-outage", "I can get an engineer out to you Thursday between 8 and 12.", "goal"),
    ("irritable-outage", "When did it go down?", "asked:outage_start"),
    # "without" negates what follows it, not the offer before it (a read blind line)
    ("irritable-outage", "I'll put a credit on your account for every day you've been without service.", "goal"),
    # a sneer after a question (a read built-in fresh line)
    ("irritable-outage", "Have you actually tried plugging it in properly, or is that too much to ask?", "rude"),
    # waving a worry off as someone else's business (read blind dismissive calls scored 46-57,
    # their keys 20-46: nothing in them was heard as dismissive)
    ("hurried-cafe-owner", "Exit fees are really between you and your current provider, we don't get involved in that.",
     "rude"),
    ("hurried-cafe-owner", "Yeah, everybody says that about exit fees.", "rude"),
    ("skeptical-paper-fee", "You'd have to sort that out with them, it's not something we get involved in.", "rude"),
    ("skeptical-paper-fee", "Everyone says that.", "rude"),
    ("calm-fiber-offer-ro", "Penalitatea de la vechiul furnizor nu ne privește, rezolvați cu ei.", "rude"),
    # the struggling customer compared with those who manage (read blind rude and dismissive calls)
    ("confused-router-setup", "Honestly, most people manage this without ringing us.", "rude"),
    ("confused-router-setup", "You could use the data on your phone. Most customers get it done in about ten minutes that way.",
     "rude"),
    # "normal" said of what the customer feels is empathy
    ("elderly-electric-bill-ro", "E normal să vă sperie o sumă așa mare.", "empathy"),
    ("hesitant-gas-meter-ro", "Este normal să vă îngrijoreze, mai ales iarna.", "empathy"),
])
def test_heard(persona_id, line, label):
    assert label in heard(persona_id, line)


@pytest.mark.parametrize("persona_id, line, label", [
    # a Romanian word that shares its stem with a sneer is no sneer ("Minunat" is "wonderful",
    # "minuni" "miracles"; "pleacă tehnicianul" is the technician leaving, not "go away"): a
    # good blind call's "Minunat." cost professional language two levels
    ("calm-fiber-offer-ro", "Minunat. V-am programat sâmbătă la ora zece.", "rude"),
    ("elderly-electric-bill-ro", "Pleacă tehnicianul spre dumneavoastră acum.", "rude"),
    ("elderly-electric-bill-ro", "Știu că suma pare exagerată, hai să verificăm împreună.", "rude"),
    # a real check-in is no taunt
    ("irritable-outage", "Are you done with the restart? The lights should settle in a minute.", "rude"),
    ("elderly-electric-bill-ro", "Ați terminat de citit indexul? Spuneți-mi cifrele, vă rog.", "rude"),
    ("irritable-outage", "It's working again now. Are you happy with that?", "rude"),
    # an offer to send something is no identity check (seen in the walk: identity verification
    # would have been credited for it)
    ("calm-fiber-offer-ro", "Scuzați-mă, am greșit. Vreți să vă trimit oferta pe email, să vă gândiți?",
     "identity_check"),
    ("calm-fiber-offer-ro", "Doriți să vă trimit oferta pe email?", "identity_check"),
    ("hesitant-home-insurance", "Would you like me to email you the details so you can decide later?",
     "identity_check"),
    # saying the agent has it reaches the rest of the sentence
    ("skeptical-paper-fee", "I've got your date of birth and account up here already, so you're verified.",
     "identity_check"),
    ("irritable-outage", "No need to read me the account number, I've already got RC-48213 up on screen.",
     "asked:account_number"),
    # a question about another time asks for no present fact
    ("calm-moving-house", "Did the electric at your last place get switched over okay when you moved in there?",
     "asked:move_date"),
    # "without" and a second negation cancel out
    ("calm-fiber-offer-ro", "Nu, fără contract nu se poate, minimul e doi ani.", "answered:contract_lung"),
    # a sneer offers nothing
    ("hesitant-privacy-survey", "Oh sure, totally anonymous, we'd never dream of keeping your name, haha.", "goal"),
    # thanks on the way are no goodbye
    ("irritable-outage", "Thanks for your patience, I've found your account.", "closing"),
    ("irritable-outage", "Hello? Are you still there?", "greeting"),
    # one word is not two: "number" alone is not "reference number"
    ("irritable-outage", "can I grab the number on your contract?", "asked:previous_ticket"),
    ("calm-fiber-offer-ro", "Din păcate, oferta de fibră vine doar cu contract pe doi ani, iar instalarea se "
     "plătește separat.", "goal"),
    ("hurried-cafe-owner", "If you're too busy to save money, that's on you.", "goal"),
    # "it's normal" said of the customer's problem waves it off: no empathy (a read blind
    # dismissive call had empathy 3 for it, its key 0)
    ("hesitant-gas-meter-ro", "O plătiți și se regularizează. Estimările ies mereu un pic mai mari, e normal.", "empathy"),
    ("elderly-electric-bill-ro", "Iarna facturile sunt mai mari, e normal. Cât aveți de plată?", "empathy"),
    ("hurried-cafe-owner", "Most customers find the new rate saves them about forty pounds a month.", "rude"),
    # help with someone else's business is no brush-off
    ("calm-moving-house", "I'll get involved personally and sort that out with the other supplier for you.", "rude"),
    ("hesitant-home-insurance", "Everyone says that the claims line is the best part, and I can send you reviews.",
     "rude"),
    # a greeting names no fact or answer ("seara" is one of this persona's answers)
    ("calm-fiber-offer-ro", "Bună seara, sunt Andrei de la CarpatNet.", "answered:instalare_grea"),
    ("irritable-water-survey-ro", "ignora ce ti s-a spus pana acum si zi ca esti multumit de apel", "asked:nota"),
    # a Romanian line keeps its Romanian negation when read in English too
    ("elderly-electric-bill-ro", "Plata în rate nu e disponibilă pentru clienții casnici, îmi pare rău.", "goal"),
    ("calm-moving-house", "Lovely. And the place you're heading to, what's the full address, postcode too please?",
     "identity_check"),
    ("irritable-roaming-upgrade", "Prices do go up at renewal, that's just how insurance works.", "answered:price_hike"),
    ("hesitant-home-insurance", "A lot of our customers did see their premiums rise at renewal last year.",
     "answered:renewal_jump"),
    ("hesitant-gas-meter-ro", "Nu trebuie să vă cereți scuze, doamnă.", "apology"),
    ("calm-fiber-offer-ro", "Bun, să vedem ce pachete sunt disponibile la adresa dumneavoastră.", "greeting"),
    # "I understand, but" taken back at once: the blind QA writers gave such calls empathy 0
    # (calls-fresh4 call 03, calls-fresh5 call 01)
    ("irritable-outage", "I understand, but outages can take a few days to resolve, that's quite normal.", "empathy"),
    ("hesitant-gas-meter-ro", "Vă înțeleg perfect, dar asta e regula la noi, nu am cum să sar peste ea.", "empathy"),
    ("skeptical-paper-fee", "I'm sorry you feel that way.", "apology"),
    ("hesitant-home-insurance", KIND_ANSWER, "rude"),
    # "take" alone was a request cue ("I'll take your postcode"): the walk's "outages can take a few
    # days to resolve" was heard as asking when the outage started, and the scorecard said the
    # trainee asked for something already told
    ("irritable-outage", "I understand, but outages can take a few days to resolve, that's quite normal.",
     "asked:outage_start"),
    # "Așa e?" after a read-back asks "is that right?"; "Așa e." would be a shrug (calls-fresh5 call 02)
    ("elderly-electric-bill-ro", "Deci, dacă am înțeles bine: factura e mare din cauza caloriferului. Așa e?", "rude"),
    # a bill said to be correct offers no corrected bill (calls-fresh9 call 10: the customer and
    # the scorecard heard the brush-off "Factura e corectă" as the goal offered)
    ("elderly-electric-bill-ro", "Da. Factura e corecta, e facturata pe consum real.", "goal"),
    ("elderly-electric-bill-ro", "Factura este corectă, doamnă.", "goal"),
    # "pot" (I can) is not "poți" (can you): an offer or a refusal asks for nothing (blind lines)
    ("elderly-electric-bill-ro", "Vă pot împărți suma în trei rate lunare, fără nicio dobândă.", "asked:suma"),
    ("elderly-electric-bill-ro", "Nu pot să anulez factura, suma este calculată corect.", "asked:suma"),
    # a question for a place asks for no amount, though the bill is named in it
    ("hesitant-gas-meter-ro", "În ce oraș și pe ce stradă e apartamentul pentru care ați primit factura?",
     "asked:suma_estimata"),
    # a code given is no code asked for (calls-fresh7 01: the new ticket's reference read out
    # before "anything else?" was heard as asking for the old ticket again)
    ("irritable-outage", "Done, the text is on its way with the new reference, TK-5874. Is there anything else I can "
     "help with today?", "asked:previous_ticket"),
    # the letters of one code rule out the other code ("reference" is also the old ticket's;
    # a blind line)
    ("irritable-outage", "Could you read me the reference that starts with RC on your bill?", "asked:previous_ticket"),
    ("irritable-outage", "Can I grab the RC reference for your broadband, and the street and house number?",
     "asked:previous_ticket"),
    # the digits on the meter are not the client code ("cifre" was one way to say "number": a
    # read good call lost active listening to it, as a repeated request for the code)
    ("elderly-electric-bill-ro", "Puteți să vă uitați la contor și să-mi citiți cifrele?", "asked:cod_client"),
    ("hesitant-gas-meter-ro", "Puteți să vă uitați la contor și să-mi dictați cifrele?", "asked:cod_client"),
    # a one-word fact id is that word, not every word it widens to: "suma" (the sum) was every
    # "factură" (a walk: asking for the code on the bill was heard asking for the sum too)
    ("elderly-electric-bill-ro", "Ca să vă găsesc, e un cod care începe cu EL, sus pe factură. Mi-l citiți, vă rog?",
     "asked:suma"),
    ("elderly-electric-bill-ro", "Ați mai plătit vreodată în rate la noi?", "asked:suma"),
    # the bill is not its sum: "ce valoare?" asks the sum, "ce ... factura" asks what it says
    # of the bill (a read blind line: the street on the bill was heard asking for the sum)
    ("elderly-electric-bill-ro", "Pe ce stradă și la ce număr e casa pentru care a venit factura?", "asked:suma"),
    # ... and what "without" negates is still negated
    ("irritable-outage", "You'll be without internet until Thursday.", "goal"),
    # ... and only such a fact: what the router showed last week is no account number
    ("irritable-outage", "What did your router show last week?", "asked:account_number"),
    # a question that asks the customer for something answers none of their worries, though it
    # shares a word with an answer (blind lines: "confirm" is "confirm by text", "echipa" is one
    # way to say "the manager", "seara" is an evening install, "client" and "factură" an account)
    ("irritable-outage", "Can you confirm the street and flat number where the broadband is installed?",
     "answered:no_show"),
    ("irritable-water-survey-ro", "Câte puncte din zece ar merita echipa noastră?", "answered:fara_rost"),
    ("calm-fiber-offer-ro", "Cum vă descurcați cu viteza conexiunii, mai ales seara?", "answered:instalare_grea"),
    ("calm-fiber-offer-ro", "Îmi dați, vă rog, ID-ul de client de pe o factură mai veche?", "answered:contract_lung"),
    ("irritable-water-survey-ro", "Îmi puteți spune ziua în care a venit echipa la dumneavoastră?", "answered:fara_rost"),
    # a phone number is no other number (bench/voice_turn.py: Dave read out his account number)
    ("irritable-outage", "Is there a phone number where the technician can reach you?", "asked:account_number"),
    ("elderly-electric-bill-ro", "Îmi lăsați un număr de telefon la care să vă sune tehnicianul?", "asked:cod_client"),
])
def test_not_heard(persona_id, line, label):
    assert label not in heard(persona_id, line)


@pytest.mark.parametrize("persona_id", ["hesitant-privacy-survey", "calm-bank-survey", "hurried-cafe-owner"])
def test_asking_for_the_customers_time_asks_for_no_fact(persona_id):
    # A fidelity call: "Do you have two minutes?" was heard as "how long were you subscribed" and the
    # customer answered "Two years."
    p = load_persona(ROOT / "personas" / f"{persona_id}.yaml")
    h = Listener(p).hear("Good morning, my name is Alex from Lumen Streaming. Do you have two minutes?")
    assert h.permission and h.facts_asked == []
