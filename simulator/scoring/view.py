"""A read-only view of a call that the rule checks work on.

Lines keep their 1-based turn numbers whatever the view leaves out, so evidence always
points at the real transcript. Three views exist for the same call (see score.py):
`raw` (every line as typed), `masked` (manipulation attempts replaced by a placeholder) and
`dropped` (attempts left out). An attempt is the sentences that carry it where they can be told
apart, else the whole line. Rule scores take the lowest of the three, so an attempt can only
ever cost points.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from simulator.transcript import CustomerState, EndReason, Transcript

from .text import fold

REMOVED = "[removed: manipulation attempt]"
ViewMode = Literal["raw", "masked", "dropped"]


@dataclass(frozen=True)
class Line:
    turn: int  # 1-based position in transcript.turns
    role: str
    text: str
    folded: str
    t: float
    state: CustomerState | None = None


@dataclass(frozen=True)
class CallView:
    lines: tuple[Line, ...]
    language: str
    end_reason: EndReason | None
    end_t: float | None
    company: str | None = None
    voice: dict[str, Any] | None = None
    turn_budget: int | None = None
    time_budget_s: float | None = None
    persona: Any = None  # the Persona played, when known: its facts, objections and goal are heard too
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # readings checks share
    agent: tuple[Line, ...] = field(init=False)
    customer: tuple[Line, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "agent", tuple(x for x in self.lines if x.role == "agent"))
        object.__setattr__(self, "customer", tuple(x for x in self.lines if x.role == "customer"))

    def heard(self, line: Line):
        """What the customer heard in an agent line: the same listener the director asks."""
        return self.listener.hear(line.text)

    @property
    def listener(self):
        from simulator.listener import listener_for

        if self.persona is not None:
            return persona_listener(self.persona)
        return listener_for(self.language, self.company)

    @property
    def timed(self) -> bool:
        """Whether the call carries real timestamps (a typed test transcript may not)."""
        return self.end_t is not None or any(x.t > 0 for x in self.lines)

    @property
    def duration_s(self) -> float | None:
        if not self.timed:
            return None
        last = max((x.t for x in self.lines), default=0.0)
        return max(self.end_t or 0.0, last)


_PERSONA_LISTENERS: dict[tuple[str, int], tuple[Any, Any]] = {}


def persona_listener(persona: Any):
    """One listener per persona object (building one compiles its phrases: most of a second)."""
    from simulator.listener import Listener

    key = (persona.id, id(persona))
    hit = _PERSONA_LISTENERS.get(key)
    if hit is None:
        if len(_PERSONA_LISTENERS) > 64:
            _PERSONA_LISTENERS.clear()
        hit = _PERSONA_LISTENERS[key] = (persona, Listener(persona))  # the persona kept alive: its id stays its own
    return hit[1]


def build_view(
    transcript: Transcript,
    *,
    mode: ViewMode = "raw",
    flagged: Mapping[int, Sequence[str]] = MappingProxyType({}),
    company: str | None = None,
    voice: dict[str, Any] | None = None,
    turn_budget: int | None = None,
    time_budget_s: float | None = None,
    persona: Any = None,
) -> CallView:
    lines = []
    for i, turn in enumerate(transcript.turns, start=1):
        text = turn.text
        if i in flagged and turn.role == "agent" and mode != "raw":
            # `flagged`: a flagged turn -> the attempt's own sentences; none: the whole line is the
            # attempt. What the line says besides the attempt counts.
            part = flagged[i]
            if part:
                # No placeholder inside a line: the checks would quote it as the trainee's words.
                for s in part:
                    text = text.replace(s, "")
                text = " ".join(text.split())
            elif mode == "dropped":
                continue
            else:
                text = REMOVED
        lines.append(Line(i, turn.role, text, fold(text), turn.t, turn.state))
    end = transcript.end
    return CallView(
        lines=tuple(lines),
        language=transcript.language,
        end_reason=end.reason if end else None,
        end_t=end.t if end else None,
        company=company,
        voice=voice,
        turn_budget=turn_budget,
        time_budget_s=time_budget_s,
        persona=persona,
    )
