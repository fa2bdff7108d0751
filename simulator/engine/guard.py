"""The guard: every customer line is checked before the trainee sees it.

`clean` strips what small models add around a line (name prefixes, quotes, stage
directions, a second speaker). `problems` lists why a cleaned line may not be shown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from ..persona import Persona
from .acts import normalize

MAX_WORDS = 60

AGENT_PHRASES = [
    "how can i help", "how may i help", "how can i assist", "how may i assist", "thank you for calling",
    "thanks for calling", "is there anything else i can", "anything else i can help", "i can help you with",
    "let me check your account", "let me pull up your account", "what can i do for you", "i'd be happy to help",
    "i would be happy to help", "our customer service", "on behalf of",
    "cu ce va pot ajuta", "cu ce va putem ajuta", "va multumim ca ati sunat", "cu ce va mai pot ajuta",
    "va pot ajuta cu",
    # Small models slip into the agent's side mid-line: these are things only the agent says.
    "i understand your concern", "can you please provide", "could you please provide", "please provide me",
    "i'll be sending", "i will be sending", "i'll send a", "i will send a", "i can send a", "we will send a",
    "your account", "your router", "your internet", "your bill", "your connection", "your order",
    "is there anything else", "i'll arrange", "i will arrange", "let me check", "let me look into",
    "contul dumneavoastra", "factura dumneavoastra", "va trimit un tehnician",
    # Romanian offers of help: the 1.5B actor slipped into them ("Alo, Ana. Vă pot ajuta?").
    "va pot ajuta", "va putem ajuta", "cu ce va mai pot",
    # Comforting the caller is the agent's part ("I'm sorry to hear you're having trouble", seen in a walk).
    "sorry to hear you're having", "sorry to hear you are having", "you're having trouble with",
    "you are having trouble with", "sorry for the trouble you", "imi pare rau ca aveti probleme",
    # Planning the visit as the company does ("... and then we'll set a time for a technician visit").
    "scheduled maintenance", "we'll set a time", "we will set a time", "we'll schedule", "we will schedule",
    "we'll book", "we will book", "we'll arrange", "we will arrange", "va trimitem", "va programam",
    # Taking the problem on as the company does (two walks: "... and I'll get started on it right
    # away", "Let's find a solution together").
    "i'll get started on it", "i will get started on it", "let's find a solution", "let us find a solution",
    "find a solution together",
    # Offering help and looking in the company's records (a voice walk: "... if there is anything
    # else I can do to help?", "Could you check with our records ...").
    "anything else i can do", "anything i can do to help", "our records", "check with our",
    # Soothing the other side, as agents do (the twelfth stop's objection lines: "I understand that
    # you're concerned about your partner's reaction to this offer, but I want to make sure we can
    # ..."; a probe: "I know this is frustrating for you too. Let me help you out.").
    "understand that you're concerned", "understand you're concerned", "understand that you are concerned",
    "understand you are concerned", "understand that you're frustrated", "understand you're frustrated",
    "understand that you are frustrated", "understand you are frustrated", "sorry to hear that you",
    "i want to make sure we can", "this is frustrating for you", "let me help you out", "i can't assist you with",
    "i cannot assist you with",
]
_AGENT_NORM = [normalize(p).strip() for p in AGENT_PHRASES]
SPEAKER_PREFIX = re.compile(r"^\s*(?:\*\*)?(agent|operator|agentul|representative|support|rep)\b\s*(?:\*\*)?\s*:",
                            re.IGNORECASE)
ECHO_WORDS = 5  # this many words in a row copied from a line of the agent's: the model is echoing the agent
LOOP_WORDS = 3  # a phrase of this many words said three times in one line (two more: twice): a loop
AI_PATTERN = re.compile(
    r"\b(as an ai|an ai\b|i am an ai|i'm an ai|artificial intelligence|language model|ai model|"
    r"assistant|chatbot|chat bot|\bbot\b|openai|chatgpt|qwen|llm|"
    r"inteligenta artificiala|model de limbaj|asistent virtual|asistentul)",
)
THIRD_PERSON = re.compile(r"\b(the customer|the caller|the agent says|clientul|clienta)\b")
PREFIX = re.compile(r"^\s*(?:\*\*)?(?:customer|client|clientul|caller|line|answer|response)\s*(?:\*\*)?\s*[:\-]\s*",
                    re.IGNORECASE)
# "Sure, here's Dave's next line: ...": the model announcing the line before writing it. What
# follows is the line; writing it again cost a voice call seconds of silence.
_INTRO_START = re.compile(r"^\W*(?:(?:sure|okay|ok|alright|certainly)\W+)?(?:here(?:'s| is)|iat[aă])\b", re.IGNORECASE)
INTRO = re.compile(_INTRO_START.pattern + r"[^:\n]{0,80}:\s*(?=\S)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
STAGE = re.compile(r"\*[^*]{0,80}\*|\[[^\]]{0,80}\]|\((?:[^()]{0,60})\)")


# The prompt's own words read back as the line ("The call so far: Customer: Hello? ...", a walk):
# a speaker's label inside the line, or the prompt's headings.
_PROMPT_WORDS = re.compile(r"\bthe call so far\b|\bwrite the customer's next line\b|\bknows and may use\b|"
                           r"(?<=[\s.!?:,])(?:customer|agent|client|clientul|agentul|clienta)\s*:")
# The customer helping the agent, as the agent helps a caller (fidelity calls: "I'm here to help
# you with your new address", "I'm glad I was able to help you out", "I'm sorry, but I can't
# assist with that request"), thanking it for what the customer itself gave ("Thank you for your
# understanding", "for the information") or saying the agent's scripted close ("mulțumesc pentru
# timpul acordat"). None of the 2,912 customer lines people wrote for the scored calls and the
# personas has these words.
_AGENT_HELP = re.compile(
    r"\b(?:i'?m|i am|am) (?:here|happy|glad|able|always happy) to help you\b|\bglad i (?:was|could|can) (?:be of )?help\b|"
    r"\bhelp you (?:out|find|get)\b|\bglad you reached out\b|\b(?:thanks|thank you) for reaching out\b|"
    r"\bi (?:can'?t|cannot) assist\b|\bassist (?:you )?with (?:that|this|your) request\b|\blook into (?:that|this|it) further\b|"
    r"\bhappy to provide you\b|\bi'?m here to help\b|\bable to help you\b|"
    r"\b(?:thank you|thanks) for (?:your|the) (?:understanding|information|info)\b|\bfor your information\b|"
    r"\bappreciate your (?:concern|understanding)\b|\btimpul acordat\b|(?:^|[.!?] )\s*i understand (?:now )?that (?!,|but\b)\w|"
    # the agent's empathy and thanks for the customer's story (a walk, fourteenth stop)
    r"(?:^|[.!?] )\s*i understand (?:that )?you(?:'re| are) (?:upset|frustrated|annoyed|disappointed|concerned|worried)\b|"
    r"\bappreciate your attention to (?:this|the) matter\b|\bwilling to share (?:this|that|the|your) \w+ with me\b|"
    # the agent's empathy, help and company voice (bench/end_call.py's calls and the blind line
    # reviews' "agent" lines, fifteenth stop; none of 3,119 lines people wrote, nor of 413 the
    # reviewers passed, has one)
    r"\bi (?:know|see|understand) how you(?:'re| are| must)? feel(?:ing)?\b|"
    r"\bmust(?:'ve| have)? been (?:so |really |very )?frustrating\b|\bmust be (?:so |really |very )?frustrating\b|"
    r"\bthis is a frustrating situation\b|"
    r"\blet'?s (?:try (?:and |to )?)?(?:figure out|work out|find|come up with) (?:a|the) (?:plan|solution|way)\b|"
    r"\b(?:could|can) you tell me (?:a (?:little|bit) )?more about what happened\b|"
    r"\bhow (?:can|may) (?:we|i) help you\b|\bi (?:can'?t|cannot) help you with (?:that|this)\b|"
    r"\bappreciate your (?:help and )?patience\b|\bimprove our service\b|\bthe best service possible\b|"
    r"\ba solution that meets my needs\b|\bglad you managed to\b|"
    # Romanian: the company's "we are sorry", "we offer you" and the agent's "let me help you" (walks)
    r"\bne pare rau\b|\bsa (?:iti|va) oferim\b|\b(?:va|iti|ti) (?:vom|putem) oferi\b|\b(?:va|iti|ti) oferim\b|"
    r"\b(?:pot )?sa (?:va|te) ajut\b")
# Words of a persona's fact ids too common to say whose thing it is.
_GENERIC_ID_WORDS = {"number", "start", "date", "time", "name", "value", "code", "current", "previous", "new", "old",
                     "main", "first", "last", "type", "reason", "level", "amount", "day", "cod", "nr", "the", "and",
                     "per", "good", "best"}
_NP_FUNCTION = {"with", "for", "is", "are", "and", "or", "to", "in", "of", "on", "at", "now", "please", "here", "that",
                "it", "so", "but", "was", "will", "too", "then", "again"}


_MY_NAME = re.compile(r"\b(?:my name is|my name's|numele meu (?:este|e)|ma numesc)\s+([a-z][a-z'-]+)")


_SAYS_OWN_NAME = re.compile(r"\b(?:my name is|my name's|this is|i'm|i am|numele meu (?:este|e)|sunt|ma numesc)\s+([a-z][a-z'-]+)")


def _written_as(norm: str, persona: Persona, agent_lines: Sequence[str]) -> bool:
    """The line opens with the name the agent gave themselves as a speaker's label ("Ana: Așa,
    dăm ...", a walk): the model wrote the agent's turn. A customer's "Fine: RC-48213." is no name."""
    m = re.match(r"\s*([a-z][a-z'-]+)\s*:", norm)
    if m is None or m.group(1) in normalize(persona.name).split():
        return False
    return any(m.group(1) in _SAYS_OWN_NAME.findall(normalize(a)) for a in agent_lines)


def _names_another(norm: str, persona: Persona) -> bool:
    """The customer gives a name not its own as its own ("... numele meu este Alex.", the agent's
    name, in a fidelity call): it has taken the agent's greeting."""
    own = set(normalize(persona.name).split())
    return any(m.group(1) not in own for m in _MY_NAME.finditer(norm))


def _own_words(persona: Persona) -> set[str]:
    return {w for f in persona.facts for w in f.id.split("_") if len(w) > 2 and w not in _GENERIC_ID_WORDS}


def _owns_agents_side(norm: str, persona: Persona) -> bool:
    """The customer speaks of one of its own details as the other side's: "your email address",
    "your new address." (the agent's words for the caller's things; a customer says "my"). A
    noun phrase going on ("your new address form") may be the company's thing, and is left alone."""
    own = _own_words(persona)
    tokens = re.findall(r"[a-z0-9'-]+|[.,!?;:]", norm)
    ends = lambda i: i >= len(tokens) or not tokens[i][0].isalpha() or tokens[i] in _NP_FUNCTION  # noqa: E731
    if persona.language == "ro":
        # "adresa dumneavoastră", "indexul dvs.": the Romanian possessive follows the noun.
        return any(t in ("dumneavoastra", "dvs") and i and any(tokens[i - 1].startswith(w[:5]) for w in own if len(w) >= 4)
                   for i, t in enumerate(tokens))
    for j, t in enumerate(tokens):
        if t != "your":
            continue
        for k in range(j + 1, min(j + 4, len(tokens))):
            w = tokens[k]
            if not w[0].isalpha():
                break
            if w in own or w.rstrip("s") in own:
                if ends(k + 1) or (tokens[k + 1][0].isalpha() and ends(k + 2)):
                    return True
    return False


def clean(text: str, persona: Persona) -> str:
    t = text.strip()
    # Keep only the first speaker's part: cut where the model starts writing the agent.
    t = re.split(r"\n\s*(?:agent|operator|agentul)\s*:", t, maxsplit=1, flags=re.IGNORECASE)[0]
    t = t.strip().split("\n\n")[0]
    t = " ".join(line.strip() for line in t.splitlines() if line.strip())
    for _ in range(2):
        t = PREFIX.sub("", t)
        t = re.sub(rf"^\s*(?:\*\*)?{re.escape(persona.name)}(?:\*\*)?\s*:\s*", "", t, flags=re.IGNORECASE)
        first = persona.name.split()[0]
        t = re.sub(rf"^\s*{re.escape(first)}\s*:\s*", "", t, flags=re.IGNORECASE)
    t = INTRO.sub("", t)
    t = STAGE.sub(" ", t)
    t = t.strip().strip('"“”„«»\'`').strip()
    t = re.sub(r"\s+", " ", t)
    return t


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def problems(line: str, persona: Persona, revealed: set[str], earlier: list[str],
             allowed_fact: str | None = None, last_agent: str | None = None,
             agent_lines: Sequence[str] = ()) -> list[str]:
    """Why `line` may not be shown. `last_agent` is the agent's line just said; `agent_lines`
    every agent line of the call (the model echoes older ones too)."""
    if _words(line) == 0:
        return ["empty"]
    if SPEAKER_PREFIX.match(line):
        return ["speaks as the agent"]
    norm = normalize(line)
    out = _lasting_problems(norm, persona, revealed, allowed_fact, last_agent, agent_lines)
    if allowed_fact and not _contains_value(norm, persona.fact(allowed_fact).value, loose=True):
        out.append(f"does not give {allowed_fact}")
    if repeats(line, earlier) or says_again(line, earlier, persona, allowed_fact):
        out.append("repeats an earlier line")
    elif same_opening(line, earlier):
        out.append("repeats an earlier line's opening")
    if _repeats_itself(line):
        out.append("repeats itself")
    elif loops(line):
        out.append("loops a phrase")
    if _words(line) > MAX_WORDS:
        out.append("too long")
    if norm.rstrip().endswith(":"):
        out.append("introduces a line")  # "Here is his next line:" and no line after it
    return out


def _lasting_problems(norm: str, persona: Persona, revealed: set[str], allowed_fact: str | None,
                      last_agent: str | None, agent_lines: Sequence[str] = ()) -> list[str]:
    """The problems that more words cannot undo: once part of a line has one, the whole line has it."""
    out: list[str] = []
    said = list(dict.fromkeys(a for a in (last_agent, *agent_lines) if a))  # the last line is among them
    # An answer may take the question's words ("Codul de client de pe factură e ..."): a line
    # that gives the fact asked for is not an echo.
    answering = allowed_fact is not None and _contains_value(norm, persona.fact(allowed_fact).value)
    # ... the question's words only: an older agent line said back is an echo all the same ("Îmi pare
    # rău pentru situație, înțeleg cât de frustrant este. Trei din zece.", a fidelity call).
    if answering:
        said = [a for a in said if a != last_agent]
    if said and echoes(norm, said):
        out.append("echoes the agent")
    if narrates_goal(norm, persona.goal.text) or _PROMPT_WORDS.search(norm):
        out.append("narrates the brief")
    if (any(p in norm for p in _AGENT_NORM) or _AGENT_HELP.search(norm) or _owns_agents_side(norm, persona)
            or _names_another(norm, persona) or _written_as(norm, persona, [a for a in (last_agent, *agent_lines) if a])):
        out.append("speaks as the agent")
    if AI_PATTERN.search(norm):
        out.append("mentions AI")
    name = normalize(persona.name).strip()
    first = name.split()[0] if name else ""
    if THIRD_PERSON.search(norm) or (first and _of_itself(norm, first, name)):
        out.append("third person")
    if first and _calls_itself(norm, first, name):
        out.append("calls itself by name")
    if _wrong_language(norm, persona.language):
        out.append("wrong language")
    for f in persona.facts:
        if f.share != "if_asked" or f.id in revealed or f.id == allowed_fact:
            continue
        if _contains_value(norm, f.value):
            out.append(f"reveals {f.id} unasked")
    return out


# A verb after the customer's own name: it speaks of itself ("I understand that Beryl uses the
# subtitles", "Elena nu înțelege"), as the agent or a narrator would.
_OF_ITSELF = r"(?:[a-z]+s|[a-z]+ed|has|had|is|was|does|did|will|would|can|could|e|este|are|vrea|nu|se|ar|va|poate|stie)"


def _of_itself(norm: str, first: str, name: str) -> bool:
    last = name.split()[1] if len(name.split()) > 1 else None
    skip = rf"(?!{re.escape(last)}\b)" if last else ""
    if re.search(rf"\b{re.escape(first)}(?:\s+{re.escape(last)})?'s\b" if last else rf"\b{re.escape(first)}'s\b", norm):
        return True  # "Mihai Dumitrescu's next line": nobody says their own name so
    for m in re.finditer(rf"\b{re.escape(first)}\s+{skip}{_OF_ITSELF}\b", norm):
        before = norm[:m.start()].rstrip()
        if not re.search(r"(?:\bi'?m|\bi am|\bthis is|\bit'?s|\bit is|\bname is|\bsunt|\bma numesc|\baici e)$", before):
            return True
    return False


# English words no Romanian line uses ("are", "a", "in", "do" are Romanian words too; "i" is a
# Romanian clitic, "i-am spus").
_ENGLISH = frozenset("the is and which his her you your my of to it this that with for what was have has will "
                     "would want know next line shows".split())
_HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _wrong_language(norm: str, language: str) -> bool:
    """The customer slipped out of the call's language: Chinese or Japanese script (the model's
    own), a Romanian customer speaking English sentences, or one opening in French ("Oui, ...")."""
    if _HAN_KANA.search(norm):
        return True
    if language != "ro":
        return False
    words = re.findall(r"[a-z']+", norm)
    english = sum(w in _ENGLISH for w in words)
    return (english >= 3 and english >= 0.3 * len(words)) or bool(re.match(r"\s*oui\b", norm))


def _calls_itself(norm: str, first: str, name: str) -> bool:
    """The customer addresses itself, as the agent would address it: a sentence that opens with
    its own first name and a comma ("Elena, nu înțeleg nimic"), or an "ok" and its name ("Ok,
    Elena Vasilescu."). Giving its name ("Elena Vasilescu.", "Yes, Elena Vasilescu") is not that."""
    for sentence in _SENTENCE_END.split(norm.strip()):
        if re.match(rf"{re.escape(first)}\s*,", sentence):
            return True
        if re.match(rf"(?:ok|okay|bine|alright|all right)\s*[,.]?\s*(?:{re.escape(name)}|{re.escape(first)})\s*[,.!]",
                    sentence):
            return True
    return False


OPENING_WORDS = 5  # a line that starts with the same five words as an earlier one sounds like a tic


def same_opening(line: str, earlier: list[str]) -> bool:
    """Every line starting "O să îl explic să ne ajutăm! …": the 1.5B actor's tic, heard as a
    machine. A person may repeat a word or two of an opening, not five."""
    head = _tokens(line)[:OPENING_WORDS]
    return len(head) == OPENING_WORDS and any(_tokens(e)[:OPENING_WORDS] == head for e in earlier)


def repeats(line: str, earlier: list[str]) -> bool:
    """Word for word, or so close that a listener hears the same line again."""
    norm = normalize(line)
    return any(_similar(normalize(e), norm) for e in earlier)


def _similar(a: str, b: str, threshold: float = 0.92) -> bool:
    if a == b:
        return True
    matcher = SequenceMatcher(None, a, b)
    # The two quick ratios are upper bounds of ratio(), which costs far more: most pairs
    # of lines are told apart by them (difflib in the guard was half a turn's CPU).
    return (matcher.real_quick_ratio() > threshold and matcher.quick_ratio() > threshold
            and matcher.ratio() > threshold)


SENTENCE_AGAIN_WORDS = 6  # a sentence this long said again, inside a new line, is heard as the same line


@lru_cache(maxsize=64)
def _long_sentences(earlier: tuple[str, ...]) -> tuple[str, ...]:
    """The earlier lines' sentences long enough to be heard as said again, normalized. Kept: the
    guard asks for them at every piece of a streamed line."""
    return tuple(normalize(x).strip() for e in earlier for x in _SENTENCE_END.split(e)
                 if len(x.split()) >= SENTENCE_AGAIN_WORDS)


def says_a_sentence_again(said: Sequence[str], earlier: Sequence[str], persona: Persona,
                          allowed_fact: str | None = None) -> bool:
    """One of the sentences `said` is a sentence of an earlier line again, near word for word
    ("The Riverside branch has an eight out of ten rating, ..." inside three lines in a row).
    A sentence giving the detail asked for now (`allowed_fact`) is left alone: asked again, a
    person says it again. Of 2,365 customer lines in the scored calls people wrote, one says a
    sentence again, and it gives the detail asked for again."""
    before = _long_sentences(tuple(earlier))
    if not before:
        return False
    for x in said:
        if len(x.split()) < SENTENCE_AGAIN_WORDS:
            continue
        norm = normalize(x).strip()
        asked_again = allowed_fact is not None and _contains_value(norm, persona.fact(allowed_fact).value)
        if not asked_again and any(_similar(b, norm, 0.85) for b in before):
            return True
    return False


def says_again(line: str, earlier: Sequence[str], persona: Persona, allowed_fact: str | None = None) -> bool:
    """A sentence of `line` is a sentence of an earlier line again (see says_a_sentence_again)."""
    return says_a_sentence_again(_SENTENCE_END.split(line.strip()), earlier, persona, allowed_fact)


SALVAGE_MIN_WORDS = 6  # a kept start must say something: "That's a good point." alone is filler


def salvage(line: str, persona: Persona, revealed: set[str], earlier: list[str], allowed_fact: str | None = None,
            last_agent: str | None = None, agent_lines: Sequence[str] = ()) -> str | None:
    """The sentences of a turned-down line before the one that slipped, when they pass every
    check as a line of their own: "It has been down since Monday. Thank you for your
    understanding." keeps its first sentence. Whole lines turned down for one sentence put 29% of
    a fidelity run's lines in the trainer's prepared words. Only the start is kept: it is what the
    trainee may already have seen and heard."""
    said = [x for x in _SENTENCE_END.split(line.strip()) if x]
    for k in range(len(said) - 1, 0, -1):
        head = " ".join(said[:k])
        if _words(head) >= SALVAGE_MIN_WORDS and not problems(head, persona, revealed, earlier, allowed_fact, last_agent, agent_lines):
            return head
    return None


def _begins_a_sentence_again(part: str, earlier: Sequence[str]) -> bool:
    """The sentence being written so far starts like a sentence of an earlier line."""
    if len(part.split()) < SENTENCE_AGAIN_WORDS:
        return False
    norm = normalize(part).strip()
    return any(_similar(b[:len(norm)], norm, 0.85) for b in _long_sentences(tuple(earlier)))


def _repeats_itself(line: str) -> bool:
    """A sentence said twice in one line ("I don't want a contract. I don't want a contract.")."""
    said = [normalize(x).strip() for x in _SENTENCE_END.split(line) if len(x.split()) >= 4]
    return any(_similar(a, b, 0.85) for i, a in enumerate(said) for b in said[i + 1:])


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", normalize(text))


def _grams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


def _copies(text: str, sources: Sequence[str], n: int) -> bool:
    """`text` has `n` words in a row that one of `sources` has too (punctuation aside)."""
    grams = {g for src in sources for g in _grams(_tokens(src), n)}
    return bool(grams) and any(g in grams for g in _grams(_tokens(text), n))


def echoes(line: str, agent_lines: Sequence[str]) -> bool:
    """Part of an agent's line said back (ECHO_WORDS words in a row): a customer does not
    repeat the agent's sentences, a small model copying its context does."""
    return _copies(line, agent_lines, ECHO_WORDS)


def narrates_goal(line: str, goal: str) -> bool:
    """The line is mostly the trainer's words for the customer's goal ("Să înțeleagă de ce e mare
    factura și să o poată plăti în rate"): the model read its brief aloud. A customer saying what
    they want in their own words shares a phrase with it at most."""
    grams = set(_grams(_tokens(goal), 4))
    words = _tokens(line)
    covered: set[int] = set()
    for i, g in enumerate(_grams(words, 4)):
        if g in grams:
            covered.update(range(i, i + 4))
    return len(covered) >= 8 and len(covered) >= 0.5 * len(words)


def loops(line: str) -> bool:
    """A model stuck in a loop inside one line ("cât mai rapid posibil, cât mai rapid posibil,
    cât mai rapid posibil, …"): a phrase said three times, a longer one twice, or a word four
    times running. A person's "I want it fixed. I want it fixed today" or "no, no, no" is left alone."""
    words = _tokens(line)
    short = Counter(g for g in _grams(words, LOOP_WORDS) if sum(len(w) > 2 for w in g) >= 2)
    if short and max(short.values()) >= 3:
        return True
    long = _grams(words, LOOP_WORDS + 2)
    if len(long) != len(set(long)):
        return True
    return any(len(set(words[i:i + 4])) == 1 for i in range(len(words) - 3))


def says_value(text: str, value: str) -> bool:
    """`text` gives `value`, perhaps in other words ("the red DSL light is blinking")."""
    return _contains_value(normalize(text), value, loose=True)


def _contains_value(norm_line: str, value: str, loose: bool = False) -> bool:
    v = normalize(value).strip()
    if len(v) < 3:
        return loose
    if v in norm_line:
        return True
    if loose:
        # Giving a fact may rephrase it ("a blinking red DSL light" -> "the red DSL light is blinking"):
        # most of its content words must be there.
        words = [w for w in re.findall(r"\w+", v) if len(w) > 2]
        if words and sum(w in norm_line for w in words) >= max(1, round(0.6 * len(words))):
            return True
    # Numbers said with other separators ("48213" for "RC-48213") still count as a reveal.
    digits = re.sub(r"\D", "", v)
    return len(digits) >= 4 and digits in re.sub(r"\D", "", norm_line)


def trim(line: str, max_sentences: int = 3) -> str:
    """Small models ramble: keep the first few sentences. A few words after the last full
    stop are a sentence the model was cut off in (its token limit): they go too."""
    parts = _SENTENCE_END.split(line.strip())
    if len(parts) > 1 and not re.search(r"[.!?…\"'”)]$", parts[-1]) and len(parts[-1].split()) < 4:
        parts = parts[:-1]
    return " ".join(parts[:max_sentences]).strip()


# -- a line still being written ------------------------------------------------------------
# The trainee sees the customer's line as the model writes it, but only the part that has
# passed every check that can already be made; the rest waits for the whole line.

HOLD_WORDS = 3  # the newest words wait: a phrase the guard looks for may be half written
FIRST_SHOWN_AT = 6  # nothing shows before this many words: room to see a name prefix, an
# agent's phrase or the start of an earlier line coming round again
_OPENERS = re.compile(r"[*\[(]")  # an aside not closed yet; clean() would cut it out whole
_COMMON = frozenset("the and for with from that this your you are was not but flat street road".split())


@dataclass
class Partial:
    show: str  # the part of the line that may be shown now ("" while nothing may)
    problems: list[str]  # not empty: the line already fails, whatever follows; stop writing it
    enough: bool = False  # the line is complete enough (trim() would cut the rest): stop writing


def check_partial(raw: str, persona: Persona, revealed: set[str], earlier: list[str],
                  allowed_fact: str | None = None, last_agent: str | None = None,
                  agent_lines: Sequence[str] = ()) -> Partial:
    """How much of `raw`, the line so far, the trainee may see now. `problems(trim(clean(raw)))`
    still decides on the whole line; this only shows early what that check cannot turn down
    for a reason it can already see."""
    stripped = raw.lstrip()
    if SPEAKER_PREFIX.match(stripped):
        return Partial("", ["speaks as the agent"])
    # After a line break the model may start writing the agent: only the first line shows early.
    text = clean(stripped.split("\n", 1)[0], persona)
    if _INTRO_START.match(text):
        return Partial("", [])  # perhaps an announcement of the line: clean() drops it once the line follows
    opener = _OPENERS.search(text)
    if opener:
        text = text[:opener.start()]
    norm = normalize(text)
    lasting = _lasting_problems(norm, persona, revealed, allowed_fact, last_agent, agent_lines)
    if not lasting and loops(text):  # no later word undoes a loop
        lasting = ["repeats itself" if _repeats_itself(text) else "loops a phrase"]
    if lasting:
        return Partial("", lasting)
    words = text.split()
    sentences = _SENTENCE_END.split(text.strip())
    if says_a_sentence_again(sentences[:-1], earlier, persona, allowed_fact):  # a whole sentence said again: no later word undoes it
        return Partial("", ["repeats an earlier line"])
    enough = len(sentences) > 3 or len(words) > MAX_WORDS
    cut = len(words) - HOLD_WORDS if len(words) >= FIRST_SHOWN_AT else 0
    before = 0
    for i, sentence in enumerate(sentences):
        if i and _starts_like(sentence.split(), sentences[:i]):
            cut = min(cut, before)  # a sentence of this line coming round again
            break
        if i == len(sentences) - 1 and _begins_a_sentence_again(sentence, earlier):
            cut = min(cut, before)  # perhaps an earlier line's sentence again: it waits to be whole
        before += len(sentence.split())
    if allowed_fact and not _contains_value(norm, persona.fact(allowed_fact).value, loose=True):
        cut = 0  # a line that must give a fact shows once the fact is in it
    for f in persona.facts:
        if f.share == "if_asked" and f.id not in revealed and f.id != allowed_fact:
            cut = min(cut, _first_word_of(words, f.value))
    if _starts_like(words, earlier):
        cut = 0
    return Partial(" ".join(words[:max(cut, 0)]), [], enough)


def _first_word_of(words: list[str], value: str) -> int:
    """Index of the first word that may be the start of a hidden fact (a rare word or a number
    of its), or len(words): a part of a fact must not show before the whole line is checked."""
    v = normalize(value)
    parts = {w for w in re.findall(r"\w+", v) if (len(w) > 2 and w not in _COMMON) or w.isdigit()}
    digits = re.sub(r"\D", "", v)
    for i, word in enumerate(words):
        for w in re.findall(r"\w+", normalize(word)):
            if w in parts or (len(w) >= 2 and w.isdigit() and w in digits):
                return i
    return len(words)


def _starts_like(words: list[str], earlier: list[str]) -> bool:
    """The line so far sounds like the start of an earlier line: it may turn into a repeat."""
    if len(words) < 4:
        return False
    head = normalize(" ".join(words))
    n = len(head.split())
    return any(_similar(" ".join(normalize(e).split()[:n]), head.strip(), 0.8) for e in earlier)
