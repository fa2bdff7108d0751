"""The actor: turns the director's beat into one natural customer line through an LLM.

The framing matters on small models: we ask the model to *write the customer's next line*
given the persona, the call so far and the beat, never to *be* the customer talking to
the user (a 1.5B model answered as the agent in that framing).
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

from ..llm.base import LLM, Message
from ..persona import BEAT_GUIDE, Beat, Persona
from .director import Decision, DirectorState

TEMPERAMENT_HINT = {
    "irritable": "short-tempered, impatient, blunt",
    "calm": "polite, patient, matter-of-fact",
    "hesitant": "unsure, cautious, needs reassurance, hedges",
    "confused": "easily lost, asks for things to be repeated, mixes things up",
    "talkative": "chatty, goes off on small tangents, friendly",
    "skeptical": "doubtful, suspicious of offers and fees, wants proof",
    "elderly": "older, slow and polite, not good with technology",
    "hurried": "in a rush, wants it done fast",
}
LANGUAGE_NAME = {"en": "English", "ro": "Romanian (natural, everyday, with diacritics)"}
MAX_WORDS = 35
HISTORY_TURNS = 16
# The part shown moves on this many turns at a time: each move makes a local model read the
# whole part again (about 6 s on 2 cores), so not every turn.
HISTORY_STEP = 8
MAX_LINE_CHARS = 600
REDACTED = {"en": "(says something odd and off-topic)", "ro": "(spune ceva ciudat, fără legătură)"}


def mood_words(mood: float) -> str:
    if mood < -0.5:
        return "angry"
    if mood < -0.15:
        return "annoyed"
    if mood < 0.3:
        return "neutral"
    return "pleased"


def _template() -> str:
    return resources.files("simulator.prompts").joinpath("customer.md").read_text(encoding="utf-8")


class Actor:
    def __init__(self, persona: Persona, llm: LLM):
        self.persona = persona
        self.llm = llm
        self._system: str | None = None

    def beat_instruction(self, decision: Decision) -> str:
        p = self.persona
        guide = BEAT_GUIDE[decision.beat]
        if decision.beat == Beat.give_fact and decision.fact_id:
            guide = guide.format(fact=p.fact(decision.fact_id).value)
        elif decision.beat == Beat.object and decision.objection_id:
            text = next(o.text for o in p.objections if o.id == decision.objection_id)
            guide = guide.format(objection=text)
        if decision.volunteer_id:
            guide += f"; they may mention: {p.fact(decision.volunteer_id).value}"
        return guide

    def messages(self, history: list[tuple[str, str]], decision: Decision, state: DirectorState,
                 redacted_turns: set[int] = frozenset()) -> list[Message]:
        """history: (role, text) of the call so far; role agent|customer."""
        p = self.persona
        # Everything before the trainee's new line is the same text every turn (the system part
        # never changes during a call, the call only grows), so a local server's prompt cache
        # reads only the new line and what follows it: each token costs about 15 ms on 2 cores.
        start = 0 if len(history) <= HISTORY_TURNS else -(-(len(history) - HISTORY_TURNS) // HISTORY_STEP) * HISTORY_STEP
        lines = []
        for i in range(start, len(history)):
            role, text = history[i]
            if i in redacted_turns:
                text = REDACTED[p.language]
            elif len(text) > MAX_LINE_CHARS:
                # A pasted wall of text must not push the persona out of a small model's context.
                text = text[:MAX_LINE_CHARS] + " …"
            lines.append(f"{'Agent' if role == 'agent' else 'Customer'}: {text}")
        call = "\n".join(lines) if lines else "(the call is just starting)"
        # What the customer knows stays after the call, though it costs the model reading it each
        # turn: moved into the unchanging part, the Romanian customer wrote the agent's lines and
        # repeated itself (replaced lines in bench/customer_fidelity.py 7.6% -> 17%).
        known = [f for f in p.facts if f.id in state.revealed or f.share == "volunteer"]
        known_text = ""
        if known:
            known_text = f"Details {p.name} knows and may use: " + "; ".join(
                f"{f.id.replace('_', ' ')}: {f.value}" for f in known) + ".\n"
        # Shorter wording was tried ("Next line: Dave ... Mood: angry."): it saved 0.5 s a turn
        # but the 1.5B model wrote the agent's line three times as often.
        user = (
            f"The call so far:\n{call}\n\n{known_text}"
            f"Write the customer's next line. In this line {p.name} {self.beat_instruction(decision)}. "
            f"{p.name} sounds {mood_words(state.mood)}. Reply with {p.name}'s words only, "
            f"not the agent's."
        )
        return [("system", self.system()), ("user", user)]

    def system(self) -> str:
        """The part of the prompt that stays the same for the whole call."""
        if self._system is None:
            p = self.persona
            self._system = _template().format(
                name=p.name, temperament=p.temperament.value,
                temperament_hint=TEMPERAMENT_HINT.get(p.temperament.value, ""),
                situation=p.situation, goal=p.goal.text, company=p.company,
                max_words=MAX_WORDS, language_name=LANGUAGE_NAME[p.language],
            )
        return self._system

    def write(self, history, decision, state, *, seed: int | None, attempt: int = 0,
              redacted_turns: set[int] = frozenset()) -> str:
        return self.llm.complete(self.messages(history, decision, state, redacted_turns), max_tokens=80,
                                 **self._sampling(seed, attempt))

    def stream(self, history, decision, state, *, seed: int | None, attempt: int = 0,
               redacted_turns: set[int] = frozenset()) -> Iterator[str]:
        """The same line as `write`, in pieces as the model writes them."""
        return self.llm.stream(self.messages(history, decision, state, redacted_turns), max_tokens=80,
                               **self._sampling(seed, attempt))

    @staticmethod
    def _sampling(seed: int | None, attempt: int) -> dict:
        # Seeded (exam) calls are greedy so they replay identically; a retry varies a little.
        temperature = (0.0 if attempt == 0 else 0.7) if seed is not None else 0.8
        return {"temperature": temperature, "seed": None if seed is None else seed + attempt,
                "stop": ["\nAgent:", "\nAGENT:", "\n\n"]}
