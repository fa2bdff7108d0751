"""Coaching notes for rule criteria: what went wrong, at which turn, and what to say instead.

Judged criteria get their note and better phrasing from the judge; rule criteria get them
from the templates below, in the transcript's language. A rule may carry `better:` to put
the rubric author's own phrasing in place of the built-in one.
"""

from __future__ import annotations

import difflib
import math
import re

from .rules import Outcome

Note = tuple[str, str]  # (feedback, better)

_EN: dict[str, Note] = {
    "greeting.ok": ("Good opening (turn {turn}): greeting, company and your name.", ""),
    "greeting.partial": ("Turn {turn}: your opening was missing {missing}.",
                         "Thank you for calling {company}, my name is <your name>. How can I help you today?"),
    "greeting.missing": ("Turn {turn}: you did not open with a greeting, the company name and your name.",
                         "Thank you for calling {company}, my name is <your name>. How can I help you today?"),
    "identity.ok": ("You verified who you were speaking to (turn {turn}) before discussing the account.", ""),
    "identity.late": ("Turn {turn}: you discussed the account ('{quote}') before verifying who you were speaking to.",
                      "Before I look at the account, could you confirm the account number and the postcode, please?"),
    "identity.na": ("The account did not come up, so no identity check was needed.", ""),
    "closing.ok": ("Clear closing: you offered more help and thanked the customer.", ""),
    "closing.thanked": ("Clear closing: you thanked them and said goodbye (turn {turn}).", ""),
    "closing.no_offer": ("Turn {turn}: you did not ask whether there was anything else.",
                         "Is there anything else I can help you with today?"),
    "closing.no_thanks": ("Turn {turn}: the call ended without thanking the customer or saying goodbye.",
                          "Thank you for calling, have a nice day!"),
    "closing.missing": ("Turn {turn}: the call ended without a closing.",
                        "Is there anything else I can help you with? Thank you for calling, have a nice day!"),
    "forbidden.ok": ("No rude or unprofessional wording.", ""),
    "forbidden.mild": ("Turn {turn}: '{quote}' sounds unprofessional. Instead of '{phrase}', try '{better}'", "{better}"),
    "forbidden.leading": ("Turn {turn}: '{quote}' hands the customer the answer. Ask it open instead, for "
                          "example '{better}'", "{better}"),
    "forbidden.steers": ("Turn {turn}: '{quote}' steers the respondent's answer. Ask, and record what they say: "
                         "'{better}'", "{better}"),
    "forbidden.open": ("Your questions left the answers open.", ""),
    "forbidden.abusive": ("Turn {turn}: '{quote}' is abusive, which fails the call. Instead, try '{better}'",
                          "{better}"),
    "forbidden.curt": ("Turn {turn}: '{quote}' is curt: it turns the customer away without a reason or a way "
                       "forward. Try '{better}'", "{better}"),
    "required.ok": ("You said everything this call needed.", ""),
    "required.missing": ("You did not say: {phrase}.", ""),
    "turn_budget.ok": ("The call fitted in {budget} turns.", ""),
    "turn_budget.over": ("The call took {count} turns; aim for {budget} or fewer.",
                         "Summarise what you heard and propose the solution sooner."),
    "time_budget.ok": ("The call fitted in the time budget.", ""),
    "time_budget.over": ("The call took {count} s; the target is {budget} s.",
                         "Summarise what you heard and propose the solution sooner."),
    "talk_ratio.ok": ("Good balance of talking and listening ({count} of the words were yours).", ""),
    "talk_ratio.high": ("You did {count} of the talking (target {budget}); let the customer speak more.",
                        "Could you tell me a bit more about what happened?"),
    "talk_ratio.low": ("You did only {count} of the talking (target {budget}); lead the call more.",
                       "Here is what I am going to do for you now."),
    "questions.ok": ("You asked questions to understand the situation.", ""),
    "questions.few": ("You asked {count} question(s); ask at least {budget} to understand the situation.",
                      "When did this start, and what have you tried so far?"),
    "phone_manner.na": ("A typed call: interruptions and dead air are scored on voice calls.", ""),
    "phone_manner.ok": ("You let the customer finish and kept the line alive: no interruptions, no dead air.", ""),
    "phone_manner.cut_off": ("You talked over the customer {count} time(s) (first at turn {turn}); "
                             "there was dead air {budget} time(s). Let the customer finish before you answer.",
                             "Sorry, go ahead, I'm listening."),
    "phone_manner.dead_air": ("The customer sat through dead air {budget} time(s) (first at turn {turn}); you "
                              "talked over them {count} time(s). Say what you are doing while you check.",
                              "Bear with me a moment, I'm just checking that for you now."),
    "response.ok": ("You replied promptly.", ""),
    "response.slow": ("Your replies took {count} s in the middle (target {budget} s); turn {turn} was the slowest.",
                      "Let me check that for you, one moment please."),
    "next_step.ok": ("You agreed a concrete next step (turn {turn}).", ""),
    "next_step.missing": ("Turn {turn}: the call ended without a concrete next step.",
                          "Shall I email you the details and call you back on Thursday?"),
    "empathy.ok": ("You acknowledged how the customer felt more than once (turn {turn}).", ""),
    "empathy.once": ("Turn {turn}: you acknowledged how the customer felt and what it meant for them.", ""),
    "empathy.formulaic": ("Turn {turn}: '{quote}' is a stock phrase; say what this problem means for this customer.",
                          ""),
    "empathy.sorry_only": ("Turn {turn}: you apologised, but never said you understood how this affects them.", ""),
    "empathy.missing": ("The customer was upset and you never acknowledged it.", ""),
    "empathy.dismissive": ("Turn {turn}: '{quote}' dismisses or blames the customer; no empathy counts after that.",
                           ""),
    "listening.ok": ("You asked questions and summarised back what the customer told you (turn {turn}).", ""),
    "listening.good": ("You asked questions and picked up what the customer said; summarise it back to them too.",
                       ""),
    "listening.unused": ("Your questions did not pick up what the customer had told you.", ""),
    "listening.few": ("You asked {count} question(s) about the problem; ask enough to understand it.", ""),
    "listening.none": ("You asked no questions about the problem.", ""),
    "listening.ignores": ("Turn {turn}: '{quote}' brushes aside what the customer told you.", ""),
    "listening.repeat": ("Turn {turn}: '{quote}' asked for something the customer had already told you.", ""),
    "resolution.ok": ("The customer accepted a concrete solution and you said what happens next (turn {turn}).", ""),
    "resolution.accepted": ("Turn {turn}: the customer accepted your solution; also say what happens next and when.",
                            ""),
    "resolution.not_accepted": ("Turn {turn}: you offered a solution, but the customer did not accept it.", ""),
    "resolution.unsettled": ("Turn {turn}: the customer accepted the fix, but questioned '{quote}': settle the "
                             "worry with what will be done, not what usually happens.", ""),
    "resolution.vague": ("Turn {turn}: '{quote}' promises nothing concrete: say what will be done and when.", ""),
    "resolution.no": ("The call ended without a solution the customer accepted.", ""),
    "resolution.hung_up": ("The customer hung up before the problem was solved.", ""),
    "resolution.refused_hung_up": ("Turn {turn}: what you offered did not solve the problem, and the customer hung "
                                   "up.", ""),
    "objections.ok": ("You acknowledged the objection, answered it and checked the answer landed.", ""),
    "objections.no_check": ("Turn {turn}: you answered the objection; check that the answer satisfied them.", ""),
    "objections.generic": ("Turn {turn}: acknowledge the concern before you answer it.", ""),
    "objections.ignored": ("Turn {turn}: the objection was not answered.", ""),
    "objections.argued": ("Turn {turn}: '{quote}' argues with the prospect instead of answering.", ""),
    "objections.na": ("The prospect raised no objection.", ""),
    "offer.ok": ("A clear benefit tied to what the prospect said, with the price.", ""),
    "offer.no_price": ("Turn {turn}: a clear benefit; state the price or terms too.", ""),
    "offer.generic": ("Turn {turn}: tie the benefit to what the prospect told you.", ""),
    "offer.features": ("Turn {turn}: you listed features; say what they change for this prospect.", ""),
    "offer.none": ("No clear offer was made.", ""),
    "offer.pressure": ("Turn {turn}: '{quote}' pressures the prospect.", ""),
    "offer.false_claim": ("Turn {turn}: you said the prospect had agreed; they had not.", ""),
    "discovery.ok": ("You asked open questions and used the answers in your offer.", ""),
    "discovery.partly": ("Turn {turn}: good questions; use the answers in your offer.", ""),
    "discovery.closed": ("Turn {turn}: ask open questions (what, how) before you offer.", ""),
    "discovery.one": ("You asked only one question before the offer.", ""),
    "discovery.none": ("You went straight to the pitch without asking about the prospect's needs.", ""),
    "acknowledges.ok": ("You acknowledged every answer and clarified unclear ones.", ""),
    "acknowledges.most": ("You acknowledged most answers.", ""),
    "acknowledges.some": ("Turn {turn}: you moved on without acknowledging the answer.", ""),
    "acknowledges.none": ("You moved on without acknowledging the answers.", ""),
    "acknowledges.overrides": ("Turn {turn}: '{quote}' overrides the respondent's answer.", ""),
    "acknowledges.na": ("No answers to acknowledge.", ""),
    "on_track.ok": ("You kept the call on track.", ""),
    "answers.ok": ("You asked every question of the survey.", ""),
    "answers.missing": ("The call ended with {count} of {total} survey questions asked; not asked: {not_asked}.",
                        "Before we finish, one more quick question, if I may."),
    "answers.na": ("This customer has no survey questions to ask.", ""),
    "on_track.late": ("Turn {turn}: you returned to the questions late.", ""),
    "on_track.abrupt": ("Turn {turn}: you brought the respondent back abruptly.", ""),
    "on_track.follows": ("Turn {turn}: you followed the tangent instead of returning to the questions.", ""),
    "on_track.rude": ("Turn {turn}: '{quote}' cuts the respondent off rudely.", ""),
}
_RO: dict[str, Note] = {
    "greeting.ok": ("Deschidere bună (tura {turn}): salut, compania și numele dumneavoastră.", ""),
    "greeting.partial": ("Tura {turn}: în deschidere a lipsit {missing}.",
                         "Bună ziua, {company}, numele meu este <numele dvs.>. Cu ce vă pot ajuta?"),
    "greeting.missing": ("Tura {turn}: nu ați deschis cu un salut, numele companiei și numele dumneavoastră.",
                         "Bună ziua, {company}, numele meu este <numele dvs.>. Cu ce vă pot ajuta?"),
    "identity.ok": ("Ați verificat identitatea clientului (tura {turn}) înainte de a discuta contul.", ""),
    "identity.late": ("Tura {turn}: ați discutat contul ('{quote}') înainte de a verifica identitatea clientului.",
                      "Înainte să verific contul, îmi puteți confirma numărul de client și data nașterii, vă rog?"),
    "identity.na": ("Contul nu a fost discutat, deci verificarea identității nu a fost necesară.", ""),
    "closing.ok": ("Încheiere clară: ați oferit ajutor suplimentar și ați mulțumit clientului.", ""),
    "closing.thanked": ("Încheiere clară: ați mulțumit și v-ați luat rămas-bun (tura {turn}).", ""),
    "closing.no_offer": ("Tura {turn}: nu ați întrebat dacă mai este ceva.", "Cu ce vă mai pot ajuta?"),
    "closing.no_thanks": ("Tura {turn}: apelul s-a încheiat fără mulțumiri sau salut de rămas-bun.",
                          "Vă mulțumim că ați sunat, o zi bună!"),
    "closing.missing": ("Tura {turn}: apelul s-a încheiat fără o încheiere.",
                        "Cu ce vă mai pot ajuta? Vă mulțumim că ați sunat, o zi bună!"),
    "forbidden.ok": ("Niciun cuvânt nepoliticos sau neprofesionist.", ""),
    "forbidden.mild": ("Tura {turn}: '{quote}' sună neprofesionist. În loc de '{phrase}', încercați '{better}'",
                       "{better}"),
    "forbidden.leading": ("Tura {turn}: '{quote}' îi sugerează clientului răspunsul. Întrebați deschis, de "
                          "exemplu '{better}'", "{better}"),
    "forbidden.steers": ("Tura {turn}: '{quote}' îi dirijează răspunsul respondentului. Întrebați și notați ce "
                         "spune: '{better}'", "{better}"),
    "forbidden.open": ("Întrebările au lăsat răspunsurile deschise.", ""),
    "forbidden.abusive": ("Tura {turn}: '{quote}' este jignitor, iar asta pică apelul. Încercați '{better}'",
                          "{better}"),
    "forbidden.curt": ("Tura {turn}: '{quote}' sună sec: clientul rămâne fără un motiv sau un pas următor. "
                       "Încercați '{better}'", "{better}"),
    "required.ok": ("Ați spus tot ce cerea acest apel.", ""),
    "required.missing": ("Nu ați spus: {phrase}.", ""),
    "turn_budget.ok": ("Apelul s-a încadrat în {budget} ture.", ""),
    "turn_budget.over": ("Apelul a durat {count} ture; țintiți spre cel mult {budget}.",
                         "Rezumați ce ați înțeles și propuneți soluția mai devreme."),
    "time_budget.ok": ("Apelul s-a încadrat în timp.", ""),
    "time_budget.over": ("Apelul a durat {count} s; ținta este {budget} s.",
                         "Rezumați ce ați înțeles și propuneți soluția mai devreme."),
    "talk_ratio.ok": ("Echilibru bun între vorbit și ascultat ({count} din cuvinte au fost ale dvs.).", ""),
    "talk_ratio.high": ("Ați vorbit {count} din timp (ținta {budget}); lăsați clientul să vorbească mai mult.",
                        "Îmi puteți spune mai multe despre ce s-a întâmplat?"),
    "talk_ratio.low": ("Ați vorbit doar {count} din timp (ținta {budget}); conduceți mai mult apelul.",
                       "Iată ce voi face acum pentru dumneavoastră."),
    "questions.ok": ("Ați pus întrebări ca să înțelegeți situația.", ""),
    "questions.few": ("Ați pus {count} întrebări; puneți cel puțin {budget} ca să înțelegeți situația.",
                      "De când a început problema și ce ați încercat până acum?"),
    "phone_manner.na": ("Apel scris: întreruperile și tăcerile se notează la apelurile vocale.", ""),
    "phone_manner.ok": ("L-ați lăsat pe client să termine și linia n-a rămas mută: fără întreruperi, fără tăceri.",
                        ""),
    "phone_manner.cut_off": ("Ați vorbit peste client de {count} ori (prima dată la tura {turn}); tăceri lungi: "
                             "{budget}. Lăsați clientul să termine înainte să răspundeți.",
                             "Scuzați-mă, continuați, vă ascult."),
    "phone_manner.dead_air": ("Clientul a așteptat în tăcere de {budget} ori (prima dată la tura {turn}); ați "
                              "vorbit peste el de {count} ori. Spuneți ce faceți cât verificați.",
                              "Vă rog un moment, verific chiar acum."),
    "response.ok": ("Ați răspuns prompt.", ""),
    "response.slow": ("Răspunsurile au durat în medie {count} s (ținta {budget} s); tura {turn} a fost cea mai lentă.",
                      "Verific imediat, vă rog să așteptați un moment."),
    "next_step.ok": ("Ați stabilit un pas următor concret (tura {turn}).", ""),
    "next_step.missing": ("Tura {turn}: apelul s-a încheiat fără un pas următor concret.",
                          "Vă trimit detaliile pe e-mail și vă sun joi, este în regulă?"),
    "empathy.ok": ("Ați arătat de mai multe ori că înțelegeți ce simte clientul (tura {turn}).", ""),
    "empathy.once": ("Tura {turn}: ați arătat că înțelegeți ce simte clientul și ce înseamnă problema pentru el.", ""),
    "empathy.formulaic": ("Tura {turn}: '{quote}' este o formulă; spuneți ce înseamnă problema pentru acest client.",
                          ""),
    "empathy.sorry_only": ("Tura {turn}: v-ați cerut scuze, dar nu ați spus că înțelegeți cum îl afectează.", ""),
    "empathy.missing": ("Clientul era supărat și nu ați recunoscut asta niciodată.", ""),
    "empathy.dismissive": ("Tura {turn}: '{quote}' îl respinge sau îl învinovățește pe client.", ""),
    "listening.ok": ("Ați pus întrebări și ați rezumat ce v-a spus clientul (tura {turn}).", ""),
    "listening.good": ("Ați pus întrebări și ați folosit ce a spus clientul; rezumați-i și înapoi.", ""),
    "listening.unused": ("Întrebările nu au folosit ce v-a spus deja clientul.", ""),
    "listening.few": ("Ați pus {count} întrebări despre problemă; puneți destule ca s-o înțelegeți.", ""),
    "listening.none": ("Nu ați pus nicio întrebare despre problemă.", ""),
    "listening.ignores": ("Tura {turn}: '{quote}' trece peste ce v-a spus clientul.", ""),
    "listening.repeat": ("Tura {turn}: '{quote}' a cerut ceva ce clientul vă spusese deja.", ""),
    "resolution.ok": ("Clientul a acceptat o soluție concretă și ați spus ce urmează (tura {turn}).", ""),
    "resolution.accepted": ("Tura {turn}: clientul a acceptat soluția; spuneți și ce urmează și când.", ""),
    "resolution.not_accepted": ("Tura {turn}: ați oferit o soluție, dar clientul nu a acceptat-o.", ""),
    "resolution.unsettled": ("Tura {turn}: clientul a acceptat soluția, dar a pus la îndoială '{quote}': liniștiți-l "
                             "cu ce se va face, nu cu ce se întâmplă de obicei.", ""),
    "resolution.vague": ("Tura {turn}: '{quote}' nu promite nimic concret: spuneți ce se face și când.", ""),
    "resolution.no": ("Apelul s-a încheiat fără o soluție acceptată de client.", ""),
    "resolution.hung_up": ("Clientul a închis înainte ca problema să fie rezolvată.", ""),
    "resolution.refused_hung_up": ("Tura {turn}: ce ați oferit nu a rezolvat problema, iar clientul a închis.", ""),
    "objections.ok": ("Ați recunoscut obiecția, ați răspuns și ați verificat că răspunsul a convins.", ""),
    "objections.no_check": ("Tura {turn}: ați răspuns obiecției; verificați că răspunsul l-a mulțumit.", ""),
    "objections.generic": ("Tura {turn}: recunoașteți îngrijorarea înainte de a răspunde.", ""),
    "objections.ignored": ("Tura {turn}: obiecția a rămas fără răspuns.", ""),
    "objections.argued": ("Tura {turn}: '{quote}' contrazice clientul în loc să răspundă.", ""),
    "objections.na": ("Clientul nu a ridicat obiecții.", ""),
    "offer.ok": ("Un beneficiu clar, legat de ce a spus clientul, cu prețul.", ""),
    "offer.no_price": ("Tura {turn}: beneficiu clar; spuneți și prețul sau condițiile.", ""),
    "offer.generic": ("Tura {turn}: legați beneficiul de ce v-a spus clientul.", ""),
    "offer.features": ("Tura {turn}: ați enumerat caracteristici; spuneți ce schimbă pentru client.", ""),
    "offer.none": ("Nu a fost făcută o ofertă clară.", ""),
    "offer.pressure": ("Tura {turn}: '{quote}' pune presiune pe client.", ""),
    "offer.false_claim": ("Tura {turn}: ați spus că clientul a fost de acord; nu fusese.", ""),
    "discovery.ok": ("Ați pus întrebări deschise și ați folosit răspunsurile în ofertă.", ""),
    "discovery.partly": ("Tura {turn}: întrebări bune; folosiți răspunsurile în ofertă.", ""),
    "discovery.closed": ("Tura {turn}: puneți întrebări deschise (ce, cum) înainte de ofertă.", ""),
    "discovery.one": ("Ați pus o singură întrebare înainte de ofertă.", ""),
    "discovery.none": ("Ați trecut direct la ofertă fără să întrebați de nevoile clientului.", ""),
    "acknowledges.ok": ("Ați confirmat fiecare răspuns și le-ați clarificat pe cele neclare.", ""),
    "acknowledges.most": ("Ați confirmat majoritatea răspunsurilor.", ""),
    "acknowledges.some": ("Tura {turn}: ați trecut mai departe fără să confirmați răspunsul.", ""),
    "acknowledges.none": ("Ați trecut mai departe fără să confirmați răspunsurile.", ""),
    "acknowledges.overrides": ("Tura {turn}: '{quote}' nu ține cont de răspunsul dat.", ""),
    "acknowledges.na": ("Nu au fost răspunsuri de confirmat.", ""),
    "on_track.ok": ("Ați ținut apelul pe subiect.", ""),
    "answers.ok": ("Ați pus toate întrebările sondajului.", ""),
    "answers.missing": ("Apelul s-a încheiat cu {count} din {total} întrebări puse; nu ați întrebat: {not_asked}.",
                        "Înainte să încheiem, încă o întrebare scurtă, dacă îmi permiteți."),
    "answers.na": ("Acest client nu are întrebări de sondaj.", ""),
    "on_track.late": ("Tura {turn}: ați revenit târziu la întrebări.", ""),
    "on_track.abrupt": ("Tura {turn}: ați readus respondentul la subiect prea brusc.", ""),
    "on_track.follows": ("Tura {turn}: ați urmat digresiunea în loc să reveniți la întrebări.", ""),
    "on_track.rude": ("Tura {turn}: '{quote}' îl întrerupe nepoliticos pe respondent.", ""),
}
_PARTS = {
    "en": {"greeting": "a greeting", "company": "the company name", "name": "your own name", "and": " and "},
    "ro": {"greeting": "un salut", "company": "numele companiei", "name": "numele dumneavoastră", "and": " și "},
}
_NA = {"en": "Not applicable in this call.", "ro": "Nu se aplică în acest apel."}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?" if key == "turn" else ""


def rule_note(outcome: Outcome, language: str, better: str | None = None) -> Note:
    """Feedback and better phrasing for a rule outcome, in English or Romanian."""
    lang = "ro" if language == "ro" else "en"
    table = _RO if lang == "ro" else _EN
    if outcome.code not in table:
        return (_NA[lang], "") if outcome.value is None else ("", better or "")
    values = _Blank(outcome.fields)
    values["turn"] = str(outcome.turn) if outcome.turn is not None else "?"
    if outcome.fields.get("missing"):
        parts = [_PARTS[lang][m] for m in outcome.fields["missing"].split()]
        values["missing"] = _PARTS[lang]["and"].join(parts)
    if not values.get("company"):
        values["company"] = "<company>" if lang == "en" else "<compania>"
    if better:
        values["better"] = better
    feedback, suggestion = table[outcome.code]
    suggestion = (better or suggestion) if outcome.value != 1 else ""
    return feedback.format_map(values), suggestion.format_map(values)


# --- "Try saying": a whole line the trainee could have said at that moment -------------------

# Built-in good lines per act and language; the rubric's own `examples` come first.
LINES: dict[str, dict[str, list[str]]] = {
    "empathy": {
        "en": ["I'm sorry you've had to call about this again; I can see how much it's disrupting your day.",
               "I understand how frustrating this must be, especially after waiting so long.",
               "That sounds really stressful, and I'm sorry it has taken this long to sort out.",
               "I can hear how much this has upset you, and I'd feel the same in your place."],
        "ro": ["Îmi pare rău că a trebuit să sunați din nou; înțeleg cât de mult vă încurcă asta.",
               "Înțeleg cât de frustrant este, mai ales după atâta așteptare.",
               "Îmi pare rău că durează atât; înțeleg că vă afectează ziua."],
    },
    "listening": {
        "en": ["When did this start, and what have you tried so far?",
               "Just to make sure I have it right: what happens exactly when you try to use it?",
               "Can you tell me what you see on the screen when it fails?",
               "Has anything changed since the last time you called us about it?"],
        "ro": ["De când a început problema și ce ați încercat până acum?",
               "Ca să înțeleg bine: ce se întâmplă exact când încercați?",
               "S-a schimbat ceva de când ne-ați sunat ultima dată?"],
    },
    "resolution": {
        "en": ["I'll sort this out for you right now, and you'll get an email today confirming what happens next.",
               "I've logged this under a reference number, and I'll call you back by 5 pm today with an update."],
        "ro": ["Rezolv asta chiar acum și veți primi azi un e-mail de confirmare cu pașii următori.",
               "Am înregistrat solicitarea și vă sun înapoi azi până la ora 17 cu o actualizare."],
    },
    "follow_up": {
        "en": ["You'll get a text message as soon as it's done, and the reference number is on its way by email.",
               "You will receive a confirmation by email today, and I'll call you back on Friday to check."],
        "ro": ["Veți primi un SMS imediat ce este gata, iar numărul de referință vă vine pe e-mail.",
               "Veți primi azi o confirmare pe e-mail și vă sun vineri să verific că totul e în regulă."],
    },
    "objection": {
        "en": ["I understand the concern; there's no contract, so you can cancel at any time. Does that help?",
               "That's a fair question: the price stays the same for the first twelve months. Does that answer it?"],
        "ro": ["Înțeleg îngrijorarea; nu există contract, puteți renunța oricând. Vă ajută asta?",
               "Este o întrebare bună: prețul rămâne același în primele douăsprezece luni. V-am lămurit?"],
    },
    "offer": {
        "en": ["Since you said the bills are high, this plan would save you about ten euros a month.",
               "Based on what you told me, you'd get faster internet for the same price you pay now."],
        "ro": ["Pentru că ați spus că facturile sunt mari, acest pachet vă economisește cam zece lei pe lună.",
               "Din ce mi-ați spus, veți avea internet mai rapid la același preț pe care îl plătiți acum."],
    },
    "discovery": {
        "en": ["What matters most to you in your current service?",
               "How do you use it day to day, and what would you like to be better?"],
        "ro": ["Ce este cel mai important pentru dumneavoastră la serviciul actual?",
               "Cum îl folosiți zi de zi și ce ați vrea să fie mai bine?"],
    },
    "acknowledge": {
        "en": ["Thank you, I've noted that. Would you say it's closer to good or to average?",
               "Got it, thank you. Moving on to the next question."],
        "ro": ["Mulțumesc, am notat. Ați spune că este mai degrabă bun sau mediu?",
               "Am înțeles, mulțumesc. Trecem la următoarea întrebare."],
    },
    "steer": {
        "en": ["That's interesting, thank you; coming back to our survey, how would you rate the service?",
               "I appreciate you sharing that; if I may, let's move on to the next question."],
        "ro": ["Interesant, vă mulțumesc; revenind la sondaj, ce notă ați da serviciului?",
               "Vă mulțumesc că mi-ați spus; dacă îmi permiteți, trecem la următoarea întrebare."],
    },
}
_ACT_OF = {"empathy": "empathy", "active_listening": "listening", "resolution": "resolution",
           "objection_handling": "objection", "value_proposition": "offer", "needs_discovery": "discovery",
           "keeps_on_track": "steer"}
_DESCRIBES = re.compile(r"\b(?:the agent|agent should|agent could|agentul|the trainee|the operator|operatorul)\b",
                        re.I)
_COMMON = {"en": {"the", "you", "i", "to", "is", "and", "your", "a", "it", "for", "can", "that", "this", "we"},
           "ro": {"și", "si", "vă", "va", "pentru", "că", "ca", "este", "îmi", "imi", "nu", "cu", "de", "la", "să",
                  "sa", "mulțumesc", "multumesc", "pot", "ce"}}


def complete_line(text: str) -> bool:
    """A whole sentence someone could say: capital start, end mark, no gaps or descriptions."""
    t = (text or "").strip()
    if len(t.split()) < 3 or not re.match(r"^[\"'“]?[A-ZĂÂÎȘŞȚŢ]", t) or not re.search(r"[.!?][\"'”]?$", t):
        return False
    if "<" in t or ">" in t or "..." in t or "…" in t or _DESCRIBES.search(t):
        return False
    return True


def in_language(text: str, language: str) -> bool:
    words = set(re.findall(r"[\wăâîșşțţ]+", text.lower()))
    lang = "ro" if language == "ro" else "en"
    other = "en" if lang == "ro" else "ro"
    return len(words & _COMMON[lang]) >= len(words & _COMMON[other] - _COMMON[lang])


def _shows(act: str | None, view, text: str) -> bool:
    """Whether the listener hears the line as the act it is meant to show."""
    from . import lexicon as lx
    from .conduct import _CHECKS_LANDED, _STEER
    from .text import find_phrase, fold

    if act is None:
        return True
    heard = view.listener.hear(text)
    if heard.rude:
        return False
    f = fold(text)
    if act == "empathy":
        return heard.empathy
    if act in ("listening", "discovery"):
        return "?" in text
    if act == "resolution":
        return heard.next_step or heard.goal_offered or bool(find_phrase(f, lx.SOLUTION))
    if act == "follow_up":
        return bool(find_phrase(f, lx.FOLLOW_UP))
    if act == "objection":
        return bool(find_phrase(f, lx.ACKNOWLEDGE)) or heard.empathy or bool(find_phrase(f, _CHECKS_LANDED))
    if act == "offer":
        return bool(find_phrase(f, lx.BENEFIT))
    if act == "acknowledge":
        return bool(find_phrase(f, lx.ACKNOWLEDGE))
    if act == "steer":
        return bool(find_phrase(f, _STEER))
    return True


def said_already(view, text: str) -> bool:
    """The line (or a question asking the same thing) was said in the call already."""
    from .conduct import content
    from .text import fold

    mine = content(text, view.language)
    folded = fold(text)
    for line in view.agent:
        m = difflib.SequenceMatcher(None, folded, line.folded)
        if m.real_quick_ratio() >= 0.7 and m.quick_ratio() >= 0.7 and m.ratio() >= 0.7:
            return True
        theirs = content(line.text, view.language)
        # 70% rounded up: "o zi bună" and "noastre" are two of four words of a survey's thanks,
        # and a greeting with "Bună ziua" and "echipa noastră" did not say it (a walk).
        if mine and len(mine & theirs) >= max(2, math.ceil(0.7 * len(mine))):
            return True
    return False


def _persona_lines(view, act: str | None, lang: str) -> list[str]:
    """Lines made from the persona's own words for what would satisfy this customer ("refund the
    fee" -> "I can refund the fee for you today, ..."): English verb phrases with an object only."""
    persona = getattr(view, "persona", None)
    if persona is None or act != "resolution" or lang != "en" or getattr(persona, "language", "en") != "en":
        return []
    out = []
    for phrase in persona.goal.satisfied_by:
        ws = phrase.strip().split()
        if len(ws) >= 2 and ws[0].lower() not in ("the", "a", "an", "your", "my") and any(
                w.lower() in ("the", "a", "an", "your") for w in ws[1:]):
            out.append(f"I can {phrase.strip()} for you today, and you'll get an email confirming it.")
    return out[:2]


# Slots in a suggested line: the company and the trainee's own name, in either language.
_COMPANY_SLOT = re.compile(r"<(?:company|compania)>", re.I)
_NAME_SLOT = re.compile(r"<(?:your name|numele dvs\.?|numele dumneavoastră)>", re.I)


def trainee_name(view) -> str | None:
    """The name the trainee gave for themselves in the call ("sunt Ana", "my name is Ana")."""
    for line in view.agent:
        name = view.heard(line).own_name
        if name:
            return name.capitalize()
    return None


def fill_slots(text: str, view) -> str:
    """The line with the call's company and the trainee's own name put in, where the call has
    them; a name slot stays for the trainee to fill when they never said their name."""
    if view.company:
        text = _COMPANY_SLOT.sub(view.company, text)
    name = trainee_name(view)
    return _NAME_SLOT.sub(name, text) if name else text


def better_line(outcome: Outcome | None, view, criterion, language: str, *, fallback: str = "",
                written: str | None = None) -> str:
    """The "Try saying" line: the first candidate that is a complete sentence in the call's
    language, is heard as the act the criterion is about, is not rude and was not said in the
    call already. Candidates: the judge's own line (when there is one), the rubric's examples,
    the built-in lines, the template's line. Empty when none passes (better nothing than a
    line that describes the agent or repeats what they said)."""
    lang = "ro" if language == "ro" else "en"
    act = (outcome.act if outcome is not None else None) or _ACT_OF.get(getattr(criterion, "id", ""))
    examples = (getattr(criterion, "examples", None) or {}).get(lang, [])
    candidates = ([written] if written else []) + list(examples) + _persona_lines(view, act, lang) \
        + LINES.get(act or "", {}).get(lang, [])
    if fallback and (act is None or not LINES.get(act)):
        candidates.append(fallback)
    for c in candidates:
        c = fill_slots((c or "").strip(), view)
        whole = _NAME_SLOT.sub("Ana", c)  # a slot the trainee fills with their own name is no gap
        if complete_line(whole) and in_language(c, lang) and _shows(act, view, whole) and not said_already(view, whole):
            return c
    return ""


def carries(act: str | None, view, evidence, criterion_id: str = "") -> bool:
    """Whether a quoted line carries the criterion: a line heard as rude never praises, and an
    empathy quote must be heard as empathy or an apology (not the greeting)."""
    from .conduct import rude_lines

    act = act or _ACT_OF.get(criterion_id)
    if any(line.turn == evidence.turn for line, _ in rude_lines(view)):
        return False
    heard = view.listener.hear(evidence.quote)
    if act == "empathy":
        return heard.empathy or heard.apology
    if act in ("listening", "discovery"):
        return "?" in evidence.quote or heard.question or bool(heard.facts_asked)
    return True
