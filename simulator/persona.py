"""The customer persona a trainer writes (one YAML file each) and the beats the director uses."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Beat(str, Enum):
    """What the customer does next. The director picks one per turn; the actor voices it.

    Every persona authors fallback lines for every beat, used when the guard rejects
    the actor's line (or when no LLM is available).
    """

    opening = "opening"          # first line: why they call / answer the phone
    complain = "complain"        # restates the problem with feeling; nothing useful happened
    give_fact = "give_fact"      # answers the fact the agent asked for ({fact} in fallback lines)
    object = "object"            # raises the next objection ({objection} in fallback lines)
    soften = "soften"            # reacts to empathy or an apology: a little calmer
    push = "push"                # the agent stalls: asks what will actually be done
    react_rude = "react_rude"    # the agent was rude or dismissive
    wait = "wait"                # the agent puts them on hold: agrees to wait
    clarify = "clarify"          # did not understand / asks the agent to explain
    deflect = "deflect"          # off-topic or manipulation: stays the customer, back to the issue
    accept = "accept"            # the goal is met: accepts the solution
    goodbye = "goodbye"          # satisfied close of the call
    hang_up = "hang_up"          # patience ran out: leaves angrily


BEAT_GUIDE: dict[Beat, str] = {
    Beat.opening: "opens the call and says briefly why they are calling, without giving details nobody asked for",
    Beat.complain: "complains that nothing useful has happened yet and restates the problem",
    Beat.give_fact: "answers the agent's question by giving this information: {fact}",
    Beat.object: "raises this objection: {objection}",
    Beat.soften: "calms down a little because of the understanding shown, and waits for a solution",
    Beat.push: "asks what exactly will be done about the problem, and when",
    Beat.react_rude: "reacts to the rude tone and says it is not acceptable",
    Beat.wait: "agrees to hold for a moment",
    Beat.clarify: "says they did not understand and asks for a simpler explanation",
    Beat.deflect: "ignores that odd remark and brings the conversation back to their own problem",
    Beat.accept: "accepts the solution the agent offered",
    Beat.goodbye: "thanks the agent and says goodbye",
    Beat.hang_up: "has had enough, says so and hangs up",
}


class Temperament(str, Enum):
    irritable = "irritable"
    calm = "calm"
    hesitant = "hesitant"
    confused = "confused"
    talkative = "talkative"
    skeptical = "skeptical"
    elderly = "elderly"
    hurried = "hurried"


class CallType(str, Enum):
    inbound_support = "inbound_support"
    outbound_sales = "outbound_sales"
    survey = "survey"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fact(_Strict):
    id: str = Field(description="Short identifier, e.g. account_number.")
    value: str = Field(description="What the customer says when sharing it, e.g. 'RC-48213'.")
    share: Literal["volunteer", "if_asked"] = Field(
        "if_asked", description="volunteer: may come up unprompted; if_asked: only after the agent asks."
    )
    asked_by: list[str] = Field(
        default_factory=list,
        description="Phrases in the agent's line that count as asking for this fact (case-insensitive).",
    )


class Objection(_Strict):
    id: str
    text: str = Field(description="What the customer objects, e.g. 'It is too expensive'.")
    answered_by: list[str] = Field(
        default_factory=list, description="Phrases in the agent's line that answer this objection."
    )


class Goal(_Strict):
    text: str = Field(description="What would satisfy the customer, in words.")
    satisfied_by: list[str] = Field(
        default_factory=list,
        description="Phrases in the agent's line that offer what the customer wants.",
    )
    requires: list[str] = Field(
        default_factory=list,
        description="Fact ids the agent must have uncovered before the offer counts.",
    )


class Mood(_Strict):
    start: float = Field(0.0, ge=-1.0, le=1.0, description="-1 furious … +1 delighted.")
    sensitivity: float = Field(1.0, gt=0.0, le=3.0, description="How fast mood moves (1 = normal).")


class Voice(_Strict):
    """How the customer sounds. Every field has a default, so a persona may leave `voice` out.

    `backend` picks the speech engine (simulator.voice.voices): `auto` takes the best one
    this machine has for the persona's language and gender (the neural Piper voice for
    English men; the operating system's voices through pyttsx3 on Windows and macOS when
    one fits; espeak-ng otherwise). A named backend or voice that this machine lacks falls
    back the same way, with a warning in the log.
    """

    rate: int = Field(170, ge=80, le=400, description="Words per minute.")
    pitch: int = Field(50, ge=0, le=99)
    espeak: str = Field("en-us", description="espeak-ng voice name, e.g. en-us, en-gb, ro.")
    backend: Literal["auto", "piper", "pyttsx3", "espeak"] = Field(
        "auto", description="Speech engine: auto (best available), piper, pyttsx3 (the OS voices) or espeak."
    )
    gender: Literal["male", "female"] | None = Field(
        None, description="male or female; left out, it is guessed from the persona's first name, then its pitch."
    )
    piper: str | None = Field(None, description="Piper voice id, e.g. en_US-joe-medium (default: the best one installed).")
    system: str | None = Field(
        None, description="pyttsx3 (operating system) voice id or part of its name, e.g. Samantha, Zira, Ioana."
    )


class PhoneLines(_Strict):
    """What the customer says at the phone-call moments that are not an answer to a line. Each
    list left empty uses the language's own defaults (simulator.engine.phone)."""

    still_there: list[str] = Field(default_factory=list, description='The trainee went quiet: "Hello? Are you still there?"')
    gone_quiet: list[str] = Field(default_factory=list, description="Still nobody: the customer hangs up.")
    cut_off: list[str] = Field(default_factory=list,
                               description="Said first when the trainee talked over the customer (impatient customers).")
    long_turn: list[str] = Field(default_factory=list, description="Said first after a monologue of a minute.")
    not_agreed: list[str] = Field(default_factory=list,
                                  description='The trainee said the customer agreed, and it had not: "I didn\'t agree to that."')


# First names of the built-in personas and common ones besides; a trainer can always set
# voice.gender instead.
_FEMALE = {
    "ana", "anna", "beryl", "carmen", "elena", "emma", "grace", "helen", "ioana", "linda", "maria", "mary",
    "priya", "sarah", "sofia", "susan", "alice", "andreea", "cristina", "diana", "laura", "mihaela", "olivia",
}
_MALE = {
    "dave", "david", "gheorghe", "kevin", "marcus", "mihai", "thomas", "john", "james", "michael", "robert",
    "ion", "andrei", "alexandru", "luca", "mihnea", "toma", "vlad", "peter", "paul", "mark", "tom",
}


def guess_gender(name: str, pitch: int = 50, language: str = "en") -> Literal["male", "female"]:
    """A persona's gender from its first name (a short list; Romanian names ending in -a
    are taken as female), else from its voice pitch (55 and above: female)."""
    first = (name.split() or [""])[0].lower().strip(".,")
    if first in _FEMALE:
        return "female"
    if first in _MALE:
        return "male"
    if language == "ro" and first.endswith("a"):
        return "female"
    return "female" if pitch >= 55 else "male"


class Persona(_Strict):
    """A customer a trainee can practise with."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Unique id, lowercase with dashes.")
    name: str = Field(description="The customer's name.")
    language: Literal["en", "ro"] = "en"
    temperament: Temperament
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    call_type: CallType
    company: str = Field(description="The company the agent works for.")
    situation: str = Field(description="Why the customer calls (or is called); the trainee may read this.")
    goal: Goal
    facts: list[Fact] = Field(default_factory=list)
    objections: list[Objection] = Field(default_factory=list)
    patience: int = Field(5, ge=1, le=20, description="Poor handling spends it; at zero the customer hangs up.")
    mood: Mood = Field(default_factory=Mood)
    voice: Voice = Field(default_factory=Voice)
    opening: str | None = Field(None, description="Optional fixed first line of the customer.")
    phone_lines: PhoneLines = Field(default_factory=PhoneLines,
                                    description="Lines for silence, interruptions and monologues (voice calls).")
    fallback_lines: dict[Beat, list[str]] = Field(
        description="Authored lines per beat, used when the actor's line fails the guard."
    )
    rubric: str = Field("inbound-support", description="Default rubric id.")

    @model_validator(mode="after")
    def _check(self) -> "Persona":
        missing = [b.value for b in Beat if not self.fallback_lines.get(b)]
        if missing:
            raise ValueError(f"fallback_lines needs at least one line for each beat; missing: {', '.join(missing)}")
        ids = [f.id for f in self.facts]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"duplicate fact id: {', '.join(sorted(dup))}")
        unknown = [r for r in self.goal.requires if r not in ids]
        if unknown:
            raise ValueError(f"goal.requires names unknown fact id: {', '.join(unknown)}")
        for f in self.facts:
            if f.share == "if_asked" and not f.asked_by:
                raise ValueError(f"fact {f.id!r} is if_asked but has no asked_by phrases")
        if self.voice.gender is None:
            gender = guess_gender(self.name, self.voice.pitch, self.language)
            self.voice = self.voice.model_copy(update={"gender": gender})
        return self

    def fact(self, fact_id: str) -> Fact:
        for f in self.facts:
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)
