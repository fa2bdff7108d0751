"""The rubric a trainer writes (one YAML file each): weighted criteria, pass mark, fatal criteria."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .persona import CallType


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Criterion(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    description: str
    weight: float = Field(gt=0, description="Relative weight in the 0-100 total.")
    levels: dict[int, str] = Field(description="Score -> what that score looks like; 0 is the lowest.")
    method: Literal["rule", "llm", "both"]
    rule: dict[str, Any] | None = Field(
        None, description="The code check: {check: NAME, ...parameters}. Needed for rule and both."
    )
    fatal: bool = Field(False, description="Failing this criterion fails the whole call.")
    na_when: str | None = Field(None, description="Condition under which the criterion does not apply.")
    examples: dict[Literal["en", "ro"], list[str]] = Field(
        default_factory=dict,
        description="Good lines a trainee could say for this criterion, per language: coaching offers the first "
                    "that fits the moment and was not said already.")

    @property
    def max_score(self) -> int:
        return max(self.levels)

    @model_validator(mode="after")
    def _check(self) -> "Criterion":
        if self.method in ("rule", "both") and not self.rule:
            raise ValueError(f"criterion {self.id!r} has method {self.method} but no rule")
        if self.rule is not None and "check" not in self.rule:
            raise ValueError(f"criterion {self.id!r}: rule needs a 'check' name")
        if len(self.levels) < 2 or min(self.levels) != 0:
            raise ValueError(f"criterion {self.id!r}: levels need a 0 level and at least one more")
        return self


class Rubric(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    call_type: CallType
    language: Literal["en", "ro", "any"] = "any"
    pass_mark: float = Field(ge=0, le=100)
    time_budget_s: float | None = Field(None, gt=0, description="Time the call should fit in.")
    turn_budget: int | None = Field(None, gt=0, description="Most agent turns the call should take.")
    rude_cap: float | None = Field(
        None, ge=0, le=100,
        description="Highest total for a call with several rude or dismissive lines or abusive wording (professional "
                    "language at its lowest levels), whatever else went well: rude calls are never praised.")
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Rubric":
        ids = [c.id for c in self.criteria]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate criterion id: {', '.join(dup)}")
        return self

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)
