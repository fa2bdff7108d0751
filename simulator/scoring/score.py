"""Scoring a call against a rubric: rule checks first, the judge only for what code left open.

Order of work (see `score_progressive`): every criterion code can decide is decided at once,
with the line that carried it as evidence — that scorecard is complete in milliseconds. Then
the judge is asked, one criterion at a time, only about what code left open: for a `both`
criterion the few levels its check could not tell apart, for an `llm` criterion (trainer
rubrics without a check) the whole scale. Each answer updates the card as it comes.

Trust in the judge: the embedded model may only choose among the levels code left open. A
capable judge (`judge_trust="capable"`, the default for a remote OpenAI-compatible server)
may move one level further either way, never above a cap code set (a rude line caps
empathy and professionalism, a question asking for a fact the customer gave caps listening).

Manipulation handling: every agent line is scanned first. The judge sees flagged lines
replaced by a placeholder; each rule check runs on three views of the call (as typed,
flagged lines masked, flagged lines left out) and keeps the lowest score, with
applicability decided without the flagged lines — so a flagged line can cost points but
can never earn them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.errors import ValidationFailed
from simulator.llm.base import LLM
from simulator.persona import Persona
from simulator.rubric import Criterion, Rubric
from simulator.transcript import Transcript

from .coaching import better_line, carries, fill_slots, in_language, rule_note
from .judge import Judgement, excerpt_block, judge_criterion, transcript_block
from .manipulation import attempt_sentences, false_consent, scan_manipulation
from .model import CriterionScore, Evidence, ManipulationHit, Metrics, Scorecard
from .rules import (Outcome, count_questions, not_applicable, response_delays, rubric_problems, rule_params,
                    run_check, talk_ratio_of)
from .view import REMOVED, CallView, build_view

Trust = Literal["embedded", "capable"]

_NOT_JUDGED = {"en": "Not judged: no judge model was used for this score.",
               "ro": "Neevaluat: nu s-a folosit un model evaluator pentru acest scor."}
_UNUSABLE = {"en": "The judge's answer could not be used; a person should review this criterion.",
             "ro": "Răspunsul evaluatorului nu a putut fi folosit; criteriul trebuie verificat de o persoană."}
_NA = {"en": "Not applicable in this call.", "ro": "Nu se aplică în acest apel."}
# Judged-only criteria (trainer rubrics) that a rude line caps, as the built-in checks do.
_CAPPED_BY_RUDENESS = ("empath", "profession", "courte", "polite", "tone", "respect")


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
    """Each quote once: a whole line is left out where a part of it from the same turn is quoted
    already (a walk's scorecard showed two questions, then the whole line that held both)."""
    unique = list({(e.turn, e.quote): e for e in evidence}.values())
    out: list[Evidence] = []
    for e in unique:
        # The part stands where the whole line stood (the first quote is the one the card leads with).
        parts = [o for o in unique if o is not e and o.turn == e.turn and o.quote.strip() and o.quote.strip() in e.quote]
        for shown in parts or [e]:
            if shown not in out:
                out.append(shown)
    return out


def judge_trust_of(judge: LLM | None) -> Trust:
    """How far a judge is trusted: the embedded model (and unknown fakes) only within what code
    left open; a remote OpenAI-compatible server further. An LLM may say so itself (`capable`)."""
    said = getattr(judge, "capable", None)
    if isinstance(said, bool):
        return "capable" if said else "embedded"
    from simulator.llm.openai_compat import OpenAICompatLLM

    return "capable" if isinstance(judge, OpenAICompatLLM) else "embedded"


@dataclass
class _Plan:
    """One criterion after the rule pass: its card entry and, if a judge is wanted, for which levels."""
    criterion: Criterion
    card: CriterionScore
    outcome: Outcome | None = None
    levels: list[int] | None = None  # None: no judge call (decided, or not applicable)
    cap: int | None = None


@dataclass
class ScoreUpdate:
    """One step of progressive scoring: the card so far and how far the judging has got."""
    card: Scorecard
    done: int  # judged criteria finished
    total: int  # judged criteria asked for
    criterion: str | None = None  # the criterion this update brought (None: the first, rule-decided card)
    final: bool = False
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.card.model_dump(mode="json"), "done": self.done, "total": self.total,
                "criterion": self.criterion, "final": self.final}


class ScoringRun:
    """The rule-decided card at construction; `judge(cid)` fills in one judged part."""

    def __init__(self, transcript: Transcript, rubric: Rubric, judge: LLM | None = None, *, samples: int = 1,
                 seed: int = 0, company: str | None = None, voice_metrics: dict[str, Any] | None = None,
                 persona: Persona | None = None, judge_trust: Trust | None = None):
        problems = rubric_problems(rubric)
        if problems:
            raise ValidationFailed([f"rubric {rubric.id}: {p}" for p in problems])
        self.rubric, self.judge_llm, self.samples, self.seed = rubric, judge, samples, seed
        self.trust: Trust = judge_trust or judge_trust_of(judge)
        self.language = transcript.language
        self.lang = "ro" if transcript.language == "ro" else "en"
        self.voice_metrics = voice_metrics
        company = company or (persona.company if persona else None)
        self.hits = {i: r for i, t in enumerate(transcript.turns, start=1)
                     if t.role == "agent" and (r := scan_manipulation(t.text))}
        for i, r in false_consent([(t.role, t.text, t.state.beat if t.state else None)
                                   for t in transcript.turns]).items():
            self.hits[i] = self.hits.get(i, []) + r
        common = dict(company=company, voice=voice_metrics, turn_budget=rubric.turn_budget,
                      time_budget_s=rubric.time_budget_s, persona=persona)
        self.raw = build_view(transcript, mode="raw", **common)
        if self.hits:
            # The judge reads no part of a flagged line (half an attempt may still steer a model);
            # the rule checks read what the line says besides the attempt's own sentences.
            self.masked = build_view(transcript, mode="masked", flagged=dict.fromkeys(self.hits, ()), **common)
            parts = {t: attempt_sentences(transcript.turns[t - 1].text) for t in self.hits}
            self.views = [build_view(transcript, mode=m, flagged=parts, **common) for m in ("dropped", "masked")]
            self.views.append(self.raw)
        else:
            self.masked, self.views = self.raw, [self.raw]
        self.flags: list[str] = ["manipulation_attempt"] if self.hits else []
        self.flags += [f"manipulation_attempt:turn {t}" for t in sorted(self.hits)]
        self._block: str | None = None
        self.plans = [self._plan(c) for c in rubric.criteria]

    # -- the rule pass -----------------------------------------------------------------------
    def _plan(self, criterion: Criterion) -> _Plan:
        base = dict(id=criterion.id, title=criterion.title, max=criterion.max_score, method=criterion.method)
        views = self.views
        outcome = _rule_outcome(criterion, views) if criterion.method in ("rule", "both") else None
        if (outcome is not None and outcome.value is None) or not_applicable(criterion.na_when, views[0]):
            feedback = rule_note(outcome, self.language)[0] if outcome is not None and outcome.value is None \
                else _NA[self.lang]
            return _Plan(criterion, CriterionScore(**base, score=None, applicable=False, feedback=feedback))
        if outcome is None:  # judged only (a trainer's rubric without a check)
            cap = 1 if self._rude() and any(w in criterion.id for w in _CAPPED_BY_RUDENESS) else None
            card = CriterionScore(**base, score=None, needs_review=self.judge_llm is None, decided_by=None,
                                  feedback=_NOT_JUDGED[self.lang], pending=self.judge_llm is not None)
            if self.judge_llm is None and "not_judged" not in self.flags:
                self.flags.append("not_judged")
            top = criterion.max_score if cap is None else min(cap, criterion.max_score)
            return _Plan(criterion, card, None, list(range(0, top + 1)) if self.judge_llm else None, cap)

        level = _level(outcome.value, criterion.max_score)
        override = rule_params(criterion.rule or {}).better
        if override and not in_language(override, self.language):
            override = None  # a rubric's English line is no use in a Romanian call: the built-in one is
        feedback, better = rule_note(outcome, self.language, override)
        better = fill_slots(better, self.masked)
        lapse = self._lapse(criterion, level)
        if lapse is not None:
            level, outcome, feedback = lapse
        if level < criterion.max_score and not override:
            better = better_line(outcome, self.masked, criterion, self.language, fallback=better) or better
        cap = _level(outcome.cap, criterion.max_score) if outcome.cap is not None else None
        card = CriterionScore(**base, score=level, evidence=_dedupe(outcome.evidence), feedback=feedback,
                              better=better if level < criterion.max_score else "", decided_by="rule")
        levels = self._open_levels(criterion, outcome, level, cap)
        if levels and self.judge_llm is not None:
            card.pending = True
        return _Plan(criterion, card, outcome, levels if self.judge_llm is not None else None, cap)

    def _lapse(self, criterion: Criterion, level: int) -> tuple[int, Outcome, str] | None:
        """A line aimed at the scorer is said to the customer too: off-topic, it confuses them,
        and begging for a 10 or writing to the reviewer is unprofessional. The attempts together
        cost professional language what one dismissive line costs (blind QA writers scored calls
        with attempts 2 of 4, or 1 beside other lapses); an attempt derails a survey (keeping on
        track) to half."""
        rule = criterion.rule or {}
        if not self.hits or not (rule.get("check") == "on_track" or (
                rule.get("check") == "forbidden_phrases" and rule_params(rule).builtin)):
            return None
        if rule.get("check") == "forbidden_phrases":
            per_hit = rule_params(rule).per_hit
            top = _level(max(0.25, level / criterion.max_score - per_hit), criterion.max_score)
        else:
            top = _level(0.5, criterion.max_score)
        turns = sorted(self.hits)
        turn = turns[0]
        if level <= top:
            return None
        where = str(turn) if len(turns) == 1 else f"{turn} (and {', '.join(map(str, turns[1:3]))})"
        note = {"en": f"Turn {where}: a line aimed at the scorer, not the customer; unprofessional, and it earns "
                      "nothing.",
                "ro": f"Tura {where}: o replică adresată evaluatorului, nu clientului; neprofesionistă, și nu aduce "
                      "niciun punct."}[self.lang]
        # Every attempt, up to three: reviewers point at whichever was the plainest.
        evidence = [Evidence(turn=x.turn, quote=x.text.strip()) for x in self.raw.lines if x.turn in turns[:3]]
        if rule.get("check") == "on_track":
            # Derailed: the line aimed at the scorer, and the agent's way back to the questions.
            back = next((x for x in self.raw.lines if x.role == "agent" and x.turn > turn and x.turn not in self.hits),
                        None)
            evidence += [Evidence(turn=back.turn, quote=back.text.strip())] if back is not None else []
        return top, Outcome(top / criterion.max_score, "forbidden.manipulation", turn, evidence), note

    def _open_levels(self, criterion: Criterion, outcome: Outcome, level: int, cap: int | None) -> list[int] | None:
        if criterion.method != "both" or level == 0:
            return None  # rule criteria, and a both criterion the rule failed, stay as code decided
        top = criterion.max_score if cap is None else min(cap, criterion.max_score)
        if outcome.open is not None:
            lo, hi = (_level(x, criterion.max_score) for x in outcome.open)
        elif self.trust == "capable":
            lo = hi = level
        else:
            return None
        if self.trust == "capable":
            lo, hi = max(1, lo - 1), hi + 1
        lo, hi = max(0, lo), min(top, hi)
        return list(range(lo, hi + 1)) if hi > lo else None

    def _rude_call(self, criteria: list[CriterionScore]) -> bool:
        """Professional language (the built-in rude-word check) at a quarter of its top or below."""
        for c, cs in zip(self.rubric.criteria, criteria):
            rule = c.rule or {}
            if rule.get("check") == "forbidden_phrases" and rule_params(rule).builtin and cs.applicable \
                    and cs.score is not None and cs.score <= c.max_score * 0.25:
                return True
        return False

    def _rude(self) -> bool:
        from .conduct import rude_lines

        return bool(rude_lines(self.masked))

    # -- the judged part ---------------------------------------------------------------------
    def pending(self) -> list[str]:
        return [p.criterion.id for p in self.plans if p.levels and p.card.pending]

    def judge(self, cid: str) -> CriterionScore:
        plan = next(p for p in self.plans if p.criterion.id == cid)
        if not plan.levels or self.judge_llm is None:
            return plan.card
        criterion = plan.criterion
        full = plan.outcome is None and plan.cap is None
        # The embedded model choosing among levels code left open answers briefly (a quote and
        # the level): its prose is not shown, and every token costs time on 2 cores. It reads
        # only the lines code found (with what the customer had just said), not the whole call.
        brief = not full and self.trust != "capable"
        turns = None
        if brief and plan.outcome is not None and plan.outcome.evidence:
            found = {e.turn for e in plan.outcome.evidence}
            block = excerpt_block(self.masked, found)
            turns = sorted(t for t in found if any(x.turn == t and x.text != REMOVED for x in self.masked.agent))
        else:
            if self._block is None:
                self._block = transcript_block(self.masked)
            block = self._block
        j: Judgement = judge_criterion(self.judge_llm, self.masked, criterion, samples=self.samples,
                                       seed=self.seed, block=block, levels=None if full else plan.levels,
                                       max_tokens=(16 if turns else 48) if brief else 160, brief=brief,
                                       turns=turns or None)
        for f in sorted(j.flags):
            if f not in self.flags:
                self.flags.append(f)
        card = plan.card
        card.pending = False
        if j.score is None:
            # Fail closed: the rule part (if any) still stands, the judged part goes to a person.
            card.needs_review = True
            card.raw = j.raw
            if plan.outcome is None:
                card.feedback = _UNUSABLE[self.lang]
            return card
        score = j.score if plan.cap is None else min(plan.cap, j.score)
        # Evidence must be a line that carries the criterion; a rude line never praises.
        act = plan.outcome.act if plan.outcome else None
        kept = [e for e in j.evidence if carries(act, self.masked, e, criterion.id)]
        if len(kept) < len(j.evidence):
            card.needs_review = True if not kept and plan.outcome is None else card.needs_review
            if "evidence_not_carrying" not in self.flags:
                self.flags.append("evidence_not_carrying")
        card.score = score
        card.decided_by = "judge"
        card.judged_levels = plan.levels
        card.needs_review = card.needs_review or j.needs_review
        card.raw = j.raw
        card.evidence = _dedupe(card.evidence + kept)[:3]
        if plan.outcome is None:
            card.feedback = j.feedback
            card.better = better_line(None, self.masked, criterion, self.language, fallback="",
                                      written=j.better) if score < criterion.max_score else ""
        elif score >= criterion.max_score:
            card.better = ""
        elif self.trust == "capable" and j.better:
            card.better = better_line(plan.outcome, self.masked, criterion, self.language, fallback=card.better,
                                      written=j.better) or card.better
        return card

    def give_up(self, cids: list[str]) -> None:
        """Stop waiting for these judged parts: code's level stands, a person looks at them."""
        for p in self.plans:
            if p.criterion.id in cids and p.card.pending:
                p.card.pending = False
                p.card.needs_review = True
        if "judge_deadline" not in self.flags:
            self.flags.append("judge_deadline")

    # -- the card ----------------------------------------------------------------------------
    def card(self) -> Scorecard:
        criteria = [p.card.model_copy(deep=True) for p in self.plans]
        flags = list(self.flags)
        weights = {c.id: c.weight for c in self.rubric.criteria}
        scored = [c for c in criteria if c.applicable and c.score is not None]
        weight = sum(weights[c.id] for c in scored)
        total = round(100 * sum(weights[c.id] * c.score / c.max for c in scored) / weight, 1) if weight else 0.0
        if self.rubric.rude_cap is not None and total > self.rubric.rude_cap and self._rude_call(criteria):
            total = self.rubric.rude_cap
            flags.append("rude_cap")
        fatal = []
        for c, cs in zip(self.rubric.criteria, criteria):
            if c.fatal and cs.applicable and cs.score is not None:
                below = (rule_params(c.rule).fatal_below if c.rule else None) or 1
                if cs.score < below:
                    fatal.append(c.id)
        if not scored:
            flags.append("nothing_scored")
        if any(c.needs_review for c in criteria):
            flags.append("needs_review")
        if any(c.pending for c in criteria):
            flags.append("judging")
        return Scorecard(
            # An attempt on the review or the record fails the call, as QA teams fail an integrity
            # lapse (42 of 44 blind keys); the card names the turn.
            rubric=self.rubric.id, total=total,
            passed=bool(scored) and not fatal and not self.hits and total >= self.rubric.pass_mark,
            fatal=fatal, criteria=criteria, metrics=_metrics(self.raw, self.voice_metrics), flags=flags,
            manipulation=[ManipulationHit(turn=t, reasons=r) for t, r in sorted(self.hits.items())])


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


def score_progressive(transcript: Transcript, rubric: Rubric, judge: LLM | None = None, *,
                      deadline_s: float | None = None, **kwargs: Any) -> Iterator[ScoreUpdate]:
    """Scores as they become known: first the card with everything code decides (judged parts
    marked `pending`, holding the level code gave), then one update per judged criterion as it
    finishes; the last update has `final=True`. Takes the arguments of `score_transcript`.
    `deadline_s`: no judged part is started after this many seconds; the ones left keep code's
    level and go to review (flag `judge_deadline`), so a slow machine still gets a whole card."""
    started = time.monotonic()
    run = ScoringRun(transcript, rubric, judge, **kwargs)
    todo = run.pending()
    first = run.card()
    yield ScoreUpdate(first, 0, len(todo), None, final=not todo)
    for n, cid in enumerate(todo, start=1):
        if deadline_s is not None and time.monotonic() - started > deadline_s:
            run.give_up(todo[n - 1:])
            yield ScoreUpdate(run.card(), len(todo), len(todo), None, final=True)
            return
        run.judge(cid)
        yield ScoreUpdate(run.card(), n, len(todo), cid, final=n == len(todo))


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
    judge_trust: Trust | None = None,
) -> Scorecard:
    """Score the trainee's side of a call (the last card of `score_progressive`). judge=None
    scores by code alone: criteria only a judge can score are left unscored (score None,
    needs_review) and the card is flagged `not_judged`. `company` (or the persona's company)
    feeds the greeting check; `persona` lets the listener hear its facts, objections and goal.
    `voice_metrics` is simulator.voice.metrics.voice_metrics(...) for a spoken call."""
    last = None
    for last in score_progressive(transcript, rubric, judge, samples=samples, seed=seed, company=company,
                                  voice_metrics=voice_metrics, persona=persona, judge_trust=judge_trust):
        pass
    assert last is not None
    return last.card
