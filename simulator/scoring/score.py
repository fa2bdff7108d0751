"""Scoring a call against a rubric: rule checks, the judge, manipulation guard, totals.

Manipulation handling: every agent line is scanned first. The judge sees flagged lines
replaced by a placeholder; each rule check runs on three views of the call (as typed,
flagged lines masked, flagged lines left out) and keeps the lowest score, with
applicability decided without the flagged lines — so a flagged line can cost points but
can never earn them.
"""

from __future__ import annotations

import math
from typing import Any

from simulator.errors import ValidationFailed
from simulator.llm.base import LLM
from simulator.persona import Persona
from simulator.rubric import Criterion, Rubric
from simulator.transcript import Transcript

from .coaching import rule_note
from .judge import Judgement, judge_criterion, transcript_block
from .manipulation import scan_manipulation
from .model import CriterionScore, Evidence, ManipulationHit, Metrics, Scorecard
from .rules import (Outcome, count_questions, not_applicable, response_delays, rubric_problems, rule_params,
                    run_check, talk_ratio_of)
from .view import CallView, build_view

_NOT_JUDGED = {"en": "Not judged: no judge model was used for this score.",
               "ro": "Neevaluat: nu s-a folosit un model evaluator pentru acest scor."}
_UNUSABLE = {"en": "The judge's answer could not be used; a person should review this criterion.",
             "ro": "Răspunsul evaluatorului nu a putut fi folosit; criteriul trebuie verificat de o persoană."}


def _level(value: float, max_score: int) -> int:
    return int(math.floor(value * max_score + 0.5))


def _rule_outcome(criterion: Criterion, views: list[CallView]) -> Outcome:
    """Lowest outcome over the views; not applicable when the first (cleanest) view says so."""
    outcomes = [run_check(criterion.rule or {}, v) for v in views]
    if outcomes[0].value is None:
        return outcomes[0]
    applicable = [o for o in outcomes if o.value is not None]
    return min(applicable, key=lambda o: o.value)  # min keeps the first of equals: the cleanest view


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    return list({(e.turn, e.quote): e for e in evidence}.values())


def _score_criterion(criterion: Criterion, views: list[CallView], masked: CallView, block: str,
                     judge: LLM | None, samples: int, seed: int, language: str,
                     flags: list[str]) -> CriterionScore:
    base = dict(id=criterion.id, title=criterion.title, max=criterion.max_score, method=criterion.method)
    lang = "ro" if language == "ro" else "en"
    outcome = _rule_outcome(criterion, views) if criterion.method in ("rule", "both") else None
    if (outcome is not None and outcome.value is None) or not_applicable(criterion.na_when, views[0]):
        feedback = rule_note(outcome, language)[0] if outcome is not None and outcome.value is None else (
            "Not applicable in this call." if lang == "en" else "Nu se aplică în acest apel.")
        return CriterionScore(**base, score=None, applicable=False, feedback=feedback)

    rule_score = better_override = None
    rule_feedback = rule_better = ""
    evidence: list[Evidence] = []
    if outcome is not None:
        rule_score = _level(outcome.value, criterion.max_score)
        better_override = rule_params(criterion.rule or {}).better
        rule_feedback, rule_better = rule_note(outcome, language, better_override)
        evidence += outcome.evidence
    if criterion.method == "rule" or rule_score == 0:
        # A "both" criterion the rule already failed stays at 0 whatever the judge says: skip the call.
        return CriterionScore(**base, score=rule_score, evidence=_dedupe(evidence), feedback=rule_feedback,
                              better=rule_better)

    if judge is None:
        if "not_judged" not in flags:
            flags.append("not_judged")
        if rule_score is None:
            return CriterionScore(**base, score=None, needs_review=True, feedback=_NOT_JUDGED[lang])
        # Only the rule half was scored: it stands (it can only be lowered by the judge), but a
        # person should look at the judged half.
        return CriterionScore(**base, score=rule_score, evidence=_dedupe(evidence), needs_review=True,
                              feedback=rule_feedback, better=rule_better)

    j: Judgement = judge_criterion(judge, masked, criterion, samples=samples, seed=seed, block=block)
    for f in sorted(j.flags):
        if f not in flags:
            flags.append(f)
    if j.score is None:
        # Fail closed: the rule part (if any) still stands, the judged part goes to a person.
        return CriterionScore(**base, score=rule_score, evidence=_dedupe(evidence), needs_review=True,
                              feedback=rule_feedback or _UNUSABLE[lang], better=rule_better, raw=j.raw)
    score = j.score if rule_score is None else min(rule_score, j.score)
    use_rule = rule_score is not None and (rule_score < j.score or not j.feedback)
    return CriterionScore(
        **base, score=score, evidence=_dedupe(evidence + j.evidence), needs_review=j.needs_review,
        feedback=rule_feedback if use_rule else j.feedback, better=rule_better if use_rule else j.better,
        raw=j.raw)


def _metrics(view: CallView, voice_metrics: dict[str, Any] | None) -> Metrics:
    delays = sorted(d for _, d in response_delays(view))
    median = None
    if delays:
        mid = len(delays) // 2
        median = round(delays[mid] if len(delays) % 2 else (delays[mid - 1] + delays[mid]) / 2, 2)
    duration = view.duration_s
    extra = {k: v for k, v in (voice_metrics or {}).items()
             if (v is None or isinstance(v, (int, float, dict))) and k not in Metrics.model_fields}
    return Metrics(agent_turns=len(view.agent), talk_ratio=talk_ratio_of(view),
                   duration_s=round(duration, 2) if duration is not None else None,
                   questions=count_questions(view), response_s_median=median, **extra)


def score_transcript(
    transcript: Transcript,
    rubric: Rubric,
    judge: LLM | None = None,
    *,
    samples: int = 1,
    seed: int = 0,
    company: str | None = None,
    voice_metrics: dict[str, Any] | None = None,
    persona: Persona | None = None,
) -> Scorecard:
    """Score the trainee's side of a call. judge=None scores rule criteria only; judged
    criteria are then left unscored (score None, needs_review) and the card is flagged
    `not_judged`. `company` (or the persona's company) feeds the greeting check.
    `voice_metrics` is simulator.voice.metrics.voice_metrics(...) for a spoken call: speaking
    times drive the talk ratio, every figure is reported in metrics."""
    problems = rubric_problems(rubric)
    if problems:
        raise ValidationFailed([f"rubric {rubric.id}: {p}" for p in problems])
    company = company or (persona.company if persona else None)
    hits = {i: r for i, t in enumerate(transcript.turns, start=1)
            if t.role == "agent" and (r := scan_manipulation(t.text))}
    common = dict(company=company, voice=voice_metrics, turn_budget=rubric.turn_budget,
                  time_budget_s=rubric.time_budget_s)
    raw = build_view(transcript, mode="raw", **common)
    if hits:
        flagged = frozenset(hits)
        masked = build_view(transcript, mode="masked", flagged=flagged, **common)
        views = [build_view(transcript, mode="dropped", flagged=flagged, **common), masked, raw]
    else:
        masked, views = raw, [raw]
    flags: list[str] = ["manipulation_attempt"] if hits else []
    block = transcript_block(masked)
    criteria = [_score_criterion(c, views, masked, block, judge, samples, seed, transcript.language, flags)
                for c in rubric.criteria]

    weights = {c.id: c.weight for c in rubric.criteria}
    scored = [c for c in criteria if c.applicable and c.score is not None]
    weight = sum(weights[c.id] for c in scored)
    total = round(100 * sum(weights[c.id] * c.score / c.max for c in scored) / weight, 1) if weight else 0.0
    fatal = []
    for c, cs in zip(rubric.criteria, criteria):
        if c.fatal and cs.applicable and cs.score is not None:
            below = (rule_params(c.rule).fatal_below if c.rule else None) or 1
            if cs.score < below:
                fatal.append(c.id)
    if not scored:
        flags.append("nothing_scored")
    if any(c.needs_review for c in criteria):
        flags.append("needs_review")
    return Scorecard(
        rubric=rubric.id, total=total, passed=bool(scored) and not fatal and total >= rubric.pass_mark,
        fatal=fatal, criteria=criteria, metrics=_metrics(raw, voice_metrics), flags=flags,
        manipulation=[ManipulationHit(turn=t, reasons=r) for t, r in sorted(hits.items())])
