"""Phrases as examples of meaning, and the vocabulary that widens them.

An example phrase ("book a technician") is read as its content words, each widened to the
concepts it belongs to ("book" is one way to SEND, "technician" one way to say TECHNICIAN).
A clause of the trainee's line matches when every content concept of the example is in it,
in any order, and when both are negated or neither is: "I've booked an engineer" matches,
"I can't book an engineer" does not, "no hidden fees" needs a negation of its own.

An example with no content word of its own ("nothing I can do", "it is what it is") is
matched as those very words in that order instead: widened, it would match anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict

from .words import Clause, Token, tokens

SELF = "SELF"
# Question words count as content but are too common to carry an example alone.
_WEAK = {"what", "which", "where", "when", "how", "who", "why", "whose",
         "ce", "care", "cat", "cata", "cati", "cate", "cand", "unde", "cum", "cine"}


class VocabularyFile(BaseModel):
    """One language's file in simulator/listener/ (en.yaml, ro.yaml)."""

    model_config = ConfigDict(extra="forbid")
    negators: list[str]
    stopwords: list[str]
    self: list[str]
    request_cues: list[str]
    imperatives: list[str] = []
    question_openers: list[str] = []
    lead_ins: list[str] = []
    known_cues: list[str]
    offer_questions: list[str]
    past_markers: list[str]
    past_times: list[str] = []
    no_need: list[str] = []
    modal_requests: list[str] = []
    pronouns: list[str] = []
    conditions: list[str] = []
    regrets: list[str] = []
    polite: list[str]
    concepts: dict[str, list[str]]
    intents: dict[str, list[str]]
    # literal: the words in that order; words: those words in any order; meaning: widened by concepts.
    intent_modes: dict[str, Literal["literal", "words", "meaning"]] = {}
    manipulation: list[str]


@dataclass(frozen=True)
class Example:
    text: str
    keys: tuple[frozenset[str], ...]   # each key: the stem and the concepts that may stand for it
    negative: bool
    seq: str | None = None             # " stem stem " when matched word for word
    alone: int = 0                     # "^whatever": the clause holds little else (max words)
    allow_missing: int = 0
    twins: tuple[frozenset[str], ...] = ()   # keys that share a concept with another key

    def __post_init__(self) -> None:
        if not self.twins and self.seq is None and len(self.keys) > 1:
            twins = tuple(k for i, k in enumerate(self.keys)
                          if any(k & o for j, o in enumerate(self.keys) if j != i))
            object.__setattr__(self, "twins", twins)


@dataclass
class Reading:
    """One clause as the vocabulary reads it."""

    clause: Clause
    keys: set[str]
    seq: str                 # " stem stem ... " of every word, for word-for-word examples
    negative: bool
    content: int             # words that are not stopwords
    self_said: bool
    words: tuple[frozenset[str], ...] = ()   # the keys of each content word (and each phrase)


@dataclass
class Vocabulary:
    language: str
    file: VocabularyFile
    negators: set[str] = field(default_factory=set)
    stop: set[str] = field(default_factory=set)
    self_words: set[str] = field(default_factory=set)
    single: dict[str, set[str]] = field(default_factory=dict)         # stem -> concepts
    multi: dict[str, list[tuple[tuple[str, ...], str, bool]]] = field(default_factory=dict)
    # Members of several words with one content word ("to the point"): the whole phrase stands
    # for the concept, never its one word ("point" alone is not QUICK).
    phrases: list[tuple[str, str]] = field(default_factory=list)
    without: set[str] = field(default_factory=set)
    pronouns: set[str] = field(default_factory=set)
    lexicon: frozenset[str] = frozenset()   # every stem the file uses: the language's own words

    def __post_init__(self) -> None:
        f = self.file
        self.negators = {self._stem_word(w) for w in f.negators}
        self.without = {self._stem_word(w) for w in ("without", "fara", "fără")} & self.negators
        self.pronouns = set(f.pronouns)
        self.stop = {self._stem_word(w) for w in f.stopwords} - self.negators
        self.self_words = {self._stem_word(w) for w in f.self}
        for concept, members in f.concepts.items():
            for m in members:
                toks = [t for t in tokens(str(m), self.language)]
                stems = tuple(t.stem for t in toks if t.stem not in self.stop or t.stem in self.negators)
                meant = [x for x in stems if x not in self.negators]
                if len(toks) > 1 and len(meant) == len(stems) <= 1:
                    # A phrase of one content word ("to the point") or of common words only ("go
                    # down", "out to you"): the concept as those very words in that order.
                    self.phrases.append((" " + " ".join(t.stem for t in toks) + " ", concept))
                elif not meant:
                    continue
                elif len(stems) == 1:
                    self.single.setdefault(stems[0], set()).add(concept)
                else:
                    absorbs = any(s in self.negators for s in stems)
                    self.multi.setdefault(stems[0], []).append((stems, concept, absorbs))
        for v in self.multi.values():
            v.sort(key=lambda x: -len(x[0]))
        self._inner = {ph: frozenset(ph.split()) - self.stop for ph, _ in self.phrases}
        texts = [w for name, v in f.model_dump().items() if name != "intent_modes"
                 for w in (v if isinstance(v, list) else [x for xs in v.values() for x in xs])]
        self.lexicon = frozenset(t.stem for w in texts for t in tokens(str(w).lstrip("=~^"), self.language))
        self.cues = {name: [self.compile(p, literal=True) for p in getattr(f, name)]
                     for name in ("request_cues", "imperatives", "question_openers", "lead_ins", "known_cues", "offer_questions", "past_markers", "past_times", "no_need", "modal_requests", "conditions", "regrets", "polite")}
        self.intents = {name: [self.compile(p, keep_self=True, mode=f.intent_modes.get(name, "words"))
                               for p in phrases]
                        for name, phrases in f.intents.items()}

    def _stem_word(self, word: str) -> str:
        toks = tokens(word, self.language)
        return toks[0].stem if toks else word

    # -- reading ------------------------------------------------------------------------
    def _concepts(self, toks: list[Token], strict: bool = False) -> tuple[list[frozenset[str]], bool, int, bool]:
        """Per content word its keys; whether a free negator is there; content count; SELF said.
        strict (for examples): a run of words that names a concept stands for that concept only."""
        content = [t for t in toks if t.stem not in self.stop or t.stem in self.negators]
        self_said = any(t.stem in self.self_words or t.word in self.file.self for t in toks)
        keys: list[frozenset[str]] = []
        negative = False
        negations: list[str] = []
        i = 0
        while i < len(content):
            stem = content[i].stem
            hit = None
            for stems, concept, absorbs in self.multi.get(stem, ()):
                n = len(stems)
                if tuple(t.stem for t in content[i:i + n]) == stems:
                    named = {c for st, c, _ in self.multi[stem] if st == stems}
                    hit = (n, named, absorbs)
                    break
            if hit:
                n, named, absorbs = hit
                span = content[i:i + n]
                alts = set(named) if strict else named | {c for t in span for c in self.single.get(t.stem, ())}
                if not absorbs and any(t.stem in self.negators for t in span):
                    negative = True
                keys.append(frozenset(alts if strict else alts | {t.stem for t in span if t.stem not in self.negators}))
                i += n
                continue
            if stem in self.negators:
                negative = True
                negations.append(stem)
            else:
                keys.append(frozenset({stem} | self.single.get(stem, set())))
            i += 1
        if len(negations) >= 2 and any(n in self.without for n in negations):
            # "without a contract it is not possible": the two cancel out. (Other negations
            # together, "nu ... nimic", say no once, as Romanian does.)
            negative = False
        return keys, negative, len(content), self_said

    def read(self, clause: Clause) -> Reading:
        toks = list(clause.tokens)
        keys, negative, content, self_said = self._concepts(toks)
        flat: set[str] = set().union(*keys) if keys else set()
        if self_said:
            flat.add(SELF)
        seq = " " + " ".join(t.stem for t in toks) + " "
        # A phrase member ("to the point") gives its concept to its one content word, so that
        # one word is never counted as two.
        words = list(keys)
        for phrase, concept in self.phrases:
            if phrase in seq:
                flat.add(concept)
                inner = self._inner[phrase]
                at = next((i for i, w in enumerate(words) if w & inner), None)
                if at is None:
                    words.append(frozenset({concept}))
                else:
                    words[at] = words[at] | {concept}
        return Reading(clause, flat, seq, negative, content, self_said, tuple(words))

    # -- examples -----------------------------------------------------------------------
    def compile(self, phrase: str, *, keep_self: bool = False, literal: bool = False,
                mode: Literal["literal", "words", "meaning"] = "meaning") -> Example:
        text = str(phrase).strip()
        alone = 0
        # A phrase may set its own way of matching: "=" literal, "~" meaning.
        explicit = text[:1] == "~"
        if text[:1] in ("=", "~"):
            mode = "literal" if text[0] == "=" else "meaning"
            text = text[1:]
        if text.startswith("^"):
            text = text[1:]
        toks = tokens(text, self.language)
        seq = " " + " ".join(t.stem for t in toks) + " "
        if str(phrase).lstrip("=~").startswith("^"):
            alone = len(toks) + 1
        if literal:
            return Example(text, (), False, seq, alone)
        keys, negative, _, self_said = self._concepts(toks, strict=True)
        # An example that holds a one-word phrase member ("buy out") means that phrase's
        # concept (EXIT), not everything its one word could mean ("buy" as in SELL).
        for phrase, concept in self.phrases:
            if phrase in seq:
                inner = {t.stem for t in tokens(phrase, self.language)} - self.stop
                keys = [frozenset({concept} | (k & inner)) if k & inner else k for k in keys]
        if mode == "literal":
            return Example(text, tuple(keys), negative, seq, alone)
        if mode == "words":
            keys = [frozenset({t.stem}) for t in toks
                    if t.stem not in self.stop and t.stem not in self.negators]
            if len(keys) == 1 and len(toks) > 1:
                # One content word in a phrase ("a moment"): the phrase itself, or "at the
                # moment" would be heard as a hold.
                return Example(text, tuple(keys), negative, seq, alone)
        if keep_self and self_said:
            keys = [frozenset({SELF})] + keys
        strong = [k for k in keys if k != frozenset({SELF}) and not (k & _WEAK)]
        if not strong:
            return Example(text, tuple(keys), negative, seq, alone)
        if len(strong) == 1 and mode == "meaning" and not explicit and keep_self:
            # In the vocabulary's own intents one word alone is too wide once widened
            # ("address" would be every word for a home): it means itself, in any form. A
            # persona's phrases stay examples of meaning.
            own = {t.stem for t in toks if t.stem not in self.stop and t.stem not in self.negators}
            keys = [k & own if k in strong and k & own else k for k in keys]
        return Example(text, tuple(keys), negative, None, alone, allow_missing=1 if len(strong) >= 4 else 0)

    def matches(self, example: Example, r: Reading, any_polarity: bool = False) -> bool:
        """any_polarity: a plain example matches a negated clause too ("so sorry you were
        left without water" is an apology, though "without" negates the clause)."""
        if example.alone and len(r.clause.tokens) > example.alone:
            return False
        polarity_ok = example.negative == r.negative or (any_polarity and not example.negative)
        if example.seq is not None:
            return example.seq in r.seq and polarity_ok
        if not polarity_ok:
            return False
        missing = 0
        for k in example.keys:
            if not (k & r.keys):
                missing += 1
                if missing > example.allow_missing:
                    return False
        # Words of the example that mean the same thing need a word each in the clause:
        # "offer" alone is not "the fibre package", though both of its words mean PACKAGE.
        return not example.twins or not r.words or _each_own_word(example.twins, r.words, frozenset())

    def knows(self, phrase: str) -> bool:
        """Whether a word of `phrase` is one this language's vocabulary file uses anywhere: the
        phrase is written in this language."""
        return any(t.stem in self.lexicon for t in tokens(phrase, self.language))

    def cue(self, name: str, r: Reading) -> bool:
        return any(e.seq in r.seq for e in self.cues[name])

    def opens(self, name: str, r: Reading) -> bool:
        return any(r.seq.startswith(e.seq) for e in self.cues[name])

    def asks(self, r: Reading, openers: bool = True) -> bool:
        """The clause says it asks: a request cue anywhere, or an imperative or (with `openers`)
        a question word that opens it (typed questions often have no question mark)."""
        return (self.cue("request_cues", r) or self.opens("imperatives", r)
                or (openers and self.opens("question_openers", r)))


def _each_own_word(keys: tuple[frozenset[str], ...], words: tuple[frozenset[str], ...], used: frozenset[int]) -> bool:
    """Whether every key can take a different word (a small matching: examples have few words)."""
    if not keys:
        return True
    return any(_each_own_word(keys[1:], words, used | {i})
               for i, w in enumerate(words) if i not in used and keys[0] & w)


@lru_cache(maxsize=4)
def vocabulary(language: str) -> Vocabulary:
    text = resources.files("simulator.listener").joinpath(f"{language}.yaml").read_text(encoding="utf-8")
    # BaseLoader: every value is a word, so "no" and "on" stay words, not booleans.
    return Vocabulary(language, VocabularyFile.model_validate(yaml.load(text, Loader=yaml.BaseLoader)))
