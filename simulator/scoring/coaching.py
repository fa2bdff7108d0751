"""Coaching notes for rule criteria: what went wrong, at which turn, and what to say instead.

Judged criteria get their note and better phrasing from the judge; rule criteria get them
from the templates below, in the transcript's language. A rule may carry `better:` to put
the rubric author's own phrasing in place of the built-in one.
"""

from __future__ import annotations

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
    "closing.no_offer": ("Turn {turn}: you did not ask whether there was anything else.",
                         "Is there anything else I can help you with today?"),
    "closing.no_thanks": ("Turn {turn}: the call ended without thanking the customer or saying goodbye.",
                          "Thank you for calling, have a nice day!"),
    "closing.missing": ("Turn {turn}: the call ended without a closing.",
                        "Is there anything else I can help you with? Thank you for calling, have a nice day!"),
    "forbidden.ok": ("No rude or unprofessional wording.", ""),
    "forbidden.mild": ("Turn {turn}: '{quote}' sounds unprofessional. Instead of '{phrase}', try '{better}'", "{better}"),
    "forbidden.abusive": ("Turn {turn}: '{quote}' is abusive, which fails the call. Instead, try '{better}'",
                          "{better}"),
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
                       "Here is what I am going to do for you: ..."),
    "questions.ok": ("You asked questions to understand the situation.", ""),
    "questions.few": ("You asked {count} question(s); ask at least {budget} to understand the situation.",
                      "When did this start, and what have you tried so far?"),
    "response.ok": ("You replied promptly.", ""),
    "response.slow": ("Your replies took {count} s in the middle (target {budget} s); turn {turn} was the slowest.",
                      "Let me check that for you, one moment please."),
    "resolution.ok": ("The customer accepted the solution.", ""),
    "resolution.no": ("The call ended without a solution the customer accepted.",
                      "Here is what I can do for you today: ..."),
    "resolution.hung_up": ("The customer hung up before the problem was solved.",
                           "I understand, and I'm sorry. Here is what I will do right now: ..."),
    "next_step.ok": ("You agreed a concrete next step (turn {turn}).", ""),
    "next_step.missing": ("Turn {turn}: the call ended without a concrete next step.",
                          "Shall I email you the details and call you back on Thursday?"),
    "empathy.ok": ("You acknowledged how the customer felt (turn {turn}).", ""),
    "empathy.sorry_only": ("Turn {turn}: you apologised, but never said you understood how this affects them.",
                           "I'm sorry. I can see how much this disrupts your day; let's sort it now."),
    "empathy.missing": ("The customer was upset and you never acknowledged it.",
                        "I understand how frustrating this is, and I'm sorry it happened."),
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
    "closing.no_offer": ("Tura {turn}: nu ați întrebat dacă mai este ceva.", "Cu ce vă mai pot ajuta?"),
    "closing.no_thanks": ("Tura {turn}: apelul s-a încheiat fără mulțumiri sau salut de rămas-bun.",
                          "Vă mulțumim că ați sunat, o zi bună!"),
    "closing.missing": ("Tura {turn}: apelul s-a încheiat fără o încheiere.",
                        "Cu ce vă mai pot ajuta? Vă mulțumim că ați sunat, o zi bună!"),
    "forbidden.ok": ("Niciun cuvânt nepoliticos sau neprofesionist.", ""),
    "forbidden.mild": ("Tura {turn}: '{quote}' sună neprofesionist. În loc de '{phrase}', încercați '{better}'",
                       "{better}"),
    "forbidden.abusive": ("Tura {turn}: '{quote}' este jignitor, iar asta pică apelul. Încercați '{better}'",
                          "{better}"),
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
                       "Iată ce voi face pentru dumneavoastră: ..."),
    "questions.ok": ("Ați pus întrebări ca să înțelegeți situația.", ""),
    "questions.few": ("Ați pus {count} întrebări; puneți cel puțin {budget} ca să înțelegeți situația.",
                      "De când a început problema și ce ați încercat până acum?"),
    "response.ok": ("Ați răspuns prompt.", ""),
    "response.slow": ("Răspunsurile au durat în medie {count} s (ținta {budget} s); tura {turn} a fost cea mai lentă.",
                      "Verific imediat, vă rog să așteptați un moment."),
    "resolution.ok": ("Clientul a acceptat soluția.", ""),
    "resolution.no": ("Apelul s-a încheiat fără o soluție acceptată de client.",
                      "Iată ce pot face pentru dumneavoastră astăzi: ..."),
    "resolution.hung_up": ("Clientul a închis înainte ca problema să fie rezolvată.",
                           "Înțeleg și îmi pare rău. Iată ce fac chiar acum: ..."),
    "next_step.ok": ("Ați stabilit un pas următor concret (tura {turn}).", ""),
    "next_step.missing": ("Tura {turn}: apelul s-a încheiat fără un pas următor concret.",
                          "Vă trimit detaliile pe e-mail și vă sun joi, este în regulă?"),
    "empathy.ok": ("Ați arătat că înțelegeți ce simte clientul (tura {turn}).", ""),
    "empathy.sorry_only": ("Tura {turn}: v-ați cerut scuze, dar nu ați spus că înțelegeți cum îl afectează.",
                           "Îmi pare rău. Înțeleg cât de mult vă încurcă asta; hai să rezolvăm acum."),
    "empathy.missing": ("Clientul era supărat și nu ați recunoscut asta niciodată.",
                        "Înțeleg cât de frustrant este și îmi pare rău că s-a întâmplat."),
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
