"""Readiness for live calls: the rule of DESIGN.md, and a supervisor's override.

A trainee is ready when they passed at least k different seeded calls (distinct persona and
seed), at least one with each required temperament, and had no fatal failure in their last
n calls. The reasons always say what is there and what is missing, for the dashboard.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .model import Readiness


class ReadinessPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)
    k_passed: int = Field(3, ge=1, description="Distinct seeded calls to pass.")
    required_temperaments: tuple[str, ...] = ("irritable", "calm", "hesitant")
    last_n: int = Field(5, ge=1, description="No fatal failure among this many most recent calls.")
    exam_only: bool = Field(False, description="Count only exam calls as passed seeded calls.")


def _text(value: Any) -> str:
    return str(getattr(value, "value", value)) if value is not None else ""


def _day(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    return _text(value)[:10] or "an unknown date"


def _sort_key(session: dict[str, Any]) -> str:
    started = session.get("started_at")
    return started.isoformat() if isinstance(started, (datetime, date)) else _text(started)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rules(sessions: list[dict[str, Any]], policy: ReadinessPolicy) -> tuple[bool, list[str]]:
    reasons: list[str] = []
    passed = [s for s in sessions if s.get("passed") and s.get("seed") is not None
              and (s.get("exam") or not policy.exam_only)]
    distinct = {(_text(s.get("persona_id")), s.get("seed")) for s in passed}
    kind = "seeded exam calls" if policy.exam_only else "seeded calls"
    enough = len(distinct) >= policy.k_passed
    reasons.append(f"passed {min(len(distinct), policy.k_passed) if enough else len(distinct)} of "
                   f"{policy.k_passed} {kind}" + (f" ({len(distinct)} in all)" if len(distinct) > policy.k_passed else ""))

    seen = {_text(s.get("temperament")) for s in passed}
    missing = [t for t in policy.required_temperaments if t not in seen]
    for t in missing:
        reasons.append(f"no passed call with a {t} customer yet")
    if not missing and policy.required_temperaments:
        reasons.append(f"passed calls with {_and(list(policy.required_temperaments))} customers")

    recent = sorted(sessions, key=_sort_key, reverse=True)[: policy.last_n]
    fatal = [(s, f) for s in recent for f in (s.get("fatal") or [])]
    if fatal:
        details = "; ".join(f"{f} on {_day(s.get('started_at'))}" for s, f in fatal)
        reasons.append(f"fatal failure in the last {policy.last_n} calls: {details}")
    else:
        reasons.append(f"no fatal failure in the last {policy.last_n} calls")
    return enough and not missing and not fatal, reasons


def assess_readiness(sessions: list[dict[str, Any]], override: dict[str, Any] | None = None,
                     policy: ReadinessPolicy | None = None) -> Readiness:
    """Whether a trainee may take live calls, and why. Each session: persona_id, temperament,
    seed, exam, passed, fatal (criterion ids), started_at. An override (ready, note, by,
    created_at) from a supervisor wins; the rule's own findings follow its note."""
    ready, reasons = _rules(sessions, policy or ReadinessPolicy())
    if override is None:
        return Readiness(ready=ready, reasons=reasons, source="rules")
    granted = bool(override.get("ready"))
    who = _text(override.get("by")) or "a supervisor"
    when = _day(override.get("created_at")) if override.get("created_at") else "an unknown date"
    note = _text(override.get("note")).strip() or "no note"
    head = f"{'ready' if granted else 'not ready'} by supervisor override ({who}, {when}): {note}"
    return Readiness(ready=granted, reasons=[head] + [f"rules: {r}" for r in reasons], source="override")
