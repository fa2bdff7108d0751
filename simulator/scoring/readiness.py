"""Readiness for live calls: the rule of DESIGN.md, and a supervisor's override.

A trainee is ready when they passed at least k different seeded calls (distinct persona and
seed), at least one with each required temperament, and had no fatal failure in their last
n calls. The reasons always say what is there and what is missing, for the dashboard.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .model import Condition, Readiness


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


def _a(word: str) -> str:
    """'an irritable', 'a calm': the article a reader expects."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _call(s: dict[str, Any]) -> str:
    """A call as a supervisor finds it in the sessions list."""
    total = s.get("total")
    score = f" · {total:.0f}/100" if isinstance(total, (int, float)) else ""
    return f"{_text(s.get('persona_id'))} · seed {s.get('seed')} · {_day(s.get('started_at'))}{score}"


def counted_calls(policy: ReadinessPolicy) -> str:
    """Which calls count, said once on the board: practice calls without a seed do not."""
    kind = "seeded exam calls" if policy.exam_only else "seeded calls (calls started with a seed)"
    return (f"Only passed {kind} count towards readiness: every trainee meets the same customer in them. "
            "Practice calls without a seed do not count.")


def _rules(sessions: list[dict[str, Any]], policy: ReadinessPolicy) -> list[Condition]:
    counts = [s for s in sessions if s.get("seed") is not None and (s.get("exam") or not policy.exam_only)]
    passed = sorted((s for s in counts if s.get("passed")), key=_sort_key)
    counted = {id(s) for s in counts}
    unseeded = [s for s in sessions if s.get("passed") and id(s) not in counted]
    kind = "seeded exam calls" if policy.exam_only else "seeded calls"
    conditions: list[Condition] = []

    first_of: dict[tuple[str, Any], dict[str, Any]] = {}
    for s in passed:
        first_of.setdefault((_text(s.get("persona_id")), s.get("seed")), s)
    distinct = list(first_of.values())
    enough = len(distinct) >= policy.k_passed
    text = (f"passed {min(len(distinct), policy.k_passed) if enough else len(distinct)} of "
            f"{policy.k_passed} different {kind}" + (f" ({len(distinct)} in all)" if len(distinct) > policy.k_passed else ""))
    if not enough and unseeded:
        text += f"; {len(unseeded)} passed call{'s' if len(unseeded) > 1 else ''} without a seed do{'es' if len(unseeded) == 1 else ''} not count"
    conditions.append(Condition(met=enough, text=text, calls=[_call(s) for s in distinct]))

    for t in policy.required_temperaments:
        hit = next((s for s in passed if _text(s.get("temperament")) == t), None)
        if hit is not None:
            conditions.append(Condition(met=True, text=f"passed a seeded call with {_a(t)} customer", calls=[_call(hit)]))
            continue
        text = f"no passed seeded call with {_a(t)} customer yet"
        practice = [s for s in unseeded if _text(s.get("temperament")) == t]
        if practice:
            text += " (a passed practice call without a seed does not count)"
        conditions.append(Condition(met=False, text=text))

    recent = sorted(sessions, key=_sort_key, reverse=True)[: policy.last_n]
    fatal = [(s, f) for s in recent for f in (s.get("fatal") or [])]
    if fatal:
        details = "; ".join(f"{f} on {_day(s.get('started_at'))}" for s, f in fatal)
        conditions.append(Condition(met=False, text=f"fatal failure in the last {policy.last_n} calls: {details}",
                                    calls=[_call(s) if s.get("seed") is not None else
                                           f"{_text(s.get('persona_id'))} · {_day(s.get('started_at'))}"
                                           for s, _ in fatal]))
    else:
        conditions.append(Condition(met=True, text=f"no fatal failure in the last {policy.last_n} calls"))
    return conditions


def assess_readiness(sessions: list[dict[str, Any]], override: dict[str, Any] | None = None,
                     policy: ReadinessPolicy | None = None) -> Readiness:
    """Whether a trainee may take live calls, and why. Each session: persona_id, temperament,
    seed, exam, passed, fatal (criterion ids), started_at. An override (ready, note, by,
    created_at) from a supervisor wins; the rule's own findings follow its note."""
    policy = policy or ReadinessPolicy()
    conditions = _rules(sessions, policy)
    ready = all(c.met for c in conditions)
    reasons = [c.text for c in conditions]
    counts = counted_calls(policy)
    if override is None:
        return Readiness(ready=ready, reasons=reasons, source="rules", conditions=conditions, counts=counts)
    granted = bool(override.get("ready"))
    who = _text(override.get("by")) or "a supervisor"
    when = _day(override.get("created_at")) if override.get("created_at") else "an unknown date"
    note = _text(override.get("note")).strip() or "no note"
    head = f"{'ready' if granted else 'not ready'} by supervisor override ({who}, {when}): {note}"
    return Readiness(ready=granted, reasons=[head] + [f"rules: {r}" for r in reasons], source="override",
                     conditions=conditions, counts=counts)
