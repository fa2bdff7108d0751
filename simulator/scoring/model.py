"""The scorecard (Score JSON of DESIGN.md) and readiness, as pydantic models.

Turn numbers are 1-based positions in `transcript.turns` (turn 1 is the first line of the
call, whoever spoke it), the same numbers the judge sees as `[turn N]`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer


class Evidence(BaseModel):
    turn: int = Field(ge=1, description="1-based position in transcript.turns.")
    quote: str = Field(description="Exact words from the trainee's line at that turn.")


class SupervisorScore(BaseModel):
    """A supervisor's score for one criterion (calibration), kept beside the automatic one."""
    score: int | None = Field(description="None: the supervisor marked it not applicable.")
    note: str
    by: str
    at: float


class CriterionScore(BaseModel):
    id: str
    title: str = ""
    score: int | None = Field(description="0..max; None when not scored (no judge, unparseable verdict).")
    max: int
    applicable: bool = True
    method: Literal["rule", "llm", "both"]
    evidence: list[Evidence] = Field(default_factory=list)
    feedback: str = ""
    better: str = Field("", description="A better phrasing the trainee could use next time.")
    needs_review: bool = False
    raw: str | None = Field(None, description="The judge's raw output, kept when it could not be used.")
    decided_by: Literal["rule", "judge"] | None = Field(
        None, description="Who set the level: code (rule checks and the listener) or the judge model.")
    judged_levels: list[int] | None = Field(
        None, description="The levels code left open and the judge chose among (judged part only).")
    pending: bool = Field(False, description="The judged part is still running; the level shown is code's.")
    supervisor: SupervisorScore | None = Field(None, description="A supervisor's re-score, beside the automatic one.")

    @model_serializer(mode="wrap")
    def _drop_empty_raw(self, handler: Any) -> dict[str, Any]:
        # Optional parts only appear when there is something to look at; the contract has no null raw.
        data = handler(self)
        for key in ("raw", "judged_levels", "supervisor", "decided_by"):
            if data.get(key) is None:
                data.pop(key, None)
        if not data.get("pending"):
            data.pop("pending", None)
        return data


class Metrics(BaseModel):
    """Figures about the call; voice figures (when the call was spoken) are added as extra keys."""

    model_config = ConfigDict(extra="allow")
    agent_turns: int
    talk_ratio: float | None = Field(description="Agent's share of words (or of speaking time for voice calls).")
    duration_s: float | None
    questions: int
    response_s_median: float | None = Field(description="Median seconds from a customer line to the agent's reply.")


class ManipulationHit(BaseModel):
    turn: int
    reasons: list[str]


class Scorecard(BaseModel):
    rubric: str
    total: float = Field(ge=0, le=100)
    passed: bool
    fatal: list[str] = Field(default_factory=list)
    criteria: list[CriterionScore]
    metrics: Metrics
    flags: list[str] = Field(default_factory=list)
    manipulation: list[ManipulationHit] = Field(
        default_factory=list, description="Trainee turns flagged as manipulation attempts, with why."
    )
    supervisor_total: float | None = Field(
        None, description="The total with the supervisor's re-scores in place of the automatic ones.")

    @model_serializer(mode="wrap")
    def _drop_empty(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if data.get("supervisor_total") is None:
            data.pop("supervisor_total", None)
        return data

    def criterion(self, cid: str) -> CriterionScore:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)


class Condition(BaseModel):
    """One condition of the readiness rule, met or not, with the calls that met it."""

    met: bool
    text: str
    calls: list[str] = Field(default_factory=list, description="The calls that met it (or broke it), as people read them.")


class Readiness(BaseModel):
    ready: bool
    reasons: list[str]
    source: Literal["rules", "override"]
    conditions: list[Condition] = Field(default_factory=list, description="The rule's conditions, each met or unmet.")
    counts: str = Field("", description="Which calls count towards readiness.")
