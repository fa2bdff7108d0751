"""The transcript JSON contract of DESIGN.md: turns of a call and how it ended."""

from __future__ import annotations

from enum import Enum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "ro"]  # what customers speak, and what the app's pages come in
LANGUAGES: tuple[str, ...] = get_args(Language)


class EndReason(str, Enum):
    resolved = "resolved"
    hung_up = "hung_up"
    agent_ended = "agent_ended"
    time_limit = "time_limit"


class CustomerState(BaseModel):
    """The director's state after a customer turn."""

    mood: float
    patience: int
    revealed: list[str] = Field(default_factory=list)
    beat: str
    replaced: bool = False
    # Extra detail kept for the review; optional on input.
    acts: list[str] = Field(default_factory=list, description="Acts detected in the agent turn before this one.")
    rejected: list[str] = Field(default_factory=list, description="Why the guard rejected the actor's line(s).")
    cut_off: bool | None = Field(default=None, description="The trainee talked over this line (hands-free barge-in).")
    hung_up_on: bool | None = Field(default=None, description="The trainee ended the call while this line was being "
                                    "said: it is as far as the customer got.")


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["agent", "customer"]
    text: str
    t: float = 0.0
    state: CustomerState | None = None
    audio: str | None = None


class End(BaseModel):
    reason: EndReason
    t: float


class Transcript(BaseModel):
    model_config = ConfigDict(extra="ignore")
    persona: str
    rubric: str | None = None
    seed: int | None = None
    language: Language = "en"
    mode: Literal["text", "voice"] = "text"
    turns: list[Turn] = Field(default_factory=list)
    end: End | None = None

    def agent_turns(self) -> list[tuple[int, Turn]]:
        """(index in turns, turn) for each of the trainee's turns."""
        return [(i, t) for i, t in enumerate(self.turns) if t.role == "agent"]

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)
