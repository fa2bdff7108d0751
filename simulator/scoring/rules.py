"""Rule checks: criteria scored by code, in a registry keyed by the rubric's `check` name.

A rubric criterion says `rule: {check: greeting, company: "Nordlink Telecom"}`; everything
but `check` is validated by that check's pydantic parameter model, so a typo in a rubric
is a clear error rather than a silent default. A check returns an `Outcome` whose value
is 0..1 (None = not applicable); score.py turns it into a level (round(value * max)).

Every check also accepts `fatal_below`: a fatal criterion fails the call when its score is
below this (default 1, i.e. a score of 0).
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from simulator.errors import ValidationFailed
from simulator.rubric import Rubric
from simulator.transcript import EndReason

from . import lexicon as lx
from .model import Evidence
from simulator.listener.examples import means_any
from simulator.text import SENTENCE, sentences

from .text import any_phrase, find_phrase, fold, phrase_pattern, words
from .view import REMOVED, CallView, Line


@dataclass
class Outcome:
    value: float | None  # 0..1; None = the call gave no opportunity (not applicable)
    code: str  # coaching template key, e.g. "greeting.no_name"
    turn: int | None = None  # the moment coaching points at
    evidence: list[Evidence] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # values for the coaching template
    # What code could not settle: the range (0..1, both ends included) a judge may choose
    # within. None: code decided the level outright and no judge is asked.
    open: tuple[float, float] | None = None
    # The highest value any judge may give (a rude line caps empathy whatever a model thinks).
    cap: float | None = None
    act: str | None = None  # what a better line must be heard as (see coaching.better_line)


class CheckParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fatal_below: int | None = Field(None, ge=1, description="Fatal when the score is below this (default 1).")
    better: str | None = Field(None, description="The phrasing coaching suggests, instead of the built-in one.")


@dataclass(frozen=True)
class _Check:
    name: str
    params: type[CheckParams]
    fn: Callable[[CallView, Any], Outcome]


_CHECKS: dict[str, _Check] = {}


def check(name: str, params: type[CheckParams] = CheckParams):
    def register(fn: Callable[[CallView, Any], Outcome]) -> Callable[[CallView, Any], Outcome]:
        _CHECKS[name] = _Check(name, params, fn)
        return fn

    return register


def known_checks() -> set[str]:
    return set(_CHECKS)


def _unknown(kind: str, name: str, known: set[str]) -> str:
    near = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown {kind} {name!r}{hint} (known: {', '.join(sorted(known))})"


def rule_params(rule: dict[str, Any]) -> CheckParams:
    """The validated parameters of a rule dict; ValidationFailed with one line per problem."""
    problems = _rule_problems(rule)
    if problems:
        raise ValidationFailed([f"rule: {p}" for p in problems])
    return _CHECKS[rule["check"]].params.model_validate({k: v for k, v in rule.items() if k != "check"})


def _rule_problems(rule: dict[str, Any]) -> list[str]:
    name = rule.get("check")
    if name not in _CHECKS:
        return [f"check: {_unknown('check', str(name), known_checks())}"]
    try:
        _CHECKS[name].params.model_validate({k: v for k, v in rule.items() if k != "check"})
    except ValidationError as e:
        return [f"{'.'.join(str(x) for x in err['loc']) or name}: {err['msg']}" for err in e.errors()]
    return []


def rubric_problems(rubric: Rubric) -> list[str]:
    """What in a (schema-valid) rubric the scorer cannot run: unknown checks or na_when
    conditions, bad rule parameters. Each entry is `field.path: message`."""
    out = []
    for i, c in enumerate(rubric.criteria):
        if c.rule:
            out += [f"criteria[{i}].rule.{p}" for p in _rule_problems(c.rule)]
        for cond in na_conditions_of(c.na_when):
            if cond not in NA_CONDITIONS:
                out.append(f"criteria[{i}].na_when: {_unknown('condition', cond, set(NA_CONDITIONS))}")
    return out


def run_check(rule: dict[str, Any], view: CallView) -> Outcome:
    params = rule_params(rule)
    return _CHECKS[rule["check"]].fn(view, params)


# --- helpers -------------------------------------------------------------------------------

_SENTENCE = SENTENCE


def sentence_with(text: str, phrases: list[str]) -> str:
    """The sentence of `text` (as typed) holding one of the phrases, for a verbatim quote."""
    for s in _SENTENCE.findall(text):
        if find_phrase(fold(s), phrases):
            return s.strip()
    return text.strip()


def heard_quote(view: CallView, line: Line, label: str) -> str | None:
    """The sentence holding the words the listener heard `label` in, as typed."""
    words_heard = view.heard(line).evidence.get(label)
    return sentence_with(line.text, [words_heard]) if words_heard else None


def _ev(line: Line, quote: str | None = None) -> list[Evidence]:
    if line.text == REMOVED:
        return []
    return [Evidence(turn=line.turn, quote=(quote or line.text).strip())]


def questions_in(line: Line) -> list[str]:
    """The question sentences of an agent line. Spoken transcripts may lack '?', so a
    sentence opening with a question word counts too."""
    return list(_question_sentences(line.text))


@lru_cache(maxsize=8192)
def _question_sentences(text: str) -> tuple[str, ...]:
    out = []
    for s in _SENTENCE.findall(text):
        s = s.strip()
        if s.endswith("?") or (s and not s.endswith(("!",)) and _starts_question(fold(s))):
            out.append(s)
    return tuple(out)


def _starts_question(folded: str) -> bool:
    return any(phrase_pattern(q).match(folded) for q in lx.QUESTION_START)


def count_questions(view: CallView) -> int:
    return sum(len(questions_in(x)) for x in view.agent if x.text != REMOVED)


def talk_ratio_of(view: CallView) -> float | None:
    """Agent share of speaking time when the call was spoken (keys of
    simulator.voice.metrics.voice_metrics), else agent share of words."""
    v = view.voice or {}
    agent_s, customer_s = v.get("agent_speaking_s"), v.get("customer_speaking_s")
    if isinstance(agent_s, (int, float)) and isinstance(customer_s, (int, float)) and agent_s + customer_s > 0:
        return round(agent_s / (agent_s + customer_s), 3)
    if isinstance(v.get("talk_ratio_time"), (int, float)):
        return round(float(v["talk_ratio_time"]), 3)
    a = sum(len(words(x.text)) for x in view.agent if x.text != REMOVED)
    c = sum(len(words(x.text)) for x in view.customer)
    return round(a / (a + c), 3) if a + c else None


def response_delays(view: CallView) -> list[tuple[Line, float]]:
    """(agent line, seconds since the customer line it answers) for each reply."""
    if not view.timed:
        return []
    out = []
    for prev, nxt in zip(view.lines, view.lines[1:]):
        if prev.role == "customer" and nxt.role == "agent":
            out.append((nxt, max(0.0, nxt.t - prev.t)))
    return out


def _over_budget(value: float, budget: float) -> float:
    """Within the budget 1; over it .5; twice the budget or more 0 (the rubrics' three levels)."""
    return 1.0 if value <= budget else 0.5 if value < 2 * budget else 0.0


# --- checks --------------------------------------------------------------------------------


class GreetingParams(CheckParams):
    company: str | None = Field(None, description="Company to name; default: the persona's company.")
    require_name: bool = Field(True, description="The agent must say their own name.")
    require_company: bool = True
    phrases: list[str] = Field(default_factory=list, description="Extra greeting words.")


@check("greeting", GreetingParams)
def _greeting(view: CallView, p: GreetingParams) -> Outcome:
    if not view.agent:
        return Outcome(0.0, "greeting.missing")
    line = view.agent[0]
    company = p.company or view.company
    heard = view.heard(line)
    parts = {"greeting": heard.greeting or bool(find_phrase(line.folded, lx.GREETING + p.phrases))}
    if p.require_company and company:
        parts["company"] = heard.company if company == view.company else _company_said(line.folded, company)
    if p.require_name:
        parts["name"] = heard.own_name is not None
    value = sum(parts.values()) / len(parts)
    missing = [k for k, ok in parts.items() if not ok]
    code = "greeting.ok" if not missing else "greeting.missing" if value == 0 else "greeting.partial"
    return Outcome(value, code, line.turn, _ev(line) if value else [],
                   {"quote": line.text.strip(), "company": company or "", "missing": " ".join(missing)})


def _company_said(folded: str, company: str) -> bool:
    first = company.split()[0]
    return bool(find_phrase(folded, [company] + ([first] if len(first) >= 4 else [])))


def _identifies(fact_ids: list[str]) -> bool:
    """Whether one of these facts identifies the customer (an account, a client code, a birth date)."""
    return any(w in f.lower() for f in fact_ids for w in lx.ID_FACT_WORDS)


def _is_id_request(view: CallView, line: Line, extra: list[str]) -> bool:
    heard = view.heard(line)
    if heard.identity_check:
        return True
    # Asked for a fact that identifies the customer, in whatever words ("e un cod care începe cu
    # EL, sus pe factură. Mi-l citiți?").
    if _identifies(heard.facts_asked):
        return True
    # A terse request is still one: "Account number." / "Codul de client, vă rog."
    if any(len(words(s)) <= 6 and any_phrase(fold(s), lx.ID_REQUEST + extra) for s in _SENTENCE.findall(line.text)):
        return True
    return bool(extra) and bool(find_phrase(line.folded, extra)) and (
        "?" in line.folded or bool(find_phrase(line.folded, lx.REQUEST_CUE)))


def _account_talk(view: CallView, line: Line, p: "IdentityParams") -> str | None:
    """Account words in any form ("crediting you", "your bills"): the phrase that was meant."""
    phrases = lx.ACCOUNT_TALK + p.account_phrases
    if not means_any(line.text, phrases, view.language, mode="words", any_polarity=True):
        return None
    return next((x for x in phrases if means_any(line.text, [x], view.language, mode="words", any_polarity=True)),
                None)


class IdentityParams(CheckParams):
    id_phrases: list[str] = Field(default_factory=list, description="Extra identifying facts.")
    account_phrases: list[str] = Field(default_factory=list, description="Extra account words.")


@check("identity_before_account", IdentityParams)
def _identity(view: CallView, p: IdentityParams) -> Outcome:
    verified_at: int | None = None
    asked: list[Evidence] = []
    id_phrases = lx.ID_REQUEST + p.id_phrases
    for line in view.lines:
        if line.role == "customer":
            revealed = line.state.revealed if line.state else []
            if verified_at is None and _identifies(revealed):
                verified_at = line.turn
            continue
        if line.text == REMOVED:
            continue
        if _is_id_request(view, line, p.id_phrases):
            verified_at = verified_at or line.turn
            asked = asked or _ev(line, heard_quote(view, line, "identity_check") or sentence_with(line.text, id_phrases))
            continue
        # What the agent says about the account, not what they ask the customer ("how much is on
        # your bill?" discloses nothing; "your account shows a fee of 4.99" does).
        stated = " ".join(s for s in _SENTENCE.findall(line.text) if not s.strip().endswith("?"))
        talk = find_phrase(fold(stated), lx.ACCOUNT_TALK + p.account_phrases) or (
            _account_talk(view, Line(line.turn, line.role, stated, fold(stated), line.t, line.state), p)
            if stated.strip() else None)
        if talk:
            quote = sentence_with(line.text, [talk])
            if verified_at is not None:
                return Outcome(1.0, "identity.ok", verified_at, asked, {"quote": quote})
            return Outcome(0.0, "identity.late", line.turn, _ev(line, quote), {"quote": quote, "phrase": talk})
    if asked:
        # The account never came up, but the trainee checked who was calling anyway.
        return Outcome(1.0, "identity.ok", asked[0].turn, asked, {"quote": asked[0].quote})
    return Outcome(None, "identity.na")


class ClosingParams(CheckParams):
    last_turns: int = Field(2, ge=1, description="How many of the last agent turns may hold the closing.")
    require_offer: bool = Field(True, description="Ask whether there is anything else.")
    offer_phrases: list[str] = Field(default_factory=list)
    thanks_phrases: list[str] = Field(default_factory=list)


@check("closing", ClosingParams)
def _closing(view: CallView, p: ClosingParams) -> Outcome:
    last = [x for x in view.agent if x.text != REMOVED][-p.last_turns:]
    if not last:
        return Outcome(0.0, "closing.missing")
    # The line that opened the call does not close it ("thank you for calling Brightline, I'm Ana"),
    # not even when it is the trainee's only line (seen in a walk: its "thank you" was the closing).
    if last[0] is view.agent[0]:
        if len(last) == 1:
            return Outcome(0.0, "closing.missing", last[0].turn, [], {"quote": last[0].text.strip()})
        last = last[1:]
    # The goodbyes are the listener's (one list, the customer's and the scorecard's); a rubric may add its own.
    offer_phrases, thanks_phrases = lx.CLOSING_OFFER + p.offer_phrases, p.thanks_phrases
    offer = next((x for x in last if view.heard(x).closing_offer or find_phrase(x.folded, offer_phrases)), None)
    thanks = next((x for x in last if (view.heard(x).closing_thanks or find_phrase(x.folded, thanks_phrases))
                   and not _bare_bye(x)), None)
    if thanks is None and offer is not None and offer is last[-1] and _left_satisfied(view, offer):
        # "Anything else?" - "No, thanks, bye" and the customer hangs up: there was no turn left
        # for the trainee's goodbye, and the offer was the closing.
        thanks = offer
    parts = [thanks] + ([offer] if p.require_offer else [])
    value = sum(x is not None for x in parts) / len(parts)
    evidence = []
    for x, ph, label in ((offer, offer_phrases, "closing_offer"), (thanks, thanks_phrases, "closing_thanks")):
        if x is not None:
            # The words said ("Mulțumesc, la revedere.") before what the listener heard as them.
            said = sentence_with(x.text, ph) if ph and find_phrase(x.folded, ph) else None
            if said is None and label == "closing_thanks":
                # Of the sentences heard as a goodbye, the one that thanks, else the last ("Nu, asta a
                # fost tot. Mulțumesc, la revedere."; "Thank you for calling, have a nice evening. Goodbye.").
                byes = [s for s in sentences(x.text) if view.listener.hear(s).closing_thanks]
                said = next((s for s in byes if find_phrase(fold(s), _THANKS_WORDS)), byes[-1] if byes else None)
            evidence += _ev(x, said or heard_quote(view, x, label) or x.text.strip())
    if value == 1:
        code = "closing.ok" if p.require_offer else "closing.thanked"
    elif value == 0:
        code = "closing.missing"
    else:
        code = "closing.no_thanks" if thanks is None else "closing.no_offer"
    return Outcome(value, code, last[-1].turn, evidence, {"quote": last[-1].text.strip()})


_BARE_BYE = re.compile(r"^(?:(?:ok|okay|right|yes|yeah|fine|so|well|ok then|alright|bine|da|gata)[\s,.!]+)*"
                       r"(?:bye|bye bye|bye now|pa|pa pa|ciao)[\s.!]*$")


_THANKS_WORDS = ["thank", "thanks", "multumesc", "multumim", "mersi"]


def _bare_bye(line: Line) -> bool:
    """A curt "Bye." / "Okay, bye." is no thanks and no polite goodbye."""
    return bool(_BARE_BYE.match(line.folded.strip()))


def _left_satisfied(view: CallView, after: Line) -> bool:
    """The customer spoke last, after `after`, and ended the call content (a thanks or goodbye,
    or the session recorded the call as resolved)."""
    last = view.lines[-1] if view.lines else None
    if last is None or last.role != "customer" or last.turn <= after.turn:
        return False
    if view.end_reason == EndReason.hung_up or (last.state and last.state.beat == "hang_up"):
        return False
    if view.end_reason == EndReason.agent_ended:
        return False  # the trainee ended it: there was a turn for their goodbye
    if view.end_reason == EndReason.resolved or (last.state and last.state.beat in ("goodbye", "accept")):
        return True
    return view.heard(last).closing_thanks or bool(find_phrase(last.folded, _THANKS_WORDS))


_CURT_BETTER = {"en": "I'm not sure about that, so let me check it for you now.",
                "ro": "Nu știu sigur, așa că verific acum pentru dumneavoastră."}
_SHORT_NO = ("no", "nope", "not", "not now", "not right now", "not today", "can't", "cannot", "nu", "nu acum", "nu azi")
_COURTESY = ["sorry", "afraid", "unfortunately", "please", "thank", "i understand", "îmi pare", "din păcate",
             "vă rog", "mulțumesc", "înțeleg"]
_EVASIVE = ["i don't know", "i'm not sure", "not sure", "no idea", "it depends", "depends", "nu știu", "depinde",
            "habar n-am", "nu sunt sigur", "nu sunt sigură",
            # the question handed to someone else, with no when
            "will decide that", "that's up to them", "not up to me", "up to the team", "decid ei", "hotărăsc ei"]
_BARE_OK = re.compile(r"^(?:ok|okay|right|fine|alright|bine|bun|gata)[.!,]?$")
_FIND_OUT = ["let me", "i'll check", "i will check", "i'll find", "find out", "check for you", "look into",
             "verific", "aflu", "mă interesez", "mă informez", "vă spun imediat"]


_OPINION = ["rate", "rating", "like", "dislike", "better", "improve", "recommend", "satisfied", "happy with",
            "think of", "feel about", "opinion", "change", "nota", "notati", "recomanda", "multumit", "parere",
            "imbunatat", "schimba", "placut"]


def curt_lines(view: CallView) -> list[tuple[Line, str]]:
    """Lines with polite words that still turn the customer away: a bare "Bye." to end the call;
    an answer to the customer's question that opens with a short "no" and no word of regret
    ("Not right now."); or one that says "I don't know" / "it depends" and offers to find
    nothing out. (line, the sentence that was curt)."""
    lines = [x for x in view.agent if x.text != REMOVED]
    out = []
    for x in lines:
        before = next((c for c in reversed(view.customer) if c.turn < x.turn), None)
        if x is lines[-1] and len(lines) > 1 and _bare_bye(x):
            out.append((x, x.text.strip()))
            continue
        sents = [m.group().strip() for m in _SENTENCE.finditer(x.text) if m.group().strip()]
        if (x is lines[-1] and before is not None and "?" not in before.text and len(before.text.split()) >= 8
                and len(sents) > 1 and _BARE_OK.match(fold(sents[0])) and view.heard(x).closing_thanks):
            # "Okay. Well, that's all my questions. Bye." straight after what the customer told.
            out.append((x, x.text.strip()))
            continue
        if before is None or "?" not in before.text or find_phrase(x.folded, _FIND_OUT):
            continue
        first = fold(sents[0]).strip(" .!") if sents else ""
        if first in _SHORT_NO or (len(first.split()) <= 4 and first.split()[:1] in (["no"], ["not"], ["nu"])
                                  and not find_phrase(first, _COURTESY)):
            out.append((x, sents[0]))
            continue
        evasive = next((s for s in sents if find_phrase(fold(s), _EVASIVE)), None)
        if evasive and not find_phrase(x.folded, _COURTESY):
            out.append((x, evasive))
    return out


_DISMISSIVE_BETTER = {"en": "Here is what I can do for you.", "ro": "Iată ce pot face pentru dumneavoastră."}
_NEUTRAL_QUESTION = {"en": "How would you describe your experience with the service?",
                     "ro": "Cum ați descrie experiența dumneavoastră cu serviciul?"}


class ForbiddenParams(CheckParams):
    builtin: bool = Field(True, description="Use the built-in English and Romanian lists.")
    phrases: list[str] = Field(default_factory=list, description="Extra unprofessional phrases (cost points).")
    abusive: list[str] = Field(default_factory=list, description="Extra abusive phrases (score 0).")
    per_hit: float = Field(0.25, gt=0, le=1, description="Share of the top level each offending line costs "
                           "(down to the lowest level above 0; abusive wording is 0).")
    leading: bool = Field(False, description="Also count questions that push their answer by their shape, in any "
                          "words: a tag (\"you love it, don't you?\", \"…, nu-i așa?\") or a guess to confirm "
                          "(\"something cheaper, I suppose?\").")


# A question that hands the answer over and asks only for a yes. English tags follow an
# auxiliary and a pronoun ("didn't you?", "wasn't it?"); "right?" is left out: it closes
# read-backs too ("So it's the front-room TV, right?").
_TAG = re.compile(
    r"(?:,|\s)\s*(?:(?:do|does|did|is|are|was|were|will|would|can|could|have|has|had|should)(?:n't| not)?)\s+"
    r"(?:you|it|they|we|he|she|that|there)\s*\?$|"
    r",\s*(?:i suppose|i guess|i take it|surely|yes|no|nu|da|corect|așa|asa|nu-i așa|nu-i asa|nu e așa|nu e asa|"
    r"nu-i|nu credeți|nu credeti)\s*\?$", re.IGNORECASE)


def leading_questions(line: Line) -> list[str]:
    """The question sentences of `line` that push their answer by their shape (see _TAG)."""
    return [q for q in questions_in(line) if _TAG.search(q.strip())]


# Professional language shows most where the agent has to say no: a limit said plainly with
# what can be done instead ("I can't undo the missed visit, but here is what I can do"). With
# nothing unprofessional said, that sentence is the evidence reviewers quote.
_LIMIT = {"en": ["i can't", "i cannot", "i'm not able to", "i am not able to", "unfortunately", "i'm afraid",
                 "we can't", "we cannot"],
          "ro": ["nu pot", "din pacate", "nu putem", "nu se poate", "nu am cum"]}
_INSTEAD = {"en": ["but", "however", "what i can", "instead", "what we can"],
            "ro": ["dar", "insa", "ce pot", "in schimb", "ce putem"]}


def _polite_limit(view: CallView) -> Evidence | None:
    lang = "ro" if view.language == "ro" else "en"
    for line in view.agent:
        if line.text == REMOVED:
            continue
        for s in sentences(line.text):
            f = fold(s)
            if find_phrase(f, _LIMIT[lang]) and find_phrase(f, _INSTEAD[lang]):
                return Evidence(turn=line.turn, quote=s)
    return None


@check("forbidden_phrases", ForbiddenParams)
def _forbidden(view: CallView, p: ForbiddenParams) -> Outcome:
    from .conduct import heard_rude

    from .coaching import in_language

    lang = "ro" if view.language == "ro" else "en"
    # The rubric's own line, when it is in the call's language (an English one is no help in a
    # Romanian call); else a plain line in the call's language (a neutral question for a leading one).
    own = p.better if p.better and in_language(p.better, lang) else None
    neutral = own or _NEUTRAL_QUESTION[lang]
    instead = neutral if p.leading else own or _DISMISSIVE_BETTER[lang]  # a survey's phrases are leading questions
    abusive = (lx.ABUSIVE if p.builtin else []) + [(x, instead) for x in p.abusive]
    mild = (lx.UNPROFESSIONAL + lx.DISMISSIVE if p.builtin else []) + [(x, instead) for x in p.phrases]
    hits: list[tuple[bool, Line, str, str]] = []  # (abusive?, line, phrase, better)
    tables = [(True, [x for x, _ in abusive], dict(reversed(abusive))), (False, [x for x, _ in mild], dict(reversed(mild)))]
    for line in view.agent:
        for is_abusive, phrases, betters in tables:
            phrase = any_phrase(line.folded, phrases) if phrases else None
            if phrase is not None:
                hits.append((is_abusive, line, phrase, betters[phrase]))
                break  # one hit per line: the worst
        else:
            pushed = leading_questions(line) if p.leading and line.text != REMOVED else []
            if pushed:
                hits.append((False, line, pushed[0], neutral))
                continue
            quote = heard_rude(view, line) if p.builtin and line.text != REMOVED else None
            if quote is not None:
                # Dismissive without a listed phrase ("it is what it is"): the customer heard it too.
                hits.append((False, line, quote, _DISMISSIVE_BETTER.get(view.language, _DISMISSIVE_BETTER["en"])))
    if p.leading:
        steered = _steered(view)
        if steered:
            # Coaching the respondent's rating or words pushes the answer harder than any leading
            # question: once is level 1, twice or more 0 (the blind keys' levels).
            line, quote = steered[0]
            # The leading questions beside it are evidence too, in the order they were said.
            shown = sorted(steered + [(x, sentence_with(x.text, [ph])) for _, x, ph, _ in hits
                                      if all(x is not y for y, _ in steered)], key=lambda t: t[0].turn)
            return Outcome(0.25 if len(steered) == 1 else 0.0, "forbidden.steers", line.turn,
                           [e for x, q in shown[:3] for e in _ev(x, q)], {"quote": quote, "better": neutral})
    if not hits and p.builtin:
        curt = curt_lines(view)
        if curt:
            # Polite words, but a curt or evasive reply: one level below the top, the line as evidence.
            line, quote = curt[0]
            better = _CURT_BETTER["ro" if view.language == "ro" else "en"]
            return Outcome(0.75, "forbidden.curt", line.turn, [e for x, q in curt[:2] for e in _ev(x, q)],
                           {"quote": quote, "better": better})
    if not hits:
        if not p.builtin:
            # A list of the rubric's own (leading questions, say): the questions asked show it was kept,
            # those asking for an opinion first (where a leading word would push the answer).
            asked = [Evidence(turn=x.turn, quote=q) for x in view.agent if x.text != REMOVED for q in questions_in(x)
                     if not view.heard(x).permission]
            asked = ([e for e in asked if find_phrase(fold(e.quote), _OPINION)]
                     + [e for e in asked if not find_phrase(fold(e.quote), _OPINION)])[:3]
            return Outcome(1.0, "forbidden.open" if p.leading else "forbidden.ok", asked[0].turn if asked else None,
                           asked)
        limit = _polite_limit(view)
        return Outcome(1.0, "forbidden.ok", limit.turn if limit else None, [limit] if limit else [])
    worst = next((h for h in hits if h[0]), hits[0])
    # Abusive wording is 0; each other offending line costs `per_hit` (professional language sets
    # .5: one rude or dismissive phrase is 2 of 4, several 1), never below the lowest level above 0.
    value = 0.0 if worst[0] else max(0.25, 1.0 - p.per_hit * len(hits))
    evidence = [e for _, line, phrase, _ in hits for e in _ev(line, sentence_with(line.text, [phrase]))]
    _, line, phrase, better = worst
    code = "forbidden.abusive" if worst[0] else "forbidden.leading" if p.leading else "forbidden.mild"
    return Outcome(value, code, line.turn, evidence,
                   {"quote": sentence_with(line.text, [phrase]), "phrase": phrase, "better": better})


_STEERS = ("coaches the customer's rating", "coaches the customer's words", "asks for full marks")


def _steered(view: CallView) -> list[tuple[Line, str]]:
    """Agent lines that coach the respondent's rating or words ("a ten would really help me
    out", "just tell them you were very satisfied"), with the sentence that does it."""
    from .manipulation import scan_manipulation

    out = []
    for line in view.agent:
        if line.text == REMOVED or not any(r in _STEERS for r in scan_manipulation(line.text)):
            continue
        said = [x for x in sentences(line.text) if any(r in _STEERS for r in scan_manipulation(x))]
        out.append((line, said[0].strip() if said else line.text.strip()))
    return out


class RequiredParams(CheckParams):
    phrases: list[str | list[str]] = Field(min_length=1, description="Each item: a phrase or a list of alternatives.")
    first_turns: int | None = Field(None, ge=1, description="Only look in the first N agent turns.")
    last_turns: int | None = Field(None, ge=1, description="Only look in the last N agent turns.")
    heard: list[Literal["purpose", "duration", "permission", "greeting", "empathy", "apology", "next_step", "closing",
                        "identity_check"] | None] = Field(
        default_factory=list,
        description="Per item of `phrases`, in order: what the listener hears that also counts for it, so the "
                    "scorecard agrees with the customer (\"ringing about your visit, I'll have you off in under "
                    "five\" is a purpose and a duration).")


    @model_validator(mode="after")
    def _one_label_per_item(self) -> "RequiredParams":
        if len(self.heard) > len(self.phrases):
            raise ValueError(f"heard has {len(self.heard)} entries for {len(self.phrases)} phrases; give one per item "
                             "of phrases (null where none)")
        return self


def _in_tongue(phrases: list[str], language: str) -> str:
    """The phrase to name in the call's language: a rubric lists both ("survey, ..., sondaj,
    câteva întrebări"), and "Nu ați spus: survey" is no help. Romanian: the first with diacritics."""
    romanian = [x for x in phrases if re.search(r"[ăâîșşțţ]", x.lower())]
    if language == "ro":
        return (romanian or phrases)[0]
    return next((x for x in phrases if x not in romanian), phrases[0])


@check("required_phrases", RequiredParams)
def _required(view: CallView, p: RequiredParams) -> Outcome:
    lines = [x for x in view.agent if x.text != REMOVED]
    if p.first_turns:
        lines = lines[: p.first_turns]
    if p.last_turns:
        lines = lines[-p.last_turns:]
    found, missing, evidence = 0, [], []
    for i, item in enumerate(p.phrases):
        alternatives = [item] if isinstance(item, str) else item
        label = p.heard[i] if i < len(p.heard) else None
        # The rubric's phrases are examples of meaning ("a couple of quick questions" is "a few questions").
        line = next((x for x in lines if find_phrase(x.folded, alternatives)
                     or means_any(x.text, alternatives, view.language)), None)
        quote = sentence_with(line.text, alternatives) if line else None
        if line is None and label:
            line = next((x for x in lines if getattr(view.heard(x), label)), None)
            quote = heard_quote(view, line, label if label != "closing" else "closing_thanks") if line else None
        if line is None:
            missing.append(_in_tongue(alternatives, view.language))
        else:
            found += 1
            evidence += _ev(line, quote)
    value = found / len(p.phrases)
    turn = lines[0].turn if lines else None
    return Outcome(value, "required.ok" if not missing else "required.missing", turn,
                   list({(e.turn, e.quote): e for e in evidence}.values()), {"phrase": ", ".join(missing)})


class TurnBudgetParams(CheckParams):
    max_turns: int | None = Field(None, ge=1, description="Default: the rubric's turn_budget.")


@check("turn_budget", TurnBudgetParams)
def _turn_budget(view: CallView, p: TurnBudgetParams) -> Outcome:
    budget = p.max_turns or view.turn_budget
    if not budget:
        return Outcome(None, "turn_budget.na")
    n = len(view.agent)
    value = _over_budget(n, budget)
    return Outcome(value, "turn_budget.ok" if value == 1 else "turn_budget.over",
                   view.agent[-1].turn if view.agent else None, [], {"count": str(n), "budget": str(budget)})


class TimeBudgetParams(CheckParams):
    max_s: float | None = Field(None, gt=0, description="Default: the rubric's time_budget_s.")


@check("time_budget", TimeBudgetParams)
def _time_budget(view: CallView, p: TimeBudgetParams) -> Outcome:
    budget = p.max_s or view.time_budget_s
    duration = view.duration_s
    if not budget or duration is None:
        return Outcome(None, "time_budget.na")
    value = _over_budget(duration, budget)
    return Outcome(value, "time_budget.ok" if value == 1 else "time_budget.over", None, [],
                   {"count": f"{duration:.0f}", "budget": f"{budget:.0f}"})


class TalkRatioParams(CheckParams):
    min: float = Field(0.25, ge=0, le=1, description="Lowest good agent share.")
    max: float = Field(0.65, ge=0, le=1, description="Highest good agent share.")


@check("talk_ratio", TalkRatioParams)
def _talk_ratio(view: CallView, p: TalkRatioParams) -> Outcome:
    ratio = talk_ratio_of(view)
    if ratio is None:
        return Outcome(None, "talk_ratio.na")
    off = max(p.min - ratio, ratio - p.max, 0.0)
    value = max(0.0, 1.0 - off / 0.3)
    code = "talk_ratio.ok" if off == 0 else "talk_ratio.high" if ratio > p.max else "talk_ratio.low"
    return Outcome(value, code, None, [], {"count": f"{ratio:.0%}", "budget": f"{p.min:.0%}-{p.max:.0%}"})


class QuestionsParams(CheckParams):
    min: int = Field(2, ge=1, description="Questions needed for full marks.")


@check("questions_asked", QuestionsParams)
def _questions(view: CallView, p: QuestionsParams) -> Outcome:
    asked = [(x, q) for x in view.agent if x.text != REMOVED for q in questions_in(x)]
    value = min(1.0, len(asked) / p.min)
    evidence = [Evidence(turn=x.turn, quote=q) for x, q in asked[:3]]
    turn = view.agent[0].turn if view.agent else None
    return Outcome(value, "questions.ok" if value == 1 else "questions.few", turn, evidence,
                   {"count": str(len(asked)), "budget": str(p.min)})


class ResponseParams(CheckParams):
    max_s: float = Field(8.0, gt=0, description="Median reply delay for full marks.")


@check("response_time", ResponseParams)
def _response(view: CallView, p: ResponseParams) -> Outcome:
    delays = response_delays(view)
    if not delays:
        return Outcome(None, "response.na")
    median = statistics.median(d for _, d in delays)
    slowest = max(delays, key=lambda x: x[1])[0]
    value = _over_budget(median, p.max_s)
    return Outcome(value, "response.ok" if value == 1 else "response.slow", slowest.turn, [],
                   {"count": f"{median:.1f}", "budget": f"{p.max_s:.0f}"})


class PhoneMannerParams(CheckParams):
    allowed: int = Field(0, ge=0, description="Interruptions and dead air allowed with full marks.")


@check("phone_manner", PhoneMannerParams)
def _phone_manner(view: CallView, p: PhoneMannerParams) -> Outcome:
    """Voice calls: not talking over the customer, and no dead air the customer has to sit
    through (a gap over 5 s, or the customer asking "are you still there?"). Text calls: n/a."""
    v = view.voice or {}
    if not isinstance(v.get("interruptions"), int) or not isinstance(v.get("dead_air"), int):
        return Outcome(None, "phone_manner.na")
    cut, dead = v["interruptions"], v["dead_air"]
    slips = max(0, cut + dead - p.allowed)
    value = 1.0 if slips == 0 else 0.5 if slips <= 2 else 0.0
    # Evidence: the trainee's line that talked over the customer. Dead air has no words of the
    # trainee's to quote: the feedback points at the customer's "hello?" by its turn.
    after_cut = next((b for a, b in zip(view.lines, view.lines[1:])
                      if a.role == "customer" and a.state and a.state.cut_off and b.role == "agent"), None)
    asked = next((x for x in view.customer if x.state and x.state.beat == "still_there"), None)
    fields = {"count": str(cut), "budget": str(dead)}
    if value == 1.0:
        return Outcome(value, "phone_manner.ok", None, [], fields)
    if cut >= dead:
        return Outcome(value, "phone_manner.cut_off", after_cut.turn if after_cut else None,
                       _ev(after_cut) if after_cut else [], fields)
    return Outcome(value, "phone_manner.dead_air", asked.turn if asked else None, [], fields)


class NextStepParams(CheckParams):
    last_turns: int = Field(3, ge=1)
    phrases: list[str] = Field(default_factory=list)


_I_WILL = re.compile(r"\b(?:i'll|i will|i can|i'm going to|i am going to|we'll|we will|i've|i have)\b")


@check("next_step", NextStepParams)
def _next_step(view: CallView, p: NextStepParams) -> Outcome:
    last = [x for x in view.agent if x.text != REMOVED][-p.last_turns:]
    phrases = lx.NEXT_STEP + p.phrases
    steps = [x for x in last if view.heard(x).next_step or (p.phrases and find_phrase(x.folded, p.phrases))]
    if not steps:
        return Outcome(0.0, "next_step.missing", last[-1].turn if last else None)

    def quote(x: Line) -> str:
        return heard_quote(view, x, "next_step") or sentence_with(x.text, phrases)
    # The step agreed is the one the trainee commits to ("I'll call you back at ten past three",
    # "sure, I can email you a quote"), not the question that proposed it ("when's a better time
    # for me to call you back?") nor a line that only describes it.
    stated = [x for x in steps if not quote(x).rstrip().endswith("?")]
    committed = [x for x in stated if _I_WILL.search(fold(quote(x))) or find_phrase(fold(quote(x)), lx.COMMIT)]
    line = committed[0] if committed else (stated or steps)[-1]
    return Outcome(1.0, "next_step.ok", line.turn, _ev(line, quote(line)))


# --- not-applicable conditions (`na_when`) --------------------------------------------------


def _customer_upset(view: CallView) -> bool:
    """Whether the customer was upset, worried or unhappy at some point: the session record's
    mood when there is one; otherwise a persona who starts the call unhappy (below neutral:
    irritable, confused, worried, skeptical), or the customer's own words."""
    states = [x.state for x in view.customer if x.state]
    said = any(_says_upset(x.folded) for x in view.customer)
    if states:
        # A mood that held ("nu mai înțeleg nimic" at -0.1) still leaves the customer's own words.
        return min(s.mood for s in states) <= -0.3 or said
    persona = view.persona
    if persona is not None and getattr(getattr(persona, "mood", None), "start", 0.0) < 0:
        return True
    return said


def _says_upset(folded: str) -> bool:
    """The customer's words say they are upset, worried or lost; "I'm not angry at you" does not."""
    phrase = find_phrase(folded, lx.UPSET)
    if phrase is None:
        return False
    p = fold(phrase)
    return not any(f"{neg} {p}" in folded for neg in ("not", "n't", "nu sunt", "nu-s", "never"))


def _objection_raised(view: CallView) -> bool:
    """The same objections the objection check scores (the director's beat, the built-in
    phrases, or the persona's own objections in other words): "Last time you lot put my price
    up" is one for the roaming persona though no built-in phrase says so."""
    return bool(conduct.objection_lines(view))


NA_CONDITIONS: dict[str, Callable[[CallView], bool]] = {
    "customer_never_upset": lambda v: not _customer_upset(v),
    "customer_hung_up": lambda v: v.end_reason == EndReason.hung_up,
    "no_objection": lambda v: not _objection_raised(v),
    "no_account_talk": lambda v: _identity(v, IdentityParams()).value is None,
    "short_call": lambda v: len(v.agent) < 3,
}


def na_conditions_of(na_when: str | None) -> list[str]:
    """`na_when` names one condition or several joined by ' or '."""
    return [c.strip() for c in (na_when or "").split(" or ") if c.strip()]


def not_applicable(na_when: str | None, view: CallView) -> bool:
    return any(NA_CONDITIONS[c](view) for c in na_conditions_of(na_when) if c in NA_CONDITIONS)


# The checks for what used to be left to the judge (empathy, listening, resolution, objections,
# the offer, survey listening) live in conduct.py and register into the same registry.
from . import conduct  # noqa: E402,F401
