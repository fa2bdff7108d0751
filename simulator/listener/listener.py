"""The listener: what a person on the other end would hear in one line of the trainee's.

The director (how the customer reacts) and the rule checks (the scorecard) both ask the
listener, so the customer and the scorecard agree. Offline and fast: stems, concepts and
negation (see meaning.py), nothing generated. A line it does not understand is reported as
such (`understood` empty), and whether it was at least polite or on topic, so the director
does not punish an ordinary line as if it were rude.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from simulator.persona import Persona
from simulator.text import clean, find_phrase, fold

from .meaning import Example, Reading, Vocabulary, vocabulary
from .kinds import offers_action
from .names import agent_name
from . import sense as _sense
from .words import Clause, clauses, tokens

# Labels a line can be heard with, in the order the review lists them.
LABELS = ("greeting", "own_name", "company", "permission", "purpose", "duration", "empathy", "apology",
          "identity_check", "asked", "answered", "goal", "next_step", "hold", "closing", "rude", "manipulation", "question")


# Kinds of line that a negation elsewhere in the clause does not undo: "sorry you were left
# without water" apologises, "I'm not calling to sell anything" still says why you call.
_ANY_POLARITY = frozenset({"greeting", "apology", "empathy", "hold", "closing_thanks", "purpose", "duration",
                           "permission"})


@dataclass
class Heard:
    """What one trainee line was heard as. `evidence` maps a label to the words that carried it."""

    text: str
    silent: bool = False
    greeting: bool = False
    own_name: str | None = None
    company: bool = False
    empathy: bool = False
    apology: bool = False
    rude: bool = False
    hold: bool = False
    closing_offer: bool = False
    closing_thanks: bool = False
    question: bool = False
    identity_check: bool = False
    facts_asked: list[str] = field(default_factory=list)
    objections_answered: list[str] = field(default_factory=list)
    goal_offered: bool = False
    next_step: bool = False
    purpose: bool = False
    duration: bool = False
    permission: bool = False
    manipulation: bool = False
    claims_consent: bool = False  # puts a consent on record for the customer ("you've agreed to ...")
    mocking: bool = False        # said with a sneer ("haha", "yeah right"): heard as rude, and offers nothing
    polite: bool = False
    on_topic: bool = False
    evidence: dict[str, str] = field(default_factory=dict)
    # The customer was not sure what the line asked for ("not_understood": a polite or on-topic
    # line whose request matched none of the customer's facts; "too_close": two facts fitted
    # almost equally), with the reason in words for the review; None when sure.
    unsure: str | None = None
    unsure_why: str = ""
    # The stretches of the line that ask for something (a sentence, or a clause of one), as the
    # shape reading found them: what the meaning step compares with the persona's facts.
    asking: list[str] = field(default_factory=list, repr=False)
    # When every request asks about the past ("what's the ref from the last call?"): the facts
    # that are past events, the only ones such a request may ask for.
    past_only: frozenset[str] | None = field(default=None, repr=False)

    @property
    def closing(self) -> bool:
        return self.closing_offer or self.closing_thanks

    def labels(self) -> list[str]:
        """Flat labels: "greeting", "asked:account_number", "answered:no_show", "goal", ..."""
        out = []
        for name in LABELS:
            if name == "asked":
                out += [f"asked:{f}" for f in self.facts_asked]
            elif name == "answered":
                out += [f"answered:{o}" for o in self.objections_answered]
            elif name == "goal":
                out += ["goal"] if self.goal_offered else []
            elif name == "own_name":
                out += ["own_name"] if self.own_name else []
            elif getattr(self, name):
                out.append(name)
        return out

    @property
    def understood(self) -> bool:
        return bool(self.labels())


@dataclass(frozen=True)
class _Compiled:
    vocab: Vocabulary
    facts: tuple[tuple[str, tuple[Example, ...]], ...]
    objections: tuple[tuple[str, tuple[Example, ...]], ...]
    goal: tuple[Example, ...]
    topic: frozenset[str]
    past_facts: frozenset[str]   # facts that are events, asked for in the past tense


def _examples(vocab: Vocabulary, phrases: list[str], common: frozenset[str] = frozenset()) -> tuple[Example, ...]:
    """A persona's phrases as examples. A one-word example whose word the whole call is about
    ("with the bill" for a customer calling about a bill) would be heard in every line: it
    counts only as those very words."""
    out = []
    for p in phrases:
        if not (p and p.strip()):
            continue
        e = vocab.compile(p)
        if e.seq is None and len(e.keys) == 1 and e.keys[0] & common:
            e = vocab.compile(p, mode="literal")
        out.append(e)
    return tuple(out)


def _id_example(vocab: Vocabulary, fact_id: str) -> tuple[Example, ...]:
    """A fact's id in words ("outage start"). A one-word id is matched as that very word: widened,
    "suma" (the sum) is every "factură" (the bill), and a request for the code on the bill asked
    for the sum too."""
    words = fact_id.replace("_", " ").strip()
    return (vocab.compile(words, **({"mode": "literal"} if len(words.split()) == 1 else {})),)


def _code_letters(value: str) -> str:
    """The letters a code starts with ("RC-48213": "rc"), or ""."""
    m = re.search(r"(?<![A-Za-z])([A-Z]{2,3})[- ]?\d", value or "")
    return m.group(1).lower() if m else ""


def _code_examples(vocab: Vocabulary, value: str) -> tuple[Example, ...]:
    """A fact that is a code ("RC-48213") is asked for by its letters too: "your RC number",
    "the reference starting ME", "codul care începe cu EL"."""
    code = _code_letters(value)
    if not code:
        return ()
    forms = [f"{code} number", f"{code} code", f"{code} reference", f"{code} ref", f"{code} numar", f"{code} cod",
             f"starting {code}", f"starts with {code}", f"begins with {code}", f"beginning {code}",
             f"incepe cu {code}", f"cu {code}", f"care incepe cu {code}"]
    return tuple(vocab.compile(x, literal=True) for x in forms)


def _common_stems(vocab: Vocabulary, texts: list[str]) -> frozenset[str]:
    return frozenset(t.stem for text in texts for t in tokens(text, vocab.language) if t.stem not in vocab.stop)


def _topic_keys(vocab: Vocabulary, texts: list[str]) -> frozenset[str]:
    """Concepts of what the call is about: an unclear line that mentions them is on topic."""
    out: set[str] = set()
    for t in texts:
        for c in clauses(t, vocab.language)[1]:
            r = vocab.read(c)
            out |= {k for k in r.keys if k.isupper() and k != "SELF"}
    return frozenset(out)


# "I understand, but ...", "Vă înțeleg perfect, dar ...": a "but" within a few words of the
# understanding, in a line that offers nothing, takes the understanding back.
_BUT = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:but|however|though|dar|insa|doar ca|numai ca)\b")


# "I (do) understand" / "Vă înțeleg" and nothing more: no kindness beside a brush-off.
BARE_UNDERSTANDING = re.compile(
    r"^(?:i\s+(?:do\s+|totally\s+|completely\s+|fully\s+|really\s+)?understand|(?:va|te|o)\s+inteleg(?:\s+perfect)?|"
    r"inteleg)$")


def _taken_back(text: str, words: str) -> bool:
    folded, key = fold(text), fold(words)
    at = folded.find(key) if key else -1
    if at < 0:
        return False
    rest = folded[at + len(key):]
    rest = re.split(r"[.!?]", rest, maxsplit=1)[0]
    return bool(_BUT.match(rest))


class Listener:
    """Hears trainee lines for one persona (or, without a persona, for a language and company)."""

    def __init__(self, persona: Persona | None = None, *, language: str | None = None, company: str | None = None,
                 understanding: "_sense.Understanding | None | bool" = None):
        self.persona = persona
        self.language = (persona.language if persona else None) or language or "en"
        self.company = company or (persona.company if persona else None)
        # Trainees mix languages: a Romanian call is also heard in English.
        langs = [self.language] + (["en"] if self.language != "en" else [])
        self._by_lang = [self._compile(vocabulary(lang)) for lang in langs]
        self._cache: dict[str, Heard] = {}
        self._codes = {f.id: c for f in (persona.facts if persona else []) if (c := _code_letters(f.value))}
        # Which fact a request is about, by meaning (sense.py); None: by the vocabulary alone.
        # (False: the vocabulary alone, whatever the default.)
        self.understanding = (None if understanding is False else
                              understanding if understanding is not None else _understanding_for(persona))

    def _compile(self, vocab: Vocabulary) -> _Compiled:
        p = self.persona
        if p is None:
            return _Compiled(vocab, (), (), (), frozenset(), frozenset())
        # Words the customer's whole situation is about; the goal's own words stay examples
        # of meaning ("I'm logging it" offers what "I've noted it" does).
        common = _common_stems(vocab, [p.situation])
        own = vocabulary(self.language)
        if vocab.language != self.language:
            # The persona's own-language phrases are heard with their own language's negation
            # and tenses; the English pass takes only the phrases written in English.
            def phrases(xs: list[str]) -> list[str]:
                return [x for x in xs if not own.knows(x)]
        else:
            def phrases(xs: list[str]) -> list[str]:
                return xs
        facts = tuple((f.id, _examples(vocab, phrases(f.asked_by), common)
                       + (_id_example(vocab, f.id) if phrases([f.id.replace("_", " ")]) else ())
                       + _code_examples(vocab, f.value))
                      for f in p.facts)
        objections = tuple((o.id, _examples(vocab, phrases(o.answered_by), common)) for o in p.objections)
        goal = _examples(vocab, phrases(p.goal.satisfied_by), common)
        past_facts = frozenset(f.id for f in p.facts
                               if any(vocab.cue("past_times", vocab.read(c))
                                      for x in f.asked_by for c in clauses(x, vocab.language)[1]))
        topic = _topic_keys(vocab, [p.situation, p.goal.text, *p.goal.satisfied_by,
                                    *(x for f in p.facts for x in f.asked_by),
                                    *(x for o in p.objections for x in [o.text, *o.answered_by])])
        return _Compiled(vocab, facts, objections, goal, topic, past_facts)

    def hear(self, text: str) -> Heard:
        cached = self._cache.get(text)
        if cached is None:
            cached = self._hear(text)
            if len(self._cache) < 2048:
                self._cache[text] = cached
        return cached

    # -- the work -------------------------------------------------------------------------
    def _hear(self, text: str) -> Heard:
        h = Heard(text=text)
        scores: dict[str, float] = {}
        folded = fold(text)
        h.question = "?" in text
        for comp in self._by_lang:
            self._hear_in(comp, text, h)
        if self.understanding is not None and h.asking:
            by_words = set(h.facts_asked)
            scores = self._sense(h)
            # "Do you have two minutes?" asks for the customer's time: a fact only the meaning step
            # found in those words is not asked ("how long were you subscribed?" was the nearest,
            # and a survey customer answered "Two years.").
            time_asked = {h.evidence.get(k) for k in ("permission", "duration") if getattr(h, k)}
            for f in [f for f in h.facts_asked if f not in by_words and h.evidence.get(f"asked:{f}") in time_asked]:
                h.facts_asked.remove(f)
                h.evidence.pop(f"asked:{f}", None)
        self._codes_asked(h, text, folded, scores)
        # A line that opens with "Morning", "Afternoon Marcus" or "Bună, ..." greets; "bună
        # întrebare" (a good question) later in a line does not.
        words = clean(text).split()
        opener = fold(words[0]).strip(",.!") if words else ""
        rest = words[1] if len(words) > 1 else ""
        if opener in ("morning", "afternoon", "evening", "hiya", "hey", "howdy") or (
                opener == "buna" and (words[0][-1:] in ",!." or len(words) == 1 or rest[:1].isupper())):
            h.greeting = True
            h.evidence.setdefault("greeting", words[0].strip(",.!"))
        h.own_name = agent_name(folded, self.company, clean(text))
        if h.own_name:
            h.evidence.setdefault("own_name", h.own_name)
        if self.company and _company_said(folded, self.company):
            h.company = True
        for comp in self._by_lang:
            if find_phrase(folded, comp.vocab.file.manipulation):
                h.manipulation = True
        from simulator.scoring.manipulation import claims_consent, scan_manipulation  # the scorer's own, so both agree

        if scan_manipulation(text):
            h.manipulation = True
        h.claims_consent = claims_consent(text)
        kind = h.evidence.get("empathy", "")
        if (h.rude and not h.mocking and h.empathy and h.objections_answered and not _taken_back(text, kind)
                and not BARE_UNDERSTANDING.match(fold(kind).strip(" ,.!"))):
            # A kind answer to the customer's own worry is one, though a phrase in it sounds curt
            # ("That's completely fair ... if you don't like it, you can leave without any charge").
            h.rude = False
            h.evidence.pop("rude", None)
        if h.rude:
            # Heard as rude, a line's kind words do not count as kindness ("I understand, but
            # it is what it is"), and a brush-off settles no worry and promises nothing ("prices
            # go up at renewal, that's just how it works").
            h.empathy = h.apology = h.next_step = False
            h.objections_answered = []
        if h.empathy and not (h.goal_offered or h.next_step or h.hold) and _taken_back(text, h.evidence.get("empathy", "")):
            h.empathy = False  # "I understand, but that's quite normal": the "but" takes it back
            h.evidence["taken_back"] = h.evidence.get("empathy", "")
        if h.mocking:
            h.goal_offered = False  # "oh sure, totally anonymous, haha" offers nothing
        if h.manipulation:
            # An attempt to steer the customer asks for nothing and offers nothing.
            h.facts_asked, h.objections_answered, h.goal_offered = [], [], False
        n_words = len(folded.split())
        h.silent = n_words == 0 or (n_words <= 1 and not h.understood and not h.polite)
        if h.unsure and (h.facts_asked or h.silent or h.rude or h.manipulation):
            h.unsure, h.unsure_why = None, ""
        return h

    def _codes_asked(self, h: Heard, text: str, folded: str, scores: dict[str, float]) -> None:
        """The persona's codes ("RC-48213") a line asks for, by what identifies the customer and
        by the code's letters; `scores`: how near each fact the meaning step found the requests."""
        if not self._codes:
            return
        if h.identity_check and not h.facts_asked and not h.manipulation and _NAMES_AN_ID.search(folded):
            # Asked who they are in words no phrase holds ("the ID on your latest bill?"), a
            # customer gives the code that identifies them: the one the request is nearest to.
            codes = [f for f in self._codes if f in scores] or (list(self._codes) if len(self._codes) == 1 else [])
            if codes:
                fid = max(codes, key=lambda f: scores.get(f, 0.0))
                h.facts_asked.append(fid)
                h.evidence.setdefault(f"asked:{fid}", h.evidence.get("identity_check", text))
        # A code's letters say which code is asked for ("the reference starting RC" is the
        # account, though "reference" is also the old ticket's word). Written in capitals: "el"
        # is also Romanian for "he".
        named = {f for f, c in self._codes.items() if re.search(rf"(?<![A-Za-z]){c.upper()}(?![A-Za-z])", text)}
        if not named:
            return
        for f in [f for f in h.facts_asked if f in self._codes and f not in named]:
            h.facts_asked.remove(f)
            h.evidence.pop(f"asked:{f}", None)
        # ... and a request in a line that names them asks for that code, unless the line gives
        # a code itself ("the new reference, TK-5874. Anything else?").
        bare = {f for f in named if not re.search(rf"(?<![A-Za-z]){self._codes[f].upper()}[- ]?\d", text)}
        if h.asking and not h.manipulation:
            for f in sorted(bare - set(h.facts_asked)):
                h.facts_asked.append(f)
                h.evidence.setdefault(f"asked:{f}", h.asking[0])

    def _sense(self, h: Heard) -> dict[str, float]:
        """The meaning step: which of the persona's facts the line's requests are about. Returns
        how near each fact the requests came."""
        try:
            s = self.understanding.facts_asked(h.asking, list(h.facts_asked))
        except Exception:  # a failing model leaves what the vocabulary heard
            return {}
        if h.past_only is not None:
            s.facts = [f for f in s.facts if f in h.past_only or f in h.facts_asked]
        for fid in h.facts_asked:
            if fid not in s.facts:
                h.evidence.pop(f"asked:{fid}", None)
        for fid in s.facts:
            h.evidence.setdefault(f"asked:{fid}", h.asking[0])
        h.facts_asked = list(s.facts)
        if s.unsure == "too_close":
            h.unsure, h.unsure_why = s.unsure, s.why
        elif s.unsure == "not_understood" and (h.polite or h.on_topic) and set(h.labels()) <= {"question"}:
            h.unsure, h.unsure_why = s.unsure, s.why
        return s.scores

    def _hear_in(self, comp: _Compiled, text: str, h: Heard) -> None:
        vocab = comp.vocab
        line, parts = clauses(text, vocab.language)
        readings = [vocab.read(c) for c in parts]
        sentences: dict[int, list[Reading]] = {}
        for r in readings:
            sentences.setdefault(r.clause.sentence, []).append(r)

        def quote(r: Reading) -> str:
            toks = r.clause.tokens
            return line[toks[0].start:toks[-1].end]

        def mark(label: str, r: Reading) -> None:
            h.evidence.setdefault(label, quote(r))

        def intent(name: str, r: Reading) -> bool:
            free = name in _ANY_POLARITY
            return any(vocab.matches(e, r, free) for e in vocab.intents.get(name, ()))

        # Thanks are a goodbye only when nothing but goodbyes follow them ("thanks for your
        # patience, I've found your account" is thanks on the way).
        winding_up = [x.content <= 1 or intent("closing_thanks", x) or intent("closing_offer", x) for x in readings]

        # What each sentence says as a whole: "I'm calling because ..." is split by its clauses.
        wholes = {n: vocab.read(Clause(tuple(t for x in rs for t in x.clause.tokens), n, rs[0].clause.question))
                  for n, rs in sentences.items()}
        for whole in wholes.values():
            if not h.purpose and intent("purpose", whole):
                h.purpose = True
                mark("purpose", whole)

        asking: list[tuple[int, Reading]] = []  # (clause, reading) of the clauses that ask
        answered: dict[str, Reading] = {}        # objection -> the clause that answers it
        fact_questions: set[int] = set()         # sentences that ask for one of the facts
        mentioned: list[tuple[int, str]] = []   # (clause, fact) named by clauses that do not ask
        regret = False
        for i, r in enumerate(readings):
            same_sentence = sentences[r.clause.sentence]
            at = same_sentence.index(r)
            asks, known = _asking(vocab, same_sentence, at)
            # "Unfortunately ..." refuses the rest of its sentence, up to a "but".
            if at == 0 or _turns(line, readings[i - 1], r):
                regret = False
            regret = regret or vocab.cue("regrets", r)
            # "Bună seara", "have a lovely evening": greetings and goodbyes name no fact or offer.
            formula = r.content <= 3 and (intent("greeting", r) or intent("closing_thanks", r))
            if vocab.cue("polite", r):
                h.polite = True
            if comp.topic and r.keys & comp.topic:
                h.on_topic = True
            if intent("mocking", r):
                h.rude = h.mocking = True
                mark("rude", r)
            for name in ("greeting", "empathy", "apology", "hold", "closing_offer", "closing_thanks", "rude",
                         "purpose", "duration", "permission"):
                if name == "closing_thanks" and (not all(winding_up[i + 1:]) or (
                        r is readings[0] and len(readings) > 1 and intent("greeting", r))):
                    continue  # "thanks for calling Brightline, I'm Josh": a greeting
                if name == "greeting" and r.clause.question and len(sentences[r.clause.sentence]) == 1:
                    continue  # "Hello? Are you still there?"
                if name == "apology" and intent("not_apology", r):
                    continue  # "no need to apologise"
                if name == "empathy" and intent("not_empathy", r):
                    continue  # "I don't understand what you mean"
                if name == "rude" and r.clause.question and r.content == 0:
                    continue  # "Așa e?" after a read-back asks "is that right?" ("Așa e." shrugs)
                if intent(name, r):
                    setattr(h, name, True)
                    mark(name, r)
            if intent("next_step", r) and not r.negative:
                h.next_step = True
                mark("next_step", r)
            if asks and intent("identity", r) and not any(intent("not_identity", x) for x in same_sentence) \
                    and not offers_action(quote(wholes[r.clause.sentence])):
                # ("what's the address you're moving to?" asks where, not who; "would you like me to
                # email you the details?" offers to send something)
                h.identity_check = True
                mark("identity_check", r)
            if formula:
                continue
            if asks and not known:
                asking.append((i, r))
            if asks:
                # A question about another time ("at your last place", "last winter") asks for no
                # fact, unless the fact is itself about then ("the last time you called").
                past_question = any(vocab.cue("past_times", x) for x in same_sentence)
                for fid, examples in comp.facts:
                    if past_question and fid not in comp.past_facts:
                        continue
                    if any(vocab.matches(e, r) for e in examples):
                        fact_questions.add(r.clause.sentence)
                        if fid not in h.facts_asked:
                            h.facts_asked.append(fid)
                            mark(f"asked:{fid}", r)
            elif not known and not r.negative:
                mentioned.extend((i, fid) for fid, examples in comp.facts
                                 if any(vocab.matches(e, r) for e in examples))
            # What others did or said before ("customers did see rises at renewal last year")
            # answers nothing; what the agent did or will do does.
            past = vocab.cue("past_markers", r) and not r.self_said and not _FUTURE.search(fold(quote(r)))
            for oid, examples in comp.objections:
                if oid not in answered and not past and any(vocab.matches(e, r) for e in examples):
                    answered[oid] = r
            # "..., and the price stays what you pay now, ok?": a tag makes no question of the offer.
            tagged = r is not same_sentence[-1] and same_sentence[-1].content <= 1
            if (not h.goal_offered and not regret and any(vocab.matches(e, r) for e in comp.goal)
                    and self._offer(vocab, r, tagged)):
                h.goal_offered = True
                mark("goal", r)

        # A question that asks the customer for something settles none of their worries, though
        # it shares a word with an answer ("can you confirm the street?" is no "confirm by text",
        # "how is the speed, especially in the evening?" no evening install); a question that
        # suggests ("how about ...?", "ce-ar fi să ...?") or tells ("did you know ...?") may.
        # The agent's own part after such a question still answers ("when's a quieter time, so I
        # can ring you back?"), and a tag ("..., ok?") makes no question of a statement.
        for oid, r in answered.items():
            n = r.clause.sentence
            whole = fold(quote(wholes[n]))
            asks_customer = (wholes[n].clause.question and sentences[n][-1].content > 1
                             and (n in fact_questions or _WH_QUESTION.match(whole)) and not _SUGGESTS.match(whole))
            if not asks_customer or (r.self_said and r is not sentences[n][0]):
                h.objections_answered.append(oid)
                mark(f"answered:{oid}", r)
        self._facts_across(comp, sentences, wholes, asking, mentioned, h, mark, quote)
        if not h.rude:
            for whole in (vocab.read(c) for c in clauses(text, vocab.language, breaks=False)[1]):
                sneer = _over_a_break(vocab, "mocking", whole, readings)
                if sneer or _over_a_break(vocab, "rude", whole, readings):
                    h.rude, h.mocking = True, h.mocking or sneer
                    mark("rude", whole)

    @staticmethod
    def _facts_across(comp: _Compiled, sentences: dict[int, list[Reading]], wholes: dict[int, Reading],
                      asking: list[tuple[int, Reading]], mentioned: list[tuple[int, str]], h: Heard, mark,
                      span) -> None:
        """Facts asked for across clauses. A question's words may sit in several clauses ("if
        you're near the meter, could you tell me the figures?"), and "it" may point back to a
        thing named before ("there's a code starting RC on the letter, can you read it out?")."""
        vocab = comp.vocab
        for n, rs in sentences.items():
            asked_here = [x for _, x in asking if x in rs]
            if not asked_here or any(x.negative or vocab.cue("known_cues", x) for x in rs):
                continue
            whole = wholes[n]
            if vocab.cue("no_need", whole):
                continue
            # A question about the past asks only for a fact that is a past event ("what's the
            # ref from the last call?" is the old ticket; "what did you pay last year?" is not
            # today's price). It used to ask for nothing at all (a blind line).
            past = vocab.cue("past_times", whole)
            if past and not comp.past_facts:
                continue
            # Each request of a sentence that makes two ("when would you like to leave, and where
            # to?") is read on its own too.
            units = [span(whole)] + ([span(x) for x in asked_here if x.content >= 2] if len(asked_here) > 1 else [])
            first = not h.asking
            h.asking.extend(u for u in units if u not in h.asking and len(h.asking) < _MAX_REQUESTS)
            if past and (first or h.past_only is not None):
                h.past_only = comp.past_facts
            elif not past:
                h.past_only = None
            for fid, examples in comp.facts:
                if past and fid not in comp.past_facts:
                    continue
                if fid not in h.facts_asked and any(vocab.matches(e, whole) for e in examples):
                    h.facts_asked.append(fid)
                    mark(f"asked:{fid}", asked_here[0])
        if mentioned and not h.facts_asked:
            pointing = [(i, x) for i, x in asking if any(t.word in vocab.pronouns for t in x.clause.tokens)
                        and (vocab.asks(x, openers=False) or vocab.cue("modal_requests", x))]
            for at, fid in mentioned:
                after = [x for i, x in pointing if i > at]
                if after and fid not in h.facts_asked:
                    h.facts_asked.append(fid)
                    mark(f"asked:{fid}", after[0])

    @staticmethod
    def _offer(vocab: Vocabulary, r: Reading, tagged: bool = False) -> bool:
        """A clause that matches the goal is an offer unless it asks about the past or is a
        plain question: "did the engineer come?" is not an offer, "shall I book one?" is."""
        if vocab.cue("past_markers", r) and (not r.self_said or vocab.cue("past_times", r)):
            return False  # "did the engineer come?", "we changed that in the last update"
        if vocab.opens("conditions", r) and not r.self_said:
            return False  # "if you're too busy to save money, ...": a condition, not an offer
        if r.clause.question and not tagged:
            return vocab.cue("offer_questions", r)
        return True


def _over_a_break(vocab: Vocabulary, name: str, whole: Reading, parts: list[Reading]) -> bool:
    """A set phrase of intent `name` that runs over a comma or an "and" in the sentence
    `whole` ("Vai, ce dramă", "plătiți și gata", "so what?"), which no one clause can hold."""
    for e in vocab.intents.get(name, ()):
        if e.seq is None or e.seq not in whole.seq or (e.alone and len(whole.clause.tokens) > e.alone):
            continue
        if not any(e.seq in x.seq for x in parts if x.clause.sentence == whole.clause.sentence):
            return True
    return False


def _asking(vocab: Vocabulary, sentence: list[Reading], at: int) -> tuple[bool, bool]:
    """(whether clause `at` of a sentence asks for something, whether it says the agent has it).

    A clause asks when it says so itself, or it carries on an asking clause of its sentence
    ("your postcode and the first line of the address?"), or it is part of a question whose
    asking is not elsewhere: a statement before a question stays a statement ("we do card
    readers for cafés, what are you paying?"), a short tag does not take the question away
    ("your address, please?"). A clause that leads in ("if you had to give it a mark, what
    would it be?") belongs to the question after it. Saying the agent already has it ("I've
    got your date of birth and account up here") outweighs a request word and reaches the rest
    of the sentence, but not a request made outright ("can I have your account number?");
    "no need to read me the account number" asks nothing.
    """
    r = sentence[at]
    own_cue = vocab.asks(r, openers=False)
    carried = any(vocab.asks(x, openers=False) or _opens_question(vocab, sentence, i)
                  for i, x in enumerate(sentence[:at]))
    later = [x for i, x in enumerate(sentence[at + 1:], start=at + 1)
             if x.content >= 2 and (vocab.asks(x, openers=False) or _opens_question(vocab, sentence, i))]
    led_in = bool(later) and vocab.opens("lead_ins", r)
    in_question = r.clause.question and not later
    known = vocab.cue("known_cues", r)
    known_before = any(vocab.cue("known_cues", x) for x in sentence[:at])
    asks = ((own_cue and not known) or vocab.cue("modal_requests", r)
            or ((_opens_question(vocab, sentence, at) or carried or in_question or led_in)
                and not known and not known_before))
    if any(vocab.cue("no_need", x) for x in sentence[:at + 1]):
        asks = False
    return asks, known


# Words that name an identifier, whatever it is called ("the ID on your bill", "identificatorul").
_NAMES_AN_ID = re.compile(r"\b(?:id|ids|identifier|identification|reference|ref|code|number|cod|codul|"
                          r"identificator\w*|numar\w*|referinta|seria|serie)\b")

# What will happen ("you'll get a text the day before") is not what others did before.
_FUTURE = re.compile(r"\b(?:will|ll|going to|gonna|o sa|vom|veti|vor)\b")

# A question that asks for something opens with a question word ...
_WH_QUESTION = re.compile(r"\W*(?:and |so |ok |okay |si |deci )?(?:how|what|whats|which|who|whose|why|when|whens|where|"
                          r"cat|cata|cati|cate|ce|care|cand|unde|cum|cine)\b")
# ... unless it suggests something ("how about ...", "what if ...", "ce-ar fi să ...").
_SUGGESTS = re.compile(r"\W*(?:and |so |si |deci )?(?:how about|what about|what if|why not|ce ?-?ar fi|ce ziceti|"
                       r"ce spuneti de)\b")

_CONTRAST = re.compile(r"\b(?:but|however|though|although|yet|dar|insa|însă|totusi|totuși)\b", re.IGNORECASE)


def _turns(line: str, before: Reading, r: Reading) -> bool:
    """Whether a "but" stands between two clauses."""
    return bool(_CONTRAST.search(line[before.clause.tokens[-1].end:r.clause.tokens[0].start]))


def _opens_question(vocab: Vocabulary, sentence: list[Reading], at: int) -> bool:
    """A question word asks at the start of a sentence or in a question ("what's the postcode"),
    not inside a statement ("for 55 lei, what you pay now, you get fibre and TV")."""
    r = sentence[at]
    return vocab.opens("question_openers", r) and (at == 0 or r.clause.question)


def _company_said(folded: str, company: str) -> bool:
    first = company.split()[0]
    return bool(find_phrase(folded, [company] + ([first] if len(first) >= 4 else [])))


_MAX_REQUESTS = 6   # requests of one line compared by meaning (a 5,000-character line has many)

_UNDERSTANDINGS: dict[tuple[int, str], "_sense.Understanding"] = {}


def _understanding_for(persona: Persona | None) -> "_sense.Understanding | None":
    """The meaning step for a persona with facts, shared by its listeners (the facts' phrases
    are embedded once per persona and encoder): the remote model when the service set one
    (`sense.set_understanding_llm`), the packaged embedding behind or instead of it."""
    if persona is None or not persona.facts:
        return None
    encoder = _sense.default_encoder()
    llm = _sense.understanding_llm()
    if encoder is None and llm is None:
        return None
    key = (id(encoder), id(llm), persona.model_dump_json(include={"id", "facts"}))
    u = _UNDERSTANDINGS.get(key)
    if u is None:
        if len(_UNDERSTANDINGS) > 256:
            _UNDERSTANDINGS.clear()
        offline = _sense.EmbeddingUnderstanding(persona, encoder) if encoder is not None else None
        # A capable remote model, when one is configured, decides; offline stands behind it.
        u = _UNDERSTANDINGS[key] = _sense.LLMUnderstanding(persona, llm, offline) if llm is not None else offline
    return u


@lru_cache(maxsize=64)
def _listener_for(persona_key: str, language: str, company: str | None) -> Listener:
    return Listener(language=language, company=company)


def listener_for(language: str, company: str | None = None) -> Listener:
    """A persona-less listener, shared: the scorer asks it about greeting, closing and the like."""
    return _listener_for("", language if language in ("en", "ro") else "en", company)
