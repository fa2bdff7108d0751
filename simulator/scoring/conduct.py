"""Checks for how the trainee treated the customer, decided by code and the listener.

These used to be left to the judge (empathy, active listening, objection handling, the offer,
survey listening, keeping on track) or were all-or-nothing (resolution). Each check returns
the level it can decide on the rubric's own scale (as a share of the top level), the line
that carried it as evidence, and — only where code cannot tell — `open`: the range a judge
may choose within. A rude or dismissive line caps what a judge may give (`cap`).

Levels, as shares of the top level (0-4 rubrics: 0, .25, .5, .75, 1):
- empathy: dismissive or blaming 0; nothing while the customer was upset .25; a formulaic
  "sorry"/"I understand" .5; feelings and impact acknowledged once .75; more than once 1.
- listening: no questions 0; made the customer repeat something .25; one question, or
  questions that use nothing the customer said .5; questions that use what they said .75;
  plus a summary back 1.
- resolution: nothing 0; vague promises or an escalation with no fix .25; a concrete
  solution not accepted .5; accepted .75; accepted and what happens next explained 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import Field

from simulator.listener.listener import BARE_UNDERSTANDING
from simulator.listener.meaning import vocabulary
from simulator.listener.tone import PATTERN, candidate, tone_probe
from simulator.listener.words import tokens
from simulator.text import SENTENCE, sentences
from simulator.transcript import EndReason

from . import lexicon as lx
from .manipulation import false_consent
from .model import Evidence
from .rules import CheckParams, Outcome, _customer_upset, _ev, check, heard_quote, questions_in, sentence_with
from .text import any_phrase as find_phrase
from .text import fold
from .view import REMOVED, CallView, Line

# --- shared readings of a call ---------------------------------------------------------------


def usable(view: CallView) -> list[Line]:
    return [x for x in view.agent if x.text != REMOVED]


@lru_cache(maxsize=8192)
def _stems(text: str, language: str) -> frozenset[str]:
    lang = language if language in ("en", "ro") else "en"
    stop = vocabulary(lang).stop
    return frozenset(t.stem for t in tokens(text, lang) if t.stem not in stop and len(t.word) > 2
                     and not t.word.isdigit())


def content(text: str, language: str) -> frozenset[str]:
    """Content words of a text as stems (no stop words, no short words)."""
    return _stems(text, language) - _FILLER


# Words every call shares: they show no attention to this customer.
_FILLER = frozenset({"sorri", "understand", "help", "thank", "pleas", "call", "today", "call", "problem", "issu",
                     "realli", "absolut", "definit", "certain", "right", "okay", "inconveni", "frustrat",
                     "situat", "happen", "know", "sure", "thing", "get", "can", "will", "need", "want", "just",
                     "intelege", "multum", "rog", "ajut", "imi", "par", "rau", "bine", "pentru", "sunt", "hear",
                     "sound", "say", "said", "tell", "that", "feel", "must", "mean"})


def heard_rude(view: CallView, line: Line) -> str | None:
    """The words of a line heard as rude or dismissive, or None: by the listener (as the
    customer hears it, `_heard_rude`), or by meaning where the call shows a pattern of
    brush-offs (`_by_meaning`)."""
    quote = _heard_rude(view, line)
    if quote is None:
        quote = reproached(view, line)
    return quote if quote is not None else _by_meaning(view).get(line.turn)


def _customer_reply(view: CallView, line: Line) -> Line | None:
    """The customer's line right after `line`, or None (the agent speaks next, or nobody)."""
    after = next((x for x in view.lines if x.turn > line.turn), None)
    return after if after is not None and after.role == "customer" else None


def _insulting(view: CallView, line: Line) -> bool:
    """Rude beyond a brush-off: an unprofessional phrase, mockery, or a line the customer
    reproaches as rude ("There's no need to be sharp with me")."""
    reply = _customer_reply(view, line)
    return bool(find_phrase(line.folded, _INSULT_WORDS) or view.heard(line).mocking
                or (reply is not None and find_phrase(reply.folded, lx.REPROACH)))


def reproached(view: CallView, line: Line) -> str | None:
    """The words of an agent line the customer's next line reproaches ("There's no need to be
    like that", "Nu cred că e cazul să-mi vorbiți pe tonul ăsta") or says did not help or
    answer them ("That's not an answer", "Adică nu mă puteți ajuta deloc?"), or None: its stated
    sentence the tone probe reads worst (the line's first stated sentence without the probe)."""
    reply = _customer_reply(view, line) if line.role == "agent" else None
    if reply is None:
        return None
    reproach = find_phrase(reply.folded, lx.REPROACH)
    if not (reproach or find_phrase(reply.folded, lx.UNHELPED)):
        return None
    if reply.state is not None and reply.state.beat != "react_rude" and not (reply.state.beat == "hang_up" and reproach):
        # A simulated customer's words follow the beat its director chose: an irritable
        # customer pushing ("That's not an answer") after a polite line reproaches nothing, nor
        # does one whose patience ran out over the call ("You're wasting my time. Goodbye.").
        return None
    said = [x for x in sentences(line.text) if not x.rstrip().endswith("?") and len(x.split()) >= 3] \
        or [line.text.strip()]
    probe = tone_probe()
    return max(said, key=probe.p) if probe is not None and len(said) > 1 else said[0]


def _heard_rude(view: CallView, line: Line) -> str | None:
    """The words the customer heard as rude in a line, or None. What the listener alone hears
    as rude counts unless it sits in a question to the customer ("so you're moving on the 28th,
    is that right?") or in a line that is kind or constructive at the same time ("you're right
    that you should have been told", "so you're moving on the 28th; I'll move your supply"):
    in those the listener's rude words are a misreading, not a brush-off."""
    heard = view.heard(line)
    if not heard.rude:
        return None
    words = heard.evidence.get("rude") or line.text
    if heard.mocking:
        return words
    sentence = sentence_with(line.text, [words])
    if sentence.rstrip().endswith("?") and fold(words) != fold(sentence).rstrip("?. "):
        return None
    # "I do understand, sir. Unfortunately I can't do anything about lost earnings": blind QA
    # writers marked such lines dismissive, where "you're right that you should have been told" is kind.
    understood = fold(heard.evidence.get("empathy", ""))
    bare = BARE_UNDERSTANDING.match(understood.strip(" ,.!"))
    # "... o înțelege și un copil" (even a child understands it): the "understand" is the sneer's.
    sneer = bool(understood) and understood in fold(words)
    kind = ("apology", "goal", "next_step") + (() if heard.evidence.get("taken_back") or bare or sneer else ("empathy",))
    # Kind or constructive in the same breath: not a brush-off ("I understand, but" is not kind).
    # In the same sentence only: "Give it two minutes. Honestly, most people manage this without
    # ringing us." still sneers (a read blind rude call's key).
    said = fold(sentence)
    if any(k in heard.evidence and fold(heard.evidence[k]) in said for k in kind):
        return None
    return words


_RUDE_WORDS = tuple(p for p, _ in lx.ABUSIVE + lx.UNPROFESSIONAL + lx.DISMISSIVE)
_ABUSIVE_WORDS = tuple(p for p, _ in lx.ABUSIVE)
_INSULT_WORDS = tuple(p for p, _ in lx.ABUSIVE + lx.UNPROFESSIONAL)


def rude_lines(view: CallView) -> list[tuple[Line, str]]:
    """Agent lines heard as rude, dismissive or blaming, with the words that made them so."""
    if "rude_lines" not in view.memo:
        view.memo["rude_lines"] = _rude_lines(view)
    return view.memo["rude_lines"]


def _rude_lines(view: CallView) -> list[tuple[Line, str]]:
    out = []
    for line in usable(view):
        phrase = find_phrase(line.folded, _RUDE_WORDS)
        if phrase is None:
            phrase = heard_rude(view, line)
        if phrase is not None:
            out.append((line, rude_span(line.text, phrase)))
    return out


def _by_meaning(view: CallView) -> dict[int, str]:
    """Brush-offs in words no phrase list holds (simulator/listener/tone.py), by turn, with the
    words; counted only as a pattern (`PATTERN` in a call, rude lines included): two or more
    such lines, or one beside a rude phrase, were rude or dismissive calls in every call set
    measured. What counts as a candidate, and what counts alone: tone.candidate."""
    if "by_meaning" in view.memo:
        return view.memo["by_meaning"]
    found, others, scripted = {}, 0, False
    for line in usable(view):
        if find_phrase(line.folded, _RUDE_WORDS) or _heard_rude(view, line) is not None or reproached(view, line):
            others += 1
            continue
        h = view.heard(line)
        before = _customer_before(view, line.turn)
        words, alone = candidate(line.text, answers=before.text if before is not None else "",
                                 offers=bool(h.goal_offered or h.apology or h.hold or h.manipulation),
                                 next_step=h.next_step, courteous=bool(h.greeting or h.closing),
                                 taken_back=h.evidence.get("taken_back", ""))
        if words is not None:
            found[line.turn] = words
            scripted = scripted or alone
    view.memo["by_meaning"] = found if found and (len(found) + others >= PATTERN or scripted) else {}
    return view.memo["by_meaning"]


def rude_span(text: str, phrase: str) -> str:
    """The words of a line that were rude, verbatim: from the first rude sentence to the last
    ("I'm sure you'll survive. It's the paper fee, it was in the letter you clearly didn't
    read."), so the blame in a later sentence is quoted with the jibe before it."""
    spans = [m.span() for m in SENTENCE.finditer(text)
             if (f := fold(m.group())) and (find_phrase(f, _RUDE_WORDS) or find_phrase(f, [phrase]))]
    if not spans:
        return sentence_with(text, [phrase])
    return text[spans[0][0]:spans[-1][1]].strip()


def _said_before(view: CallView, turn: int) -> str:
    return " ".join(x.text for x in view.customer if x.turn < turn)


def _customer_before(view: CallView, turn: int) -> Line | None:
    return next((x for x in reversed(view.customer) if x.turn < turn), None)


_sentences = sentences


# --- empathy ---------------------------------------------------------------------------------


@dataclass
class _Felt:
    line: Line
    quote: str
    specific: bool  # names something of this customer's situation, not a stock phrase


def _felt(view: CallView) -> tuple[list[_Felt], list[_Felt]]:
    """(empathy lines, apology lines), each with whether it speaks to this customer's case."""
    felt, sorry = [], []
    for line in usable(view):
        heard = view.heard(line)
        if heard_rude(view, line) is not None:
            continue
        for label, bucket in (("empathy", felt), ("apology", sorry)):
            # (The listener drops kindness from a line it hears as rude; a misheard line keeps it.)
            if not (getattr(heard, label) or heard.evidence.get(label)):
                continue
            quote = sentence_with(line.text, [heard.evidence[label]]) if heard.evidence.get(label) else line.text
            quote = quote.strip()
            if quote.endswith("?"):
                continue  # "Sorry, which cables did you say?" asks; it does not apologise
            # The sentence that carries it, and the one after ("I'm sorry. Three calls is too many.")
            sents = _sentences(line.text)
            at = next((i for i, s in enumerate(sents) if quote in s or s in quote), 0)
            near = " ".join(x for x in sents[at:at + 2] if not x.endswith("?"))
            said = content(_said_before(view, line.turn), view.language)
            # Specific: the sentence itself names something of this customer's case, or it or the
            # next one names what the problem does to them ("I'm sorry. Three calls is too many.").
            carrying = sents[at] if sents else quote
            specific = len(content(carrying, view.language) & said) >= 1 or bool(find_phrase(fold(near), lx.IMPACT))
            bucket.append(_Felt(line, quote, specific))
    return felt, sorry


@check("empathy")
def _empathy(view: CallView, p: CheckParams) -> Outcome:
    lines = usable(view)
    rude = rude_lines(view)
    if rude:
        line, quote = rude[0]
        return Outcome(0.0, "empathy.dismissive", line.turn, [e for x, q in rude[:3] for e in _ev(x, q)],
                       {"quote": quote}, cap=0.0, act="empathy")
    felt, sorry = _felt(view)
    specific = [f for f in felt if f.specific] + [f for f in sorry if f.specific]
    if felt and specific:
        lines_with = {f.line.turn for f in specific} | {f.line.turn for f in felt}
        best = next(f for f in felt + sorry if f.specific)
        if len(lines_with) >= 2:
            shown = [best] + [f for f in felt + sorry if f.line.turn != best.line.turn][:1]
            return Outcome(1.0, "empathy.ok", best.line.turn, [e for f in shown for e in _ev(f.line, f.quote)],
                           act="empathy")
        return Outcome(0.75, "empathy.once", best.line.turn, _ev(best.line, best.quote), open=(0.75, 1.0),
                       act="empathy")
    if felt or sorry:
        first = (felt or sorry)[0]
        return Outcome(0.5, "empathy.formulaic" if felt else "empathy.sorry_only", first.line.turn,
                       _ev(first.line, first.quote), {"quote": first.quote}, open=(0.5, 0.75), act="empathy")
    upset = next((x for x in view.customer if find_phrase(x.folded, lx.UPSET)), None)
    turn = next((x.turn for x in lines if upset is None or x.turn > upset.turn), lines[0].turn if lines else None)
    return Outcome(0.25, "empathy.missing", turn, act="empathy")


# --- active listening ------------------------------------------------------------------------

# Things customers give and agents ask for, in any call: (kind, what giving it looks like,
# what asking for it looks like). Persona facts (from the session record) come on top.
_GIVES: dict[str, re.Pattern[str]] = {
    "name": re.compile(r"\b(?:my name is|my name's|this is|i am|it's|numele meu (?:este|e)|ma numesc|sunt)\s+"
                       r"(?:mr\.?\s+|mrs\.?\s+|ms\.?\s+|doamna\s+|domnul\s+)?[a-z][a-z'\-]+", re.I),
    "account": re.compile(r"\b[a-z]{2,3}-?\d{3,}\b|\baccount (?:number )?(?:is )?\d{4,}|\b\d{6,}\b", re.I),
    "postcode": re.compile(r"\b(?:postcode|post code|zip|cod postal|codul postal)\b", re.I),
    "email": re.compile(r"\S+@\S+\.\w+", re.I),
    "phone": re.compile(r"\b0\d{9,10}\b|\+\d{9,}", re.I),
    "address": re.compile(r"\b\d+\s+\w+\s+(?:street|road|avenue|lane|close|drive|way)\b|\b(?:strada|str\.)\s+\w+",
                          re.I),
}
_ASKS: dict[str, list[str]] = {
    "name": ["your name", "who am i speaking", "who i am speaking", "who am i talking", "numele dumneavoastra",
             "numele dvs", "cum va numiti", "cu cine vorbesc", "your full name", "numele complet"],
    "account": ["account number", "customer number", "client number", "account id", "customer id",
                "numarul de client", "numar de client", "numarul contului", "codul de client", "cod client"],
    "postcode": ["postcode", "post code", "zip code", "postal code", "codul postal", "cod postal"],
    "email": ["email address", "your email", "adresa de email", "adresa de e-mail"],
    "phone": ["phone number", "mobile number", "numarul de telefon", "numar de telefon"],
    "address": ["your address", "the address", "adresa dumneavoastra", "adresa de instalare"],
}
_ANOTHER_ADDRESS = ["moving to", "move to", "new address", "new home", "new property", "next address",
                    "adresa noua", "noua adresa", "va mutati", "noua locuinta"]
# Persona fact ids that mean one of the kinds above.
_FACT_KIND = {"account": "account", "customer_id": "account", "client": "account", "postcode": "postcode",
              "zip": "postcode", "address": "address", "email": "email", "phone": "phone", "name": "name"}


def _has_value(view: CallView, fid: str) -> bool:
    persona = view.persona
    return persona is not None and any(f.id == fid and f.value for f in persona.facts)


def _kind_of_fact(fid: str) -> str:
    return next((k for w, k in _FACT_KIND.items() if w in fid), fid)


def _given(view: CallView, before: int) -> dict[str, int]:
    """What the customer had given before a turn: kind -> the turn they gave it."""
    out: dict[str, int] = {}
    for x in view.customer:
        if x.turn >= before:
            break
        for kind, pat in _GIVES.items():
            if kind not in out and pat.search(x.text) and not x.text.strip().endswith("?"):
                if kind == "postcode" and not re.search(r"\d", x.text):
                    continue
                if kind == "name" and not _gives_name(x.text):
                    continue
                out[kind] = x.turn
        for fid in (x.state.revealed if x.state else []):
            out.setdefault(_kind_of_fact(fid), x.turn)
    return out


_NAME_GIVE = re.compile(r"\b(?:my name is|my name's|this is|numele meu (?:este|e)|ma numesc)\s+([A-Z][\w'\-]+)")


def _gives_name(text: str) -> bool:
    return bool(_NAME_GIVE.search(text)) or bool(re.match(r"\s*(?:It's|I'm|Sunt)\s+[A-Z][a-z]+\s+[A-Z][a-z]+", text))


def repeated_asks(view: CallView) -> list[tuple[Line, str, str]]:
    """(agent line, the question, kind) where the trainee asked for something the customer had
    already given; reading it back to check ("that's NL-48213, right?") is not asking again."""
    out = []
    for line in usable(view):
        again = _asks_problem_again(view, line) or _asks_fact_again(view, line)
        if again:
            out.append((line, again, "problem"))
            continue
        given = _given(view, line.turn)
        if not given:
            continue
        heard = view.heard(line)
        for q in questions_in(line) or ([line.text] if heard.facts_asked else []):
            fq = fold(q)
            kinds = {k for k, phrases in _ASKS.items() if find_phrase(fq, phrases)}
            if find_phrase(fq, _ANOTHER_ADDRESS):
                kinds.discard("address")  # "the address you're moving to" is not the one they gave
            # A persona fact with a value was given when its value was said (_asks_fact_again):
            # its kind alone would take the address left for the new one ("where are you moving to?").
            kinds |= {_kind_of_fact(f) for f in heard.facts_asked if f"asked:{f}" in heard.evidence
                      and fold(heard.evidence[f"asked:{f}"]) in fq and not _has_value(view, f)}
            for kind in sorted(kinds & set(given)):
                if _reads_back(view, line, given[kind]):
                    continue
                out.append((line, q, kind))
                break
    return out


_ASKS_AGAIN = ["did you say", "say that again", "repeat that", "come again", "ce ați spus", "ați spus că", "puteți repeta",
               "mai spuneți o dată"]
_WHAT_PROBLEM = ["what seems to be the problem", "what's the problem", "what is the problem", "what's the issue",
                 "what is the issue", "what's wrong", "what's up", "what happened", "and the problem is",
                 "care e problema", "care este problema", "ce problemă aveți", "ce s-a întâmplat", "ce anume nu merge"]


def _asks_problem_again(view: CallView, line: Line) -> str | None:
    """A question for what the customer already told: "what seems to be the problem?" after they
    described it, "which cables did you say?"."""
    for q in questions_in(line):
        fq = fold(q)
        if find_phrase(fq, _ASKS_AGAIN):
            return q
        if find_phrase(fq, _WHAT_PROBLEM):
            told = [x for x in view.customer if x.turn < line.turn and len(x.text.split()) >= 8]
            if told:
                return q
    return None


def _asks_fact_again(view: CallView, line: Line) -> str | None:
    """A question for a persona fact whose value the customer had already said."""
    persona = view.persona
    if persona is None:
        return None
    if not questions_in(line):
        return None
    heard = view.heard(line)
    before = " ".join(x.text for x in view.customer if x.turn < line.turn)
    numbers = set(re.findall(r"\d+", before))
    questions = [fold(q) for q in questions_in(line)]
    asked = []
    for fid in heard.facts_asked:
        fact = next((f for f in persona.facts if f.id == fid), None)
        words_heard = heard.evidence.get(f"asked:{fid}")
        if fact is None or not fact.value or not words_heard or not any(fold(words_heard) in q for q in questions):
            continue
        digits = re.findall(r"\d+", fact.value)
        # The value's words the question itself uses are its frame, not the answer ("which
        # statement?" for "the January statement": the customer saying "statement" gave nothing).
        words = content(fact.value, view.language) - content(" ".join(questions), view.language)
        said = (digits and all(d in numbers for d in digits)) or (
            not digits and words and len(words & content(before, view.language)) >= max(1, (len(words) + 1) // 2))
        asked.append((said and not _reads_back_value(line, fact.value), words_heard))
    # Every fact the question is heard asking must have been given: when one was not, the
    # question asks for something new (the listener may hear a near fact in the same words).
    if asked and all(said for said, _ in asked):
        return sentence_with(line.text, [asked[0][1]])
    return None


def _reads_back_value(line: Line, value: str) -> bool:
    digits = re.findall(r"\d+", value)
    return bool(digits) and all(d in line.text for d in digits)


def _reads_back(view: CallView, line: Line, turn: int) -> bool:
    said = next((x.text for x in view.customer if x.turn == turn), "")
    values = re.findall(r"[A-Za-z]{0,3}-?\d{3,}|[A-Z][a-z]{2,}", said)
    return any(v in line.text for v in values if len(v) >= 3 and v.lower() not in ("the", "this"))


_RECAP = ["to sum up", "sum up", "to sum it up", "to recap", "let me summarise", "let me summarize", "recapitulez",
          "sa recapitulez", "pe scurt", "in rezumat", "rezumand"]
_SUMMARY = _RECAP + ["so just to confirm", "just to confirm", "to confirm", "if i understand", "if i've understood",
            "so you're saying", "so you are saying", "let me make sure i", "to recap", "so what you're telling me",
            "so, you", "so you", "let me summarise", "let me summarize", "what i'm hearing",
            "daca am inteles", "deci", "sa recapitulez", "ca sa confirm", "sa confirm", "din ce imi spuneti",
            "am inteles ca", "deci dumneavoastra"]
_ROUTINE_Q = ["anything else", "how can i help", "how may i help", "what can i do for you", "cu ce va pot ajuta",
              "cu ce va mai pot ajuta", "altceva", "is there anything", "still there", "are you there"]


class ListeningParams(CheckParams):
    min: int = Field(2, ge=1, description="Questions needed before they count as 'asks good questions'.")


@check("listening", ListeningParams)
def _listening(view: CallView, p: ListeningParams) -> Outcome:
    lines = usable(view)
    asked = [(x, q) for x in lines for q in questions_in(x) if not find_phrase(fold(q), _ROUTINE_Q)]
    repeats = repeated_asks(view)
    rude = rude_lines(view)
    if repeats:
        line, q, kind = repeats[0]
        return Outcome(0.25, "listening.repeat", line.turn, [e for x, qq, _ in repeats[:2] for e in _ev(x, qq)],
                       {"quote": q, "kind": kind}, cap=0.25, act="listening")
    if not asked:
        turn = lines[1].turn if len(lines) > 1 else (lines[0].turn if lines else None)
        return Outcome(0.0, "listening.none", turn, [], act="listening")
    # About the problem first: an identity check is a question, but not one about what happened.
    about = [(x, q) for x, q in asked if not view.listener.hear(q).identity_check] or asked
    evidence = [Evidence(turn=x.turn, quote=q) for x, q in about[:2]]
    # Uses what the customer said: a question or reply that picks up their own words.
    used, summaries = [], []
    for x in lines:
        said = _customer_before(view, x.turn)
        if said is None:
            continue
        common = content(x.text, view.language) & content(said.text, view.language)
        if len(common) >= 2 or find_phrase(x.folded, _SUMMARY) and common:
            used.append(x)
        # A summary: says it sums up, or gives back three or more of the customer's own details.
        earlier = content(_said_before(view, x.turn), view.language)
        if (find_phrase(x.folded, _SUMMARY) and common) or len(content(x.text, view.language) & earlier) >= 4:
            summaries.append(x)
    # The fullest summary: one that says it sums up ("so, to sum up: ...") before one that only
    # says "to confirm", then the one giving back most of what the customer said ("just to confirm
    # it's you, could I take your number?" says "to confirm" and sums up nothing).
    summary = max(summaries, default=None, key=lambda x: (
        bool(find_phrase(x.folded, _RECAP)), bool(find_phrase(x.folded, _SUMMARY)) and not view.heard(x).facts_asked,
        len(content(x.text, view.language) & content(_said_before(view, x.turn), view.language)), -x.turn))
    gap = _unasked(view)
    if rude:
        # A trainee who brushes the customer off is not listening, whatever they asked: where the
        # problem was answered without a question, the questions asked and the brush-off are the evidence.
        line, quote = rude[0]
        shown = (_ev(gap) if gap else []) + evidence[:2] + [e for x, q in rude[:1] for e in _ev(x, q)]
        return Outcome(0.25, "listening.ignores", line.turn, shown, {"quote": quote}, cap=0.25,
                       act="listening")
    cap = None
    if len(asked) < p.min:
        value = 0.5
        return Outcome(value, "listening.few", asked[0][0].turn,
                       (_ev(gap) if gap else []) + [Evidence(turn=x.turn, quote=q) for x, q in asked[:2]],
                       {"count": str(len(asked))}, cap=cap, act="listening")
    if not used:
        return Outcome(0.5, "listening.unused", asked[-1][0].turn, evidence, cap=cap, open=(0.5, 0.75),
                       act="listening")
    if summary is not None and len(asked) >= p.min:
        value = 1.0 if not rude else 0.5
        quote = sentence_with(summary.text, _SUMMARY) if find_phrase(summary.folded, _SUMMARY) else \
            _richest_sentence(summary.text, _said_before(view, summary.turn), view.language)
        return Outcome(value, "listening.ok", summary.turn, _ev(summary, quote) + evidence[:2], cap=cap,
                       act="listening")
    value = 0.75 if not rude else 0.5
    return Outcome(value, "listening.good", used[0].turn, evidence, cap=cap,
                   open=None if rude else (0.75, 1.0), act="listening")


def _unasked(view: CallView) -> Line | None:
    """The first reply to the customer's account of the problem (past the identity check) that
    asks nothing about it: where the trainee stopped listening ("Yes, that's the paper statement
    fee. It applies to everyone.")."""
    told = next((x for x in view.customer if len(x.text.split()) >= 6), None)
    if told is None:
        return None
    for x in usable(view):
        if x.turn < told.turn or view.heard(x).identity_check or any(find_phrase(x.folded, a) for a in _ASKS.values()):
            continue  # "Codul de client, vă rog." asks who they are, not about the problem
        return None if questions_in(x) or "?" in x.text else x
    return None


def _richest_sentence(text: str, said: str, language: str) -> str:
    """The sentence of `text` that gives back the most of what the customer said."""
    theirs = content(said, language)
    return max(_sentences(text) or [text], key=lambda s: len(content(s, language) & theirs)).strip()


# --- resolution ------------------------------------------------------------------------------

_TIME = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|o'?clock)?\b|\b(?:today|tonight|tomorrow|this (?:evening|afternoon|morning)|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|within|by (?:the end of|noon|midday|\w+day)|"
    r"next week|hours?|minutes?|days?|azi|astazi|diseara|maine|luni|marti|miercuri|joi|vineri|sambata|duminica|"
    r"pana la|ore|ora|minute|zile|saptamana (?:asta|aceasta|viitoare)|luna (?:asta|aceasta|viitoare))\b", re.I)


def _concrete(view: CallView, line: Line) -> bool:
    """An offer that names what will be done and when, or how much (not "someone will look at it")."""
    heard = view.heard(line)
    f = line.folded
    committed = bool(find_phrase(f, lx.SOLUTION + lx.COMMIT))
    action = heard.goal_offered or committed
    if not action:
        return False
    if find_phrase(f, lx.NOTE_ONLY) and not committed:
        return False  # "I've put a note on your account" fixes nothing
    marker = bool(_TIME.search(f)) or bool(re.search(r"\d", f)) or bool(find_phrase(f, lx.CONCRETE))
    if find_phrase(f, lx.VAGUE) and not (_TIME.search(f) and committed):
        return False  # "someone will look at it at some point", "usually within a week"
    if find_phrase(f, lx.ESCALATE) and not _TIME.search(f):
        return False  # passed on to someone else, with no time: nothing is fixed
    return marker or heard.goal_offered or bool(find_phrase(f, lx.COMMIT))


def _vague(view: CallView, line: Line) -> bool:
    return bool(find_phrase(line.folded, lx.VAGUE)) or bool(find_phrase(line.folded, lx.ESCALATE))


def _accepted_after(view: CallView, turn: int) -> Line | None:
    """The customer line that accepted what was offered at `turn`. With a session record the
    director's beats say it; without one, the customer's own words do."""
    if view.end_reason == EndReason.hung_up:
        return None
    recorded = any(x.state for x in view.customer)
    for x in view.customer:
        if x.turn <= turn:
            continue
        if recorded:
            if x.state and x.state.beat == "accept":
                return x
            if x.state and x.state.beat == "hang_up":
                return None
        elif find_phrase(x.folded, lx.ACCEPT) and not find_phrase(x.folded, lx.REFUSE):
            return x
    return None


@check("resolution")
def _resolution(view: CallView, p: CheckParams) -> Outcome:
    lines = usable(view)
    # A summary back ("so, just to make sure I've got it all: ...?") is not the offer.
    # (One that goes on to commit to the fix is the offer: "So ..., I propose three instalments.")
    concrete = [x for x in lines if _concrete(view, x)
                and not (find_phrase(x.folded, _SUMMARY) and x.text.strip().endswith("?")
                         and not find_phrase(x.folded, lx.COMMIT))]
    vague = [x for x in lines if _vague(view, x) and x not in concrete]
    accepted = None
    offer = None
    for x in concrete:
        got = _accepted_after(view, x.turn)
        if got is not None:
            # The offer taken is the last one made before the customer said yes.
            accepted = got
            # The offer taken: the first commitment made after the customer last turned one down.
            refused = max((c.turn for c in view.customer if c.turn < got.turn and find_phrase(c.folded, lx.REFUSE)),
                          default=0)
            before = [y for y in concrete if refused < y.turn < got.turn] or [y for y in concrete if y.turn < got.turn]
            offer = _the_fix(view, before)
            break
    if offer is None and concrete and view.end_reason == EndReason.resolved and not any(
            x.state and x.state.beat == "hang_up" for x in view.customer):
        # Resolved without a "yes" in words: the fix is the line that committed to it, not the
        # reassurance or the "if it happens again" after it.
        offer = _the_fix(view, concrete)
        accepted = view.customer[-1] if view.customer else None
    if offer is not None:
        quote = _offer_quote(view, offer)
        hedge = _questioned_back(view, offer.turn)
        if hedge is not None:
            # The fix was taken, but the customer's worry got a hedge they question back
            # ("It should be fine, the system usually sorts that out." "Usually?"): half settled.
            line, words = hedge
            return Outcome(0.5, "resolution.unsettled", line.turn, _ev(offer, quote) + _ev(line, words),
                           {"quote": words}, act="resolution")
        # What happens next: when (a time), or how they will hear (a text, a reference, a call back).
        # The listener's "what happens next" counts too, as the customer heard it.
        explained = [x for x in lines if x.turn >= offer.turn and not _vague(view, x) and (
            _TIME.search(x.folded) or find_phrase(x.folded, lx.FOLLOW_UP) or view.heard(x).next_step)]
        if explained:
            follow = next((x for x in explained if x is not offer), None)
            shown = _ev(offer, quote) + (_ev(follow, _offer_quote(view, follow)) if follow else [])
            return Outcome(1.0, "resolution.ok", offer.turn, shown, act="resolution")
        return Outcome(0.75, "resolution.accepted", offer.turn, _ev(offer, quote), act="follow_up")
    if (concrete or vague) and view.end_reason == EndReason.hung_up:
        # Offered or promised, not taken, and the customer hung up: no solution (the rubric's level
        # 0, "the customer leaves unhappy or hangs up"; 24 of 25 hung-up calls in the blind keys).
        x = ([y for y in concrete if find_phrase(y.folded, lx.COMMIT)] or concrete or vague)[-1]
        return Outcome(0.0, "resolution.refused_hung_up", x.turn, _ev(x, _offer_quote(view, x)), act="resolution")
    if concrete:
        x = ([y for y in concrete if find_phrase(y.folded, lx.COMMIT)] or concrete)[-1]
        return Outcome(0.5, "resolution.not_accepted", x.turn, _ev(x, _offer_quote(view, x)), act="resolution")
    if vague:
        # The escalation (or the first empty promise) is the moment that carried it.
        vague.sort(key=lambda y: (not find_phrase(y.folded, lx.ESCALATE), y.turn))
        x = vague[0]
        quote = sentence_with(x.text, lx.ESCALATE + lx.VAGUE)
        shown = [e for y in vague[:2] for e in _ev(y, sentence_with(y.text, lx.ESCALATE + lx.VAGUE))]
        return Outcome(0.25, "resolution.vague", x.turn, shown, {"quote": quote}, act="resolution")
    last = lines[-1] if lines else None
    code = "resolution.hung_up" if view.end_reason == EndReason.hung_up else "resolution.no"
    # Where the trainee gave up ("There's nothing more I can do from here today") is the line
    # to show; with none, nothing is quoted.
    gave_up = [x for x in lines if find_phrase(x.folded, lx.NO_FIX)]
    if gave_up:
        x = gave_up[-1]
        return Outcome(0.0, code, x.turn, _ev(x, sentence_with(x.text, lx.NO_FIX)), act="resolution")
    # Otherwise where the customer asked for help and got none: the reply to their last question
    # (the blind keys quote it: "Le scrieți un e-mail și vă răspund în 30 de zile.").
    asked = [c for c in view.customer if "?" in c.text]
    reply = next((x for x in lines if asked and x.turn > asked[-1].turn), None)
    if reply is not None:
        return Outcome(0.0, code, reply.turn, _ev(reply, _sentences(reply.text)[0]), act="resolution")
    return Outcome(0.0, code, last.turn if last else None, [], act="resolution")


def _questioned_back(view: CallView, turn: int) -> tuple[Line, str] | None:
    """An agent line after `turn` whose hedge the customer echoes as a question ("Normally?",
    "'Shouldn't really'?", "De obicei?"), with its sentence: the customer's worry left open."""
    for x in view.customer:
        if x.turn <= turn:
            continue
        first = re.split(r"(?<=\?)", x.text.strip(), maxsplit=1)[0]
        echo = fold(first).strip(" '\"‘’“”?!.,")
        if not first.endswith("?") or not echo or len(echo.split()) > 3:
            continue
        before = next((y for y in reversed(view.agent) if y.turn < x.turn), None)
        if before is not None and before.turn > turn and re.search(rf"(?<!\w){re.escape(echo)}(?!\w)", before.folded):
            return before, sentence_with(before.text, [echo])
    return None


def _the_fix(view: CallView, offers: list[Line]) -> Line:
    """The line that carries the resolution: the first that commits to a fix and names it (the
    customer's goal as heard, or a solution: a booking, a refund, a visit), before a line that
    only promises ("I'm going to make sure this gets sorted") and before what merely follows."""
    def names_fix(x: Line) -> bool:
        return view.heard(x).goal_offered or bool(find_phrase(x.folded, lx.SOLUTION))

    committed = [y for y in offers if find_phrase(y.folded, lx.COMMIT)]
    return ([y for y in committed if names_fix(y)] or committed or offers)[0]


def _offer_quote(view: CallView, line: Line) -> str:
    """The sentence that makes the offer: what the agent will do, before how it is put."""
    sents = [x for x in _sentences(line.text) if not x.endswith("?")] or [line.text.strip()]
    heard = view.heard(line)
    marks = [heard.evidence[k] for k in ("goal", "next_step") if heard.evidence.get(k)]

    def weight(sent: str) -> tuple[int, int, int]:
        f = fold(sent)
        return (bool(find_phrase(f, lx.COMMIT)), bool(find_phrase(f, lx.SOLUTION)) + any(m in sent for m in marks),
                bool(_TIME.search(f)))
    return max(sents, key=weight).strip()


# --- objections (outbound) -------------------------------------------------------------------

_CHECKS_LANDED = ["does that help", "does that answer", "does that sound", "sound alright", "sound all right",
                  "sound ok", "is that alright", "is that all right", "how would that be", "would that help",
                  "vă convine", "e în regulă așa", "vă sună bine", "ce ziceți", "would that make", "vă liniștește",
                  "does that ease", "put your mind at rest", "does that make sense", "would that work", "does that work",
                  "how does that sound", "is that ok", "is that okay", "are you comfortable", "does that address",
                  "does that put your mind", "is that clearer", "va ajuta", "este in regula", "ce parere aveti",
                  "sunteti de acord", "v-am lamurit", "raspunde la intrebare", "suna bine", "take care of it",
                  "does that cover it", "does that settle", "does that solve", "does that reassure",
                  "v-am raspuns", "e mai bine asa", "va linistit", "va lamureste", "va lamurit"]


def objection_lines(view: CallView) -> list[Line]:
    """Customer lines that raise an objection: the director's beat, the persona's own objections
    said in other words (most of their content words), or the built-in objection phrases."""
    texts = [o.text for o in getattr(view.persona, "objections", None) or []]
    own = [content(t, view.language) for t in texts]
    out = []
    for x in view.customer:
        mine = content(x.text, view.language)
        if (x.state and x.state.beat == "object") or find_phrase(x.folded, lx.OBJECTION) or any(
                o and len(mine & o) >= max(2, (len(o) + 1) // 2) for o in own):
            out.append(x)
    return out


_HURRY = ["minutes", "minute", "seconds", "busy", "rush", "get to the point", "quickly", "in a hurry", "no time",
          "grabă", "minute", "secunde", "ocupat", "ocupată", "repede", "pe scurt"]


_REASSURES = ("not at all", "no need to worry", "don't worry", "do not worry", "not necessarily", "nu e cazul",
              "nu este cazul", "nu neaparat", "nu va faceti griji", "nu va ingrijorati", "deloc")


@check("objections")
def _objections(view: CallView, p: CheckParams) -> Outcome:
    """Each objection scored by the reply to it (unanswered .25, answered .5, acknowledged and
    answered .75, and checked that it landed 1); the call's level is their mean, to the
    nearest level. An argued or dismissive reply is 0."""
    objections = objection_lines(view)
    if not objections:
        return Outcome(None, "objections.na")
    values, evidence, worst = [], [], None
    for o in objections:
        reply = next((x for x in usable(view) if x.turn > o.turn), None)
        if reply is None:
            continue
        rude = heard_rude(view, reply) or find_phrase(reply.folded, _RUDE_WORDS)
        # "That's not an answer.": the prospect says the reply did not answer, not that it argued
        # (a pitch in reply to a price worry, blind key: generic): unanswered.
        unanswered = bool(rude) and _only_unhelped(view, reply)
        if rude and not unanswered:
            # Argued with: every objection answered with a jibe is the evidence, not only the first.
            argued = [(r, sentence_with(r.text, [w])) for r, w in _rude_replies(view, objections)]
            quote = sentence_with(reply.text, [rude])
            return Outcome(0.0, "objections.argued", reply.turn, [e for r, q in argued[:3] for e in _ev(r, q)],
                           {"quote": quote}, cap=0.0, act="objection")
        heard = view.heard(reply)
        # "Nu e cazul: tragem fibra pe traseul cablului existent": the worry answered head-on is acknowledged.
        acknowledged = (heard.empathy or heard.apology or bool(find_phrase(reply.folded, lx.ACKNOWLEDGE))
                        or fold(reply.text).lstrip(" -").startswith(_REASSURES))
        # "You've got thirty seconds." - "Thirty seconds, then. What do you pay now?": the rush taken
        # at face value (kept short, or a call back offered) is the whole answer (blind keys: 4).
        taken = not unanswered and bool(find_phrase(o.folded, _HURRY)) and (
            len(reply.text.split()) <= 25 or bool(find_phrase(reply.folded, ["call you back", "vă sun"])))
        answered = not unanswered and (bool(heard.objections_answered) or _answers(view, o, reply) or taken)
        landed = bool(find_phrase(reply.folded, _CHECKS_LANDED))
        value = 0.25 if not answered else 0.5 + 0.25 * acknowledged + 0.25 * landed
        if taken:
            value = 1.0
        values.append((value, taken))
        if worst is None or value < worst[0]:
            worst = (value, reply)
        words = [] if unanswered else [heard.evidence[k] for k in heard.evidence if k.startswith("answered:")]
        evidence += _ev(reply, sentence_with(reply.text, words) if words else _answer_sentence(view, o, reply))
    if not values:
        return Outcome(0.25, "objections.ignored", objections[-1].turn, [], act="objection")
    # A rush taken at face value neither lifts nor lowers the handling of a real objection (the
    # blind keys score the exit fee, "handles the time pressure" aside); alone, it is the score.
    counted = [v for v, taken in values if not taken] or [v for v, _ in values]
    mean = sum(counted) / len(counted)
    value = round(mean * 4) / 4
    low, at = worst
    code = ("objections.ok" if value >= 1 else "objections.no_check" if value >= 0.75 else
            "objections.generic" if value >= 0.5 else "objections.ignored")
    return Outcome(value, code, at.turn, evidence[:3],
                   open=(value, min(1.0, value + 0.25)) if 0.5 <= value < 1 else None, act="objection")


def _only_unhelped(view: CallView, reply: Line) -> bool:
    """`reply` counts as rude only because the customer said it did not help or answer them
    ("That's not an answer"), not for its own words or a reproach of its manner."""
    after = _customer_reply(view, reply)
    if after is None or not find_phrase(after.folded, lx.UNHELPED) or find_phrase(after.folded, lx.REPROACH):
        return False
    return not (_heard_rude(view, reply) or find_phrase(reply.folded, _RUDE_WORDS) or _by_meaning(view).get(reply.turn))


def _rude_replies(view: CallView, objections: list[Line]) -> list[tuple[Line, str]]:
    out: list[tuple[Line, str]] = []
    for o in objections:
        reply = next((x for x in usable(view) if x.turn > o.turn), None)
        words = reply and (heard_rude(view, reply) or find_phrase(reply.folded, _RUDE_WORDS))
        if words and all(r is not reply for r, _ in out):
            out.append((reply, words))
    return out


def _answer_sentence(view: CallView, objection: Line, reply: Line) -> str:
    theirs = content(objection.text, view.language)
    sents = _sentences(reply.text) or [reply.text]
    return max(sents, key=lambda s: (len(content(s, view.language) & theirs), bool(re.search(r"\d", s)))).strip()


def _answers(view: CallView, objection: Line, reply: Line) -> bool:
    """Without the persona's answers: a reply that speaks to the objection's own words with a
    fact (a figure, a term, a guarantee) rather than repeating the pitch."""
    common = content(reply.text, view.language) & content(objection.text, view.language)
    fact = bool(re.search(r"\d", reply.folded)) or bool(find_phrase(reply.folded, lx.ANSWER_FACT))
    return bool(common) and fact


def _formality(view: CallView, line: Line, question: str) -> bool:
    """Questions that are not about the prospect's needs: permission, who they are, contact details."""
    heard = view.listener.hear(question)
    fq = fold(question)
    return (heard.permission or heard.identity_check or heard.greeting
            or any(find_phrase(fq, _ASKS[k]) for k in ("name", "email", "phone", "address", "account"))
            or bool(find_phrase(fq, ["am i speaking", "vorbesc cu", "is this", "good time", "good moment",
                                     "moment bun", "call you back", "yes or no", "want it", "da sau nu"])))


def _offers(view: CallView) -> list[Line]:
    """Lines that make the offer: the persona's goal, or the product named with a price or a benefit
    (not the opening line that says why the agent calls)."""
    if "offers" not in view.memo:
        view.memo["offers"] = _find_offers(view)
    return view.memo["offers"]


def _find_offers(view: CallView) -> list[Line]:
    out = []
    for x in usable(view)[1:]:
        # What the line states, not what it asks ("what do you pay a month?" offers nothing).
        f = fold(" ".join(s for s in _sentences(x.text) if not s.endswith("?")))
        if not f:
            continue
        if view.heard(x).goal_offered and find_phrase(f, lx.PITCH + lx.PRICE + lx.BENEFIT):
            out.append(x)
        elif (find_phrase(f, lx.PITCH) or find_phrase(f, lx.PRICE)) and (
                find_phrase(f, lx.PRICE) or (find_phrase(f, lx.BENEFIT) and not view.heard(x).purpose)):
            out.append(x)  # ("I'm calling with an offer for you" says why the agent calls; a price offers)
    return out


# --- the offer (outbound) --------------------------------------------------------------------


# The offer set against what the prospect pays now ("you're paying around £520 a month in card
# fees. With us it's ... about £300"; "acum plătiți 55 de lei, la noi ..."): a saving worked out
# for them, whatever the words.
_COMPARES = re.compile(r"\byou(?:'re|\s+are)?\s+(?:currently\s+|now\s+)?(?:paying|pay|spending|spend)\b.{0,120}?"
                       r"\b(?:with\s+us|our|we\s+(?:charge|do|can))\b|"
                       r"\b(?:platiti|dati)\b.{0,120}?\b(?:la\s+noi|cu\s+noi|noi\s+va)\b")


@check("offer")
def _offer(view: CallView, p: CheckParams) -> Outcome:
    """Pressure or false urgency 0; an offer of features or a price only 1; a generic benefit 2;
    a benefit tied to what the prospect said 3; and with the price or terms stated 4."""
    lines = usable(view)
    pressure = next((x for x in lines if find_phrase(x.folded, lx.PRESSURE)), None)
    if pressure is not None:
        quote = sentence_with(pressure.text, lx.PRESSURE)
        return Outcome(0.0, "offer.pressure", pressure.turn, _ev(pressure, quote), {"quote": quote}, cap=0.0,
                       act="offer")
    # A consent claimed for the prospect that they deny at once is a false claim (scoring/manipulation.py).
    everyone = [x for x in view.lines if x.text != REMOVED]
    claimed = false_consent([(x.role, x.text, x.state.beat if x.state else None) for x in everyone])
    if claimed:
        line = everyone[min(claimed) - 1]
        return Outcome(0.0, "offer.false_claim", line.turn, _ev(line, line.text.strip()), cap=0.0, act="offer")
    offers = _offers(view)
    if not offers:
        return Outcome(0.0, "offer.none", lines[-1].turn if lines else None, act="offer")
    if rude_lines(view):
        # Sold with contempt or a brush-off: at most an offer of features and a price.
        best = offers[0]
        return Outcome(0.25, "offer.features", best.turn, _ev(best, _offer_sentence(view, best)), cap=0.25,
                       act="offer")

    def linked(x: Line) -> bool:
        return bool(_COMPARES.search(x.folded)) or \
            len(content(x.text, view.language) & content(_said_before(view, x.turn), view.language)) >= 2

    # A benefit in so many words, or an offer tied to what the prospect said that says what follows
    # for them ("..., adică cât dați acum", "so the nine o'clock films stop freezing").
    benefit = [x for x in offers if find_phrase(x.folded, lx.BENEFIT) or _COMPARES.search(x.folded)
               or (linked(x) and find_phrase(x.folded, lx.CONSEQUENCE))]
    tied = [x for x in benefit if linked(x)]
    priced = any(find_phrase(x.folded, lx.PRICE) for x in offers)
    best = (tied or benefit or offers)[0]
    quote = _offer_sentence(view, best)
    other = next((x for x in offers if x is not best), None)
    shown = _ev(best, quote) + (_ev(other, _offer_sentence(view, other)) if other else [])
    if tied and priced:
        return Outcome(1.0, "offer.ok", best.turn, shown, act="offer")
    if tied:
        return Outcome(0.75, "offer.no_price", best.turn, shown, open=(0.75, 1.0), act="offer")
    if benefit:
        return Outcome(0.5, "offer.generic", best.turn, shown, open=(0.5, 0.75), act="offer")
    return Outcome(0.25, "offer.features", best.turn, shown, open=(0.25, 0.5), act="offer")


def _offer_sentence(view: CallView, line: Line) -> str:
    said = content(_said_before(view, line.turn), view.language)
    sents = _sentences(line.text) or [line.text]
    return max(sents, key=lambda s: (bool(find_phrase(fold(s), lx.PRICE + lx.BENEFIT + lx.PITCH)),
                                     len(content(s, view.language) & said))).strip()


# --- discovery (outbound) --------------------------------------------------------------------

_OPEN_Q = ["what", "how", "why", "which", "where", "tell me", "walk me through", "describe", "ce ", "cum", "de ce",
           "care", "unde", "spuneti-mi", "povestiti",
           # "cât plătiți?", "câte televizoare?": the Romanian "how much", "how many"
           "cat ", "cata ", "cate ", "cati "]


class DiscoveryParams(CheckParams):
    min: int = Field(3, ge=1, description="Open questions before the offer for full marks.")


_QUESTION_PARTS = re.compile(r"\s*(?:[,;:]\s*(?:and|or|si|și|sau)?|\s(?:and|si|și))\s+", re.IGNORECASE)
_PART_OPENS = tuple(fold(w.strip()) for w in _OPEN_Q + lx.QUESTION_START + [
    "roughly", "about", "is there", "are there", "do you", "have you", "la ce", "la cate", "la câte", "cam"])


def _each_question(q: str) -> list[str]:
    """A question sentence as the questions it asks: "what do you pay now, and how many TVs
    have you got?" is two; "how much do you pay for internet and TV?" one. A part is a
    question of its own when it opens as one."""
    parts = [p for p in _QUESTION_PARTS.split(q) if p.strip()]
    opening = [p for p in parts if fold(p).lstrip(" ¿").startswith(_PART_OPENS)]
    return opening if len(opening) >= 2 else [q]


@check("discovery", DiscoveryParams)
def _discovery(view: CallView, p: DiscoveryParams) -> Outcome:
    lines = usable(view)
    offers = _offers(view)
    first_offer = offers[0].turn if offers else None
    asked = [(x, part) for x in lines for q in questions_in(x) for part in _each_question(q)
             if (first_offer is None or x.turn <= first_offer) and not find_phrase(fold(part), _ROUTINE_Q)
             and not _formality(view, x, part)]
    # The question word opens the question or one of its clauses ("Când se blochează, ce faceți?").
    open_q = [(x, q) for x, q in asked
              if any(fold(q).startswith(w) or f" {w}" in fold(q)[:20] or f", {w}" in fold(q) for w in _OPEN_Q)]
    evidence = [Evidence(turn=x.turn, quote=q) for x, q in (open_q or asked)[:2]]
    if not asked:
        return Outcome(0.0, "discovery.none", lines[0].turn if lines else None, act="discovery")
    if len(asked) == 1:
        return Outcome(0.25, "discovery.one", asked[0][0].turn, evidence, act="discovery")
    offer_line = next((x for x in lines if x.turn == first_offer), None)
    answers = " ".join(x.text for x in view.customer if first_offer is None or x.turn < first_offer)
    used = offer_line is not None and bool(content(offer_line.text, view.language)
                                           & content(answers, view.language))
    if rude_lines(view):
        # Questions asked of someone treated with contempt discover little: code keeps its level.
        return Outcome(0.5 if len(asked) > 1 else 0.25, "discovery.closed", asked[0][0].turn, evidence,
                       act="discovery")
    if len(open_q) >= min(p.min, 2) and used:
        value = 1.0 if len(open_q) >= p.min else 0.75
        return Outcome(value, "discovery.ok", open_q[0][0].turn, evidence,
                       open=None if value == 1.0 else (0.75, 1.0), act="discovery")
    if open_q:
        return Outcome(0.75 if used else 0.5, "discovery.partly", open_q[0][0].turn, evidence,
                       open=(0.5, 0.75), act="discovery")
    return Outcome(0.5, "discovery.closed", asked[0][0].turn, evidence, open=(0.25, 0.5), act="discovery")


# --- survey: acknowledging answers, keeping on track ---------------------------------------

_UNCLEAR = ["not sure", "i don't know", "maybe", "sort of", "kind of", "depends", "i guess", "hard to say",
            "nu stiu", "poate", "depinde", "nu sunt sigur", "cam", "oarecum", "greu de spus"]
_CLARIFY = ["do you mean", "could you say", "would you say", "what do you mean", "can you tell me more",
            "could you tell me more", "closer to", "on balance", "more towards", "ce anume", "adica",
            "va referiti", "mai degraba", "ati spune", "puteti detalia"]


# Words that point back at the answer just given.
_BACK = ["is that", "is it", "was that", "was it", "does that", "did that", "are they", "were they", "is this",
         "was this", "that's", "asta", "e vorba", "adica", "era", "a fost asa"]


def _clarifies(view: CallView, answer: Line, reply: Line) -> bool:
    """A question back about the answer itself: "do you mean ...", "before someone spoke to
    you, or the whole visit?", "is that in every programme, or only some?"."""
    theirs = content(answer.text, view.language)
    for q in questions_in(reply):
        fq = fold(q)
        if find_phrase(fq, _CLARIFY):
            return True
        if (" or " in fq or " sau " in fq) and (content(q, view.language) & theirs or find_phrase(fq[:20], _BACK)):
            # "before someone spoke to you, or the whole visit?", "is that in every programme, or only
            # some?" narrow the answer down; "was there anything you didn't like, or ...?" is the next question.
            return True
        if content(q, view.language) & theirs and len(content(q, view.language) & theirs) >= 2:
            return True
    return False


@check("acknowledges")
def _acknowledges(view: CallView, p: CheckParams) -> Outcome:
    """Survey listening: each answer acknowledged (thanks, "noted", or said back in the
    respondent's own words) before the next question, and unclear answers clarified."""
    lines = usable(view)
    answers = [x for x in view.customer[1:] if "?" not in x.text]
    pairs = [(a, next((x for x in lines if x.turn > a.turn), None)) for a in answers]
    pairs = [(a, r) for a, r in pairs if r is not None]
    if not pairs:
        return Outcome(None, "acknowledges.na")
    abusive = next(((x, ph) for x in lines if (ph := find_phrase(x.folded, _ABUSIVE_WORDS))), None)
    rude = rude_lines(view)
    if abusive or rude:
        line, quote = (abusive[0], sentence_with(abusive[0].text, [abusive[1]])) if abusive else rude[0]
        value = 0.0  # brushing an answer aside overrides it
        shown = _ev(line, quote) + [e for x, q in rude[:3] if x is not line for e in _ev(x, q)]
        return Outcome(value, "acknowledges.overrides", line.turn, shown[:3], {"quote": quote}, cap=value,
                       act="acknowledge")
    acked, missed, evidence = 0, None, []
    clarified, missed_all = [], []
    for a, reply in pairs:
        head = _sentences(reply.text)[:2]
        # A bare "Okay." or "Great." before the next question moves on; it takes nothing in.
        bare = len(head) > 1 and fold(head[0]).strip(".!, ") in _BARE_ACK
        if bare:
            head = head[1:]
        # "Thanks for your time, goodbye." ends the call; it does not take the answer in.
        head = [h for h in head if not view.listener.hear(h).closing_thanks] or [""]
        echo = content(" ".join(head), view.language) & content(a.text, view.language)
        if find_phrase(fold(" ".join(head)), lx.ACKNOWLEDGE) or len(echo) >= 2 or (
                view.heard(reply).empathy and not bare):
            acked += 1
            if not evidence:
                evidence += _ev(reply, head[0] or None)
        else:
            missed = missed or reply
            missed_all.append((a, reply))
        if _clarifies(view, a, reply):
            clarified.append(reply)
    share = acked / len(pairs)
    turn = missed.turn if missed else (evidence[0].turn if evidence else None)
    if clarified:
        q = next(iter(questions_in(clarified[0])))
        evidence = [Evidence(turn=clarified[0].turn, quote=q)] + evidence
    if share >= 0.8 and clarified:
        return Outcome(1.0, "acknowledges.ok", turn, evidence[:3], act="acknowledge")
    if share >= 0.8:
        return Outcome(0.75, "acknowledges.most", turn, evidence, open=(0.75, 1.0), act="acknowledge")
    # Below "most", the evidence is where answers went unacknowledged: first where the respondent
    # told of a problem and what it did to them, then the latest.
    told = [r for a, r in missed_all if find_phrase(a.folded, lx.UPSET + lx.IMPACT)]
    passed = told + [r for _, r in reversed(missed_all) if r not in told]
    missed_all = [r for _, r in missed_all]
    gaps = [e for x in passed[:2] for e in _ev(x)]
    if share >= 0.5:
        return Outcome(0.5, "acknowledges.some", turn, gaps + evidence[:1], open=(0.5, 0.75), act="acknowledge")
    return Outcome(0.25, "acknowledges.none", turn, gaps, act="acknowledge")


_DRIFT_BEATS = {"deflect", "tangent", "chat", "drift", "ramble", "off_topic"}
_STEER = ["coming back to", "back to", "getting back", "to get back", "if i may", "let's move on", "moving on",
          "quick questions", "won't take long", "not keep you long", "promised not to keep", "only a few",
          "doar câteva întrebări", "durează puțin", "nu vă rețin mult",
          "next question", "the next question", "revenind la", "sa revenim", "trecem la", "urmatoarea intrebare",
          "ca sa revin", "sa continuam"]
_ABRUPT = ["stop", "enough", "i don't care", "not relevant", "irrelevant", "get to the point", "whatever",
           "nu ma intereseaza", "nu conteaza", "ajunge", "la subiect"]


_CURT = {"fine", "ok", "okay", "right", "sure", "whatever", "next", "bine", "bun", "gata", "mda", "deci"}
_BARE_ACK = _CURT | {"great", "good", "alright", "all right", "super", "sorry", "i'm sorry", "ne pare rau",
                     "imi pare rau", "scuze"}


def _curt(line: Line) -> bool:
    """A reply that opens with a bare "Fine." and moves straight to the next question."""
    sents = _sentences(line.text)
    return len(sents) >= 2 and fold(sents[0]).strip(".!, ") in _CURT and bool(questions_in(line))


@check("on_track")
def _on_track(view: CallView, p: CheckParams) -> Outcome:
    """Insults cut the respondent off (0); brushing their words aside or bare "Fine. Next
    question?" transitions are abrupt (.5); without tangents a smooth call is 1."""
    lines = usable(view)
    abusive = next(((x, ph) for x in lines if (ph := find_phrase(x.folded, _ABUSIVE_WORDS))), None)
    if abusive:
        line, ph = abusive
        quote = sentence_with(line.text, [ph])
        return Outcome(0.0, "on_track.rude", line.turn, _ev(line, quote), {"quote": quote}, cap=0.0, act="steer")
    rude = rude_lines(view)
    if len(rude) >= 2 and any(_insulting(view, x) for x, _ in rude):
        # Several rude lines, one of them belittling, mocking or taken as an insult: the
        # respondent was cut off rudely, as blind QA keys marked rude surveys; brush-offs alone
        # bring them back abruptly (2), as the keys marked dismissive ones.
        line, quote = rude[0]
        return Outcome(0.0, "on_track.rude", line.turn, [e for x, q in rude[:3] for e in _ev(x, q)],
                       {"quote": quote}, cap=0.0, act="steer")
    curt = [x for x in lines if _curt(x)]
    if rude or curt:
        shown = [(x, q) for x, q in rude[:2]] + [(x, x.text.strip()) for x in curt[:2]]
        line, quote = shown[0]
        return Outcome(0.5, "on_track.abrupt", line.turn, [e for x, q in shown[:3] for e in _ev(x, q)],
                       {"quote": quote}, cap=0.5, act="steer")
    drift = [x for x in view.customer if (x.state and x.state.beat in _DRIFT_BEATS)
             or (len(x.text.split()) > 30 and not questions_in(x))]
    if not drift:
        # The evidence of a smooth pace: moving on with a word for the last answer.
        # First a gentle return after the respondent vented: their feelings acknowledged, then the question.
        gentle = [x for x in lines[1:] if questions_in(x) and (view.heard(x).empathy or view.heard(x).apology)
                  and (c := _customer_before(view, x.turn)) is not None and find_phrase(c.folded, lx.UPSET + lx.IMPACT)]
        smooth = gentle + [x for x in lines[1:] if find_phrase(x.folded, _STEER) and x not in gentle] + [
            x for x in lines[1:] if questions_in(x) and find_phrase(fold(_sentences(x.text)[0]), lx.ACKNOWLEDGE)
            and not find_phrase(x.folded, _STEER) and x not in gentle]
        return Outcome(1.0, "on_track.ok", smooth[0].turn if smooth else None,
                       [e for x in smooth[:2] for e in _ev(x)], act="steer")
    steered, abrupt, followed = [], [], []
    for d in drift:
        reply = next((x for x in lines if x.turn > d.turn), None)
        if reply is None:
            continue
        if find_phrase(reply.folded, _ABRUPT):
            abrupt.append(reply)
        elif find_phrase(reply.folded, _STEER) or (questions_in(reply) and not (
                content(" ".join(questions_in(reply)), view.language) & content(d.text, view.language))):
            # What the reply asks decides: a warm word about the story and then the next
            # question ("He sounds brilliant! ... Next: how would you rate the app?") steers back.
            steered.append(reply)
        else:
            followed.append(reply)
    if abrupt:
        x = abrupt[0]
        return Outcome(0.5, "on_track.abrupt", x.turn, _ev(x, sentence_with(x.text, _ABRUPT)), act="steer")
    if steered and not followed:
        x = steered[0]
        return Outcome(1.0 if len(steered) > 1 else 0.75, "on_track.ok", x.turn,
                       _ev(x, sentence_with(x.text, _STEER)), open=(0.75, 1.0), act="steer")
    if steered:
        x = steered[0]
        return Outcome(0.5, "on_track.late", x.turn, _ev(x, sentence_with(x.text, _STEER)), open=(0.5, 0.75),
                       act="steer")
    return Outcome(0.25, "on_track.follows", followed[0].turn if followed else None, [], act="steer")


__all__ = ["content", "repeated_asks", "rude_lines", "_customer_upset"]


# --- survey: the answers collected -------------------------------------------------------------

@check("answers")
def _answers_collected(view: CallView, p: CheckParams) -> Outcome:
    """The survey's questions asked: the share of the persona's facts it gives only when asked
    (the survey's answers) that the trainee asked for or the customer gave. Without it a survey
    ended after the opening line scored 90 and passed. No persona: nothing to count."""
    persona = view.persona
    wanted = [f for f in getattr(persona, "facts", []) if f.share == "if_asked"]
    if not wanted:
        return Outcome(None, "answers.na")
    ids = {f.id for f in wanted}
    got: set[str] = set()
    asking: list[Line] = []
    for x in usable(view):
        asked = ids & set(view.heard(x).facts_asked)
        if asked - got:
            asking.append(x)
        got |= asked
    for x in view.customer:
        got |= ids & set(x.state.revealed if x.state else [])
    missing = [f.id.replace("_", " ") for f in wanted if f.id not in got]
    share = len(ids & got) / len(ids)
    evidence = [e for x in asking[:3] for e in _ev(x, next(iter(questions_in(x)), None))]
    if not missing:
        return Outcome(1.0, "answers.ok", asking[0].turn if asking else None, evidence)
    last = view.agent[-1].turn if view.agent else None
    return Outcome(share, "answers.missing", last, evidence,
                   {"count": str(len(ids & got)), "total": str(len(ids)), "not_asked": ", ".join(missing)})
